package lsp

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
	"github.com/layerlens/layerlens/baseimage"
)

// Base-image review in the editor (issue 5).
//
// The flow: every new snapshot of a document (re)arms a per-document settle timer; when it fires,
// the FROMs of the latest snapshot are resolved (global ARGs, build args, --platform or the
// configured platform) and handed to the ImageService, and references no open document uses
// any more are cancelled. The service reports events (progress, config known, done, failed);
// they are coalesced per image and handled by one worker goroutine per connection, which sends
// $/progress and re-diagnoses the open documents that use the image. Diagnoses, hover, inlay
// hints, code lenses and code actions only read ImageService.Get: nothing waits on a review.

// ImageConfig is the part of the settings the image service needs.
type ImageConfig struct {
	Platform           string
	Offline            bool
	Mirrors            map[string][]string
	InsecureRegistries []string
	CacheDir           string
	OCILayouts         []string
}

func (c ImageConfig) equal(o ImageConfig) bool {
	return c.Platform == o.Platform && c.Offline == o.Offline && c.CacheDir == o.CacheDir &&
		slices.Equal(c.InsecureRegistries, o.InsecureRegistries) && slices.Equal(c.OCILayouts, o.OCILayouts) &&
		maps.EqualFunc(c.Mirrors, o.Mirrors, slices.Equal)
}

func imageConfigOf(st Settings) ImageConfig {
	return ImageConfig{
		Platform: st.Platform, Offline: st.Offline, Mirrors: st.Mirrors,
		InsecureRegistries: st.InsecureRegistries, CacheDir: st.CacheDir, OCILayouts: st.OCILayouts,
	}
}

// ImageStatus is what is known about one review.
type ImageStatus struct {
	State baseimage.State
	// Report is partial (config and history only) in StateConfigKnown, final in StateDone.
	Report *baseimage.Report
	// Err says why the review failed (StateFailed).
	Err error
	// Progress is the latest progress of a running review.
	Progress baseimage.Progress
	// TagDigest is where the tag of a pinned reference points now ("" = not known yet).
	TagDigest string
}

// ImageEvent is one change of a review.
type ImageEvent struct {
	Kind          baseimage.EventKind
	Ref, Platform string
	Progress      baseimage.Progress
	// Err is set for EventFailed.
	Err error
}

// imageKey identifies one review.
type imageKey struct{ ref, platform string }

// Limits that keep hostile documents bounded.
const (
	// maxImagesPerDoc bounds the distinct images one document submits (thousands of FROM
	// lines must not mean thousands of reviews).
	maxImagesPerDoc = 32
	// settleDelay is how long a document must stay unchanged before its FROMs are submitted.
	settleDelay = 400 * time.Millisecond
)

// imageState is the per-connection state of image review. mu guards every field; when both
// are needed, st.mu is taken before server.mu.
type imageState struct {
	// settleMu serialises settleImages (taken before mu).
	settleMu sync.Mutex
	mu       sync.Mutex
	// docs maps a document URI to the images its latest settled snapshot uses.
	docs map[string]map[imageKey]bool
	// settled remembers, per URI, the snapshot and settings last armed, so that a re-diagnosis
	// of the same text (after a review landed) does not re-arm the timer.
	settled map[string]settleMark
	timers  map[string]*time.Timer
	// pending are the coalesced events not handled yet; wake signals the worker.
	pending map[imageKey]*pendingEvent
	wake    chan struct{}
	unsub   func()
	config  ImageConfig
	hasConf bool
	// tasks are the $/progress tasks in flight, and noProgress is set once the client refused
	// to create one; both are used by the worker only.
	tasks      map[imageKey]*progressTask
	noProgress bool
	// tokens numbers progress tokens.
	tokens int
}

type targetCacheEntry struct {
	f       *analysis.File
	mark    string
	targets []imageTarget
}

type settleMark struct {
	snap     *snapshot
	settings string
}

// pendingEvent is everything that happened to one image since the worker last looked.
type pendingEvent struct {
	started  bool                // some non-final event arrived: a progress task is due
	progress *baseimage.Progress // the latest progress
	changed  bool                // config known, done, failed or tag known: re-diagnose
	final    *ImageEvent         // done or failed
}

func newImageState() *imageState {
	return &imageState{
		docs:    map[string]map[imageKey]bool{},
		settled: map[string]settleMark{},
		timers:  map[string]*time.Timer{},
		pending: map[imageKey]*pendingEvent{},
		wake:    make(chan struct{}, 1),
		tasks:   map[imageKey]*progressTask{},
	}
}

