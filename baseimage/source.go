package baseimage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// source is where manifests and blobs come from: an OCI layout or a registry (or mirror).
// Everything it returns is verified against the digest asked for by the caller.
type source interface {
	String() string
	// manifest returns the raw manifest or index with that digest.
	manifest(ctx context.Context, digest string) ([]byte, error)
	// blob opens the blob with that digest (a config or a layer).
	blob(ctx context.Context, digest string) (io.ReadCloser, error)
}

// layoutSource is an OCI image layout directory.
type layoutSource struct {
	dir string
}

func (l layoutSource) String() string { return "layout " + l.dir }

func (l layoutSource) manifest(_ context.Context, digest string) ([]byte, error) {
	h, err := v1.NewHash(digest)
	if err != nil {
		return nil, err
	}
	return layout.Path(l.dir).Bytes(h)
}

func (l layoutSource) blob(_ context.Context, digest string) (io.ReadCloser, error) {
	h, err := v1.NewHash(digest)
	if err != nil {
		return nil, err
	}
	return layout.Path(l.dir).Blob(h)
}

// find looks ref up among the layout's index entries, by their ref.name annotation. It returns
// the entry's digest ("" when absent).
func (l layoutSource) find(ref string) (string, error) {
	idx, err := layout.ImageIndexFromPath(l.dir)
	if err != nil {
		return "", fmt.Errorf("layout %s: %w", l.dir, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return "", fmt.Errorf("layout %s: %w", l.dir, err)
	}
	for _, d := range im.Manifests {
		// BuildKit and containerd put the full name in io.containerd.image.name and only the
		// tag in ref.name; a bare tag names nothing on its own, so it never matches.
		for _, key := range []string{"org.opencontainers.image.ref.name", "io.containerd.image.name"} {
			n := d.Annotations[key]
			if n == "" || !strings.ContainsAny(n, "/:") {
				continue
			}
			if n == ref {
				return d.Digest.String(), nil
			}
			if norm, err := NormaliseRef(n); err == nil && norm == ref {
				return d.Digest.String(), nil
			}
		}
	}
	return "", nil
}

// layoutNames lists the named images of a layout (for error messages).
func layoutNames(dir string) []string {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range im.Manifests {
		if n := d.Annotations["io.containerd.image.name"]; n != "" {
			out = append(out, n)
		} else if n := d.Annotations["org.opencontainers.image.ref.name"]; n != "" {
			out = append(out, n)
		}
	}
	return out
}

// registrySource is one registry (the image's own or a mirror) for one repository.
type registrySource struct {
	repo   name.Repository
	label  string
	opts   []remote.Option
	origin bool
}

func (r registrySource) String() string { return r.label }

func (r registrySource) withCtx(ctx context.Context) []remote.Option {
	return append(append([]remote.Option(nil), r.opts...), remote.WithContext(ctx))
}

func (r registrySource) head(ctx context.Context, ref name.Reference) (string, error) {
	d, err := remote.Head(ref, r.withCtx(ctx)...)
	if err != nil {
		// Some registries refuse HEAD on manifests; GET costs a pull on Docker Hub but works.
		var te *transport.Error
		if errors.As(err, &te) && (te.StatusCode == http.StatusMethodNotAllowed || te.StatusCode == http.StatusNotImplemented) {
			g, gerr := remote.Get(ref, r.withCtx(ctx)...)
			if gerr != nil {
				return "", gerr
			}
			return g.Digest.String(), nil
		}
		return "", err
	}
	return d.Digest.String(), nil
}

func (r registrySource) manifest(ctx context.Context, digest string) ([]byte, error) {
	d, err := remote.Get(r.repo.Digest(digest), r.withCtx(ctx)...)
	if err != nil {
		return nil, err
	}
	return d.Manifest, nil
}

func (r registrySource) blob(ctx context.Context, digest string) (io.ReadCloser, error) {
	l, err := remote.Layer(r.repo.Digest(digest), r.withCtx(ctx)...)
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	return verifiedBlob{rc}, nil
}

// verifiedBlob marks a blob stream that go-containerregistry already checks against its
// digest (remote layers do), so verifyReader checks only its size instead of hashing twice.
type verifiedBlob struct{ io.ReadCloser }

// registryOptions builds the ggcr options shared by every registry call of a Reviewer.
func registryOptions(o *options) ([]remote.Option, error) {
	var opts []remote.Option
	if o.transport != nil {
		opts = append(opts, remote.WithTransport(o.transport))
	}
	if !o.anonymous {
		opts = append(opts, remote.WithAuthFromKeychain(boundedKeychain{authn.DefaultKeychain}))
	}
	opts = append(opts,
		remote.WithUserAgent("layerlens"),
		remote.WithRetryBackoff(remote.Backoff{Duration: o.retryDelay, Factor: 2, Jitter: 0.1, Steps: o.retries + 1}),
	)
	p, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, err
	}
	return append(opts, remote.Reuse(p)), nil
}

