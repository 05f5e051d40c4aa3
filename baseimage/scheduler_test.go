package baseimage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/layerlens/layerlens/baseimage/internal/testimage"
)

// eventLog collects scheduler events on a channel so tests wait on them without sleeping.
func eventLog() (chan Event, func(Event)) {
	ch := make(chan Event, 1024)
	return ch, func(e Event) { ch <- e }
}

func waitFor(t *testing.T, ch chan Event, kinds ...EventKind) Event {
	t.Helper()
	for e := range ch {
		for _, k := range kinds {
			if e.Kind == k {
				return e
			}
		}
	}
	t.Fatal("event channel closed")
	return Event{}
}

func TestSchedulerDedupAndEvents(t *testing.T) {
	hermetic(t)
	s := NewScheduler(newTestReviewer(t, "", WithOffline(true), WithLayouts(demoLayout)), 2, nil)
	ch, notify := eventLog()
	s.notify = notify
	defer s.Close()

	ref := "layerlens.test/demo/trapped:1.0"
	if st, _, _ := s.Get(ref, "linux/amd64"); st != StateUnknown {
		t.Fatalf("Get before Submit = %v", st)
	}
	for range 3 {
		if err := s.Submit(ref, "linux/amd64"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Submit("layerlens.test/demo/clean:1.0", "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	var configKnown, done int
	var sawProgress bool
	for done < 2 {
		e := <-ch
		switch e.Kind {
		case EventConfigKnown:
			configKnown++
			if e.Report == nil || !e.Report.Partial {
				t.Errorf("config-known event without a partial report: %+v", e)
			}
		case EventProgress:
			sawProgress = sawProgress || e.Progress.LayersTotal > 0
		case EventDone:
			done++
		case EventFailed:
			t.Fatalf("review failed: %v", e.Err)
		}
	}
	if configKnown != 2 || !sawProgress {
		t.Errorf("config-known events = %d (want 2, one per image), progress seen = %v", configKnown, sawProgress)
	}
	select {
	case e := <-ch:
		if e.Kind == EventDone || e.Kind == EventConfigKnown {
			t.Errorf("duplicate review: extra event %+v", e)
		}
	default:
	}
	st, rep, err := s.Get("layerlens.test/demo/trapped:1.0", "linux/amd64")
	if st != StateDone || rep == nil || err != nil || rep.Partial {
		t.Errorf("Get = %v, %v, %v; want done with a full report", st, rep != nil, err)
	}
}

func TestSchedulerFailureAndCancel(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	reg.pushIndex(t, "demo/clean:1.0", mustIndex(t, testimage.DemoClean))
	ch, notify := eventLog()
	s := NewScheduler(newTestReviewer(t, ""), 1, notify)
	defer s.Close()

	if err := s.Submit(reg.host+"/demo/nope:1", ""); err != nil {
		t.Fatal(err)
	}
	e := waitFor(t, ch, EventFailed, EventDone)
	if e.Kind != EventFailed || !strings.Contains(e.Err.Error(), "not found") {
		t.Fatalf("event = %+v, want a failure saying not found", e)
	}
	if st, _, err := s.Get(reg.host+"/demo/nope:1", ""); st != StateFailed || err == nil {
		t.Errorf("Get = %v, %v, want failed with the error", st, err)
	}

	// A review stalled on a layer is cancelled by Cancel.
	stalled := make(chan struct{})
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/blobs/") || r.Method != http.MethodGet {
			return false
		}
		select {
		case stalled <- struct{}{}:
		default:
		}
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		return true
	})
	ref := reg.host + "/demo/clean:1.0"
	if err := s.Submit(ref, "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	<-stalled
	s.Cancel(ref, "linux/amd64")
	e = waitFor(t, ch, EventFailed, EventDone)
	if e.Kind != EventFailed || !errors.Is(e.Err, context.Canceled) {
		t.Errorf("after Cancel: %+v, want a failure wrapping context.Canceled", e)
	}
	if st, _, _ := s.Get(ref, "linux/amd64"); st != StateUnknown {
		t.Errorf("Get after Cancel = %v, want unknown (forgotten)", st)
	}
}

// finals passes the final events (done, failed) of a scheduler on a channel; the others are
// dropped, so that notify never blocks however many reviews run.
func finals(n int) (chan Event, func(Event)) {
	ch := make(chan Event, n)
	return ch, func(e Event) {
		if e.Kind == EventDone || e.Kind == EventFailed {
			ch <- e
		}
	}
}

// distinctImage is a one-layer linux/amd64 image whose digest depends on i.
func distinctImage(t *testing.T, i int) v1.Image {
	t.Helper()
	img, err := testimage.Image([]testimage.Step{{
		CreatedBy: fmt.Sprintf("ADD id-%d /etc/id", i),
		Files:     []testimage.File{{Path: "etc/id", Body: fmt.Sprintf("%d\n", i)}},
	}}, "amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestSchedulerBoundedPoolAndQueue(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	// Every request waits at the gate: the workers stay busy while the images are submitted.
	gate := make(chan struct{})
	arrived := make(chan struct{}, 4096)
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		arrived <- struct{}{}
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		return false // then the registry answers: none of these images exists
	})
	const workers, maxQueued, maxReports, images = 4, 100, 64, 1000
	rv := newTestReviewer(t, "")
	before := runtime.NumGoroutine()
	ch, notify := finals(images)
	s := NewScheduler(rv, workers, notify, WithMaxQueued(maxQueued), WithMaxReports(maxReports))
	defer s.Close()

	accepted, full := 0, 0
	for i := range images {
		err := s.Submit(fmt.Sprintf("%s/many/img%d:1", reg.host, i), "linux/amd64")
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, ErrQueueFull):
			full++
			if err.Error() != "busy: too many images queued" {
				t.Fatalf("queue-full error says %q", err)
			}
		default:
			t.Fatalf("Submit %d: %v", i, err)
		}
	}
	// The workers took at most one job each before the queue filled.
	if accepted < maxQueued || accepted > maxQueued+workers || full != images-accepted {
		t.Fatalf("accepted %d, queue full %d; want %d..%d accepted, the rest refused", accepted, full, maxQueued, maxQueued+workers)
	}
	for range workers { // every worker is now parked in a request
		<-arrived
	}
	queued, running, finished := s.Counts()
	if queued > maxQueued || running != workers || finished != 0 {
		t.Errorf("Counts = %d queued, %d running, %d finished", queued, running, finished)
	}
	// The old scheduler parked one goroutine per submitted job (>= 100 here). Now: the
	// workers, plus per blocked request the server's connection goroutine and the client
	// transport's two, plus slack for the runtime and the HTTP machinery.
	grown := runtime.NumGoroutine() - before
	t.Logf("%d reviews accepted, %d refused; goroutines grew by %d", accepted, full, grown)
	if grown > workers*5+20 {
		t.Errorf("goroutines grew by %d with %d reviews submitted; want <= %d", grown, accepted, workers*5+20)
	}

	// A Submit of an image already queued is not refused: nothing new is queued.
	if err := s.Submit(reg.host+"/many/img0:1", "linux/amd64"); err != nil {
		t.Errorf("re-Submit of a queued image: %v", err)
	}

	close(gate)
	for range accepted {
		e := <-ch
		if e.Kind != EventFailed || !strings.Contains(e.Err.Error(), "not found") {
			t.Fatalf("event %+v, want a not-found failure", e)
		}
	}
	queued, running, finished = s.Counts()
	if queued != 0 || running != 0 || finished != maxReports {
		t.Errorf("after the reviews: Counts = %d queued, %d running, %d finished; want 0, 0, %d", queued, running, finished, maxReports)
	}
	// With the queue drained, a refused image can be submitted again.
	refused := fmt.Sprintf("%s/many/img%d:1", reg.host, images-1)
	if err := s.Submit(refused, "linux/amd64"); err != nil {
		t.Fatalf("Submit after the queue drained: %v", err)
	}
	if e := <-ch; e.Ref != refused {
		t.Errorf("event for %s, want %s", e.Ref, refused)
	}
}

