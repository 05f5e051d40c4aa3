package lsp_test

import (
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/baseimage"
	"github.com/layerlens/layerlens/lsp"
)

// TestCloseCancelsReviewAtOnce: closing the only document that uses an image stops its review
// before the next message is handled, with no other document settling afterwards.
func TestCloseCancelsReviewAtOnce(t *testing.T) {
	reg := newImageRegistry(t)
	env, svc := newImageEnv(t)
	uri := "file:///w/closing/Dockerfile"
	stalled := reg.host + "/slow/closing:1"
	// The review may be submitted more than once while the settings arrive (a settle before
	// the workspace/configuration answer may use another platform); wait for the event of the
	// review this test looks at rather than for any registry request.
	started := make(chan struct{}, 1)
	defer svc.Subscribe(func(ev lsp.ImageEvent) {
		if ev.Ref == stalled && ev.Platform == "linux/amd64" && ev.Kind == baseimage.EventProgress {
			select {
			case started <- struct{}{}:
			default:
			}
		}
	})()
	env.Open(uri, "FROM "+stalled+"\n")
	env.Diagnostics(uri)
	select {
	case <-started:
	case <-time.After(time.Minute):
		t.Fatal("no progress event for the review of " + stalled)
	}
	reg.waitStalled(t, 1)
	if st := svc.Get(stalled, "linux/amd64").State; st == baseimage.StateUnknown {
		t.Fatalf("review not started: %v", st)
	}
	env.Close(uri)
	// Messages are handled in order: once this request is answered, didClose has run.
	var hover *protocol.Hover
	_ = env.Call(protocol.MethodTextDocumentHover, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: protocol.DocumentURI(uri)}}}, &hover)
	if st := svc.Get(stalled, "linux/amd64").State; st != baseimage.StateUnknown {
		t.Errorf("review of the closed document's image is %v, want cancelled (unknown)", st)
	}
}
