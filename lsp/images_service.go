package lsp

import (
	"context"
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

// ImageServiceOptions configure NewImageService.
type ImageServiceOptions struct {
	// Logger receives the service log (never stdout); nil means slog.Default().
	Logger *slog.Logger
	// Concurrency bounds the reviews running at once; 0 means 4.
	Concurrency int
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
	svc := &BaseImageService{
		opts:       o,
		subs:       map[int]func(ImageEvent){},
		progress:   map[imageKey]baseimage.Progress{},
		tags:       map[string]*tagEntry{},
		forced:     map[imageKey]*ImageStatus{},
		refreshing: map[imageKey]bool{},
		sem:        make(chan struct{}, o.Concurrency),
		tagLists:   map[string]*tagListEntry{},
		listSem:    make(chan struct{}, maxTagListings),
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
	// sem bounds the background work done outside the scheduler (tag lookups, forced reviews).
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
	// forced are the results of reviews forced by Refresh; they win over the scheduler's.
	// refreshing are the forced reviews running.
	forced     map[imageKey]*ImageStatus
	refreshing map[imageKey]bool
	// tagLists are the repositories' tag lists for completion (Tags), by repository as typed.
	tagLists map[string]*tagListEntry

	// listSem bounds the tag listings running at once (not guarded by mu).
	listSem chan struct{}
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
	b.sc = baseimage.NewScheduler(rv, b.opts.Concurrency, func(ev baseimage.Event) { b.onEvent(gen, ev) })
	b.progress = map[imageKey]baseimage.Progress{}
	b.forced = map[imageKey]*ImageStatus{}
	b.tagLists = map[string]*tagListEntry{} // other sources, other tags
	for _, t := range b.tags {
		if !t.inflight {
			t.digest = ""
		}
	}
	b.mu.Unlock()
	if old != nil {
		go old.Close() // cancels its reviews; waiting here would block the caller
	}
	return nil
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
	b.mu.Lock()
	sc := b.sc
	b.mu.Unlock()
	if err := sc.Submit(ref, platform); err != nil {
		b.opts.Logger.Debug("review not submitted", "ref", ref, "err", err)
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
	if nameTag, ok := pinnedTag(ref); ok {
		if t := b.tags[nameTag]; t != nil {
			delete(t.users, imageKey{ref, platform})
		}
	}
	b.mu.Unlock()
	sc.Cancel(ref, platform)
}

// Get implements ImageService.
func (b *BaseImageService) Get(ref, platform string) ImageStatus {
	k := imageKey{ref, platform}
	b.mu.Lock()
	sc := b.sc
	forced := b.forced[k]
	prog := b.progress[k]
	tagDigest := ""
	if nameTag, ok := pinnedTag(ref); ok {
		if t := b.tags[nameTag]; t != nil {
			tagDigest = t.digest
		}
	}
	var out ImageStatus
	if forced != nil {
		out = *forced
	}
	b.mu.Unlock()
	if forced == nil {
		state, rep, err := sc.Get(ref, platform)
		out = ImageStatus{State: state, Report: rep, Err: err}
	}
	if out.State == baseimage.StatePending || out.State == baseimage.StateConfigKnown {
		out.Progress = prog
	}
	out.TagDigest = tagDigest
	return out
}

// Refresh implements ImageService: the tag is resolved again (bypassing the TTL) and the image
// reviewed anew; until that review lands, Get keeps answering with the previous one.
func (b *BaseImageService) Refresh(ref, platform string) {
	k := imageKey{ref, platform}
	b.mu.Lock()
	rv, gen := b.rv, b.gen
	if b.refreshing[k] {
		b.mu.Unlock()
		return // one forced review per image at a time, however often the command is run
	}
	b.refreshing[k] = true
	b.mu.Unlock()
	if nameTag, ok := pinnedTag(ref); ok {
		b.lookupTag(nameTag, k, true)
	}
	go func() {
		defer func() {
			b.mu.Lock()
			delete(b.refreshing, k)
			b.mu.Unlock()
		}()
		select {
		case b.sem <- struct{}{}:
			defer func() { <-b.sem }()
		case <-b.ctx.Done():
			return
		}
		ctx := b.ctx
		if !strings.Contains(ref, "@") { // a tag: resolve it again, bypassing the TTL
			if _, err := rv.Digest(ctx, ref, true); err != nil {
				b.opts.Logger.Debug("tag refresh failed", "ref", ref, "err", err)
			}
		}
		b.emit(ImageEvent{Kind: baseimage.EventProgress, Ref: ref, Platform: platform, Progress: baseimage.Progress{Phase: baseimage.PhaseResolving}})
		rep, err := rv.Review(ctx, ref, platform, func(p baseimage.Progress) {
			if p.Partial != nil {
				return
			}
			b.mu.Lock()
			b.progress[k] = p
			b.mu.Unlock()
			b.emit(ImageEvent{Kind: baseimage.EventProgress, Ref: ref, Platform: platform, Progress: p})
		})
		st := &ImageStatus{State: baseimage.StateDone, Report: rep}
		kind := baseimage.EventDone
		if err != nil {
			st = &ImageStatus{State: baseimage.StateFailed, Err: err}
			kind = baseimage.EventFailed
		}
		b.mu.Lock()
		if gen != b.gen {
			b.mu.Unlock()
			return
		}
		b.forced[k] = st
		delete(b.progress, k)
		b.mu.Unlock()
		b.emit(ImageEvent{Kind: kind, Ref: ref, Platform: platform, Err: err})
	}()
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