func TestSchedulerCancelQueuedNeverRuns(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	gate := make(chan struct{})
	stalled := make(chan struct{}, 16)
	var queuedHits atomic.Int64
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/queued/") {
			queuedHits.Add(1)
		}
		if strings.Contains(r.URL.Path, "/first/") {
			stalled <- struct{}{}
			select {
			case <-gate:
			case <-r.Context().Done():
			}
		}
		return false
	})
	ch, notify := finals(16)
	s := NewScheduler(newTestReviewer(t, ""), 1, notify)
	defer s.Close()
	first, queued := reg.host+"/first/img:1", reg.host+"/queued/img:1"
	if err := s.Submit(first, "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	<-stalled // the only worker is busy with first
	if err := s.Submit(queued, "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := s.Get(queued, "linux/amd64"); st != StatePending {
		t.Errorf("queued image state %v, want pending", st)
	}
	s.Cancel(queued, "linux/amd64")
	e := <-ch
	if e.Ref != queued || e.Kind != EventFailed || !errors.Is(e.Err, context.Canceled) {
		t.Fatalf("after Cancel of a queued review: %+v, want its failure wrapping context.Canceled", e)
	}
	close(gate)
	if e := <-ch; e.Ref != first {
		t.Fatalf("event %+v, want the end of %s", e, first)
	}
	if n := queuedHits.Load(); n != 0 {
		t.Errorf("the cancelled queued review made %d registry requests, want none", n)
	}
	if st, _, _ := s.Get(queued, "linux/amd64"); st != StateUnknown {
		t.Errorf("cancelled image state %v, want unknown", st)
	}
}

