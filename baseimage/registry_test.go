package baseimage

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/layerlens/layerlens/baseimage/internal/testimage"
)

// hermetic points every place the Docker keychain reads at an empty temp dir.
func hermetic(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(home, "run"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("REGISTRY_AUTH_FILE", filepath.Join(home, "auth.json"))
	return home
}

// testRegistry is ggcr's in-memory registry on loopback, with a request counter and a fault
// hook that can answer a request instead of the registry.
type testRegistry struct {
	srv      *httptest.Server
	host     string
	requests atomic.Int64
	mu       sync.Mutex
	fault    func(w http.ResponseWriter, r *http.Request) bool
}

func newTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	tr := &testRegistry{}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	tr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.requests.Add(1)
		tr.mu.Lock()
		f := tr.fault
		tr.mu.Unlock()
		if f != nil && f(w, r) {
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(tr.srv.Close)
	tr.host = strings.TrimPrefix(tr.srv.URL, "http://")
	return tr
}

func (tr *testRegistry) setFault(f func(w http.ResponseWriter, r *http.Request) bool) {
	tr.mu.Lock()
	tr.fault = f
	tr.mu.Unlock()
}

func (tr *testRegistry) pushIndex(t *testing.T, repoTag string, idx v1.ImageIndex) string {
	t.Helper()
	ref, err := name.ParseReference(tr.host + "/" + repoTag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func (tr *testRegistry) pushImage(t *testing.T, repoTag string, img v1.Image) string {
	t.Helper()
	ref, err := name.ParseReference(tr.host + "/" + repoTag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d.String()
}

func newTestReviewer(t *testing.T, cache string, opts ...Option) *Reviewer {
	t.Helper()
	if cache == "" {
		cache = t.TempDir()
	}
	opts = append([]Option{WithCacheDir(cache), WithRetries(0, 0), WithTimeout(20 * time.Second)}, opts...)
	rv, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return rv
}

func mustIndex(t *testing.T, f func() (v1.ImageIndex, error)) v1.ImageIndex {
	t.Helper()
	idx, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func TestReviewRegistryMultiArch(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	idx := mustIndex(t, testimage.DemoTrapped)
	pin := reg.pushIndex(t, "demo/trapped:1.0", idx)
	rv := newTestReviewer(t, "")
	ref := reg.host + "/demo/trapped:1.0"

	var partial *Report
	var lastProgress Progress
	rep, err := rv.Review(context.Background(), ref, "linux/arm64", func(p Progress) {
		if p.Partial != nil {
			partial = p.Partial
		}
		lastProgress = p
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Digest != pin {
		t.Errorf("Digest = %s, want the index digest %s", rep.Digest, pin)
	}
	im, _ := idx.IndexManifest()
	var armDigest string
	for _, m := range im.Manifests {
		if m.Platform.Architecture == "arm64" {
			armDigest = m.Digest.String()
		}
	}
	if rep.ManifestDigest != armDigest {
		t.Errorf("ManifestDigest = %s, want the arm64 child %s", rep.ManifestDigest, armDigest)
	}
	if partial == nil || !partial.Partial || len(partial.History) == 0 || partial.Layers[0].Reviewed {
		t.Errorf("config-known progress = %+v, want a partial report with history and unreviewed layers", partial)
	}
	if lastProgress.Phase != PhaseDone || lastProgress.LayersDone != 4 || lastProgress.BytesDone != rep.Size {
		t.Errorf("last progress = %+v, want done with 4 layers and %d bytes", lastProgress, rep.Size)
	}
	if rep.Partial || len(rep.Errors) > 0 {
		t.Errorf("report partial=%v errors=%v", rep.Partial, rep.Errors)
	}
	got := rulesOf(rep.Findings)
	for _, r := range []string{"LayerMiner", "LayerPrivateKey", "LayerHiddenByWhiteout", "LayerSetuid", "LayerAuthorizedKeys", "ImageOnBuild", "ImageRunsAsRoot", "LayerCredentials", "LayerHiddenExecutable"} {
		if got[r] == 0 {
			t.Errorf("no %s finding; got %v", r, got)
		}
	}
	// /app/.env holds AWS keys: LayerCredentials says so; the weaker "a .env file" note is not
	// repeated for the same file.
	if got["LayerEnvFile"] != 0 {
		t.Errorf("LayerEnvFile reported next to LayerCredentials for the same file; got %v", got)
	}
	if d, err := rv.Digest(context.Background(), ref, false); err != nil || d != pin {
		t.Errorf("Digest() = %s, %v, want %s", d, err, pin)
	}

	_, err = rv.Review(context.Background(), ref, "linux/s390x", nil)
	if err == nil || !strings.Contains(err.Error(), "no image for platform linux/s390x") || !strings.Contains(err.Error(), "linux/amd64") {
		t.Errorf("missing platform: err = %v, want one naming the platform and the ones available", err)
	}
}

func TestSecondReviewFromStore(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	reg.pushIndex(t, "demo/clean:1.0", mustIndex(t, testimage.DemoClean))
	cache := t.TempDir()
	ref := reg.host + "/demo/clean:1.0"
	first, err := newTestReviewer(t, cache).Review(context.Background(), ref, "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := reg.requests.Load()

	// Online within the tag TTL: everything comes from the store.
	second, err := newTestReviewer(t, cache).Review(context.Background(), ref, "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := reg.requests.Load() - before; n != 0 {
		t.Errorf("second review made %d registry requests, want 0", n)
	}
	// Offline: no transport at all.
	third, err := newTestReviewer(t, cache, WithOffline(true)).Review(context.Background(), ref, "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := reg.requests.Load() - before; n != 0 {
		t.Errorf("offline review made %d registry requests, want 0", n)
	}
	for _, r := range []*Report{second, third} {
		if r.Digest != first.Digest || len(r.Findings) != len(first.Findings) || r.Efficiency != first.Efficiency || !r.Layers[1].Reviewed {
			t.Errorf("stored review differs: %+v\nvs %+v", r, first)
		}
	}
	if sev := first.MaxSeverity(); sev != sevInfo {
		t.Errorf("clean image: worst finding %v, want info only: %+v", sev, first.Findings)
	}

	// Past the TTL the tag is resolved again, by HEAD only.
	rv := newTestReviewer(t, cache)
	rv.now = func() time.Time { return time.Now().Add(DefaultTagTTL + time.Hour) }
	var methods []string
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/manifests/") {
			methods = append(methods, r.Method)
		}
		return false
	})
	if _, err := rv.Review(context.Background(), ref, "linux/amd64", nil); err != nil {
		t.Fatal(err)
	}
	if strings.Join(methods, ",") != "HEAD" {
		t.Errorf("manifest requests after the TTL = %v, want one HEAD", methods)
	}

	// Offline and unknown: a clear reason, no lookup.
	_, err = newTestReviewer(t, cache, WithOffline(true)).Review(context.Background(), reg.host+"/demo/other:1", "", nil)
	if err == nil || !strings.Contains(err.Error(), "offline") {
		t.Errorf("offline unknown image: err = %v", err)
	}
}

func TestStorePrivateAndVerified(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	reg.pushIndex(t, "demo/clean:1.0", mustIndex(t, testimage.DemoClean))
	cache := t.TempDir()
	rv := newTestReviewer(t, cache)
	ref := reg.host + "/demo/clean:1.0"
	rep, err := rv.Review(context.Background(), ref, "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(rv.StoreDir())
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("store mode = %v, %v, want 0700", st.Mode(), err)
	}
	// Corrupt the stored manifest and a layer review: both are refetched, not trusted.
	mpath, _ := rv.store.blobPath("blobs", rep.ManifestDigest, "")
	os.WriteFile(mpath, []byte(`{"schemaVersion":2,"layers":[]}`), 0o600)
	rpath, _ := rv.store.blobPath("reviews", rep.Layers[1].Digest, ".json")
	b, _ := os.ReadFile(rpath)
	os.WriteFile(rpath, bytes.Replace(b, []byte(`"complete":true`), []byte(`"complete":false`), 1), 0o600)
	before := reg.requests.Load()
	again, err := rv.Review(context.Background(), ref, "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	if reg.requests.Load() == before {
		t.Error("corrupted store entries were trusted: no registry request")
	}
	if len(again.Layers) != len(rep.Layers) || !again.Layers[1].Reviewed {
		t.Errorf("after corruption: %+v", again.Layers)
	}
	// Only the store was written in the cache dir.
	ents, _ := os.ReadDir(cache)
	if len(ents) != 1 || ents[0].Name() != "layerlens" {
		t.Errorf("cache dir holds %v, want only layerlens/", ents)
	}
}

func TestRegistryErrors(t *testing.T) {
	home := hermetic(t)
	reg := newTestRegistry(t)
	reg.pushIndex(t, "demo/clean:1.0", mustIndex(t, testimage.DemoClean))
	// Credentials for the registry, which must never show up in errors or logs.
	os.MkdirAll(filepath.Join(home, ".docker"), 0o700)
	auth := base64.StdEncoding.EncodeToString([]byte("alice:s3cr3t-pass"))
	os.WriteFile(filepath.Join(home, ".docker", "config.json"), fmt.Appendf(nil, `{"auths":{%q:{"auth":%q}}}`, reg.host, auth), 0o600)

	for _, tc := range []struct {
		status int
		want   string
	}{
		{401, "authentication required"},
		{403, "access denied"},
		{404, "not found"},
		{429, "rate limited"},
		{500, "server error 500"},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			var gotAuth atomic.Value
			reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == "/v2/" {
					if r.Header.Get("Authorization") == "" {
						w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
						w.WriteHeader(401)
						return true
					}
					return false
				}
				gotAuth.Store(r.Header.Get("Authorization"))
				if tc.status == 401 {
					w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				fmt.Fprintf(w, `{"errors":[{"code":"X","message":"status %d"}]}`, tc.status)
				return true
			})
			defer reg.setFault(nil)
			var logs bytes.Buffer
			rv := newTestReviewer(t, "", WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			_, err := rv.Review(context.Background(), reg.host+"/demo/clean:1.0", "linux/amd64", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if a, _ := gotAuth.Load().(string); a != "Basic "+auth {
				t.Errorf("registry saw Authorization %q, want the configured credentials", a)
			}
			for _, secret := range []string{"s3cr3t-pass", auth} {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("credential %q leaked: err=%v logs=%s", secret, err, logs.String())
				}
			}
		})
	}
}

// blobFault answers requests for one blob with f.
func blobFault(digest string, f func(w http.ResponseWriter, r *http.Request, body []byte)) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/blobs/"+digest) || r.Method != http.MethodGet {
			return false
		}
		f(w, r, nil)
		return true
	}
}

