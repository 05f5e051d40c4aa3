package baseimage

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"strings"
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

// ErrQueueFull is returned by Submit and Resubmit when the scheduler's queue holds as many
// reviews as it may: the review is not recorded, and a later Submit may succeed. Its text is
// what an editor shows as the image's state.
var ErrQueueFull = errors.New("busy: too many images queued")

// errClosed is returned by Submit and Resubmit after Close.
var errClosed = errors.New("scheduler closed")

// Defaults of the scheduler's bounds.
const (
	// DefaultMaxQueued is how many reviews may wait for a worker at once.
	DefaultMaxQueued = 256
	// DefaultMaxReports is how many finished reviews (done or failed) are kept in memory.
	DefaultMaxReports = 64
)

// SchedulerOption configures NewScheduler.
type SchedulerOption func(*Scheduler)

// WithMaxReports bounds the finished reviews (done or failed) the scheduler keeps; beyond it,
// the least recently used one (Submit, Resubmit and Get count as a use) is forgotten, and Get
// answers StateUnknown for it until it is submitted again. A forgotten review is still in the
// reviewer's store, so submitting it again is cheap. n < 1 means DefaultMaxReports.
func WithMaxReports(n int) SchedulerOption {
	return func(s *Scheduler) {
		if n >= 1 {
			s.maxReports = n
		}
	}
}

// WithMaxQueued bounds the reviews waiting for a worker; a Submit beyond it fails with
// ErrQueueFull. n < 1 means DefaultMaxQueued.
func WithMaxQueued(n int) SchedulerOption {
	return func(s *Scheduler) {
		if n >= 1 {
			s.maxQueued = n
		}
	}
}

// WithKeep exempts the finished reviews for which keep returns true (for example: the images
// open documents use) from eviction, so that their reports are never dropped while needed; the
// scheduler then keeps at most WithMaxReports others. keep is called with the scheduler's lock
// held: it must be quick and must not call the Scheduler.
func WithKeep(keep func(ref, platform string) bool) SchedulerOption {
	return func(s *Scheduler) { s.keep = keep }
}

// Scheduler runs reviews in the background, de-duplicated by (reference, platform), on a fixed
// pool of workers fed by a bounded FIFO queue; reviews of different references that share
// layers share the layer work through the Reviewer. Its memory is bounded too: at most
// concurrency reviews run, at most WithMaxQueued wait, and at most WithMaxReports finished
// ones are kept (least recently used first out). Get never blocks. Events are delivered by
// calling notify from the worker goroutines (and from Cancel, for a queued review it drops),
// one review's events in order; notify must not block for long.
type Scheduler struct {
	rv     *Reviewer
	notify func(Event)
	ctx    context.Context
	stop   context.CancelFunc

	maxQueued, maxReports int
	keep                  func(ref, platform string) bool

	mu     sync.Mutex // guards the fields below
	jobs   map[jobKey]*job
	queue  list.List // of *job waiting for a worker, oldest first
	recent list.List // of finished *job, most recently used first
	closed bool
	wake   *sync.Cond // signalled when queue grows or the scheduler closes

	wg sync.WaitGroup // the workers
}

type jobKey struct{ ref, platform string }

// A job is one (reference, platform) review. It is in exactly one of: the queue (qelem set),
// a worker (running), or the finished list (relem set).
type job struct {
	key    jobKey
	state  State
	report *Report
	err    error
	cancel context.CancelFunc // set while running
	// force makes the next run resolve the tag again, bypassing the tag TTL.
	force bool
	// rerun asks for another forced run once the current one finishes (Resubmit while running).
	rerun   bool
	running bool
	qelem   *list.Element
	relem   *list.Element
}

// NewScheduler makes a scheduler running at most concurrency reviews at once on as many
// worker goroutines, started now and stopped by Close. notify may be nil.
func NewScheduler(rv *Reviewer, concurrency int, notify func(Event), opts ...SchedulerOption) *Scheduler {
	if concurrency < 1 {
		concurrency = 1
	}
	if notify == nil {
		notify = func(Event) {}
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Scheduler{rv: rv, notify: notify, ctx: ctx, stop: stop, jobs: map[jobKey]*job{},
		maxQueued: DefaultMaxQueued, maxReports: DefaultMaxReports}
	for _, o := range opts {
		o(s)
	}
	s.wake = sync.NewCond(&s.mu)
	s.wg.Add(concurrency)
	for range concurrency {
		go s.worker()
	}
	return s
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
// running, or done already. It never blocks. A failed review is retried by a new Submit. When
// the queue is full it returns ErrQueueFull and records nothing.
func (s *Scheduler) Submit(ref, platform string) error {
	return s.submit(ref, platform, false)
}

// Resubmit queues a new review of ref for platform that resolves a tag again (bypassing the
// tag TTL), even when a review is done already; until the new one lands, Get keeps answering
// with the previous report. A review that is queued is forced when it runs; one that is
// running is run again, forced, once it finishes. It never blocks, and returns ErrQueueFull
// when the queue is full.
func (s *Scheduler) Resubmit(ref, platform string) error {
	return s.submit(ref, platform, true)
}

func (s *Scheduler) submit(ref, platform string, force bool) error {
	k, err := s.key(ref, platform)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	j, ok := s.jobs[k]
	switch {
	case ok && j.qelem != nil:
		j.force = j.force || force
		return nil
	case ok && j.running:
		j.rerun = j.rerun || force
		return nil
	case ok && j.state == StateDone && !force:
		s.recent.MoveToFront(j.relem)
		return nil
	}
	if s.queue.Len() >= s.maxQueued {
		if ok {
			s.recent.MoveToFront(j.relem)
		}
		return ErrQueueFull
	}
	if ok { // finished: failed, or forced again; it leaves the finished list while queued
		s.recent.Remove(j.relem)
		j.relem = nil
		if j.state == StateFailed {
			j.state, j.err = StatePending, nil
		}
	} else {
		j = &job{key: k, state: StatePending}
		s.jobs[k] = j
	}
	j.force = force
	j.qelem = s.queue.PushBack(j)
	s.wake.Signal()
	return nil
}

// worker runs queued reviews until Close.
func (s *Scheduler) worker() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		for s.queue.Len() == 0 && !s.closed {
			s.wake.Wait()
		}
		if s.closed {
			s.mu.Unlock()
			return
		}
		j := s.queue.Remove(s.queue.Front()).(*job)
		j.qelem = nil
		j.running = true
		ctx, cancel := context.WithCancel(s.ctx)
		j.cancel = cancel
		force := j.force
		j.force = false
		s.mu.Unlock()
		s.run(ctx, j, force)
		cancel()
	}
}

