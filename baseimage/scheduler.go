package baseimage

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// State is where a scheduled review stands.
type State int

// States of a scheduled review.
const (
	StateUnknown     State = iota // never submitted
	StatePending                  // queued or resolving
	StateConfigKnown              // config and history known, layers in progress (Report is Partial)
	StateDone
	StateFailed
)

func (s State) String() string {
	return [...]string{"unknown", "pending", "config-known", "done", "failed"}[s]
}

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	EventProgress    EventKind = iota + 1 // Progress is set
	EventConfigKnown                      // Report holds the partial report
	EventDone                             // Report holds the final report
	EventFailed                           // Err says why
)

// Event is one change of a scheduled review, delivered to the Scheduler's notify function.
type Event struct {
	Kind     EventKind
	Ref      string // as submitted, normalised
	Platform string
	Progress Progress
	Report   *Report
	Err      error
}

// Scheduler runs reviews in the background with bounded concurrency, de-duplicated by
// (reference, platform); reviews of different references that share layers share the layer
// work through the Reviewer. Get never blocks. Events are delivered by calling notify from the
// worker goroutines, one review's events in order; notify must not block for long.
type Scheduler struct {
	rv     *Reviewer
	notify func(Event)
	sem    chan struct{}
	ctx    context.Context
	stop   context.CancelFunc

	mu   sync.Mutex // guards jobs
	jobs map[jobKey]*job
	wg   sync.WaitGroup
}

type jobKey struct{ ref, platform string }

type job struct {
	state  State
	report *Report
	err    error
	cancel context.CancelFunc
}

// NewScheduler makes a scheduler running at most concurrency reviews at once. notify may be nil.
func NewScheduler(rv *Reviewer, concurrency int, notify func(Event)) *Scheduler {
	if concurrency < 1 {
		concurrency = 1
	}
	if notify == nil {
		notify = func(Event) {}
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Scheduler{rv: rv, notify: notify, sem: make(chan struct{}, concurrency), ctx: ctx, stop: stop, jobs: map[jobKey]*job{}}
}

func (s *Scheduler) key(ref, platform string) (jobKey, error) {
	norm, err := NormaliseRef(ref)
	if err != nil {
		return jobKey{}, err
	}
	if platform == "" {
		platform, _ = s.rv.DefaultPlatform()
	}
	return jobKey{norm, normalisePlatform(platform)}, nil
}

// Submit queues a review of ref for platform ("" for the default) unless one is queued,
// running, or done already. It never blocks. A failed review is retried by a new Submit.
func (s *Scheduler) Submit(ref, platform string) error {
	k, err := s.key(ref, platform)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return errors.New("scheduler closed")
	}
	if j, ok := s.jobs[k]; ok && j.state != StateFailed {
		return nil
	}
	ctx, cancel := context.WithCancel(s.ctx)
	j := &job{state: StatePending, cancel: cancel}
	s.jobs[k] = j
	s.wg.Add(1)
	go s.run(ctx, k, j)
	return nil
}

func (s *Scheduler) run(ctx context.Context, k jobKey, j *job) {
	defer s.wg.Done()
	defer j.cancel()
	defer func() {
		if p := recover(); p != nil {
			s.finish(k, j, nil, fmt.Errorf("review of %s crashed: %v", k.ref, p))
		}
	}()
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-ctx.Done():
		s.finish(k, j, nil, ctx.Err())
		return
	}
	rep, err := s.rv.Review(ctx, k.ref, k.platform, func(p Progress) {
		if p.Partial != nil {
			s.mu.Lock()
			if j.state == StatePending {
				j.state, j.report = StateConfigKnown, p.Partial
			}
			s.mu.Unlock()
			s.notify(Event{Kind: EventConfigKnown, Ref: k.ref, Platform: k.platform, Progress: p, Report: p.Partial})
			return
		}
		s.notify(Event{Kind: EventProgress, Ref: k.ref, Platform: k.platform, Progress: p})
	})
	s.finish(k, j, rep, err)
}

func (s *Scheduler) finish(k jobKey, j *job, rep *Report, err error) {
	s.mu.Lock()
	if err != nil {
		j.state, j.err = StateFailed, err
	} else {
		j.state, j.report = StateDone, rep
	}
	s.mu.Unlock()
	if err != nil {
		s.notify(Event{Kind: EventFailed, Ref: k.ref, Platform: k.platform, Err: err})
		return
	}
	s.notify(Event{Kind: EventDone, Ref: k.ref, Platform: k.platform, Report: rep})
}

// Get returns the state of the review of ref for platform without blocking. The report is
// partial in StateConfigKnown, final in StateDone; err is set in StateFailed.
func (s *Scheduler) Get(ref, platform string) (State, *Report, error) {
	k, err := s.key(ref, platform)
	if err != nil {
		return StateFailed, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[k]
	if !ok {
		return StateUnknown, nil, nil
	}
	return j.state, j.report, j.err
}

// Cancel stops the review of ref for platform, if running, and forgets it.
func (s *Scheduler) Cancel(ref, platform string) {
	k, err := s.key(ref, platform)
	if err != nil {
		return
	}
	s.mu.Lock()
	j, ok := s.jobs[k]
	if ok && (j.state == StatePending || j.state == StateConfigKnown) {
		delete(s.jobs, k)
	}
	s.mu.Unlock()
	if ok {
		j.cancel()
	}
}

// Close cancels every review and waits for the workers to return.
func (s *Scheduler) Close() {
	s.stop()
	s.wg.Wait()
}