func TestSchedulerLRUEviction(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	refs := make([]string, 4)
	for i := range refs {
		reg.pushImage(t, fmt.Sprintf("lru/img%d:1", i), distinctImage(t, i))
		refs[i] = fmt.Sprintf("%s/lru/img%d:1", reg.host, i)
	}
	ch, notify := finals(16)
	s := NewScheduler(newTestReviewer(t, ""), 1, notify, WithMaxReports(3))
	defer s.Close()
	review := func(ref string) {
		t.Helper()
		if err := s.Submit(ref, "linux/amd64"); err != nil {
			t.Fatal(err)
		}
		if e := <-ch; e.Kind != EventDone || e.Ref != ref {
			t.Fatalf("event %+v, want %s done", e, ref)
		}
	}
	for _, ref := range refs[:3] {
		review(ref)
	}
	// Use img0, so img1 becomes the least recently used.
	if st, _, _ := s.Get(refs[0], "linux/amd64"); st != StateDone {
		t.Fatalf("img0 state %v", st)
	}
	review(refs[3])
	want := []State{StateDone, StateUnknown, StateDone, StateDone}
	for i, ref := range refs {
		if st, _, _ := s.Get(ref, "linux/amd64"); st != want[i] {
			t.Errorf("img%d state %v, want %v", i, st, want[i])
		}
	}
	if _, _, finished := s.Counts(); finished != 3 {
		t.Errorf("%d finished reviews kept, want 3", finished)
	}

	// The evicted review is in the store: submitting it again fetches no blob.
	var blobs atomic.Int64
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/blobs/") {
			blobs.Add(1)
		}
		return false
	})
	review(refs[1])
	if st, rep, _ := s.Get(refs[1], "linux/amd64"); st != StateDone || rep == nil || rep.Partial {
		t.Errorf("img1 after re-submission: %v", st)
	}
	if n := blobs.Load(); n != 0 {
		t.Errorf("re-submission after eviction fetched %d blobs, want 0 (from the store)", n)
	}
	// The checks above read img0, img2, img3 in that order: img0 made way for img1.
	if st, _, _ := s.Get(refs[0], "linux/amd64"); st != StateUnknown {
		t.Errorf("img0 state %v, want unknown (evicted)", st)
	}
}

