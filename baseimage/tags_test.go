package baseimage

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/random"
)

func TestTagsFromRegistryCachedAndOffline(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"3.20", "3.19", "latest", "edge"} {
		reg.pushImage(t, "lib/alpine:"+tag, img)
	}
	reg.pushImage(t, "lib/other:1", img)
	cache := t.TempDir()
	rv := newTestReviewer(t, cache)

	want := []string{"3.19", "3.20", "edge", "latest"}
	for _, name := range []string{reg.host + "/lib/alpine", reg.host + "/lib/alpine:3.20", reg.host + "/lib/alpine@sha256:" + strings.Repeat("a", 64)} {
		got, err := rv.Tags(context.Background(), name)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Tags(%s) = %v, %v, want %v", name, got, err, want)
		}
	}

	// Within the TTL the stored list answers: no request.
	reg.requests.Store(0)
	if got, err := rv.Tags(context.Background(), reg.host+"/lib/alpine"); err != nil || !slices.Equal(got, want) || reg.requests.Load() != 0 {
		t.Errorf("cached Tags = %v, %v with %d requests, want %v and none", got, err, reg.requests.Load(), want)
	}

	// After the TTL the registry is asked again and sees the new tag.
	reg.pushImage(t, "lib/alpine:3.21", img)
	rv.now = func() time.Time { return time.Now().Add(DefaultTagTTL + time.Minute) }
	got, err := rv.Tags(context.Background(), reg.host+"/lib/alpine")
	if err != nil || !slices.Contains(got, "3.21") {
		t.Errorf("Tags after the TTL = %v, %v, want 3.21 listed", got, err)
	}

	// The registry fails: the expired stored list still answers.
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	})
	rv.now = func() time.Time { return time.Now().Add(3 * DefaultTagTTL) }
	if got, err := rv.Tags(context.Background(), reg.host+"/lib/alpine"); err != nil || !slices.Contains(got, "3.21") {
		t.Errorf("Tags with the registry down = %v, %v, want the stored list", got, err)
	}
	// Nothing stored and the registry down: an error that names the repository.
	if got, err := rv.Tags(context.Background(), reg.host+"/lib/other"); err == nil || !strings.Contains(err.Error(), "lib/other") {
		t.Errorf("Tags(lib/other) with the registry down = %v, %v, want an error", got, err)
	}
	reg.setFault(nil)

	// Offline: the stored list plus the tags earlier reviews resolved; no request.
	if _, err := rv.Digest(context.Background(), reg.host+"/lib/other:1", false); err != nil {
		t.Fatal(err)
	}
	reg.requests.Store(0)
	off := newTestReviewer(t, cache, WithOffline(true))
	if got, err := off.Tags(context.Background(), reg.host+"/lib/alpine"); err != nil || !slices.Contains(got, "3.21") {
		t.Errorf("offline Tags(lib/alpine) = %v, %v, want the stored list", got, err)
	}
	if got, err := off.Tags(context.Background(), reg.host+"/lib/other"); err != nil || !slices.Equal(got, []string{"1"}) {
		t.Errorf("offline Tags(lib/other) = %v, %v, want [1] from the resolved tag", got, err)
	}
	if got, err := off.Tags(context.Background(), reg.host+"/lib/unknown"); err != nil || len(got) != 0 || got == nil {
		t.Errorf("offline Tags(lib/unknown) = %#v, %v, want an empty list", got, err)
	}
	if n := reg.requests.Load(); n != 0 {
		t.Errorf("offline Tags made %d requests, want none", n)
	}
}

func TestTagsMirrorFirst(t *testing.T) {
	hermetic(t)
	origin, mirror := newTestRegistry(t), newTestRegistry(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	origin.pushImage(t, "lib/app:1", img)
	mirror.pushImage(t, "lib/app:1", img)
	mirror.pushImage(t, "lib/app:2", img)
	origin.requests.Store(0)
	rv := newTestReviewer(t, "", WithMirrors(map[string][]string{origin.host: {mirror.host}}))
	got, err := rv.Tags(context.Background(), origin.host+"/lib/app")
	if err != nil || !slices.Equal(got, []string{"1", "2"}) || origin.requests.Load() != 0 {
		t.Errorf("Tags via mirror = %v, %v, %d origin requests; want [1 2] from the mirror", got, err, origin.requests.Load())
	}
	// A failing mirror falls back to the origin.
	mirror.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(http.StatusInternalServerError)
		return true
	})
	rv = newTestReviewer(t, "", WithMirrors(map[string][]string{origin.host: {mirror.host}}))
	if got, err := rv.Tags(context.Background(), origin.host+"/lib/app"); err != nil || !slices.Equal(got, []string{"1"}) {
		t.Errorf("Tags with the mirror down = %v, %v, want [1] from the origin", got, err)
	}
}

func TestTagsFromLayout(t *testing.T) {
	hermetic(t)
	for _, offline := range []bool{true, false} {
		rv := newTestReviewer(t, "", WithOffline(offline), WithLayouts(demoLayout))
		got, err := rv.Tags(context.Background(), "layerlens.test/demo/trapped")
		if err != nil || !slices.Equal(got, []string{"1.0"}) {
			t.Errorf("Tags(layout, offline %v) = %v, %v, want [1.0]", offline, got, err)
		}
	}
}

// Concurrent listings of one repository share one registry call.
func TestTagsConcurrentShareOneListing(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	reg.pushImage(t, "lib/app:1", img)
	var lists sync.WaitGroup
	release := make(chan struct{})
	var listCalls int
	var mu sync.Mutex
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") {
			mu.Lock()
			listCalls++
			mu.Unlock()
			<-release
		}
		return false
	})
	rv := newTestReviewer(t, "")
	results := make([][]string, 4)
	for i := range results {
		lists.Go(func() {
			results[i], _ = rv.Tags(context.Background(), reg.host+"/lib/app")
		})
	}
	// Let the first listing through once every caller is waiting on it; callers that arrive
	// after it finished read the stored list, so one call is the only possible count.
	close(release)
	lists.Wait()
	for i, r := range results {
		if !slices.Equal(r, []string{"1"}) {
			t.Errorf("caller %d got %v, want [1]", i, r)
		}
	}
	if listCalls != 1 {
		t.Errorf("tags/list calls = %d, want 1", listCalls)
	}
}

func TestTagsInvalidName(t *testing.T) {
	hermetic(t)
	rv := newTestReviewer(t, "", WithOffline(true))
	for _, bad := range []string{"", "UPPER/case", "a b"} {
		if got, err := rv.Tags(context.Background(), bad); err == nil {
			t.Errorf("Tags(%q) = %v, want an error", bad, got)
		}
	}
}
