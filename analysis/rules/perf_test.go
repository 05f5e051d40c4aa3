package rules

import (
	"math/rand/v2"
	"slices"
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

// TestVarRefNames: varRefNames finds what the varRef expression finds, on random strings made of
// the characters that matter.
func TestVarRefNames(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := "${}aZ_9-:x "
	for n := 0; n < 20000; n++ {
		b := make([]byte, r.IntN(14))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		var want []string
		for _, m := range varRef.FindAllStringSubmatch(s, -1) {
			want = append(want, m[1]+m[2])
		}
		if got := varRefNames(s); !slices.Equal(got, want) {
			t.Fatalf("varRefNames(%q) = %q, want %q", s, got, want)
		}
	}
}
