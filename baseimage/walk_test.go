package baseimage

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/layerlens/layerlens/baseimage/internal/testimage"
)

type F = testimage.File

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func walkFiles(t *testing.T, files []F, b Budget) (*layerReview, error) {
	t.Helper()
	raw, err := testimage.Tar(files)
	if err != nil {
		t.Fatal(err)
	}
	return walkLayer(context.Background(), bytes.NewReader(gz(t, raw)), walkOptions{budget: b, bytesLeft: b.MaxBytes})
}

func rulesOf(fs []Finding) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.Rule]++
	}
	return m
}

func findRule(fs []Finding, rule, path string) *Finding {
	for i, f := range fs {
		if f.Rule == rule && (path == "" || f.Path == path) {
			return &fs[i]
		}
	}
	return nil
}

func TestWalkChecks(t *testing.T) {
	files := []F{
		testimage.Dir("bin/"),
		{Path: "bin/bash", Mode: 0o4755, Body: "x"},
		{Path: "usr/bin/passwd", Mode: 0o4755, Body: "x"},
		{Path: "usr/bin/ping", Mode: 0o755, Body: "x", PAX: map[string]string{"SCHILY.xattr.security.capability": "\x01\x00\x00\x02"}},
		{Path: "srv/shared/", Type: tar.TypeDir, Mode: 0o777},
		{Path: "tmp/", Type: tar.TypeDir, Mode: 0o1777},
		{Path: "tmp/dropper", Mode: 0o755, Body: "#!/bin/sh\n"},
		{Path: "opt/.x/agent", Mode: 0o755, Body: "#!/bin/sh\n"},
		{Path: "usr/lib/node_modules/.bin/tsc", Mode: 0o755, Body: "#!/usr/bin/env node\n"},
		{Path: "etc/motd", Mode: 0o666, Body: "hi"},
		{Path: "home/u/.ssh/id_ed25519", Mode: 0o600, Body: testimage.FakeKey},
		{Path: "root/.aws/credentials", Body: "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"},
		{Path: "root/.npmrc", Body: "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnop\n"},
		{Path: "root/.docker/config.json", Body: `{"auths":{"r.example":{"auth":"dXNlcjpwYXNzd29yZA=="}}}`},
		{Path: "srv/app/.env", Body: "A=1\n"},
		{Path: "srv/app/.env.example", Body: "A=\n"},
		{Path: "usr/local/bin/xmrig", Mode: 0o755, Body: "ELF"},
		{Path: "opt/miner/config.json", Body: `{"pools":[{"url":"pool.example:3333"}],"algo":"rx/0"}`},
		{Path: "root/.ssh/authorized_keys", Body: "ssh-ed25519 AAAA x\n"},
		{Path: "home/u/.ssh/authorized_keys", Body: "ssh-ed25519 AAAA x\n"},
		{Path: "big.bin", Body: strings.Repeat("z", 5000)},
	}
	lr, err := walkFiles(t, files, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	if !lr.Complete {
		t.Fatalf("walk incomplete: %s", lr.Error)
	}
	want := []struct {
		rule, path string
		sev        sevT
	}{
		{"LayerSetuid", "/bin/bash", sevError},
		{"LayerSetuid", "/usr/bin/passwd", sevInfo},
		{"LayerFileCapability", "/usr/bin/ping", sevWarning},
		{"LayerWorldWritable", "/srv/shared", sevWarning},
		{"LayerWorldWritable", "/etc/motd", sevWarning},
		{"LayerExecutableInTemp", "/tmp/dropper", sevWarning},
		{"LayerHiddenExecutable", "/opt/.x/agent", sevWarning},
		{"LayerPrivateKey", "/home/u/.ssh/id_ed25519", sevError},
		{"LayerCredentials", "/root/.aws/credentials", sevError},
		{"LayerCredentials", "/root/.npmrc", sevError},
		{"LayerCredentials", "/root/.docker/config.json", sevError},
		{"LayerEnvFile", "/srv/app/.env", sevWarning},
		{"LayerMiner", "/usr/local/bin/xmrig", sevError},
		{"LayerMiner", "/opt/miner/config.json", sevError},
		{"LayerAuthorizedKeys", "/root/.ssh/authorized_keys", sevError},
		{"LayerAuthorizedKeys", "/home/u/.ssh/authorized_keys", sevWarning},
	}
	for _, w := range want {
		f := findRule(lr.Findings, w.rule, w.path)
		if f == nil {
			t.Errorf("no %s finding on %s; findings: %+v", w.rule, w.path, lr.Findings)
			continue
		}
		if f.Severity != w.sev {
			t.Errorf("%s on %s: severity %v, want %v", w.rule, w.path, f.Severity, w.sev)
		}
	}
	for _, p := range []string{"/tmp", "/usr/lib/node_modules/.bin/tsc", "/srv/app/.env.example"} {
		for _, f := range lr.Findings {
			if f.Path == p {
				t.Errorf("unexpected finding on %s: %+v", p, f)
			}
		}
	}
	if len(lr.Largest) == 0 || lr.Largest[0].Path != "/big.bin" || lr.Largest[0].Size != 5000 {
		t.Errorf("Largest = %+v, want /big.bin (5000) first", lr.Largest)
	}
}

func TestWalkHostileNames(t *testing.T) {
	files := []F{
		{Path: "../../etc/cron.d/x", Body: "* * * * * root sh\n"},
		{Path: "/etc/abs", Body: "a"},
		{Path: "lib", Type: tar.TypeSymlink, Link: "/etc"},
		{Path: "lib/passwd", Body: "root::0:0::/:/bin/sh\n"},
		{Path: "shadow", Type: tar.TypeLink, Link: "../../../etc/shadow"},
	}
	lr, err := walkFiles(t, files, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	if f := findRule(lr.Findings, "LayerPathTraversal", "/etc/cron.d/x"); f == nil || f.Severity != sevError {
		t.Errorf("../ name: got %+v, want an error LayerPathTraversal on /etc/cron.d/x", f)
	}
	if f := findRule(lr.Findings, "LayerPathTraversal", "/etc/abs"); f == nil {
		t.Errorf("absolute name: no LayerPathTraversal finding: %+v", lr.Findings)
	}
	if f := findRule(lr.Findings, "LayerSymlinkTrick", "/lib/passwd"); f == nil {
		t.Errorf("write through symlink: no LayerSymlinkTrick finding: %+v", lr.Findings)
	}
	if f := findRule(lr.Findings, "LayerPathTraversal", "/shadow"); f == nil {
		t.Errorf("hard link out of root: no finding: %+v", lr.Findings)
	}
	for _, e := range lr.Entries {
		if !strings.HasPrefix(e.Path, "/") || strings.Contains(e.Path, "..") {
			t.Errorf("entry path %q is not clean and rooted", e.Path)
		}
	}
}

func TestWalkFindingCap(t *testing.T) {
	var files []F
	for i := range 100 {
		files = append(files, F{Path: fmt.Sprintf("tmp/x%d", i), Mode: 0o755, Body: "x"})
	}
	lr, err := walkFiles(t, files, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	if n := rulesOf(lr.Findings)["LayerExecutableInTemp"]; n != maxPerRule+1 {
		t.Errorf("LayerExecutableInTemp findings = %d, want %d (cap + summary)", n, maxPerRule+1)
	}
	flagged := 0
	for _, e := range lr.Entries {
		if e.Flagged {
			flagged++
		}
	}
	if flagged != 100 {
		t.Errorf("flagged entries = %d, want 100 (past the cap too)", flagged)
	}
}

// tarStream writes n empty-file entries to a pipe as a gzip stream, without holding it in memory.
func tarStream(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
		tw := tar.NewWriter(zw)
		var err error
		for i := 0; i < n && err == nil; i++ {
			err = tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d/f%07d", i), Mode: 0o644, Typeflag: tar.TypeReg})
		}
		if err == nil {
			err = tw.Close()
		}
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

func TestWalkMillionEntries(t *testing.T) {
	b := DefaultBudget
	b.MaxEntries = 50_000 // the default (300,000) behaves the same, just slower
	r := tarStream(1_000_000)
	lr, err := walkLayer(context.Background(), r, walkOptions{budget: b, bytesLeft: b.MaxBytes})
	if c, ok := r.(io.Closer); ok {
		c.Close()
	}
	if err != nil {
		t.Fatalf("walkLayer: %v", err)
	}
	if lr.Complete || len(lr.Entries) != b.MaxEntries {
		t.Fatalf("complete=%v entries=%d, want an incomplete review stopped at %d", lr.Complete, len(lr.Entries), b.MaxEntries)
	}
	if f := findRule(lr.Findings, "LayerOverBudget", ""); f == nil || !strings.Contains(f.Message, "too many tar entries") {
		t.Errorf("finding = %+v, want LayerOverBudget naming the entry limit", f)
	}
}

func TestWalkDecompressionBomb(t *testing.T) {
	// 64 MiB of zeros in one file gzips to ~64 KiB: a ratio near 1000.
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	tw.WriteHeader(&tar.Header{Name: "zeros", Mode: 0o644, Size: 64 << 20, Typeflag: tar.TypeReg})
	tw.Write(make([]byte, 64<<20))
	tw.Close()
	blob := gz(t, raw.Bytes())
	b := DefaultBudget
	b.RatioFloor = 1 << 20
	lr, err := walkLayer(context.Background(), bytes.NewReader(blob), walkOptions{budget: b, bytesLeft: b.MaxBytes})
	if err != nil {
		t.Fatal(err)
	}
	if lr.Complete || !strings.Contains(lr.Error, "ratio") {
		t.Errorf("complete=%v error=%q, want stopped by the ratio limit", lr.Complete, lr.Error)
	}
	if lr.UncompressedSize > 8<<20 {
		t.Errorf("read %d uncompressed bytes before stopping, want a few MiB at most", lr.UncompressedSize)
	}

	// The same blob against a small size budget.
	b = DefaultBudget
	lr, err = walkLayer(context.Background(), bytes.NewReader(blob), walkOptions{budget: b, bytesLeft: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if lr.Complete || !strings.Contains(lr.Error, "size budget") {
		t.Errorf("complete=%v error=%q, want stopped by the size budget", lr.Complete, lr.Error)
	}
}

func TestWalkHugeFile(t *testing.T) {
	// A header that declares 1 TiB, followed by nothing: stopped at the header.
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	tw.WriteHeader(&tar.Header{Name: "huge", Mode: 0o644, Size: 1 << 40, Typeflag: tar.TypeReg})
	lr, err := walkLayer(context.Background(), bytes.NewReader(gz(t, raw.Bytes())), walkOptions{budget: DefaultBudget, bytesLeft: DefaultBudget.MaxBytes})
	if err != nil {
		t.Fatal(err)
	}
	if lr.Complete || !strings.Contains(lr.Error, "per-file limit") {
		t.Errorf("complete=%v error=%q, want stopped by the per-file limit", lr.Complete, lr.Error)
	}
}

func TestWalkTruncatedAndCorrupt(t *testing.T) {
	raw, _ := testimage.Tar([]F{{Path: "a", Body: strings.Repeat("abc", 10000)}, {Path: "b", Body: "b"}})
	blob := gz(t, raw)
	for name, in := range map[string][]byte{
		"truncated gzip":    blob[:len(blob)/2],
		"not gzip, not tar": []byte("this is not a layer at all, just some text that is long enough to fill a tar header block maybe" + strings.Repeat("!", 600)),
		"corrupt gzip":      append(append([]byte{}, blob[:20]...), bytes.Repeat([]byte{0xff}, 200)...),
	} {
		_, err := walkLayer(context.Background(), bytes.NewReader(in), walkOptions{budget: DefaultBudget, bytesLeft: DefaultBudget.MaxBytes})
		if err == nil {
			t.Errorf("%s: walkLayer succeeded, want an error", name)
		}
	}
}

func TestVerifyReader(t *testing.T) {
	body := []byte("hello layer")
	good := digestOf(body)
	for name, tc := range map[string]struct {
		digest string
		size   int64
		want   string
	}{
		"ok":        {good, int64(len(body)), ""},
		"mismatch":  {digestOf([]byte("other")), int64(len(body)), "digest mismatch"},
		"truncated": {good, int64(len(body)) + 10, "truncated"},
		"too long":  {good, 3, "longer than"},
	} {
		vr := newVerifyReader(io.NopCloser(bytes.NewReader(body)), tc.digest, tc.size)
		_, err := io.ReadAll(vr)
		vr.Close()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestWalkCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := walkLayer(ctx, tarStream(10), walkOptions{budget: DefaultBudget, bytesLeft: DefaultBudget.MaxBytes})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestWalkCompressions(t *testing.T) {
	raw, err := testimage.Tar([]F{{Path: "etc/hello", Body: "hello"}, {Path: "tmp/x", Mode: 0o755, Body: "#!/bin/sh\n"}})
	if err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw, _ := zstd.NewWriter(&zbuf)
	zw.Write(raw)
	zw.Close()
	for name, blob := range map[string][]byte{"gzip": gz(t, raw), "zstd": zbuf.Bytes(), "plain tar": raw} {
		lr, err := walkLayer(context.Background(), bytes.NewReader(blob), walkOptions{budget: DefaultBudget, bytesLeft: DefaultBudget.MaxBytes})
		if err != nil || !lr.Complete || len(lr.Entries) != 2 || lr.UncompressedSize != int64(len(raw)) {
			t.Errorf("%s: err=%v review=%+v", name, err, lr)
			continue
		}
		if findRule(lr.Findings, "LayerExecutableInTemp", "/tmp/x") == nil {
			t.Errorf("%s: findings %+v", name, lr.Findings)
		}
	}
}

func TestRedact(t *testing.T) {
	in := errors.New(`GET https://bob:hunter2@r.example/v2/x/blobs/sha256:ab?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA: Authorization: Bearer eyJabc.def token="s3cret"`)
	got := explain(in).Error()
	for _, secret := range []string{"hunter2", "deadbeef", "AKIA", "eyJabc", "s3cret"} {
		if strings.Contains(got, secret) {
			t.Errorf("explain(...) = %q still holds %q", got, secret)
		}
	}
	if !strings.Contains(got, "r.example/v2/x/blobs") {
		t.Errorf("explain(...) = %q lost the URL", got)
	}
}
