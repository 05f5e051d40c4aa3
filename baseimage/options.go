package baseimage

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Option configures a Reviewer. Options are checked by New.
type Option func(*options) error

type options struct {
	cacheDir   string
	offline    bool
	platform   string
	mirrors    map[string][]string
	insecure   map[string]bool
	layouts    []string
	timeout    time.Duration
	budget     Budget
	tagTTL     time.Duration
	logger     *slog.Logger
	transport  http.RoundTripper
	retries    int
	retryDelay time.Duration
	anonymous  bool
}

// Budget bounds the work spent on one image. A layer that exceeds a bound is reported with a
// finding (LayerOverBudget) and its review stops; the other layers are still reviewed.
type Budget struct {
	// MaxBytes bounds the uncompressed bytes read for one image (all layers together).
	MaxBytes int64
	// MaxRatio bounds uncompressed/compressed bytes of one layer once the layer has produced
	// more than RatioFloor uncompressed bytes (the decompression-bomb guard).
	MaxRatio   float64
	RatioFloor int64
	// MaxEntries bounds the tar entries of one layer.
	MaxEntries int
	// MaxFileSize bounds the declared size of one file in a layer.
	MaxFileSize int64
	// MaxConfigSize bounds manifests and configs (they are read into memory).
	MaxConfigSize int64
}

// DefaultBudget is the budget used unless WithBudget changes it.
var DefaultBudget = Budget{
	MaxBytes:      16 << 30,
	MaxRatio:      100,
	RatioFloor:    64 << 20,
	MaxEntries:    300_000,
	MaxFileSize:   8 << 30,
	MaxConfigSize: 8 << 20,
}

// DefaultTimeout is the per-image time budget unless WithTimeout changes it.
const DefaultTimeout = 10 * time.Minute

// DefaultTagTTL is how long a tag -> digest resolution is trusted before a new HEAD request.
const DefaultTagTTL = 6 * time.Hour

func defaultOptions() options {
	return options{
		budget:     DefaultBudget,
		timeout:    DefaultTimeout,
		tagTTL:     DefaultTagTTL,
		logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		insecure:   map[string]bool{},
		mirrors:    map[string][]string{},
		retries:    2,
		retryDelay: 500 * time.Millisecond,
	}
}

// WithCacheDir sets the store directory. The store lives in DIR/layerlens. The default is the
// user cache dir ($XDG_CACHE_HOME or ~/.cache on Linux), or $LAYERLENS_CACHE when set.
func WithCacheDir(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("WithCacheDir: empty directory")
		}
		o.cacheDir = dir
		return nil
	}
}

// WithOffline makes the reviewer read only the store and the OCI layouts: no network call.
func WithOffline(offline bool) Option {
	return func(o *options) error { o.offline = offline; return nil }
}

// WithPlatform sets the default platform ("linux/arm64", "linux/arm/v7") used when a review asks
// for none. Without it the default is linux/<host architecture>.
func WithPlatform(p string) Option {
	return func(o *options) error {
		if p == "" {
			return nil
		}
		if _, err := parsePlatform(p); err != nil {
			return fmt.Errorf("WithPlatform: %w", err)
		}
		o.platform = p
		return nil
	}
}

// WithMirrors sets registry mirrors: for each registry host ("docker.io"), the mirror hosts to
// try first, in order. The original registry is tried last.
func WithMirrors(m map[string][]string) Option {
	return func(o *options) error {
		for host, ms := range m {
			for _, h := range ms {
				if strings.Contains(h, "/") && !strings.HasPrefix(h, "http") {
					return fmt.Errorf("WithMirrors: mirror %q of %s: want a host[:port]", h, host)
				}
			}
			o.mirrors[canonicalRegistry(host)] = append([]string(nil), ms...)
		}
		return nil
	}
}

// WithInsecure lists registry hosts that may be reached over plain http (or with TLS errors
// ignored by the transport you pass). Loopback and private addresses use http already.
func WithInsecure(hosts ...string) Option {
	return func(o *options) error {
		for _, h := range hosts {
			o.insecure[canonicalRegistry(h)] = true
		}
		return nil
	}
}

// WithLayouts adds OCI image layout directories as image sources. Images in a layout are named
// by the org.opencontainers.image.ref.name annotation of their index entry.
func WithLayouts(dirs ...string) Option {
	return func(o *options) error {
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "index.json")); err != nil {
				return fmt.Errorf("WithLayouts: %s is not an OCI image layout: %w", d, err)
			}
			o.layouts = append(o.layouts, d)
		}
		return nil
	}
}

// WithTimeout sets the per-image time budget (registry calls, credential helpers, layer reads).
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("WithTimeout: %v is not positive", d)
		}
		o.timeout = d
		return nil
	}
}

// WithBudget sets the per-image size budget: at most maxBytes uncompressed bytes are read.
func WithBudget(maxBytes int64) Option {
	return func(o *options) error {
		if maxBytes <= 0 {
			return fmt.Errorf("WithBudget: %d is not positive", maxBytes)
		}
		o.budget.MaxBytes = maxBytes
		return nil
	}
}

// WithLimits replaces the whole budget; zero fields keep their defaults.
func WithLimits(b Budget) Option {
	return func(o *options) error {
		d := DefaultBudget
		if b.MaxBytes > 0 {
			d.MaxBytes = b.MaxBytes
		}
		if b.MaxRatio > 0 {
			d.MaxRatio = b.MaxRatio
		}
		if b.RatioFloor > 0 {
			d.RatioFloor = b.RatioFloor
		}
		if b.MaxEntries > 0 {
			d.MaxEntries = b.MaxEntries
		}
		if b.MaxFileSize > 0 {
			d.MaxFileSize = b.MaxFileSize
		}
		if b.MaxConfigSize > 0 {
			d.MaxConfigSize = b.MaxConfigSize
		}
		o.budget = d
		return nil
	}
}

// WithTagTTL sets how long a tag -> digest resolution is kept.
func WithTagTTL(d time.Duration) Option {
	return func(o *options) error { o.tagTTL = d; return nil }
}

// WithLogger routes the reviewer's logs (never stdout).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l != nil {
			o.logger = l
		}
		return nil
	}
}

// WithTransport sets the HTTP transport for registry calls (tests, proxies, custom TLS).
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) error { o.transport = t; return nil }
}

// WithRetries sets how many times a registry call is retried on 408/429/5xx and network errors,
// and the first delay (doubled each time). The default is 2 retries from 500 ms.
func WithRetries(n int, delay time.Duration) Option {
	return func(o *options) error {
		if n < 0 || delay < 0 {
			return errors.New("WithRetries: negative value")
		}
		o.retries, o.retryDelay = n, delay
		return nil
	}
}

// WithAnonymous disables the Docker credential lookup (config.json and credential helpers).
func WithAnonymous() Option {
	return func(o *options) error { o.anonymous = true; return nil }
}

// defaultCacheDir is the directory that holds "layerlens/" when WithCacheDir is not given.
func defaultCacheDir() (string, error) {
	if d := os.Getenv("LAYERLENS_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (set LAYERLENS_CACHE or XDG_CACHE_HOME): %w", err)
	}
	return d, nil
}
