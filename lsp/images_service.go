package lsp

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/layerlens/layerlens/baseimage"
)

// eventTagKnown is the ImageEvent kind for "the current digest of a pinned reference's tag is
// known" (a stale-pin check finished). It is not a baseimage kind: the service makes it.
const eventTagKnown baseimage.EventKind = 100

// eventRequeued is the ImageEvent kind for "a review refused earlier because the queue was
// full is now queued": the busy state is gone, so its documents are diagnosed again.
const eventRequeued baseimage.EventKind = 101

// defaultMaxReports is how many finished reviews of images no open document uses the service's
// scheduler keeps in memory unless ImageServiceOptions.MaxReports says otherwise: a few
// documents' worth (maxImagesPerDoc each), so that reopening recent files finds them at once.
const defaultMaxReports = 4 * maxImagesPerDoc

// ImageServiceOptions configure NewImageService.
type ImageServiceOptions struct {
	// Logger receives the service log (never stdout); nil means slog.Default().
	Logger *slog.Logger
	// Concurrency bounds the reviews running at once; 0 means 4.
	Concurrency int
	// MaxQueued bounds the reviews waiting for a worker; 0 means baseimage.DefaultMaxQueued.
	// A review refused because the queue is full is shown as failed with
	// baseimage.ErrQueueFull ("busy: too many images queued") and submitted again as soon as a
	// review ends.
	MaxQueued int
	// MaxReports bounds the finished reviews kept in memory besides those of the images open
	// documents use (which are never evicted); beyond it the least recently used are forgotten
	// (they stay in the store, and a later Submit reads them back quickly). 0 means 128.
	MaxReports int
	// Base are reviewer options that always apply (command-line flags, a test transport); the
	// editor settings (ImageConfig) are added on top.
	Base []baseimage.Option
}

// NewImageService returns the ImageService backed by package baseimage: a Reviewer, rebuilt
// when Configure changes the sources, and a Scheduler that runs the reviews in the background.
// Close it when the server is done.
func NewImageService(o ImageServiceOptions) (*BaseImageService, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.MaxReports <= 0 {
		o.MaxReports = defaultMaxReports
	}
	svc := &BaseImageService{
		opts:     o,
		subs:     map[int]func(ImageEvent){},
		progress: map[imageKey]baseimage.Progress{},
		tags:     map[string]*tagEntry{},
		busy:     map[imageKey]bool{},
		sem:      make(chan struct{}, o.Concurrency),
		tagLists: map[string]*tagListEntry{},
		listSem:  make(chan struct{}, maxTagListings),
		wanted:   map[imageKey]bool{},
	}
	svc.ctx, svc.stop = context.WithCancel(context.Background())
	if err := svc.rebuild(nil); err != nil {
		return nil, err
	}
	return svc, nil
}

// BaseImageService is the real ImageService. It is safe for concurrent use.
type BaseImageService struct {
	opts ImageServiceOptions
	ctx  context.Context
	stop context.CancelFunc
	// sem bounds the background work done outside the scheduler (tag lookups of pinned
	// references); every review, forced or not, runs in the scheduler's bounded pool.
	sem chan struct{}

	mu sync.Mutex // guards the fields below
	rv *baseimage.Reviewer
	sc *baseimage.Scheduler
	// gen counts rebuilds; events of an older scheduler are dropped.
	gen      int
	subs     map[int]func(ImageEvent)
	nextSub  int
	progress map[imageKey]baseimage.Progress
	// tags are the tag lookups of pinned references, by "name:tag".
	tags map[string]*tagEntry
	// busy are the images the scheduler refused because its queue was full (true: a forced
	// review, from Refresh); they are submitted again whenever a review ends.
	busy map[imageKey]bool
	// tagLists are the repositories' tag lists for completion (Tags), by repository as typed.
	tagLists map[string]*tagListEntry

	// listSem bounds the tag listings running at once (not guarded by mu).
	listSem chan struct{}

	// wantMu guards wanted; it is taken alone (the scheduler calls keep with its own lock held).
	wantMu sync.Mutex
	// wanted are the images submitted and not cancelled since: the images open documents use.
	// The scheduler never evicts their finished reviews (WithKeep); and when it does not know
	// one (a new scheduler after Configure), Get submits it again rather than answer
	// "unknown" for an image a document uses.
	wanted map[imageKey]bool
}