func TestSchedulerResubmitFollowsMovedTag(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	d1 := reg.pushImage(t, "moved/img:1", distinctImage(t, 1))
	ch, notify := finals(16)
	s := NewScheduler(newTestReviewer(t, ""), 2, notify)
	defer s.Close()
	ref := reg.host + "/moved/img:1"
	if err := s.Submit(ref, "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	if e := <-ch; e.Kind != EventDone || e.Report.Digest != d1 {
		t.Fatalf("first review: %+v, want done at %s", e, d1)
	}
	d2 := reg.pushImage(t, "moved/img:1", distinctImage(t, 2)) // the tag moves

	// Submit does not review a done image again.
	if err := s.Submit(ref, "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	if _, rep, _ := s.Get(ref, "linux/amd64"); rep == nil || rep.Digest != d1 {
		t.Fatalf("after Submit: report %v, want still %s", rep, d1)
	}
	// Resubmit does, through the pool, resolving the tag again despite its TTL.
	if err := s.Resubmit(ref, "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	e := <-ch
	if e.Kind != EventDone || e.Report.Digest != d2 {
		t.Fatalf("forced review: %+v, want done at %s", e, d2)
	}
	if st, rep, _ := s.Get(ref, "linux/amd64"); st != StateDone || rep.Digest != d2 {
		t.Errorf("Get after the forced review: %v, %v", st, rep)
	}
	select {
	case e := <-ch:
		t.Errorf("unexpected event %+v", e)
	default:
	}
}

func TestSchedulerKeepExemptsFromEviction(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	refs := make([]string, 3)
	for i := range refs {
		reg.pushImage(t, fmt.Sprintf("keep/img%d:1", i), distinctImage(t, 10+i))
		refs[i] = fmt.Sprintf("%s/keep/img%d:1", reg.host, i)
	}
	var kept atomic.Value
	kept.Store(refs[0])
	ch, notify := finals(16)
	s := NewScheduler(newTestReviewer(t, ""), 1, notify, WithMaxReports(1),
		WithKeep(func(ref, platform string) bool { return ref == kept.Load().(string) }))
	defer s.Close()
	for _, ref := range refs {
		if err := s.Submit(ref, "linux/amd64"); err != nil {
			t.Fatal(err)
		}
		if e := <-ch; e.Kind != EventDone {
			t.Fatalf("%+v", e)
		}
	}
	// img0 is kept although least recently used; of the others, only the newest stays.
	want := []State{StateDone, StateUnknown, StateDone}
	for i, ref := range refs {
		if st, _, _ := s.Get(ref, "linux/amd64"); st != want[i] {
			t.Errorf("img%d state %v, want %v", i, st, want[i])
		}
	}
	// Once no longer kept, img0 is evicted by the next finished review.
	kept.Store("")
	if err := s.Submit(refs[1], "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	<-ch
	if st, _, _ := s.Get(refs[0], "linux/amd64"); st != StateUnknown {
		t.Errorf("img0 state %v after it was released, want unknown", st)
	}
}

// BenchmarkSchedulerSubmit measures Submit of distinct images (normalising the reference,
// queueing the job) and, with it, running them on the pool: offline with an empty store, each
// review fails at once, so the figures are the scheduler's own cost per image.
func BenchmarkSchedulerSubmit(b *testing.B) {
	rv, err := New(WithCacheDir(b.TempDir()), WithOffline(true))
	if err != nil {
		b.Fatal(err)
	}
	var finished atomic.Int64
	all := make(chan struct{})
	want := int64(b.N)
	s := NewScheduler(rv, 4, func(e Event) {
		if (e.Kind == EventDone || e.Kind == EventFailed) && finished.Add(1) == want {
			close(all)
		}
	}, WithMaxQueued(b.N+1), WithMaxReports(64))
	defer s.Close()
	refs := make([]string, b.N)
	for i := range refs {
		refs[i] = fmt.Sprintf("registry.invalid/bench/img%d:1", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, ref := range refs {
		if err := s.Submit(ref, "linux/amd64"); err != nil {
			b.Fatal(err)
		}
	}
	<-all
	b.StopTimer()
	if _, _, finished := s.Counts(); finished > 64 {
		b.Fatalf("%d finished reviews kept, want <= 64", finished)
	}
}

func TestSchedulerResubmitWhileRunning(t *testing.T) {
	hermetic(t)
	reg := newTestRegistry(t)
	d1 := reg.pushImage(t, "rerun/img:1", distinctImage(t, 21))
	cfg1, err := distinctImage(t, 21).ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	gate, stalled := make(chan struct{}), make(chan struct{}, 1)
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, cfg1.String()) {
			select {
			case stalled <- struct{}{}:
			default:
			}
			select {
			case <-gate:
			case <-r.Context().Done():
			}
		}
		return false
	})
	ch, notify := finals(16)
	s := NewScheduler(newTestReviewer(t, ""), 1, notify, WithMaxQueued(1))
	defer s.Close()
	ref := reg.host + "/rerun/img:1"
	if err := s.Submit(ref, "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	<-stalled // the first review has resolved the tag to d1 and waits for its config
	d2 := reg.pushImage(t, "rerun/img:1", distinctImage(t, 22))
	if err := s.Resubmit(ref, "linux/amd64"); err != nil {
		t.Fatalf("Resubmit while running: %v", err)
	}
	// Fill the queue: the re-run asked for while running is queued all the same.
	if err := s.Submit(reg.host+"/rerun/other:1", "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	close(gate)
	var digests []string
	for len(digests) < 2 {
		e := <-ch
		if e.Ref != ref {
			continue
		}
		if e.Kind != EventDone {
			t.Fatalf("%+v", e)
		}
		digests = append(digests, e.Report.Digest)
	}
	if digests[0] != d1 || digests[1] != d2 {
		t.Errorf("reviews saw %v, want %s then (forced, after the tag moved) %s", digests, d1, d2)
	}
}
