package rules

import (
	"testing"

	"github.com/layerlens/layerlens/analysis"
)

// BenchmarkEachRule5000 runs every rule alone over the generated 5,000-line file (the LSP
// benchmark's file), to find the rules whose cost is out of line.
func BenchmarkEachRule5000(b *testing.B) {
	f := analysis.Parse(analysis.GenerateDockerfile(5000))
	for _, r := range All {
		b.Run(r.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Check(f, Options{Only: []string{r.Name}})
			}
		})
	}
}
