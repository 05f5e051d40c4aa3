package lsp_test

import (
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/lsp/lsptest"
)

// waitListed waits for the service's tag listing of repo, or fails the test.
func waitListed(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(lsptest.DefaultTimeout):
		t.Fatal("the tag listing never finished")
	}
}

func labels(items []protocol.CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

// TestTagCompletionEndToEnd: after "FROM repo:" the tags come from a loopback registry. The
// first answer is empty and incomplete (the listing runs in the background, here held by the
// registry), and once the list has arrived the tags are offered newest-looking first.
func TestTagCompletionEndToEnd(t *testing.T) {
	ir := newImageRegistry(t)
	for _, tag := range []string{"1.2", "1.10", "latest", "1.2-slim", "0.9"} {
		ir.push("demo/clean:"+tag, ir.demo["clean:1.0"])
	}
	env, svc := newImageEnv(t)
	const doc = "file:///w/tags/Dockerfile"
	slowRepo := ir.host + "/slow/imga"
	text := "FROM " + ir.host + "/demo/clean:1.0 AS reviewed\n" +
		"FROM " + slowRepo + ":\n" +
		"FROM --platform=linux/arm64 " + ir.host + "/demo/clean:1.\n" +
		"RUN echo a:b\n"
	env.Open(doc, text)
	// The first review's finding means the image settings have been applied (a new
	// configuration starts the tag lists afresh).
	waitDiagnostic(t, env, doc, "LayerSetuid")

	// The slow registry holds the listing: incomplete, and it stays so while held.
	pos := env.After(doc, "slow/imga:")
	first := completeAt(t, env, doc, pos)
	if !first.IsIncomplete || len(first.Items) != 0 {
		t.Fatalf("first tag completion = incomplete %v, %v; want an empty incomplete list", first.IsIncomplete, labels(first.Items))
	}
	ir.waitStalled(t, 1)
	if again := completeAt(t, env, doc, pos); !again.IsIncomplete || len(again.Items) != 0 {
		t.Errorf("completion while the listing is held = incomplete %v, %v; want empty and incomplete", again.IsIncomplete, labels(again.Items))
	}
	listed := svc.TagsListed(slowRepo)
	ir.release()
	waitListed(t, listed)
	got := completeAt(t, env, doc, pos)
	if got.IsIncomplete || len(got.Items) != 1 || got.Items[0].Label != "1" {
		t.Fatalf("tag completion after the listing = incomplete %v, %v; want [1]", got.IsIncomplete, labels(got.Items))
	}
	if te := got.Items[0].TextEdit; te == nil || te.Range.Start != pos || te.NewText != "1" {
		t.Errorf("tag item edit = %+v, want inserting at %v", te, pos)
	}

	// FROM --platform=... repo:1.| : newest-looking first, and the typed "1." is replaced.
	pos = env.After(doc, "arm64 "+ir.host+"/demo/clean:1.")
	cleanRepo := ir.host + "/demo/clean"
	if l := completeAt(t, env, doc, pos); !l.IsIncomplete {
		// The listing may have been quick, but it was started by this request: nothing is
		// known before it.
		t.Errorf("first completion for %s = %v, want incomplete", cleanRepo, labels(l.Items))
	}
	waitListed(t, svc.TagsListed(cleanRepo))
	l := completeAt(t, env, doc, pos)
	want := []string{"1.10", "1.2", "1.2-slim", "1.0", "0.9", "latest"}
	if g := labels(l.Items); l.IsIncomplete || len(g) != len(want) {
		t.Fatalf("tags = %v (incomplete %v), want %v", g, l.IsIncomplete, want)
	}
	for i, it := range l.Items {
		if it.Label != want[i] {
			t.Errorf("tags = %v, want %v", labels(l.Items), want)
			break
		}
		if i > 0 && it.SortText <= l.Items[i-1].SortText {
			t.Errorf("sortText %q after %q, want increasing", it.SortText, l.Items[i-1].SortText)
		}
	}
	start := pos
	start.Character -= 2
	if te := l.Items[0].TextEdit; te == nil || te.Range.Start != start || te.Range.End != pos {
		t.Errorf("edit range = %+v, want %v-%v (the typed 1.)", te, start, pos)
	}

	// ":" elsewhere opens no list.
	var list protocol.CompletionList
	err := env.Call(protocol.MethodTextDocumentCompletion, map[string]any{
		"textDocument": map[string]any{"uri": doc}, "position": env.After(doc, "echo a:"),
		"context": map[string]any{"triggerKind": 2, "triggerCharacter": ":"},
	}, &list)
	if err != nil || len(list.Items) != 0 {
		t.Errorf("completion after ':' in RUN = %v, %v; want nothing", labels(list.Items), err)
	}
}

// Without an image service, tag completion is silent and not incomplete.
func TestTagCompletionWithoutImages(t *testing.T) {
	env := lsptest.New(t)
	const doc = "file:///w/notags/Dockerfile"
	env.Open(doc, "FROM alpine:\n")
	l := completeAt(t, env, doc, env.After(doc, "alpine:"))
	if l.IsIncomplete || len(l.Items) != 0 {
		t.Errorf("tag completion without images = %v (incomplete %v), want nothing", labels(l.Items), l.IsIncomplete)
	}
}
