// Package baseimage resolves the images named by FROM and reviews them without running them.
//
// Its principal types are [Reviewer] (made by [New]: sources, the on-disk store, budgets),
// [Report] (what [Reviewer.Review] returns: config, history, layers, findings, efficiency) and
// [Scheduler] (background reviews for the language server, with progress and events).
// [ResolveFrom] turns a parsed FROM into a [Target] (reference and platform).
//
// Sources, in order: OCI image layout directories (WithLayouts), the store (offline), then the
// registry through go-containerregistry with the user's Docker credentials, mirrors first.
// Layers are streamed (decompress, read tar headers, read a bounded prefix of the few files a
// content check needs), never extracted and never executed. Only this package imports
// go-containerregistry; its exported API uses none of its types.
package baseimage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Reviewer reviews images. It is safe for concurrent use.
type Reviewer struct {
	opts       options
	store      *store
	remoteOpts []remote.Option
	now        func() time.Time

	mu      sync.Mutex // guards flights
	flights map[string]*flight
}

// flight de-duplicates concurrent fetches of the same blob: a layer review or a config.
type flight struct {
	done chan struct{}
	val  any
	err  error
}

// single runs fn once for key among concurrent callers; the others wait for its result (or
// their own context). shared reports that the result came from another caller's run.
func (rv *Reviewer) single(ctx context.Context, key string, fn func() (any, error)) (val any, err error, shared bool) {
	rv.mu.Lock()
	if f, ok := rv.flights[key]; ok {
		rv.mu.Unlock()
		select {
		case <-f.done:
			return f.val, f.err, true
		case <-ctx.Done():
			return nil, ctx.Err(), true
		}
	}
	f := &flight{done: make(chan struct{})}
	rv.flights[key] = f
	rv.mu.Unlock()
	defer func() {
		rv.mu.Lock()
		delete(rv.flights, key)
		rv.mu.Unlock()
		close(f.done)
	}()
	f.val, f.err = fn()
	return f.val, f.err, false
}

// New makes a Reviewer. The store directory is created (mode 0700) at once.
func New(opts ...Option) (*Reviewer, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.cacheDir == "" {
		d, err := defaultCacheDir()
		if err != nil {
			return nil, err
		}
		o.cacheDir = d
	}
	st, err := openStore(o.cacheDir)
	if err != nil {
		return nil, err
	}
	rv := &Reviewer{opts: o, store: st, now: time.Now, flights: map[string]*flight{}}
	if !o.offline {
		ro, err := registryOptions(&o)
		if err != nil {
			return nil, fmt.Errorf("registry options: %w", err)
		}
		rv.remoteOpts = ro
	}
	return rv, nil
}

// StoreDir returns the store directory (<cache>/layerlens).
func (rv *Reviewer) StoreDir() string { return rv.store.dir }

// DefaultPlatform returns the platform used when a review asks for none, and why.
func (rv *Reviewer) DefaultPlatform() (platform, source string) {
	if rv.opts.platform != "" {
		return normalisePlatform(rv.opts.platform), "configured default"
	}
	return hostPlatform(), "host default"
}

// Progress reports how far a review is. The Partial report is set once, when the config is
// known and before any layer is read.
type Progress struct {
	Phase       Phase
	BytesDone   int64
	BytesTotal  int64
	LayersDone  int
	LayersTotal int
	Partial     *Report
}

// Phase is the stage of a review.
type Phase string

// Review phases.
const (
	PhaseResolving Phase = "resolving"
	PhaseConfig    Phase = "config"
	PhaseLayers    Phase = "layers"
	PhaseDone      Phase = "done"
)

// resolved is a reference with its pin digest and the sources to read it from.
type resolved struct {
	ref     string
	repo    name.Repository
	digest  string
	sources []source
	via     string
}

// Digest returns the pin digest of ref: the index digest for a multi-arch tag, else the
// manifest digest (what Renovate and Dependabot write). A tag is resolved with a HEAD request
// (no pull-rate cost) and kept in the store for the tag TTL; refresh bypasses the TTL.
func (rv *Reviewer) Digest(ctx context.Context, ref string, refresh bool) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, rv.opts.timeout)
	defer cancel()
	norm, err := NormaliseRef(ref)
	if err != nil {
		return "", err
	}
	r, err := rv.resolve(ctx, norm, refresh)
	if err != nil {
		return "", err
	}
	return r.digest, nil
}

