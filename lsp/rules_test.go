package lsp_test

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/layerlens/layerlens/lsp/lsptest"
)

// TestRulesSeeMissingDockerIgnore: a file: Dockerfile with no .dockerignore beside it gets
// CopyAllNoDockerignore, as `layerlens check` reports; with one, or for an untitled document
// (whose build context is unknown), it does not.
func TestRulesSeeMissingDockerIgnore(t *testing.T) {
	env := lsptest.New(t)
	text := "FROM alpine:3.20\nCOPY . /app\n"
	bare := t.TempDir()
	withIgnore := t.TempDir()
	if err := os.WriteFile(filepath.Join(withIgnore, ".dockerignore"), []byte(".git\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fileURI := func(dir string) string {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(dir, "Dockerfile"))}).String()
	}
	for _, c := range []struct {
		uri  string
		want bool
	}{
		{fileURI(bare), true},
		{fileURI(withIgnore), false},
		{"untitled:Untitled-1", false},
	} {
		env.Open(c.uri, text)
		got := false
		for _, d := range env.Diagnostics(c.uri) {
			if d.Code == "CopyAllNoDockerignore" {
				got = true
			}
		}
		if got != c.want {
			t.Errorf("%s: CopyAllNoDockerignore reported = %v, want %v", c.uri, got, c.want)
		}
	}
}

// TestRulesSeeImageFacts: once the base image is reviewed, UndefinedVar knows the image's whole
// environment and reports an upper-case variable it does not set (without facts such a name is
// assumed to come from the image).
func TestRulesSeeImageFacts(t *testing.T) {
	reg := newImageRegistry(t)
	env, _ := newImageEnv(t)
	uri := "file:///w/facts/Dockerfile"
	env.Open(uri, "FROM "+reg.host+"/demo/clean:1.0\nCOPY $NOT_IN_THE_IMAGE /x\n")
	ds := waitDiagnostic(t, env, uri, "UndefinedVar")
	for _, d := range ds {
		if d.Code == "UndefinedVar" && d.Message != "usage of undefined variable '$NOT_IN_THE_IMAGE'" {
			t.Errorf("message %q", d.Message)
		}
	}
}