type tagEntry struct {
	digest   string
	inflight bool
	users    map[imageKey]bool
}

// Name implements ImageService.
func (b *BaseImageService) Name() string { return "baseimage" }

// Reviewer returns the current reviewer.
func (b *BaseImageService) Reviewer() *baseimage.Reviewer {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rv
}

// Close cancels every review and waits for the scheduler's workers.
func (b *BaseImageService) Close() {
	b.stop()
	b.mu.Lock()
	sc := b.sc
	b.mu.Unlock()
	sc.Close()
}

// Configure implements ImageService: a new reviewer and scheduler for the new sources. Reviews
// done so far are kept in the store, so the new scheduler finds them again quickly.
func (b *BaseImageService) Configure(cfg ImageConfig) error {
	return b.rebuild(&cfg)
}

func (b *BaseImageService) rebuild(cfg *ImageConfig) error {
	opts := append([]baseimage.Option{}, b.opts.Base...)
	if cfg != nil {
		if cfg.Platform != "" {
			opts = append(opts, baseimage.WithPlatform(cfg.Platform))
		}
		if cfg.Offline {
			opts = append(opts, baseimage.WithOffline(true))
		}
		if len(cfg.Mirrors) > 0 {
			opts = append(opts, baseimage.WithMirrors(cfg.Mirrors))
		}
		if len(cfg.InsecureRegistries) > 0 {
			opts = append(opts, baseimage.WithInsecure(cfg.InsecureRegistries...))
		}
		if cfg.CacheDir != "" {
			opts = append(opts, baseimage.WithCacheDir(cfg.CacheDir))
		}
		if len(cfg.OCILayouts) > 0 {
			opts = append(opts, baseimage.WithLayouts(cfg.OCILayouts...))
		}
	}
	opts = append(opts, baseimage.WithLogger(b.opts.Logger))
	rv, err := baseimage.New(opts...)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.gen++
	gen := b.gen
	old := b.sc
	b.rv = rv
	b.sc = baseimage.NewScheduler(rv, b.opts.Concurrency, func(ev baseimage.Event) { b.onEvent(gen, ev) },
		baseimage.WithMaxQueued(b.opts.MaxQueued), baseimage.WithMaxReports(b.opts.MaxReports), baseimage.WithKeep(b.keep))
	b.progress = map[imageKey]baseimage.Progress{}
	b.busy = map[imageKey]bool{}            // the new scheduler is empty: Get submits wanted images again
	b.tagLists = map[string]*tagListEntry{} // other sources, other tags
	for _, t := range b.tags {
		if !t.inflight {
			t.digest = ""
		}
	}
	sc := b.sc
	b.mu.Unlock()
	if old != nil {
		go old.Close() // cancels its reviews; waiting here would block the caller
	}
	// The images open documents use go to the new scheduler at once, so they never read as
	// "not started" between the settings change and the next diagnosis. Most are in the store
	// and are done again quickly.
	b.wantMu.Lock()
	wanted := make([]imageKey, 0, len(b.wanted))
	for k := range b.wanted {
		wanted = append(wanted, k)
	}
	b.wantMu.Unlock()
	for _, k := range wanted {
		_ = b.submit(sc, k, false) // a full queue is recorded in busy and retried
	}
	return nil
}

// keep tells the scheduler which finished reviews must not be evicted: the wanted ones.
func (b *BaseImageService) keep(ref, platform string) bool {
	b.wantMu.Lock()
	defer b.wantMu.Unlock()
	return b.wanted[imageKey{ref, platform}]
}

// want records (or, with on false, forgets) that a document uses k.
func (b *BaseImageService) want(k imageKey, on bool) {
	b.wantMu.Lock()
	defer b.wantMu.Unlock()
	if on {
		b.wanted[k] = true
	} else {
		delete(b.wanted, k)
	}
}

// onEvent records a scheduler event and passes it on to the subscribers.
func (b *BaseImageService) onEvent(gen int, ev baseimage.Event) {
	k := imageKey{ev.Ref, ev.Platform}
	b.mu.Lock()
	if gen != b.gen {
		b.mu.Unlock()
		return
	}
	switch ev.Kind {
	case baseimage.EventProgress:
		b.progress[k] = ev.Progress
	case baseimage.EventDone, baseimage.EventFailed:
		delete(b.progress, k)
	}
	b.mu.Unlock()
	b.emit(ImageEvent{Kind: ev.Kind, Ref: ev.Ref, Platform: ev.Platform, Progress: ev.Progress, Err: ev.Err})
	if ev.Kind == baseimage.EventDone || ev.Kind == baseimage.EventFailed {
		b.retryBusy(gen) // a queue slot may be free now
	}
}