func (rv *Reviewer) resolve(ctx context.Context, ref string, refresh bool) (*resolved, error) {
	r := &resolved{ref: ref}
	for _, dir := range rv.opts.layouts {
		ls := layoutSource{dir: dir}
		d, err := ls.find(ref)
		if err != nil {
			return nil, err
		}
		if d != "" {
			r.digest, r.sources, r.via = d, []source{ls}, ls.String()
			return r, nil
		}
	}
	repo, _, pinned, err := rv.parseRepo(ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	r.repo = repo
	if !rv.opts.offline {
		for _, c := range rv.candidates(repo) {
			r.sources = append(r.sources, c)
		}
	}
	if pinned != "" {
		r.digest, r.via = pinned, "pinned digest"
		return r, nil
	}
	if rec, ok := rv.store.tag(ref); ok && (rv.opts.offline || (!refresh && rv.now().Sub(rec.At) < rv.opts.tagTTL)) {
		r.digest, r.via = rec.Digest, "store"
		return r, nil
	}
	if rv.opts.offline {
		msg := fmt.Sprintf("%s is not in the store", ref)
		if len(rv.opts.layouts) > 0 {
			var names []string
			for _, d := range rv.opts.layouts {
				names = append(names, layoutNames(d)...)
			}
			msg += fmt.Sprintf(" nor in the OCI layouts (they hold: %s)", strings.Join(names, ", "))
		}
		return nil, errors.New(msg + "; offline mode makes no network calls")
	}
	nameTag, _, _ := strings.Cut(ref, "@")
	var errs []error
	for _, c := range rv.candidates(repo) {
		tref, err := name.ParseReference(c.repo.String() + ":" + tagOf(nameTag))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d, err := c.head(ctx, tref)
		if err != nil {
			rv.opts.logger.Debug("resolve failed", "source", c.String(), "ref", ref, "err", explain(err).Error())
			errs = append(errs, fmt.Errorf("%s: %w", c, explain(err)))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if err := rv.store.putTag(ref, d, rv.now()); err != nil {
			rv.opts.logger.Warn("store", "err", err)
		}
		r.digest, r.via = d, c.String()
		return r, nil
	}
	return nil, fmt.Errorf("resolving %s: %w", ref, errors.Join(errs...))
}

func tagOf(nameTag string) string {
	i := strings.LastIndex(nameTag, "/")
	if j := strings.LastIndex(nameTag[i+1:], ":"); j >= 0 {
		return nameTag[i+1+j+1:]
	}
	return "latest"
}

// manifest returns verified manifest bytes: the store first, then the sources.
func (rv *Reviewer) manifest(ctx context.Context, r *resolved, digest string) ([]byte, error) {
	if b, ok := rv.store.blob(digest); ok {
		return b, nil
	}
	limit := rv.opts.budget.MaxConfigSize
	return rv.fromSources(ctx, r, "manifest", digest, func(s source) ([]byte, error) {
		b, err := s.manifest(ctx, digest)
		if err != nil {
			return nil, explain(err)
		}
		if int64(len(b)) > limit {
			// Over the budget everywhere: the same manifest is the same size at every source.
			return nil, overLimit{fmt.Errorf("manifest %s is %d bytes, over the %d-byte limit", shortDigest(digest), len(b), limit)}
		}
		if got := digestOf(b); got != digest {
			return nil, fmt.Errorf("manifest digest mismatch: got %s, want %s", shortDigest(got), shortDigest(digest))
		}
		return b, nil
	})
}

// config returns the verified config blob, fetched once for concurrent reviews.
func (rv *Reviewer) config(ctx context.Context, r *resolved, d v1.Descriptor) ([]byte, error) {
	v, err, _ := rv.single(ctx, "config "+d.Digest.String(), func() (any, error) { return rv.fetchConfig(ctx, r, d) })
	b, _ := v.([]byte)
	return b, err
}

func (rv *Reviewer) fetchConfig(ctx context.Context, r *resolved, d v1.Descriptor) ([]byte, error) {
	digest := d.Digest.String()
	if b, ok := rv.store.blob(digest); ok {
		return b, nil
	}
	limit := rv.opts.budget.MaxConfigSize
	if d.Size > limit {
		return nil, fmt.Errorf("config %s declares %d bytes, over the %d-byte limit", shortDigest(digest), d.Size, limit)
	}
	return rv.fromSources(ctx, r, "config", digest, func(s source) ([]byte, error) {
		rc, err := s.blob(ctx, digest)
		if err != nil {
			return nil, explain(err)
		}
		vr := newVerifyReader(rc, digest, d.Size)
		defer vr.Close()
		b, err := io.ReadAll(io.LimitReader(vr, limit+1))
		if err != nil {
			return nil, explain(err)
		}
		return b, nil
	})
}

// overLimit marks a fetch error that no other source can cure: fromSources stops at it.
type overLimit struct{ error }

func (e overLimit) Unwrap() error { return e.error }

// fromSources fetches the blob digest (a manifest or config: what names it in errors) from each
// of r's sources in turn, with fetch returning only bytes it has verified against digest and the
// budget. The first good answer is kept in the store and returned; otherwise every source's
// reason is. A cancelled ctx or an overLimit error ends the search.
func (rv *Reviewer) fromSources(ctx context.Context, r *resolved, what, digest string, fetch func(source) ([]byte, error)) ([]byte, error) {
	if len(r.sources) == 0 {
		return nil, fmt.Errorf("%s %s is not in the store (offline)", what, shortDigest(digest))
	}
	var errs []error
	for _, s := range r.sources {
		b, err := fetch(s)
		if err != nil {
			var fatal overLimit
			if errors.As(err, &fatal) {
				return nil, fatal.error
			}
			errs = append(errs, fmt.Errorf("%s: %w", s, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if err := rv.store.putBlob(digest, b); err != nil {
			rv.opts.logger.Warn("store", "err", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s %s: %w", what, shortDigest(digest), errors.Join(errs...))
}

// Review reviews ref for platform ("" means the default platform). progress, if not nil, is
// called from the calling goroutine as the review advances. The review is bounded by the
// reviewer's time and size budgets. A layer that cannot be read does not fail the review: the
// report is then Partial with the reasons in Errors. Errors are returned for what makes any
// review impossible (unknown image, unreadable manifest or config).
func (rv *Reviewer) Review(parent context.Context, ref, platform string, progress func(Progress)) (*Report, error) {
	ctx, cancel := context.WithTimeout(parent, rv.opts.timeout)
	defer cancel()
	if progress == nil {
		progress = func(Progress) {}
	}
	platSource := "requested"
	if platform == "" {
		platform, platSource = rv.DefaultPlatform()
	}
	want, err := parsePlatform(platform)
	if err != nil {
		return nil, err
	}
	norm, err := NormaliseRef(ref)
	if err != nil {
		return nil, err
	}
	progress(Progress{Phase: PhaseResolving})
	res, err := rv.resolve(ctx, norm, false)
	if err != nil {
		return nil, err
	}
	return rv.review(ctx, parent, res, want, platSource, progress)
}

// review is Review once the reference is resolved to a pin digest and sources.
func (rv *Reviewer) review(ctx, parent context.Context, res *resolved, want v1.Platform, platSource string, progress func(Progress)) (*Report, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	norm := res.ref
	rep := &Report{Ref: norm, Source: res.via, Digest: res.digest, Platform: platformString(want), PlatformSource: platSource}

	// Walk down from the pin digest to the platform's image manifest.
	mdigest := res.digest
	var m *v1.Manifest
	for depth := 0; ; depth++ {
		raw, err := rv.manifest(ctx, res, mdigest)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", norm, err)
		}
		mt, err := mediaTypeOf(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: manifest %s: %w", norm, shortDigest(mdigest), err)
		}
		if mt.IsIndex() {
			if depth > 2 {
				return nil, fmt.Errorf("%s: indexes nested too deep", norm)
			}
			idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
			if err != nil {
				return nil, fmt.Errorf("%s: malformed index %s: %w", norm, shortDigest(mdigest), err)
			}
			child, err := pickPlatform(idx, want)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", norm, err)
			}
			mdigest = child
			continue
		}
		if mt == types.DockerManifestSchema1 || mt == types.DockerManifestSchema1Signed {
			return nil, fmt.Errorf("%s: Docker schema 1 manifests are not supported (deprecated format)", norm)
		}
		m, err = v1.ParseManifest(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: malformed manifest %s: %w", norm, shortDigest(mdigest), err)
		}
		break
	}
	rep.ManifestDigest = mdigest

	cfgRaw, err := rv.config(ctx, res, m.Config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", norm, err)
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(cfgRaw))
	if err != nil {
		return nil, fmt.Errorf("%s: malformed config %s: %w", norm, shortDigest(m.Config.Digest.String()), err)
	}
	mismatch := ""
	if cf.OS != "" && cf.Architecture != "" {
		got := platformString(v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant})
		if cf.OS != want.OS || cf.Architecture != want.Architecture {
			mismatch = fmt.Sprintf("the image is a single-platform image for %s, not %s: it needs emulation to run there", got, platformString(want))
			rep.Platform = got
		}
	}
	reviewConfig(rep, cf, m)
	if mismatch != "" {
		rep.add(Finding{Rule: "ImagePlatformMismatch", Severity: sevWarning, Layer: -1, Message: mismatch})
	}
	var total int64
	for _, l := range m.Layers {
		total += l.Size
	}
	rep.Size = total
	rep.Partial = true
	progress(Progress{Phase: PhaseConfig, BytesTotal: total, LayersTotal: len(m.Layers), Partial: cloneReport(rep)})

	// Layers, one at a time: memory stays bounded by one walk.
	reviews := make([]*layerReview, len(m.Layers))
	var done int64
	bytesLeft := rv.opts.budget.MaxBytes
	for i, ld := range m.Layers {
		lr, err := rv.layer(ctx, res, ld, bytesLeft, func(n int64) {
			done += n
			progress(Progress{Phase: PhaseLayers, BytesDone: done, BytesTotal: total, LayersDone: i, LayersTotal: len(m.Layers)})
		})
		if lr != nil {
			bytesLeft -= lr.UncompressedSize
		}
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("layer %d (%s): %v", i, shortDigest(ld.Digest.String()), err))
		}
		reviews[i] = lr
		progress(Progress{Phase: PhaseLayers, BytesDone: done, BytesTotal: total, LayersDone: i + 1, LayersTotal: len(m.Layers)})
		if ctx.Err() != nil {
			break
		}
	}
	if err := parent.Err(); err != nil {
		// Cancelled by the caller (not our own time budget, which yields a partial report).
		return nil, fmt.Errorf("%s: review cancelled: %w", norm, err)
	}
	assemble(rep, reviews)
	rep.Partial = len(rep.Errors) > 0 && slices.ContainsFunc(rep.Layers, func(l Layer) bool { return !l.Reviewed })
	progress(Progress{Phase: PhaseDone, BytesDone: done, BytesTotal: total, LayersDone: len(m.Layers), LayersTotal: len(m.Layers)})
	return rep, nil
}

// layer returns the review of one layer: from the store, or by streaming it once even if
// several reviews ask for it at the same time.
func (rv *Reviewer) layer(ctx context.Context, r *resolved, d v1.Descriptor, bytesLeft int64, onBytes func(int64)) (*layerReview, error) {
	digest := d.Digest.String()
	if lr, ok := rv.store.review(digest); ok {
		onBytes(d.Size)
		return lr, nil
	}
	v, err, shared := rv.single(ctx, "layer "+digest, func() (any, error) {
		// A flight that ended between the store read above and this one has stored its
		// review: read it rather than download the layer a second time.
		if lr, ok := rv.store.review(digest); ok {
			onBytes(d.Size)
			return lr, nil
		}
		return rv.streamLayer(ctx, r, d, bytesLeft, onBytes)
	})
	if shared {
		onBytes(d.Size)
	}
	lr, _ := v.(*layerReview)
	return lr, err
}

func (rv *Reviewer) streamLayer(ctx context.Context, r *resolved, d v1.Descriptor, bytesLeft int64, onBytes func(int64)) (*layerReview, error) {
	digest := d.Digest.String()
	if !d.MediaType.IsDistributable() {
		return nil, fmt.Errorf("non-distributable (foreign) layer: not downloaded")
	}
	if len(r.sources) == 0 {
		return nil, errors.New("not in the store and offline: layer not reviewed")
	}
	if bytesLeft <= 0 {
		return nil, errOverBytes
	}
	var errs []error
	for _, s := range r.sources {
		rc, err := s.blob(ctx, digest)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s, explain(err)))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		var sent int64
		vr := newVerifyReader(rc, digest, d.Size)
		lr, err := walkLayer(ctx, vr, walkOptions{budget: rv.opts.budget, bytesLeft: bytesLeft,
			onBytes: func(n int64) { sent += n; onBytes(n) }})
		if err != nil && ctx.Err() == nil {
			// A format error may be a corrupted download: when the blob does not match its
			// digest, that is the better reason.
			if _, derr := io.Copy(io.Discard, vr); derr != nil && (strings.Contains(derr.Error(), "digest mismatch") || strings.Contains(derr.Error(), "checksum")) {
				err = fmt.Errorf("blob digest mismatch (corrupted or tampered download): %w", derr)
			}
		}
		vr.Close()
		if err != nil {
			if sent > 0 {
				onBytes(-sent)
			}
			errs = append(errs, fmt.Errorf("%s: %w", s, explain(err)))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		lr.Digest = digest
		lr.Size = d.Size
		if lr.Complete {
			if err := rv.store.putReview(lr); err != nil {
				rv.opts.logger.Warn("store", "err", err)
			}
		}
		return lr, nil
	}
	return nil, errors.Join(errs...)
}

// mediaTypeOf reads the mediaType of a manifest, guessing from its shape when it has none.
func mediaTypeOf(raw []byte) (types.MediaType, error) {
	var probe struct {
		SchemaVersion int             `json:"schemaVersion"`
		MediaType     types.MediaType `json:"mediaType"`
		Manifests     json.RawMessage `json:"manifests"`
		Config        json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return "", fmt.Errorf("malformed manifest: %w", err)
	}
	switch {
	case probe.MediaType != "":
		return probe.MediaType, nil
	case probe.SchemaVersion == 1:
		return types.DockerManifestSchema1, nil
	case len(probe.Manifests) > 0:
		return types.OCIImageIndex, nil
	case len(probe.Config) > 0:
		return types.OCIManifestSchema1, nil
	}
	return "", errors.New("malformed manifest: neither an index nor an image manifest")
}

// pickPlatform chooses the index child for the platform. An index that lacks it is an error
// naming the platforms it has: we never fall back silently to another platform.
func pickPlatform(idx *v1.IndexManifest, want v1.Platform) (string, error) {
	var have []string
	for _, d := range idx.Manifests {
		p := d.Platform
		if p == nil || p.OS == "unknown" {
			continue // attestations, untagged children
		}
		have = append(have, platformString(*p))
		if p.OS != want.OS || p.Architecture != want.Architecture {
			continue
		}
		if want.Variant != "" && p.Variant != want.Variant && !(want.Architecture == "arm64" && (p.Variant == "" || want.Variant == "v8") && (p.Variant == "" || p.Variant == "v8")) {
			continue
		}
		return d.Digest.String(), nil
	}
	if len(have) == 0 && len(idx.Manifests) == 1 {
		return idx.Manifests[0].Digest.String(), nil
	}
	return "", fmt.Errorf("no image for platform %s in the index (it has: %s)", platformString(want), strings.Join(have, ", "))
}

func cloneReport(r *Report) *Report {
	c := *r
	c.Findings = slices.Clone(r.Findings)
	c.History = slices.Clone(r.History)
	c.Errors = slices.Clone(r.Errors)
	c.Layers = slices.Clone(r.Layers)
	return &c
}
