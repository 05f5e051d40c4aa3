package main

import (
	"bytes"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// The demo OCI layout's pin digests (index digests of testdata/oci).
const (
	cleanDigest   = "sha256:9b3c60b6df4760fc9a3839d523d14edb6663687c56fb78c2e5583548423bdcf1"
	trappedDigest = "sha256:e7ced4f89e86f71784451c3c7bb4e8c04d60a60611bd2a74cb5b2b00283c5ac0"
	staleDigest   = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
)

// hermeticStore points the store and the Docker credentials at a temporary directory.
func hermeticStore(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	t.Setenv("LAYERLENS_CACHE", filepath.Join(home, "cache"))
}

func runPinArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runPin(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o640); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPinRewritesKeepingFormatting(t *testing.T) {
	hermeticStore(t)
	layout := filepath.Join("..", "..", "testdata", "oci")
	dir := t.TempDir()
	in := "# syntax=docker/dockerfile:1\n" +
		"# The base.\n" +
		"FROM --platform=linux/amd64   layerlens.test/demo/clean:1.0 AS base\r\n" +
		"RUN echo hi \\\n    && echo there\n" +
		"from layerlens.test/demo/trapped:1.0@" + staleDigest + "\n" +
		"FROM base\n" +
		"FROM scratch\n"
	path := writeFile(t, dir, "Dockerfile", in)

	code, out, errs := runPinArgs(t, "--check", "--oci-layout", layout, path)
	if code != 1 || !strings.Contains(out, ":3:31: ImageNotPinned:") || !strings.Contains(out, ":6:6: ImageStalePin:") {
		t.Errorf("pin --check = %d\nstdout:\n%s\nstderr:\n%s\nwant 1 with ImageNotPinned at 3:31 and ImageStalePin at 6:6", code, out, errs)
	}
	if b, _ := os.ReadFile(path); string(b) != in {
		t.Errorf("pin --check changed the file")
	}

	code, out, errs = runPinArgs(t, "--oci-layout", layout, path)
	if code != 0 {
		t.Fatalf("pin = %d\n%s%s", code, out, errs)
	}
	want := strings.Replace(in, "clean:1.0 AS", "clean:1.0@"+cleanDigest+" AS", 1)
	want = strings.Replace(want, staleDigest, trappedDigest, 1)
	got, _ := os.ReadFile(path)
	if string(got) != want {
		t.Errorf("after pin:\n%q\nwant\n%q", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("pin changed the file mode to %v", fi.Mode().Perm())
	}
	if !strings.Contains(out, "pinned layerlens.test/demo/clean:1.0 to "+cleanDigest) || !strings.Contains(out, "updated the pin") {
		t.Errorf("pin output:\n%s", out)
	}

	if code, out, errs = runPinArgs(t, "--check", "--oci-layout", layout, dir); code != 0 {
		t.Errorf("pin --check after pin (directory argument) = %d\n%s%s", code, out, errs)
	}
}

func TestPinBuildArgsAndErrors(t *testing.T) {
	hermeticStore(t)
	layout := filepath.Join("..", "..", "testdata", "oci")
	dir := t.TempDir()
	args := writeFile(t, dir, "args.Dockerfile", "ARG TAG=1.0\nFROM layerlens.test/demo/clean:${TAG}\n")
	code, _, errs := runPinArgs(t, "--check", "--oci-layout", layout, args)
	if code != 1 || !strings.Contains(errs, "uses build args") || !strings.Contains(errs, cleanDigest) {
		t.Errorf("pin --check of an ARG-built FROM = %d, stderr %q; want 1 and the digest to pin by hand", code, errs)
	}
	if code, _, _ = runPinArgs(t, "--oci-layout", layout, args); code != 0 {
		t.Errorf("pin of an ARG-built FROM = %d, want 0 (reported, not rewritten)", code)
	}

	missing := writeFile(t, dir, "missing.Dockerfile", "FROM layerlens.test/demo/absent:1\nFROM layerlens.test/demo/clean:1.0\n")
	code, _, errs = runPinArgs(t, "--offline", "--oci-layout", layout, missing)
	if code != 2 || !strings.Contains(errs, "absent:1") || !strings.Contains(errs, "offline") {
		t.Errorf("pin with an unknown image = %d, stderr %q; want 2 with the reason", code, errs)
	}
	if b, _ := os.ReadFile(missing); !strings.Contains(string(b), "clean:1.0@"+cleanDigest) {
		t.Errorf("the resolvable FROM was not pinned next to a failing one:\n%s", b)
	}

	if code, _, _ := runPinArgs(t); code != 2 {
		t.Errorf("pin without paths = %d, want 2", code)
	}
	if code, _, _ := runPinArgs(t, filepath.Join(dir, "nope")); code != 2 {
		t.Errorf("pin of a missing file = %d, want 2", code)
	}
}

// TestCheckImagesFromLayoutOnline: with --online, the demo images still come from the OCI
// layout. Their registry (layerlens.test, a reserved name that never resolves) is never
// reachable, so any network call would surface as ImageUnavailable.
func TestCheckImagesFromLayoutOnline(t *testing.T) {
	hermeticStore(t)
	var out, errb bytes.Buffer
	code := runCheck([]string{"--online", "--oci-layout", filepath.Join("..", "..", "testdata", "oci"),
		filepath.Join("..", "..", "testdata", "demo", "Dockerfile")}, &out, &errb)
	if code != 1 {
		t.Errorf("check = %d, want 1 (error findings)\n%s", code, errb.String())
	}
	for _, want := range []string{"Dockerfile:11:6: error: LayerMiner:", "LayerPrivateKey", "LayerSetuid", "CurlPipeShell"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "ImageUnavailable") {
		t.Errorf("an image of the layout was looked up elsewhere:\n%s", out.String())
	}

	// By default check is offline: an image in neither the store nor a layout is a note.
	out.Reset()
	errb.Reset()
	code = runCheck([]string{filepath.Join("..", "..", "testdata", "demo", "Dockerfile")}, &out, &errb)
	if code != 0 || strings.Contains(out.String(), "LayerMiner") || !strings.Contains(errb.String(), "use --online") {
		t.Errorf("offline check = %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
}

// loopbackRegistry serves ggcr's registry on loopback with the demo images of testdata/oci
// pushed as host/demo/<name>, and returns the host.
func loopbackRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	idx, err := layout.ImageIndexFromPath(filepath.Join("..", "..", "testdata", "oci"))
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		child, err := idx.ImageIndex(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		n := d.Annotations["org.opencontainers.image.ref.name"]
		ref, err := name.ParseReference(host + "/demo/" + n[strings.LastIndex(n, "/")+1:])
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.WriteIndex(ref, child); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(n, "/clean:1.0") {
			// The trapped repository once held the clean image: a pin to it is now stale.
			old, err := name.ParseReference(host + "/demo/trapped:old")
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.WriteIndex(old, child); err != nil {
				t.Fatal(err)
			}
		}
	}
	return host
}

// TestPinAndCheckOnline: pin and check against a registry: the index digest is pinned, a stale
// pin is found by check --online, and a missing image is an ImageUnavailable warning.
func TestPinAndCheckOnline(t *testing.T) {
	hermeticStore(t)
	host := loopbackRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "Dockerfile", "FROM "+host+"/demo/clean:1.0\n")
	if code, out, errs := runPinArgs(t, path); code != 0 || !strings.Contains(out, cleanDigest) {
		t.Fatalf("pin = %d\n%s%s", code, out, errs)
	}

	stale := writeFile(t, dir, "stale.Dockerfile", "FROM "+host+"/demo/trapped:1.0@"+cleanDigest+"\nFROM "+host+"/demo/absent:1\n")
	var out, errb bytes.Buffer
	code := runCheck([]string{"--online", "--fail-level", "none", stale}, &out, &errb)
	if code != 0 {
		t.Errorf("check = %d\n%s", code, errb.String())
	}
	for _, want := range []string{"stale.Dockerfile:1:6: info: ImageStalePin: the pinned digest sha256:9b3c60b6df47 is stale: tag 1.0 now points to sha256:e7ced4f89e86",
		"stale.Dockerfile:2:6: warning: ImageUnavailable: cannot review base image " + host + "/demo/absent:1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check --online output lacks %q:\n%s", want, out.String())
		}
	}
}
