//go:build !race

package lsp_test

// raceEnabled is true when the tests run with -race, which makes the 10 MB test ten times slower.
const raceEnabled = false