// images returns the connection's image state, creating it (and starting its worker) on first
// use. It returns nil when image review is off.
func (s *server) images() *imageState {
	if s.opts.Images == nil {
		return nil
	}
	s.imgOnce.Do(func() {
		st := newImageState()
		st.unsub = s.opts.Images.Subscribe(st.enqueue)
		go s.imageWorker(st)
		s.img = st
	})
	return s.img
}

// enqueue records an event; it never blocks (the service calls it from its workers).
func (st *imageState) enqueue(ev ImageEvent) {
	k := imageKey{ev.Ref, ev.Platform}
	st.mu.Lock()
	pe := st.pending[k]
	if pe == nil {
		pe = &pendingEvent{}
		st.pending[k] = pe
	}
	switch ev.Kind {
	case baseimage.EventProgress:
		p := ev.Progress
		p.Partial = nil
		pe.progress = &p
		pe.started = true
	case baseimage.EventConfigKnown:
		pe.started, pe.changed = true, true
	case baseimage.EventDone, baseimage.EventFailed:
		e := ev
		pe.final, pe.changed = &e, true
	default: // eventTagKnown and anything new: the facts changed
		pe.changed = true
	}
	st.mu.Unlock()
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// settingsMark summarises the settings that change which images a document uses.
func settingsMark(st Settings) string {
	keys := slices.Sorted(maps.Keys(st.BuildArgs))
	var b strings.Builder
	b.WriteString(st.Platform)
	for _, k := range keys {
		fmt.Fprintf(&b, "\x00%s=%s", k, st.BuildArgs[k])
	}
	fmt.Fprintf(&b, "\x00%v", imageConfigOf(st))
	return b.String()
}

// imagesChanged is called for every diagnosis: when snap is a new text (or the settings
// changed), the document's settle timer is (re)armed. A document's first snapshot settles at
// once, so that opening a file whose images are stored shows their diagnostics right away.
func (s *server) imagesChanged(snap *snapshot) {
	st := s.images()
	if st == nil {
		return
	}
	mark := settleMark{snap: snap, settings: settingsMark(s.currentSettings())}
	st.mu.Lock()
	defer st.mu.Unlock()
	prev, seen := st.settled[snap.URI]
	if seen && prev == mark {
		return
	}
	st.settled[snap.URI] = mark
	delay := settleDelay
	if !seen {
		delay = 0
	}
	if t := st.timers[snap.URI]; t != nil {
		t.Stop()
	}
	uri := snap.URI
	st.timers[uri] = time.AfterFunc(delay, func() { s.settleImages(uri) })
}

// imageTarget is one FROM resolved to an image.
type imageTarget struct {
	stage  *analysis.Stage
	target baseimage.Target
	key    imageKey
	err    error // ErrUnresolvable and friends: nothing to review
}

// imageTargets resolves the FROMs of f with the given settings. Stage references and scratch
// are left out; at most maxImagesPerDoc distinct images are returned (the stages after that
// get an error).
func imageTargets(f *analysis.File, st Settings) []imageTarget {
	out := make([]imageTarget, 0, len(f.Stages))
	distinct := map[imageKey]bool{}
	for _, stage := range f.Stages {
		if stage.BaseImage == "" {
			continue
		}
		t, err := baseimage.ResolveFrom(f, stage, st.BuildArgs, st.Platform)
		if err == nil && (t.Stage || t.Scratch || t.Ref == "") {
			continue
		}
		it := imageTarget{stage: stage, target: t, err: err}
		if err == nil {
			it.key = imageKey{t.Ref, t.Platform}
			if !distinct[it.key] && len(distinct) >= maxImagesPerDoc {
				it.err = fmt.Errorf("this file names more than %d distinct base images; only the first %d are reviewed", maxImagesPerDoc, maxImagesPerDoc)
				it.key = imageKey{}
			} else {
				distinct[it.key] = true
			}
		}
		out = append(out, it)
	}
	return out
}

// settleImages submits the images of the latest snapshot of uri and cancels those no open
// document uses any more.
func (s *server) settleImages(uri string) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("image settle panic", "uri", uri, "panic", fmt.Sprint(r))
		}
	}()
	st := s.images()
	if st == nil || s.ctx.Err() != nil {
		return
	}
	// Settles run one at a time: each reads the latest snapshot and the document's previous
	// images, so an older settle finishing late can never undo a newer one.
	st.settleMu.Lock()
	defer st.settleMu.Unlock()
	s.mu.Lock()
	d := s.docs[uri]
	var snap *snapshot
	if d != nil {
		snap = d.snap
	}
	s.mu.Unlock()
	settings := s.currentSettings()
	s.configureImages(settings)

	keys := map[imageKey]bool{}
	if snap != nil {
		for _, it := range imageTargets(snap.File(), settings) {
			if it.err == nil {
				keys[it.key] = true
			}
		}
	}
	svc := s.opts.Images
	st.mu.Lock()
	old := st.docs[uri]
	if snap == nil {
		delete(st.docs, uri)
		delete(st.settled, uri)
		delete(st.timers, uri)
	} else {
		st.docs[uri] = keys
	}
	// Forget closed documents, and find the images nobody uses any more. The open documents
	// are read now, under st.mu: a document opened (and settled) since this settle started
	// must not be forgotten. Lock order: st.mu, then s.mu.
	s.mu.Lock()
	open := make(map[string]bool, len(s.docs))
	for u := range s.docs {
		open[u] = true
	}
	s.mu.Unlock()
	if !open[uri] {
		keys = nil // closed while this settle ran: submit nothing for it
	}
	used := map[imageKey]bool{}
	unused := maps.Clone(old) // candidates for cancellation: this document's previous images...
	if unused == nil {
		unused = map[imageKey]bool{}
	}
	for u, ks := range st.docs {
		if !open[u] {
			maps.Copy(unused, ks) // ...and those of closed documents
			delete(st.docs, u)
			delete(st.settled, u)
			if t := st.timers[u]; t != nil {
				t.Stop()
			}
			delete(st.timers, u)
			continue
		}
		for k := range ks {
			used[k] = true
		}
	}
	st.mu.Unlock()
	for k := range unused {
		if !used[k] {
			s.opts.Logger.Debug("image review cancelled: no open document uses it", "ref", k.ref, "platform", k.platform)
			svc.Cancel(k.ref, k.platform)
		}
	}
	s.opts.Logger.Debug("images settled", "uri", uri, "images", len(keys), "open", snap != nil)
	known := false
	for k := range keys {
		svc.Submit(k.ref, k.platform)
		if !old[k] {
			if state := svc.Get(k.ref, k.platform).State; state != baseimage.StateUnknown && state != baseimage.StatePending {
				known = true
			}
		}
	}
	// A review that landed between this document's diagnosis and now was announced before
	// the document was listed as a user of the image: diagnose it again.
	if known && d != nil {
		s.diagnose(d, snap)
	}
}