// boundedKeychain makes a keychain lookup give up when the review's context ends. Docker's
// keychain runs credential helpers (credsStore, credHelpers) as programs without a context; a
// helper that hangs (waiting for a keyring unlock, say) would otherwise hang the review. The
// helper is left to finish on its own.
type boundedKeychain struct{ inner authn.Keychain }

func (k boundedKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.inner.Resolve(r)
}

func (k boundedKeychain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	type result struct {
		a   authn.Authenticator
		err error
	}
	ch := make(chan result, 1)
	go func() {
		a, err := authn.Resolve(ctx, k.inner, r)
		ch <- result{a, err}
	}()
	select {
	case res := <-ch:
		return res.a, res.err
	case <-ctx.Done():
		return nil, fmt.Errorf("looking up credentials for %s (credential helper): %w", r.RegistryStr(), ctx.Err())
	}
}

// candidates lists the registry sources for a repository: mirrors first, then the origin.
func (rv *Reviewer) candidates(repo name.Repository) []registrySource {
	var out []registrySource
	reg := canonicalRegistry(repo.RegistryStr())
	for _, m := range rv.opts.mirrors[reg] {
		host := strings.TrimPrefix(strings.TrimPrefix(m, "https://"), "http://")
		var nopts []name.Option
		if rv.opts.insecure[canonicalRegistry(host)] || strings.HasPrefix(m, "http://") {
			nopts = append(nopts, name.Insecure)
		}
		mr, err := name.NewRepository(host+"/"+repo.RepositoryStr(), nopts...)
		if err != nil {
			rv.opts.logger.Warn("ignoring mirror", "mirror", m, "err", err)
			continue
		}
		out = append(out, registrySource{repo: mr, label: "mirror " + host, opts: rv.remoteOpts})
	}
	return append(out, registrySource{repo: repo, label: "registry " + repo.RegistryStr(), opts: rv.remoteOpts, origin: true})
}

// parseRepo parses a normalised ref into its repository (honouring WithInsecure), tag and digest.
func (rv *Reviewer) parseRepo(ref string) (repo name.Repository, tag, digest string, err error) {
	nameTag, digest, _ := strings.Cut(ref, "@")
	var nopts []name.Option
	r, err := name.ParseReference(nameTag)
	if err != nil {
		return name.Repository{}, "", "", err
	}
	if rv.opts.insecure[canonicalRegistry(r.Context().RegistryStr())] {
		nopts = append(nopts, name.Insecure)
		r, err = name.ParseReference(nameTag, nopts...)
		if err != nil {
			return name.Repository{}, "", "", err
		}
	}
	if t, ok := r.(name.Tag); ok {
		tag = t.TagStr()
	}
	return r.Context(), tag, digest, nil
}

// verifyReader checks size and digest while a blob streams: it fails on more bytes than the
// descriptor declared and, at the end, on a digest mismatch. The SHA-256 runs in its own
// goroutine on copies of the bytes read, so hashing overlaps decompression instead of adding
// to it. Close must be called.
type verifyReader struct {
	r      io.Reader
	want   string
	size   int64 // declared; -1 unknown
	n      int64
	closer io.Closer

	chunks chan []byte // to the hashing goroutine; nil until the first Read
	sum    chan string
	closed bool
	final  error // io.EOF or the mismatch, returned by every Read after the end
	noHash bool  // the stream underneath verifies the digest itself
}

var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func newVerifyReader(rc io.ReadCloser, digest string, size int64) *verifyReader {
	_, hashed := rc.(verifiedBlob)
	return &verifyReader{r: rc, want: digest, size: size, closer: rc, noHash: hashed}
}

func (v *verifyReader) start() {
	v.chunks = make(chan []byte, 16)
	v.sum = make(chan string, 1)
	go func(chunks <-chan []byte, sum chan<- string) {
		h := sha256.New()
		for c := range chunks {
			h.Write(c)
			c = c[:0]
			chunkPool.Put(&c)
		}
		sum <- "sha256:" + hex.EncodeToString(h.Sum(nil))
	}(v.chunks, v.sum)
}

