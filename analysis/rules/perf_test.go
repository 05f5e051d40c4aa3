package rules

import (
	"math/rand/v2"
	"slices"
	"strings"
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

// TestSecretNameFast: the allocation-free path of secretName agrees with the general one.
func TestSecretNameFast(t *testing.T) {
	general := func(name string) bool {
		secret := false
		for _, part := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
			if publicNameTokens[part] {
				return false
			}
			if secretNameTokens[part] {
				secret = true
			}
		}
		return secret
	}
	names := []string{"", "_", "PASSWORD", "DB_PASSWORD", "PASSWORD_FILE", "api-key", "Api.Token", "__SECRET__", "PUBLIC_KEY", "GITHUB_TOKEN", "TOKEN_URL", "x.y-z_w", "NPM_AUTH_TOKEN", "AWS_SECRET_ACCESS_KEY"}
	for tok := range secretNameTokens {
		names = append(names, tok, strings.ToUpper(tok)+"_X", "MY-"+tok)
	}
	for tok := range publicNameTokens {
		names = append(names, tok+"_PASSWORD", "secret."+strings.ToUpper(tok))
	}
	for _, n := range names {
		if got, want := secretName(n), general(n); got != want {
			t.Errorf("secretName(%q) = %v, want %v", n, got, want)
		}
	}
}

// TestAsciiQuickNeedle: the one-pass needle check agrees with lower-casing and strings.Contains.
func TestAsciiQuickNeedle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var needles []string
	for _, mp := range minerPatterns {
		needles = append(needles, mp.needles...)
	}
	pieces := append([]string{" ", "\n", "RUN ", "x", "M", "-", "é", "\u212a", "pool"}, needles...)
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for k := r.IntN(6); k > 0; k-- {
			p := pieces[r.IntN(len(pieces))]
			if r.IntN(2) == 0 {
				p = strings.ToUpper(p)
			}
			if len(p) > 1 && r.IntN(3) == 0 {
				p = p[:len(p)-1] // a near miss
			}
			b.WriteString(p)
		}
		s := b.String()
		want := false
		for _, n := range needles {
			want = want || strings.Contains(strings.ToLower(s), n)
		}
		found, ascii := asciiQuickNeedle(s)
		if ascii && found != want {
			t.Fatalf("asciiQuickNeedle(%q) = %v, want %v", s, found, want)
		}
		if !ascii && !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }) {
			t.Fatalf("asciiQuickNeedle(%q) says non-ASCII", s)
		}
	}
}

// BenchmarkRulesCorpusSharedCache is BenchmarkRulesCorpus with one Cache for all files, as a
// `layerlens check` over many similar Dockerfiles could use (the docker-library variants share
// most RUN scripts; the cache keeps what the previous file used).
func BenchmarkRulesCorpusSharedCache(b *testing.B) {
	parsed := corpusParsed(b)
	cache := NewCache()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		for _, f := range parsed {
			Check(f, Options{Cache: cache})
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
}