// configureImages passes changed image settings to the service.
func (s *server) configureImages(settings Settings) {
	st := s.images()
	if st == nil {
		return
	}
	cfg := imageConfigOf(settings)
	st.mu.Lock()
	same := st.hasConf && st.config.equal(cfg)
	st.config, st.hasConf = cfg, true
	st.mu.Unlock()
	if !same {
		if err := s.opts.Images.Configure(cfg); err != nil {
			s.log.Warn("image settings not applied; the previous ones stay in force", "err", err)
		}
	}
}

// imageWorker handles coalesced review events until the connection ends.
func (s *server) imageWorker(st *imageState) {
	defer st.unsub()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-st.wake:
		}
		st.mu.Lock()
		batch := st.pending
		st.pending = map[imageKey]*pendingEvent{}
		st.mu.Unlock()
		keys := slices.SortedFunc(maps.Keys(batch), func(a, b imageKey) int {
			return strings.Compare(a.ref+"\x00"+a.platform, b.ref+"\x00"+b.platform)
		})
		redo := map[*document]bool{}
		for _, k := range keys {
			pe := batch[k]
			docs := s.docsUsing(st, k)
			s.handleProgress(st, k, pe, len(docs) > 0)
			if pe.changed {
				for _, d := range docs {
					redo[d] = true
				}
			}
		}
		for d := range redo {
			s.mu.Lock()
			snap := d.snap
			s.mu.Unlock()
			s.diagnose(d, snap)
		}
		if len(redo) > 0 {
			s.refreshImageViews()
		}
	}
}

// docsUsing returns the open documents whose settled snapshot uses k.
func (s *server) docsUsing(st *imageState, k imageKey) []*document {
	st.mu.Lock()
	var uris []string
	for u, ks := range st.docs {
		if ks[k] {
			uris = append(uris, u)
		}
	}
	st.mu.Unlock()
	sort.Strings(uris)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*document
	for _, u := range uris {
		if d := s.docs[u]; d != nil {
			out = append(out, d)
		}
	}
	return out
}

