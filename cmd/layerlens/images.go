package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
	"github.com/layerlens/layerlens/baseimage"
	"github.com/layerlens/layerlens/lsp"
)

// Shared wiring of the base-image reviewer for the subcommands (check, pin, serve).

// newImageService makes the language server's image service. Its sources come from the
// editor settings (lsp.ImageConfig); reviews time out after 3 minutes, and a registry error is
// retried once, so that a stalled registry frees its slot.
//
// When the default store directory cannot be created (a read-only home), the store goes to the
// temporary directory instead, so that image review still works; the cacheDir setting can
// move it later.
func newImageService(logger *slog.Logger) (*lsp.BaseImageService, error) {
	base := []baseimage.Option{baseimage.WithTimeout(3 * time.Minute), baseimage.WithRetries(1, 500*time.Millisecond)}
	svc, err := lsp.NewImageService(lsp.ImageServiceOptions{Logger: logger, Concurrency: 4, Base: base})
	if err == nil {
		return svc, nil
	}
	logger.Warn("image store not usable; using the temporary directory", "err", err)
	base = append(base, baseimage.WithCacheDir(os.TempDir()))
	return lsp.NewImageService(lsp.ImageServiceOptions{Logger: logger, Concurrency: 4, Base: base})
}

// imageFlags are the flags that configure the reviewer in check and pin.
type imageFlags struct {
	layouts, mirrors, insecure listFlag
	offline                    bool
	platform                   string
	cacheDir                   string
	timeout                    time.Duration
	buildArgs                  listFlag
}

// register adds the flags to fs. timeout is the default per-image time budget.
func (f *imageFlags) register(fs *flag.FlagSet, timeout time.Duration) {
	fs.Var(&f.layouts, "oci-layout", "OCI image layout `DIR` to read base images from, before any registry (repeatable)")
	fs.BoolVar(&f.offline, "offline", false, "read base images only from the store and OCI layouts; make no network calls")
	fs.StringVar(&f.platform, "platform", "", "platform of the base images, os/arch[/variant] (default: FROM --platform, else linux/<host arch>)")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "store directory (default: $LAYERLENS_CACHE or the user cache dir)")
	fs.DurationVar(&f.timeout, "image-timeout", timeout, "time budget per base image (registry calls and layer reads)")
	fs.Var(&f.mirrors, "mirror", "registry mirror as `REGISTRY=MIRROR` (repeatable)")
	fs.Var(&f.insecure, "insecure-registry", "registry `HOST` reachable over plain http (repeatable)")
	fs.Var(&f.buildArgs, "build-arg", "build argument `NAME=VALUE` used to resolve ARGs in FROM (repeatable)")
}

// args returns the --build-arg values as a map.
func (f *imageFlags) args() (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range f.buildArgs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--build-arg %q: want NAME=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}

// reviewer builds the reviewer the flags describe.
func (f *imageFlags) reviewer(logger *slog.Logger) (*baseimage.Reviewer, error) {
	opts := []baseimage.Option{
		baseimage.WithOffline(f.offline),
		baseimage.WithTimeout(f.timeout),
		baseimage.WithRetries(1, 500*time.Millisecond),
	}
	if logger != nil {
		opts = append(opts, baseimage.WithLogger(logger))
	}
	if f.platform != "" {
		opts = append(opts, baseimage.WithPlatform(f.platform))
	}
	if f.cacheDir != "" {
		opts = append(opts, baseimage.WithCacheDir(f.cacheDir))
	}
	if len(f.layouts) > 0 {
		opts = append(opts, baseimage.WithLayouts(f.layouts...))
	}
	if len(f.insecure) > 0 {
		opts = append(opts, baseimage.WithInsecure(f.insecure...))
	}
	if len(f.mirrors) > 0 {
		m := map[string][]string{}
		for _, kv := range f.mirrors {
			reg, mirror, ok := strings.Cut(kv, "=")
			if !ok || reg == "" || mirror == "" {
				return nil, fmt.Errorf("--mirror %q: want REGISTRY=MIRROR", kv)
			}
			m[reg] = append(m[reg], mirror)
		}
		opts = append(opts, baseimage.WithMirrors(m))
	}
	return baseimage.New(opts...)
}

// imageReview is the outcome of reviewing the base images of one Dockerfile.
type imageReview struct {
	// Facts are the image facts by stage index, for rules.Options.Facts.
	Facts map[int]*analysis.ImageFacts
	// Findings are the image diagnostics: ImageUnavailable for images that could not be
	// reviewed, and the image rules (review findings, stale pins, platform, inherited secrets).
	Findings []analysis.Finding
}

