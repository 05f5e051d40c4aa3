package lsp

import (
	"strings"
	"testing"
	"time"

	"github.com/layerlens/layerlens/baseimage"
)

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1500: "1.5 kB", 7_800_000: "7.8 MB", 3_200_000_000: "3.2 GB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestAge(t *testing.T) {
	defer func(old func() time.Time) { imageClock = old }(imageClock)
	imageClock = func() time.Time { return time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC) }
	for created, want := range map[string]string{
		"2024-02-29T12:00:00Z": "today", "2024-02-29T00:00:00Z": "1 day", "2024-02-09T00:00:00Z": "21 days",
		"2023-09-01T00:00:00Z": "6 months", "2020-01-01T00:00:00Z": "4 years", "2025-01-01T00:00:00Z": "in the future",
		"garbage": "unknown age",
	} {
		if got := imageAge(created); got != want {
			t.Errorf("imageAge(%s) = %q, want %q", created, got, want)
		}
	}
}

func TestShortCommandAndDisplay(t *testing.T) {
	if got := shortCommand("/bin/sh -c #(nop)  CMD [\"sh\"]"); got != `CMD ["sh"]` {
		t.Errorf("shortCommand = %q", got)
	}
	long := shortCommand("RUN " + string(make([]byte, 100)))
	if r := []rune(long); len(r) != hoverCmdWidth || r[len(r)-1] != '…' {
		t.Errorf("shortCommand of a long command = %q (%d runes)", long, len(r))
	}
	for in, want := range map[string]string{
		"docker.io/library/alpine:3.20": "alpine:3.20",
		"docker.io/bitnami/redis:7":     "bitnami/redis:7",
		"ghcr.io/o/app:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": "ghcr.io/o/app:1@sha256:0123456789ab",
	} {
		if got := displayRef(in); got != want {
			t.Errorf("displayRef(%s) = %q, want %q", in, got, want)
		}
	}
	if got := mdCell("a|b`c\nd"); got != `a\|b'c d` {
		t.Errorf("mdCell = %q", got)
	}
}

func TestProgressMessage(t *testing.T) {
	msg, pct := progressMessage(baseimage.Progress{Phase: baseimage.PhaseLayers, LayersDone: 1, LayersTotal: 5, BytesDone: 1_200_000, BytesTotal: 7_800_000})
	if msg != "layer 2/5 · 1.2 MB of 7.8 MB" || pct == nil || *pct != 15 {
		t.Errorf("progressMessage = %q, %v", msg, pct)
	}
	if msg, pct := progressMessage(baseimage.Progress{Phase: baseimage.PhaseResolving}); msg != "resolving the tag" || pct != nil {
		t.Errorf("progressMessage(resolving) = %q, %v", msg, pct)
	}
}

func TestImageConfigEqual(t *testing.T) {
	a := ImageConfig{Platform: "linux/amd64", Mirrors: map[string][]string{"docker.io": {"m"}}, OCILayouts: []string{"x"}}
	b := a
	b.Mirrors = map[string][]string{"docker.io": {"m"}}
	if !a.equal(b) {
		t.Errorf("equal configs differ")
	}
	b.Mirrors = map[string][]string{"docker.io": {"n"}}
	if a.equal(b) {
		t.Errorf("different mirrors compare equal")
	}
}

func TestFailureAdvice(t *testing.T) {
	for msg, want := range map[string]string{
		"registry 127.0.0.1:44015: not found in the registry: HEAD http://127.0.0.1:44015/v2/x/manifests/1": "Check the name and tag",
		"authentication required or refused (docker login, or check the credential helper)":                 "docker login",
		"rate limited by the registry (Docker Hub pull limit?)":                                             "mirror",
		"x is not in the store; offline mode makes no network calls":                                        "layerlens.offline",
		"no image for platform linux/s390x in the index (it has: linux/amd64)":                              "--platform",
		"time budget exceeded (the registry is slow or stalled)":                                            "mirror",
		"busy: too many images queued":                                                                      "queued by itself",
	} {
		if got := failureAdvice(msg); !strings.Contains(got, want) {
			t.Errorf("failureAdvice(%q) = %q, want it to mention %q", msg, got, want)
		}
	}
}

// TestSubmitToReplacedScheduler: a caller that took the scheduler just before Configure
// replaced (and closed) it must not lose its submission nor see the image as "busy": the
// submission goes to the current scheduler. (This race showed as a false "busy: too many
// images queued" warning under load.)
func TestSubmitToReplacedScheduler(t *testing.T) {
	svc, err := NewImageService(ImageServiceOptions{Base: []baseimage.Option{baseimage.WithAnonymous(), baseimage.WithOffline(true)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	svc.mu.Lock()
	old := svc.sc
	svc.mu.Unlock()
	if err := svc.Configure(ImageConfig{Offline: true, CacheDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	old.Close() // Configure closes it in the background; make sure it is closed now
	k := imageKey{"example.invalid/app:1", "linux/amd64"}
	if err := svc.submit(old, k, false); err != nil {
		t.Fatalf("submit to the replaced scheduler = %v, want it sent to the current one", err)
	}
	svc.mu.Lock()
	cur, busy := svc.sc, svc.busy[k]
	svc.mu.Unlock()
	if st, _, _ := cur.Get(k.ref, k.platform); st == baseimage.StateUnknown {
		t.Errorf("current scheduler does not know the image (state %v)", st)
	}
	if busy {
		t.Errorf("image marked busy after a refusal by a closed scheduler")
	}
}