func (v *verifyReader) Read(p []byte) (int, error) {
	if v.final != nil {
		return 0, v.final
	}
	if v.closed {
		return 0, errors.New("read after close")
	}
	if v.noHash {
		return v.readSizeOnly(p)
	}
	if v.chunks == nil {
		v.start()
	}
	n, err := v.r.Read(p)
	for rest := p[:n]; len(rest) > 0; {
		bp := chunkPool.Get().(*[]byte)
		k := min(len(rest), cap(*bp))
		v.chunks <- append((*bp)[:0], rest[:k]...)
		rest = rest[k:]
	}
	v.n += int64(n)
	if v.size >= 0 && v.n > v.size {
		return n, fmt.Errorf("blob %s is longer than its declared %d bytes", shortDigest(v.want), v.size)
	}
	if err == io.EOF {
		if v.size >= 0 && v.n != v.size {
			return n, fmt.Errorf("blob %s truncated: %d of %d bytes: %w", shortDigest(v.want), v.n, v.size, io.ErrUnexpectedEOF)
		}
		v.closed = true
		close(v.chunks)
		v.final = io.EOF
		if got := <-v.sum; got != v.want {
			v.final = fmt.Errorf("blob digest mismatch: got %s, want %s", shortDigest(got), shortDigest(v.want))
		}
		return n, v.final
	}
	return n, err
}

func (v *verifyReader) readSizeOnly(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.n += int64(n)
	if v.size >= 0 && v.n > v.size {
		return n, fmt.Errorf("blob %s is longer than its declared %d bytes", shortDigest(v.want), v.size)
	}
	if err == io.EOF && v.size >= 0 && v.n != v.size {
		return n, fmt.Errorf("blob %s truncated: %d of %d bytes: %w", shortDigest(v.want), v.n, v.size, io.ErrUnexpectedEOF)
	}
	if err != nil {
		v.final = err
	}
	return n, err
}

// Close stops the hashing goroutine and closes the blob.
func (v *verifyReader) Close() error {
	if !v.closed && v.chunks != nil {
		close(v.chunks)
		<-v.sum
	}
	v.closed = true
	return v.closer.Close()
}

func shortDigest(d string) string {
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		return d[:i+13]
	}
	return d
}

// explain turns registry errors into a reason a person can act on, and strips anything that
// could be a credential (URL user info, signed query strings) from the message.
func explain(err error) error {
	if err == nil {
		return nil
	}
	var te *transport.Error
	reason := ""
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusUnauthorized:
			reason = "authentication required or refused (docker login, or check the credential helper)"
		case te.StatusCode == http.StatusForbidden:
			reason = "access denied by the registry"
		case te.StatusCode == http.StatusNotFound:
			reason = "not found in the registry"
		case te.StatusCode == http.StatusTooManyRequests:
			reason = "rate limited by the registry (Docker Hub pull limit? try later, log in, or use a mirror)"
		case te.StatusCode >= 500:
			reason = fmt.Sprintf("registry server error %d", te.StatusCode)
		}
	} else if errors.Is(err, context.DeadlineExceeded) {
		reason = "time budget exceeded (the registry is slow or stalled)"
	}
	return &redactedError{reason: reason, err: err}
}

type redactedError struct {
	reason string
	err    error
}

var (
	reURLUser    = regexp.MustCompile(`(://)[^/@\s"]+@`)
	reURLQuery   = regexp.MustCompile(`(https?://[^\s?"]+)\?[^\s"]*`)
	reAuthScheme = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+`)
	reSecretKV   = regexp.MustCompile(`(?i)\b(authorization|password|passwd|token|secret|access_token|refresh_token)(["']?\s*[:=]\s*["']?)[^\s",}']+`)
)

func redact(s string) string {
	s = reURLUser.ReplaceAllString(s, "${1}REDACTED@")
	s = reURLQuery.ReplaceAllString(s, "${1}?REDACTED")
	s = reAuthScheme.ReplaceAllString(s, "${1} REDACTED")
	return reSecretKV.ReplaceAllString(s, "${1}${2}REDACTED")
}

func (e *redactedError) Error() string {
	if e.reason != "" {
		return e.reason + ": " + redact(e.err.Error())
	}
	return redact(e.err.Error())
}

func (e *redactedError) Unwrap() error { return e.err }
