package analysis

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func TestGenerateDockerfile(t *testing.T) {
	for _, n := range []int{0, 1, 17, 18, 19, 5000} {
		text := GenerateDockerfile(n)
		if got := strings.Count(text, "\n"); got != n {
			t.Errorf("GenerateDockerfile(%d) has %d lines", n, got)
		}
		f := Parse(text)
		if len(f.Errors) != 0 {
			t.Errorf("GenerateDockerfile(%d): errors %v", n, f.Errors)
		}
	}
	f := Parse(GenerateDockerfile(5000))
	if len(f.Stages) != 5000/18 {
		t.Errorf("GenerateDockerfile(5000) has %d stages, want %d", len(f.Stages), 5000/18)
	}
}

// oneLineEdit returns text with one character added to a line in the middle (an ENV value).
func oneLineEdit(text string) string {
	i := strings.Index(text[len(text)/2:], "ENV APP_HOME=") + len(text)/2
	return text[:i+13] + "x" + text[i+13:]
}

func BenchmarkParse5000(b *testing.B) {
	text := GenerateDockerfile(5000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(text)
	}
}

func BenchmarkReparseOneLine5000(b *testing.B) {
	text := GenerateDockerfile(5000)
	prev := Parse(text)
	edited := oneLineEdit(text)
	b.ReportAllocs()
	for b.Loop() {
		Reparse(prev, edited)
	}
}

// BenchmarkReparseInsertLine5000 inserts a line in the middle, so everything after it moves.
func BenchmarkReparseInsertLine5000(b *testing.B) {
	text := GenerateDockerfile(5000)
	prev := Parse(text)
	i := strings.Index(text[len(text)/2:], "\nENV ") + len(text)/2 + 1
	edited := text[:i] + "RUN echo inserted\n" + text[i:]
	b.ReportAllocs()
	for b.Loop() {
		Reparse(prev, edited)
	}
}

// BenchmarkBuildKitParse5000 is BuildKit's parser alone on the same file, for comparison.
func BenchmarkBuildKitParse5000(b *testing.B) {
	text := GenerateDockerfile(5000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parser.Parse(strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}
