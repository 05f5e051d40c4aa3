package baseimage

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

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