// retryBusy submits again the images refused with a full queue, until the queue is full again.
func (b *BaseImageService) retryBusy(gen int) {
	b.mu.Lock()
	if gen != b.gen || len(b.busy) == 0 {
		b.mu.Unlock()
		return
	}
	sc := b.sc
	keys := make([]imageKey, 0, len(b.busy))
	for k := range b.busy {
		keys = append(keys, k)
	}
	b.mu.Unlock()
	slices.SortFunc(keys, func(x, y imageKey) int { return strings.Compare(x.ref+"\x00"+x.platform, y.ref+"\x00"+y.platform) })
	for _, k := range keys {
		b.mu.Lock()
		force, still := b.busy[k]
		b.mu.Unlock()
		if !still {
			continue
		}
		err := b.submit(sc, k, force)
		if errors.Is(err, baseimage.ErrQueueFull) {
			return
		}
		b.mu.Lock()
		delete(b.busy, k)
		b.mu.Unlock()
		b.emit(ImageEvent{Kind: eventRequeued, Ref: k.ref, Platform: k.platform})
	}
}

// submit hands k to sc (Resubmit when force) and records a refusal for a full queue in busy.
// When Configure replaced sc meanwhile (sc refuses: it is closed), k goes to the current
// scheduler instead, so that a review is never lost to that race nor shown as "busy".
func (b *BaseImageService) submit(sc *baseimage.Scheduler, k imageKey, force bool) error {
	send := func(sc *baseimage.Scheduler) error {
		if force {
			return sc.Resubmit(k.ref, k.platform)
		}
		return sc.Submit(k.ref, k.platform)
	}
	err := send(sc)
	if err != nil && !errors.Is(err, baseimage.ErrQueueFull) {
		b.mu.Lock()
		cur := b.sc
		b.mu.Unlock()
		if cur != sc {
			sc = cur
			err = send(sc)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case errors.Is(err, baseimage.ErrQueueFull):
		if sc == b.sc {
			b.busy[k] = b.busy[k] || force
		}
	case err != nil:
		b.opts.Logger.Debug("review not submitted", "ref", k.ref, "err", err)
	default:
		delete(b.busy, k)
	}
	return err
}

func (b *BaseImageService) emit(ev ImageEvent) {
	b.mu.Lock()
	subs := make([]func(ImageEvent), 0, len(b.subs))
	for _, fn := range b.subs {
		subs = append(subs, fn)
	}
	b.mu.Unlock()
	for _, fn := range subs {
		fn(ev)
	}
}

// Subscribe implements ImageService.
func (b *BaseImageService) Subscribe(fn func(ImageEvent)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.nextSub
	b.nextSub++
	b.subs[id] = fn
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

// Submit implements ImageService.
func (b *BaseImageService) Submit(ref, platform string) {
	k := imageKey{ref, platform}
	b.want(k, true)
	b.mu.Lock()
	sc := b.sc
	b.mu.Unlock()
	if err := b.submit(sc, k, false); errors.Is(err, baseimage.ErrQueueFull) {
		b.opts.Logger.Debug("review queue full; the image is submitted again when a review ends", "ref", ref)
	}
	if nameTag, ok := pinnedTag(ref); ok {
		b.lookupTag(nameTag, imageKey{ref, platform}, false)
	}
}

// pinnedTag returns "name:tag" of a reference pinned as name:tag@digest.
func pinnedTag(ref string) (string, bool) {
	nameTag, _, pinned := strings.Cut(ref, "@")
	if !pinned {
		return "", false
	}
	slash := strings.LastIndexByte(nameTag, '/')
	if !strings.Contains(nameTag[slash+1:], ":") {
		return "", false
	}
	return nameTag, true
}

// lookupTag finds where nameTag points now, in the background (once per tag unless refresh),
// and announces it to the users of the pinned reference.
func (b *BaseImageService) lookupTag(nameTag string, user imageKey, refresh bool) {
	b.mu.Lock()
	t := b.tags[nameTag]
	if t == nil {
		t = &tagEntry{users: map[imageKey]bool{}}
		b.tags[nameTag] = t
	}
	t.users[user] = true
	if t.inflight || (t.digest != "" && !refresh) {
		b.mu.Unlock()
		return
	}
	t.inflight = true
	rv := b.rv
	b.mu.Unlock()
	go func() {
		digest := ""
		select {
		case b.sem <- struct{}{}:
			ctx, cancel := context.WithTimeout(b.ctx, 2*time.Minute)
			d, err := rv.Digest(ctx, nameTag, refresh)
			cancel()
			<-b.sem
			if err != nil {
				b.opts.Logger.Debug("tag lookup failed", "ref", nameTag, "err", err)
			}
			digest = d
		case <-b.ctx.Done():
		}
		b.mu.Lock()
		t.inflight = false
		t.digest = digest
		users := make([]imageKey, 0, len(t.users))
		for k := range t.users {
			users = append(users, k)
		}
		b.mu.Unlock()
		if digest == "" {
			return
		}
		for _, k := range users {
			b.emit(ImageEvent{Kind: eventTagKnown, Ref: k.ref, Platform: k.platform})
		}
	}()
}

// Cancel implements ImageService.
func (b *BaseImageService) Cancel(ref, platform string) {
	b.mu.Lock()
	sc := b.sc
	delete(b.progress, imageKey{ref, platform})
	delete(b.busy, imageKey{ref, platform})
	if nameTag, ok := pinnedTag(ref); ok {
		if t := b.tags[nameTag]; t != nil {
			delete(t.users, imageKey{ref, platform})
		}
	}
	b.mu.Unlock()
	b.want(imageKey{ref, platform}, false)
	sc.Cancel(ref, platform)
}

// Get implements ImageService.
func (b *BaseImageService) Get(ref, platform string) ImageStatus {
	k := imageKey{ref, platform}
	b.mu.Lock()
	sc := b.sc
	prog := b.progress[k]
	_, busy := b.busy[k]
	tagDigest := ""
	if nameTag, ok := pinnedTag(ref); ok {
		if t := b.tags[nameTag]; t != nil {
			tagDigest = t.digest
		}
	}
	b.mu.Unlock()
	state, rep, err := sc.Get(ref, platform)
	if state == baseimage.StateUnknown && !busy && b.keep(ref, platform) {
		// A new scheduler (Configure) does not know it yet: submit it again.
		// The review is usually in the store, so it is done again quickly, and its EventDone
		// makes the documents that use it diagnosed again.
		b.opts.Logger.Debug("review forgotten by the scheduler; submitted again", "ref", ref)
		switch serr := b.submit(sc, k, false); {
		case serr == nil:
			b.mu.Lock()
			sc = b.sc // submit may have used a newer scheduler
			b.mu.Unlock()
			state, rep, err = sc.Get(ref, platform)
		case errors.Is(serr, baseimage.ErrQueueFull):
			busy = true
		}
	}
	if busy && (state == baseimage.StateUnknown || state == baseimage.StateFailed) {
		state, rep, err = baseimage.StateFailed, nil, baseimage.ErrQueueFull
	}
	out := ImageStatus{State: state, Report: rep, Err: err}
	if out.State == baseimage.StatePending || out.State == baseimage.StateConfigKnown {
		out.Progress = prog
	}
	out.TagDigest = tagDigest
	return out
}

// Refresh implements ImageService: the image is reviewed anew through the scheduler's pool,
// its tag resolved again (bypassing the TTL); until that review lands, Get keeps answering with
// the previous one. A refresh refused because the queue is full runs once a review ends.
func (b *BaseImageService) Refresh(ref, platform string) {
	k := imageKey{ref, platform}
	b.want(k, true)
	b.mu.Lock()
	sc := b.sc
	b.mu.Unlock()
	if nameTag, ok := pinnedTag(ref); ok {
		b.lookupTag(nameTag, k, true)
	}
	if err := b.submit(sc, k, true); err != nil {
		b.opts.Logger.Info("forced review not started yet", "ref", ref, "err", err)
	}
}

// Digest implements ImageService.
func (b *BaseImageService) Digest(ctx context.Context, ref string, refresh bool) (string, error) {
	return b.Reviewer().Digest(ctx, ref, refresh)
}

// maxTagListings bounds the tag listings running at once; a request beyond it starts nothing
// (the client asks again, since the completion list is incomplete).
const maxTagListings = 2

// tagListTTL is how long a tag list (or a failed listing) answers Tags before it is listed
// again; the reviewer's store keeps registry answers longer (the tag TTL), so a new listing
// is usually a file read.
const tagListTTL = 10 * time.Minute

// failedTagListTTL is how long a failed listing answers "no tags" before it is tried again.
const failedTagListTTL = 30 * time.Second

// tagListEntry is the tag list of one repository. ready is false while the listing runs.
type tagListEntry struct {
	tags   []string
	ready  bool
	failed bool
	at     time.Time
	// done is closed when the listing that made this entry has finished (tests wait on it).
	done chan struct{}
}

// Tags implements ImageService.
func (b *BaseImageService) Tags(repo string) ([]string, bool) {
	b.mu.Lock()
	e := b.tagLists[repo]
	ttl := tagListTTL
	if e != nil && e.failed {
		ttl = failedTagListTTL
	}
	if e != nil && (!e.ready || time.Since(e.at) < ttl) {
		tags, ready := e.tags, e.ready
		b.mu.Unlock()
		return tags, ready // tags is never modified once set: no copy needed
	}
	select {
	case b.listSem <- struct{}{}:
	default:
		b.mu.Unlock()
		return nil, false // enough listings running; the client asks again
	}
	pending := &tagListEntry{done: make(chan struct{})}
	b.tagLists[repo] = pending
	rv, gen := b.rv, b.gen
	b.mu.Unlock()
	go func() {
		defer close(pending.done)
		defer func() { <-b.listSem }()
		ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
		tags, err := rv.Tags(ctx, repo)
		cancel()
		if err != nil {
			b.opts.Logger.Debug("tag listing failed", "repo", repo, "err", err)
		}
		tags = newestFirst(tags)
		b.mu.Lock()
		defer b.mu.Unlock()
		if gen != b.gen {
			return // the sources changed meanwhile; the new configuration lists again
		}
		if b.tagLists[repo] == pending {
			b.tagLists[repo] = &tagListEntry{tags: tags, ready: true, failed: err != nil, at: time.Now(), done: pending.done}
		}
	}()
	return nil, false
}

// newestFirst orders tags for completion: version-looking tags ("3.20", "v1.2.3",
// "3.20-slim") first, higher versions first and a plain version before its variants; then
// the others ("latest", "edge") alphabetically. It sorts tags in place and returns it.
func newestFirst(tags []string) []string {
	type key struct {
		nums []string // numeric components, leading zeros trimmed
		rest string   // what follows the version
		ok   bool
	}
	keyOf := func(t string) key {
		s := t
		if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') && s[1] >= '0' && s[1] <= '9' {
			s = s[1:]
		}
		var k key
		for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
			i := 0
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			n := strings.TrimLeft(s[:i], "0")
			k.nums = append(k.nums, n)
			s = s[i:]
			if len(s) > 1 && s[0] == '.' && s[1] >= '0' && s[1] <= '9' {
				s = s[1:]
				continue
			}
			break
		}
		k.rest, k.ok = s, len(k.nums) > 0
		return k
	}
	cmpNum := func(a, b string) int { // numeric strings without leading zeros
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	}
	keys := make(map[string]key, len(tags))
	for _, t := range tags {
		keys[t] = keyOf(t)
	}
	slices.SortStableFunc(tags, func(x, y string) int {
		a, b := keys[x], keys[y]
		if a.ok != b.ok {
			if a.ok {
				return -1
			}
			return 1
		}
		if !a.ok {
			return strings.Compare(x, y)
		}
		for i := 0; i < len(a.nums) && i < len(b.nums); i++ {
			if c := cmpNum(a.nums[i], b.nums[i]); c != 0 {
				return -c // higher first
			}
		}
		if len(a.nums) != len(b.nums) {
			return len(b.nums) - len(a.nums) // 3.20.1 before 3.20
		}
		if (a.rest == "") != (b.rest == "") {
			if a.rest == "" {
				return -1
			}
			return 1
		}
		return strings.Compare(a.rest, b.rest)
	})
	return tags
}

var _ ImageService = (*BaseImageService)(nil)
