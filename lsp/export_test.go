package lsp

// GenerateDockerfile is the test generator, for the external benchmarks.
var GenerateDockerfile = analysisGenerate