func TestBlobFaults(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	img, err := testimage.Image([]testimage.Step{{CreatedBy: "ADD file:x in /", Files: []testimage.File{{Path: "a", Body: strings.Repeat("layer body ", 3000)}}}}, "amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	reg.pushImage(t, "demo/one:1", img)
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	blob, _ := io.ReadAll(must(layers[0].Compressed()))
	ref := reg.host + "/demo/one:1"

	for _, tc := range []struct {
		name    string
		serve   func(w http.ResponseWriter, r *http.Request, _ []byte)
		timeout time.Duration
		want    string
	}{
		{"truncated", func(w http.ResponseWriter, r *http.Request, _ []byte) {
			w.Header().Set("Content-Length", fmt.Sprint(len(blob)))
			w.Write(blob[:len(blob)/2])
		}, 0, "EOF"},
		{"digest mismatch", func(w http.ResponseWriter, r *http.Request, _ []byte) {
			bad := append([]byte{}, blob...)
			bad[len(bad)/2] ^= 0xff
			w.Write(bad)
		}, 0, "digest"},
		{"stall mid-blob", func(w http.ResponseWriter, r *http.Request, _ []byte) {
			w.Header().Set("Content-Length", fmt.Sprint(len(blob)))
			w.Write(blob[:len(blob)/2])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, 500 * time.Millisecond, "deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg.setFault(blobFault(ld.String(), tc.serve))
			defer reg.setFault(nil)
			opts := []Option{}
			if tc.timeout > 0 {
				opts = append(opts, WithTimeout(tc.timeout))
			}
			rv := newTestReviewer(t, "", opts...)
			rep, err := rv.Review(context.Background(), ref, "linux/amd64", nil)
			if err != nil {
				t.Fatalf("Review: %v (a bad layer must not fail the whole review)", err)
			}
			if !rep.Partial || len(rep.Errors) == 0 || !strings.Contains(strings.Join(rep.Errors, "\n"), tc.want) {
				t.Fatalf("partial=%v errors=%q, want one mentioning %q", rep.Partial, rep.Errors, tc.want)
			}
			if rep.Layers[0].Reviewed {
				t.Error("layer marked reviewed")
			}
			if _, ok := rv.store.review(ld.String()); ok {
				t.Error("a failed layer review was stored")
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestMirrors(t *testing.T) {
	hermetic(t)
	origin := newTestRegistry(t)
	mirror := newTestRegistry(t)
	idx := mustIndex(t, testimage.DemoClean)
	origin.pushIndex(t, "demo/clean:1.0", idx)
	mirror.pushIndex(t, "demo/clean:1.0", idx)
	ref := origin.host + "/demo/clean:1.0"
	origin.requests.Store(0)

	rv := newTestReviewer(t, "", WithMirrors(map[string][]string{origin.host: {mirror.host}}))
	rep, err := rv.Review(context.Background(), ref, "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin.requests.Load() != 0 || rep.Source != "mirror "+mirror.host {
		t.Errorf("source = %q, origin requests = %d; want the mirror and no origin request", rep.Source, origin.requests.Load())
	}

	// A failing mirror falls back to the origin.
	mirror.setFault(func(w http.ResponseWriter, r *http.Request) bool { w.WriteHeader(503); return true })
	rv = newTestReviewer(t, "", WithMirrors(map[string][]string{origin.host: {mirror.host}}))
	rep, err = rv.Review(context.Background(), ref, "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source != "registry "+origin.host {
		t.Errorf("source = %q, want the origin after the mirror failed", rep.Source)
	}
}

func TestCredentialHelperBounded(t *testing.T) {
	home := hermetic(t)
	reg := newTestRegistry(t)
	reg.pushIndex(t, "demo/clean:1.0", mustIndex(t, testimage.DemoClean))
	// A credential helper that never answers; it records its pid so the test can end it.
	bin := filepath.Join(home, "bin")
	os.MkdirAll(bin, 0o755)
	pidFile := filepath.Join(home, "helper.pid")
	script := "#!/bin/sh\necho $$ > " + pidFile + "\nexec tail -f /dev/null\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-hang"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidFile); err == nil {
			var pid int
			fmt.Sscan(string(b), &pid)
			if p, err := os.FindProcess(pid); err == nil && pid > 0 {
				p.Kill()
				p.Wait()
			}
		}
	})
	os.MkdirAll(filepath.Join(home, ".docker"), 0o700)
	os.WriteFile(filepath.Join(home, ".docker", "config.json"), fmt.Appendf(nil, `{"credHelpers":{%q:"hang"}}`, reg.host), 0o600)

	rv := newTestReviewer(t, "", WithTimeout(300*time.Millisecond))
	_, err := rv.Review(context.Background(), reg.host+"/demo/clean:1.0", "linux/amd64", nil)
	if err == nil || !strings.Contains(err.Error(), "credential helper") {
		t.Fatalf("err = %v, want the review to give up on the hanging credential helper", err)
	}
}

func TestSharedLayersFetchedOnce(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	idx := mustIndex(t, testimage.DemoTrapped)
	reg.pushIndex(t, "demo/a:1", idx)
	reg.pushIndex(t, "demo/b:1", idx)
	var mu sync.Mutex
	gets := map[string]int{}
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if i := strings.Index(r.URL.Path, "/blobs/"); i >= 0 && r.Method == http.MethodGet {
			mu.Lock()
			gets[r.URL.Path[i+len("/blobs/"):]]++
			mu.Unlock()
		}
		return false
	})
	s := NewScheduler(newTestReviewer(t, ""), 2, nil)
	ch, notify := eventLog()
	s.notify = notify
	defer s.Close()
	s.Submit(reg.host+"/demo/a:1", "linux/amd64")
	s.Submit(reg.host+"/demo/b:1", "linux/amd64")
	for done := 0; done < 2; {
		if e := waitFor(t, ch, EventDone, EventFailed); e.Kind == EventFailed {
			t.Fatal(e.Err)
		} else {
			done++
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for blob, n := range gets {
		if n != 1 {
			t.Errorf("blob %s fetched %d times, want once for both images", shortDigest(blob), n)
		}
	}
	if len(gets) == 0 {
		t.Error("no blob fetched")
	}
}

func TestHostileImageWritesNothing(t *testing.T) {
	home := hermetic(t)
	reg := newTestRegistry(t)
	img, err := testimage.Image([]testimage.Step{{CreatedBy: "ADD evil.tar /", Files: []testimage.File{
		{Path: "../../../../tmp/layerlens-pwned", Body: "x"},
		{Path: "/etc/layerlens-abs", Body: "x"},
		{Path: "link", Type: '2', Link: "/"},
		{Path: "link/root/layerlens-through-link", Body: "x"},
	}}}, "amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	reg.pushImage(t, "demo/evil:1", img)
	cache := t.TempDir()
	rep, err := newTestReviewer(t, cache).Review(context.Background(), reg.host+"/demo/evil:1", "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rulesOf(rep.Findings)["LayerPathTraversal"] < 2 || rulesOf(rep.Findings)["LayerSymlinkTrick"] != 1 {
		t.Errorf("findings = %v", rulesOf(rep.Findings))
	}
	for _, p := range []string{"/tmp/layerlens-pwned", "/etc/layerlens-abs", filepath.Join(home, "layerlens-through-link")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s exists: a tar name was used as a path", p)
		}
	}
	entries, _ := os.ReadDir(home)
	for _, e := range entries {
		if e.Name() != ".docker" {
			t.Errorf("HOME holds %s; the review must write only to the store", e.Name())
		}
	}
	filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(cache, p)
		if rel != "." && !strings.HasPrefix(rel, "layerlens") {
			t.Errorf("unexpected file in the cache dir: %s", rel)
		}
		return nil
	})
}

func TestSinglePlatformMismatch(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	img, err := testimage.Image([]testimage.Step{{CreatedBy: "ADD file:x in /", Files: []testimage.File{{Path: "a", Body: "a"}}}}, "amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	reg.pushImage(t, "demo/single:1", img)
	rep, err := newTestReviewer(t, "").Review(context.Background(), reg.host+"/demo/single:1", "linux/arm64", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Platform != "linux/amd64" || findRule(rep.Findings, "ImagePlatformMismatch", "") == nil || rep.Partial {
		t.Errorf("platform %s partial %v findings %+v; want linux/amd64 and an ImagePlatformMismatch finding", rep.Platform, rep.Partial, rep.Findings)
	}
}