// refreshImageViews asks the client to re-request inlay hints and code lenses, which show
// review results, when it supports the refresh requests.
func (s *server) refreshImageViews() {
	s.mu.Lock()
	raw := s.initParams
	s.mu.Unlock()
	var p struct {
		Capabilities struct {
			Workspace struct {
				InlayHint struct {
					RefreshSupport bool `json:"refreshSupport"`
				} `json:"inlayHint"`
				CodeLens struct {
					RefreshSupport bool `json:"refreshSupport"`
				} `json:"codeLens"`
			} `json:"workspace"`
		} `json:"capabilities"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &p) != nil {
		return
	}
	if p.Capabilities.Workspace.InlayHint.RefreshSupport {
		if err := s.call(s.ctx, "workspace/inlayHint/refresh", nil, nil); err != nil && s.ctx.Err() == nil {
			s.log.Debug("inlay hint refresh failed", "err", err)
		}
	}
	if p.Capabilities.Workspace.CodeLens.RefreshSupport {
		if err := s.call(s.ctx, "workspace/codeLens/refresh", nil, nil); err != nil && s.ctx.Err() == nil {
			s.log.Debug("code lens refresh failed", "err", err)
		}
	}
}

// stageImage is what the handlers know about the image of one FROM.
type stageImage struct {
	imageTarget
	status ImageStatus
}

// stageImages resolves the FROMs of f and reads the state of their reviews. It never blocks.
func (s *server) stageImages(f *analysis.File, settings Settings) []stageImage {
	if s.opts.Images == nil {
		return nil
	}
	its := s.cachedTargets(f, settings)
	out := make([]stageImage, 0, len(its))
	for _, it := range its {
		si := stageImage{imageTarget: it}
		if it.err == nil {
			si.status = s.opts.Images.Get(it.key.ref, it.key.platform)
		}
		out = append(out, si)
	}
	return out
}

// targetCache remembers the last few resolved FROMs: a diagnosis, a hover and the code
// actions of one version resolve the same FROMs. Entries are immutable; mu guards the list.
type targetCache struct {
	mu      sync.Mutex
	entries []targetCacheEntry
}

// cachedTargets returns imageTargets(f, settings), from the cache when it can.
func (s *server) cachedTargets(f *analysis.File, settings Settings) []imageTarget {
	c := &s.targets
	mark := settingsMark(settings)
	c.mu.Lock()
	for _, e := range c.entries {
		if e.f == f && e.mark == mark {
			c.mu.Unlock()
			return e.targets
		}
	}
	c.mu.Unlock()
	ts := imageTargets(f, settings)
	c.mu.Lock()
	c.entries = append(c.entries, targetCacheEntry{f: f, mark: mark, targets: ts})
	if len(c.entries) > 8 {
		c.entries = c.entries[1:]
	}
	c.mu.Unlock()
	return ts
}

// stageImageAt returns the image of stage st of f, if it names one.
func (s *server) stageImageAt(f *analysis.File, st *analysis.Stage) (stageImage, bool) {
	for _, si := range s.stageImages(f, s.currentSettings()) {
		if si.stage == st {
			return si, true
		}
	}
	return stageImage{}, false
}

// factsOf turns a review into the facts the Dockerfile rules read.
func factsOf(si stageImage) *analysis.ImageFacts {
	rep := si.status.Report
	if rep == nil {
		return nil
	}
	facts := rep.Facts()
	facts.RequestedPlatform = si.target.Platform
	facts.TagDigest = si.status.TagDigest
	facts.Partial = rep.Partial || si.status.State != baseimage.StateDone
	for _, fd := range rep.Findings {
		facts.Findings = append(facts.Findings, analysis.ImageFinding{
			Rule: fd.Rule, Severity: fd.Severity, Message: fd.Message, Layer: fd.Layer, Path: fd.Path,
		})
	}
	return facts
}

// imageFacts returns the base-image facts of f by stage index, from the reviews known now (for
// rules.Options.Facts: ruleFindings should pass them so that NoUser, NoHealthcheck, UndefinedVar
// and the other facts-aware text rules see the base image). It never blocks; stages whose image
// is not reviewed yet are absent.
func (s *server) imageFacts(f *analysis.File) map[int]*analysis.ImageFacts {
	out := map[int]*analysis.ImageFacts{}
	for _, si := range s.stageImages(f, s.currentSettings()) {
		if facts := factsOf(si); facts != nil {
			out[si.stage.Index] = facts
		}
	}
	return out
}

// imageUnavailableRule names the diagnostic for a base image that cannot be reviewed.
const imageUnavailableRule = "ImageUnavailable"

// imageFindings returns the image diagnostics of snap: the image rules over the facts known
// now, and an ImageUnavailable warning for every FROM whose review failed. Findings already in
// have (the rules engine may run image rules itself) are not repeated.
func (s *server) imageFindings(snap *snapshot, settings Settings, have []analysis.Finding) []analysis.Finding {
	if s.opts.Images == nil {
		return nil
	}
	s.imagesChanged(snap)
	f := snap.File()
	facts := s.imageFacts(f)
	var out []analysis.Finding
	for _, si := range s.stageImages(f, settings) {
		if si.err == nil && si.status.State == baseimage.StateFailed && si.status.Err != nil {
			out = append(out, analysis.Finding{
				Rule: imageUnavailableRule, Severity: analysis.SeverityWarning, Range: si.stage.BaseRange,
				URL:     "https://github.com/layerlens/layerlens/blob/main/docs/images.md#imageunavailable",
				Message: "cannot review base image " + si.key.ref + ": " + failureReason(si.status.Err),
			})
		}
	}
	out = append(out, rules.CheckImage(f, rules.Options{Facts: facts})...)
	seen := map[string]bool{}
	for _, h := range have {
		seen[h.Rule+"@"+h.Range.String()+"@"+h.Message] = true
	}
	kept := out[:0]
	for _, fd := range out {
		if seen[fd.Rule+"@"+fd.Range.String()+"@"+fd.Message] {
			continue
		}
		if sev, ok := ruleSeverity(settings, fd.Rule); ok {
			if sev == 0 {
				continue
			}
			fd.Severity = sev
		}
		kept = append(kept, fd)
	}
	return kept
}

// failureReason is the message of a failed review, shortened to what a person acts on.
func failureReason(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	if errors.Is(err, baseimage.ErrUnresolvable) {
		return msg
	}
	const max = 400
	if len(msg) > max {
		msg = msg[:max] + "…"
	}
	return msg
}

// failureAdvice says what to do about a failed review.
func failureAdvice(msg string) string {
	switch {
	case strings.Contains(msg, baseimage.ErrQueueFull.Error()):
		return "Too many images are waiting for review; this one is queued by itself as earlier reviews finish. Closing files you no longer need frees the queue."
	// Match words and "status code N", never bare numbers: a port such as :44015 contains 401.
	case strings.Contains(msg, "authentication"), strings.Contains(msg, "status code 401"), strings.Contains(msg, "access denied"), strings.Contains(msg, "status code 403"):
		return "Log in to the registry (`docker login`) or check the credential helper; private images need credentials."
	case strings.Contains(msg, "rate limited"), strings.Contains(msg, "status code 429"):
		return "Wait and retry (`layerlens.reviewImage`), log in to raise the limit, or configure a mirror (`layerlens.mirrors`)."
	case strings.Contains(msg, "offline"):
		return "Turn `layerlens.offline` off to fetch it, add an OCI layout (`layerlens.ociLayouts`), or review it once online so it is stored."
	case strings.Contains(msg, "not found"):
		return "Check the name and tag; for a private registry, check the credentials."
	case strings.Contains(msg, "platform"):
		return "Use an image that has this platform, or set `--platform` / `layerlens.platform`."
	case strings.Contains(msg, "time budget"), strings.Contains(msg, "deadline"):
		return "The registry is slow or unreachable: retry with `layerlens.reviewImage`, configure a mirror, or work offline."
	}
	return "Retry with the `layerlens.reviewImage` command, or check the server log."
}

// imageCapabilities advertises the image features when image review is on: inlay hints, code
// lenses (to clients that support them), the commands and the "Pin all" source action kind.
func (s *server) imageCapabilities(c *serverCapabilities) {
	if s.opts.Images == nil {
		return
	}
	c.InlayHintProvider = true
	c.ExecuteCommandProvider = &protocol.ExecuteCommandOptions{Commands: imageCommands}
	if opts, ok := c.CodeActionProvider.(*protocol.CodeActionOptions); ok {
		opts.CodeActionKinds = append(opts.CodeActionKinds, pinAllKind)
	}
	s.mu.Lock()
	raw := s.initParams
	s.mu.Unlock()
	var p struct {
		Capabilities struct {
			TextDocument struct {
				CodeLens *json.RawMessage `json:"codeLens"`
			} `json:"textDocument"`
		} `json:"capabilities"`
	}
	if len(raw) > 0 && json.Unmarshal(raw, &p) == nil && p.Capabilities.TextDocument.CodeLens != nil {
		c.CodeLensProvider = &protocol.CodeLensOptions{}
	}
}
