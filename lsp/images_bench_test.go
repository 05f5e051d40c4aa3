package lsp_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/baseimage"
	"github.com/layerlens/layerlens/lsp"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

// Benchmarks of the image features, measured end to end through the JSON-RPC pipe (what an
// editor sees). Targets (issue 5): hover on a FROM with a stored review <= 5 ms; other
// requests keep their latency while ten reviews run; opening a Dockerfile whose images are
// stored shows the image diagnostics within 50 ms.

// BenchmarkHoverFROMStoredReview: hover on the image of a FROM whose review is done.
func BenchmarkHoverFROMStoredReview(b *testing.B) {
	reg := newImageRegistry(b)
	env, _ := newImageEnv(b)
	uri := "file:///w/Dockerfile"
	env.Open(uri, "FROM "+reg.host+"/demo/trapped:1.0\nRUN echo hi\n")
	waitCode(b, env, uri, "LayerMiner")
	pos := env.At(uri, "demo/trapped")
	b.ReportAllocs()
	for b.Loop() {
		if h := env.Hover(uri, pos); h == nil || !strings.Contains(h.Contents.Value, "LayerMiner") {
			b.Fatal("no review in the hover")
		}
	}
}

// BenchmarkHoverIdle is the baseline for BenchmarkHoverWhileTenReviews: hover on a RUN
// keyword with no review running.
func BenchmarkHoverIdle(b *testing.B) {
	env := lsptest.New(b)
	uri := "file:///w/Dockerfile"
	env.Open(uri, "FROM scratch\nRUN echo hi\n")
	env.Diagnostics(uri)
	pos := env.At(uri, "RUN")
	for b.Loop() {
		env.Hover(uri, pos)
	}
}

// BenchmarkHoverWhileTenReviews: the same hover while ten reviews are stalled in a registry
// that does not answer.
func BenchmarkHoverWhileTenReviews(b *testing.B) {
	reg := newImageRegistry(b)
	svc, err := lsp.NewImageService(lsp.ImageServiceOptions{Concurrency: 10, Base: []baseimage.Option{baseimage.WithAnonymous()}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(svc.Close)
	env := lsptest.New(b, lsptest.WithServerOptions(lsp.Options{Images: svc}))
	var text strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&text, "FROM %s/slow/img%c:1 AS s%d\n", reg.host, 'a'+i, i)
	}
	text.WriteString("RUN echo hi\n")
	uri := "file:///w/Dockerfile"
	env.Open(uri, text.String())
	env.Diagnostics(uri)
	reg.waitStalled(b, 10)
	pos := env.At(uri, "RUN")
	for b.Loop() {
		env.Hover(uri, pos)
	}
}

// BenchmarkOpenStoredImageDiagnostics: open a Dockerfile whose image is in the on-disk store
// (the reviewer is rebuilt before each open, so nothing is in memory) until its image
// diagnostics are published.
func BenchmarkOpenStoredImageDiagnostics(b *testing.B) {
	reg := newImageRegistry(b)
	env, svc := newImageEnv(b)
	first := "file:///w/warm/Dockerfile"
	env.Open(first, "FROM "+reg.host+"/demo/trapped:1.0\n")
	waitCode(b, env, first, "LayerMiner")
	env.Close(first)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := svc.Configure(lsp.ImageConfig{Platform: "linux/amd64"}); err != nil { // forget the in-memory review
			b.Fatal(err)
		}
		uri := fmt.Sprintf("file:///w/%d/Dockerfile", i)
		b.StartTimer()
		env.Open(uri, "FROM "+reg.host+"/demo/trapped:1.0\n")
		waitCode(b, env, uri, "LayerMiner")
		b.StopTimer()
		env.Close(uri)
		b.StartTimer()
	}
}

// waitCode waits for a publication of uri's diagnostics that includes code.
func waitCode(b testing.TB, env *lsptest.Env, uri, code string) {
	b.Helper()
	quoted := []byte(`"` + uri + `"`)
	env.WaitNotification(protocol.MethodTextDocumentPublishDiagnostics, func(raw json.RawMessage) bool {
		// Cheap filter first: the harness keeps every notification, and decoding them all on
		// every wait would dominate the measurement.
		if !bytes.Contains(raw, quoted) || !bytes.Contains(raw, []byte(code)) {
			return false
		}
		var p protocol.PublishDiagnosticsParams
		if json.Unmarshal(raw, &p) != nil || string(p.URI) != uri {
			return false
		}
		_, ok := codes(p.Diagnostics)[code]
		return ok
	})
}

// BenchmarkDidChangeOneLine5000WithImages is BenchmarkDidChangeOneLine5000 with image review
// on (offline, so the generated file's images fail at once and their ImageUnavailable
// diagnostics are part of every publication): the cost of the image features per keystroke.
func BenchmarkDidChangeOneLine5000WithImages(b *testing.B) {
	newImageRegistry(b) // hermetic store and credentials
	env, _ := newImageEnv(b, lsptest.WithSettings(map[string]any{"offline": true}))
	benchDidChange(b, env)
}