func (s *Scheduler) run(ctx context.Context, j *job, force bool) {
	k := j.key
	defer func() {
		if p := recover(); p != nil {
			s.finish(j, nil, fmt.Errorf("review of %s crashed: %v", k.ref, p))
		}
	}()
	if force && !strings.Contains(k.ref, "@") {
		// Resolve the tag again, bypassing the TTL, so that the review sees where it points
		// now. A failure here is not final: Review resolves (and reports) it again.
		_, _ = s.rv.Digest(ctx, k.ref, true)
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
	s.finish(j, rep, err)
}

// finish records the outcome of j's run, files j among the finished reviews (evicting the
// least recently used beyond the cap) or queues it again when a Resubmit asked for it, and
// announces the outcome.
func (s *Scheduler) finish(j *job, rep *Report, err error) {
	k := j.key
	s.mu.Lock()
	if err != nil {
		j.state, j.err = StateFailed, err
	} else {
		j.state, j.report, j.err = StateDone, rep, nil
	}
	j.running, j.cancel = false, nil
	if s.jobs[k] == j && !s.closed { // not cancelled meanwhile
		if j.rerun {
			// Queued even when the queue is full: Resubmit accepted it, and such jobs are at
			// most one per worker, so the queue never holds more than maxQueued+concurrency.
			j.rerun, j.force = false, true
			j.qelem = s.queue.PushBack(j)
			s.wake.Signal()
		} else {
			j.relem = s.recent.PushFront(j)
			s.evict()
		}
	}
	s.mu.Unlock()
	if err != nil {
		s.notify(Event{Kind: EventFailed, Ref: k.ref, Platform: k.platform, Err: err})
		return
	}
	s.notify(Event{Kind: EventDone, Ref: k.ref, Platform: k.platform, Report: rep})
}

// evict forgets the least recently used finished reviews beyond the cap; those keep holds on
// to are neither evicted nor counted. s.mu is held.
func (s *Scheduler) evict() {
	if s.recent.Len() <= s.maxReports {
		return
	}
	n := 0
	for e := s.recent.Front(); e != nil; {
		next := e.Next()
		j := e.Value.(*job)
		if s.keep == nil || !s.keep(j.key.ref, j.key.platform) {
			if n++; n > s.maxReports {
				s.recent.Remove(e)
				j.relem = nil
				delete(s.jobs, j.key)
			}
		}
		e = next
	}
}

// Get returns the state of the review of ref for platform without blocking. The report is
// partial in StateConfigKnown, final in StateDone; err is set in StateFailed. A review that
// was never submitted, was cancelled, or was evicted from the finished reviews is
// StateUnknown. Get counts as a use of a finished review.
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
	if j.relem != nil {
		s.recent.MoveToFront(j.relem)
	}
	return j.state, j.report, j.err
}

// Counts returns how many reviews the scheduler holds: queued, running and finished.
func (s *Scheduler) Counts() (queued, running, finished int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	queued, finished = s.queue.Len(), s.recent.Len()
	return queued, len(s.jobs) - queued - finished, finished
}

// Cancel stops the review of ref for platform if it is queued or running, and forgets it; a
// finished review is kept. A queued review is dropped without running: Cancel announces it as
// failed with context.Canceled. A running one is cancelled and its worker announces the failure.
func (s *Scheduler) Cancel(ref, platform string) {
	k, err := s.key(ref, platform)
	if err != nil {
		return
	}
	s.mu.Lock()
	j, ok := s.jobs[k]
	if !ok || j.relem != nil {
		s.mu.Unlock()
		return
	}
	delete(s.jobs, k)
	dropped := j.qelem != nil
	if dropped {
		s.queue.Remove(j.qelem)
		j.qelem = nil
	}
	cancel := j.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if dropped {
		s.notify(Event{Kind: EventFailed, Ref: k.ref, Platform: k.platform, Err: fmt.Errorf("review of %s not run: %w", k.ref, context.Canceled)})
	}
}

// Close cancels every review, drops the queued ones (without events) and waits for the
// workers to return. Submit fails after Close.
func (s *Scheduler) Close() {
	s.stop()
	s.mu.Lock()
	s.closed = true
	for e := s.queue.Front(); e != nil; e = e.Next() {
		j := e.Value.(*job)
		j.qelem = nil
		delete(s.jobs, j.key)
	}
	s.queue.Init()
	s.wake.Broadcast()
	s.mu.Unlock()
	s.wg.Wait()
}