// reviewImages reviews the base images of f, one image at a time, de-duplicated, and returns
// the facts and findings to report on the FROM lines. Nothing here is fatal: an image that
// cannot be reviewed becomes an ImageUnavailable finding. When checkTags is set, pinned
// references also get their tag looked up (stale pins).
func reviewImages(ctx context.Context, rv *baseimage.Reviewer, f *analysis.File, buildArgs map[string]string, platform string, cfg *rules.Config, checkTags bool) imageReview {
	out := imageReview{Facts: map[int]*analysis.ImageFacts{}}
	type result struct {
		rep *baseimage.Report
		err error
		tag string
	}
	done := map[string]result{}
	for _, st := range f.Stages {
		if st.BaseImage == "" {
			continue
		}
		t, err := baseimage.ResolveFrom(f, st, buildArgs, platform)
		if err != nil || t.Stage || t.Scratch || t.Ref == "" {
			continue // the text rules report unresolvable FROMs (UndefinedArgInFrom, ...)
		}
		key := t.Ref + "\x00" + t.Platform
		r, ok := done[key]
		if !ok {
			r.rep, r.err = rv.Review(ctx, t.Ref, t.Platform, nil)
			if nameTag, _, pinned := strings.Cut(t.Ref, "@"); pinned && checkTags && r.err == nil && hasTag(nameTag) {
				r.tag, _ = rv.Digest(ctx, nameTag, false)
			}
			done[key] = r
		}
		if r.err != nil {
			if errors.Is(r.err, context.Canceled) {
				continue
			}
			fd := analysis.Finding{Rule: "ImageUnavailable", Severity: analysis.SeverityWarning, Range: st.BaseRange,
				URL:     "https://github.com/layerlens/layerlens/blob/main/docs/images.md#imageunavailable",
				Message: "cannot review base image " + t.Ref + ": " + r.err.Error()}
			if s, ok := ruleSetting(cfg, "ImageUnavailable"); ok {
				if s.Off {
					continue
				}
				if s.Severity != 0 {
					fd.Severity = s.Severity
				}
			}
			out.Findings = append(out.Findings, fd)
			continue
		}
		facts := r.rep.Facts()
		facts.RequestedPlatform = t.Platform
		facts.TagDigest = r.tag
		facts.Partial = r.rep.Partial
		for _, fd := range r.rep.Findings {
			facts.Findings = append(facts.Findings, analysis.ImageFinding{Rule: fd.Rule, Severity: fd.Severity, Message: fd.Message, Layer: fd.Layer, Path: fd.Path})
		}
		out.Facts[st.Index] = facts
	}
	out.Findings = append(out.Findings, rules.CheckImage(f, rules.Options{Facts: out.Facts, Config: cfg})...)
	return out
}

// hasTag reports whether a name carries a tag ("alpine:3.20", not "localhost:5000/app").
func hasTag(nameTag string) bool {
	slash := strings.LastIndexByte(nameTag, '/')
	return strings.Contains(nameTag[slash+1:], ":")
}

// ruleSetting returns the configured setting of rule name, if any.
func ruleSetting(cfg *rules.Config, name string) (rules.RuleSetting, bool) {
	if cfg == nil {
		return rules.RuleSetting{}, false
	}
	s, ok := cfg.Rules[name]
	return s, ok
}

// checkReview returns the image review of `layerlens check`. Without online, the reviewer is
// offline: it reads the store and the --oci-layout directories and makes no network call, so
// CI without network never waits on a registry; an image found in neither is noted once on
// stderr, not reported as a finding. With online (or an explicit --offline), an image that
// cannot be reviewed is an ImageUnavailable finding on its FROM.
func (f *imageFlags) checkReview(online bool, stderr io.Writer) (func(*analysis.File, *rules.Config) imageReview, error) {
	quiet := !online && !f.offline
	if !online {
		f.offline = true
	}
	buildArgs, err := f.args()
	if err != nil {
		return nil, err
	}
	rv, err := f.reviewer(nil)
	if err != nil {
		return nil, err
	}
	noted := map[string]bool{}
	return func(file *analysis.File, cfg *rules.Config) imageReview {
		rev := reviewImages(context.Background(), rv, file, buildArgs, f.platform, cfg, online)
		if !quiet {
			return rev
		}
		kept := rev.Findings[:0]
		for _, fd := range rev.Findings {
			if fd.Rule != "ImageUnavailable" {
				kept = append(kept, fd)
				continue
			}
			if !noted[fd.Message] {
				noted[fd.Message] = true
				fmt.Fprintf(stderr, "layerlens check: note: %s (use --online to fetch it, or --oci-layout DIR)\n", strings.TrimPrefix(fd.Message, "cannot review "))
			}
		}
		rev.Findings = kept
		return rev
	}, nil
}
