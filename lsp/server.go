// Package lsp is the layerlens language server.
//
// [Serve] runs the server on one connection (stdio for `layerlens serve`, a net.Pipe in tests).
// The server is a hand-written jsonrpc2 handler that looks methods up in a dispatch table
// (methods.go) and advertises what it implements in capabilities.go; each LSP feature lives in
// its own file with a thin handler: decode, get the [snapshot], call a pure function over the
// analysis model, convert positions with the [Mapper], reply.
//
// Its principal types are the server (connection state, settings and the document store),
// the snapshot (one immutable version of a document with its lazily parsed analysis.File and
// its Mapper) and the Mapper (byte positions <-> LSP UTF-16 positions).
//
// Concurrency: messages are handled one at a time, in order, as LSP requires for text
// synchronisation; `$/cancelRequest` is handled out of band so it can cancel the request in
// progress. Diagnostics are computed in a background goroutine per document that the next
// change cancels; they are published only for the latest version.
//
// The server never writes to stdout: logs go to the configured slog.Logger (stderr in the
// binary) and, from Info up, to the client as window/logMessage.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis/rules"
)

// Options configures Serve.
type Options struct {
	// Logger receives the server log. nil means slog.Default(). In the binary it writes to stderr;
	// it must never write to the protocol stream.
	Logger *slog.Logger
	// Version is reported in serverInfo.
	Version string
	// Images reviews base images. nil disables image review (issue 5 fills it in).
	Images ImageService
	// DiagnosticsTimeout bounds one background diagnosis run; 0 means 30s.
	DiagnosticsTimeout time.Duration
}

// ImageService is the server's view of the base-image engine (package baseimage). It is
// declared here, small, so that tests can pass a fake; [NewImageService] is the real one
// (images_service.go), which cmd/layerlens wires in. References are normalised
// ("docker.io/library/alpine:3.20", possibly with "@sha256:..."), platforms are os/arch[/variant].
// Every method but Digest returns at once: handlers call them.
type ImageService interface {
	// Name identifies the implementation in logs.
	Name() string
	// Configure applies the user's image settings (sources, offline, platform, ...). It is
	// called before Submit whenever the settings change. On error the previous configuration
	// stays in force.
	Configure(cfg ImageConfig) error
	// Submit asks for a review of ref for platform unless one is queued, running or done. For
	// a reference pinned with a tag (name:tag@sha256:...) it also looks up where the tag points
	// now (ImageStatus.TagDigest).
	Submit(ref, platform string)
	// Cancel stops a queued or running review nobody needs any more.
	Cancel(ref, platform string)
	// Refresh starts a new review of ref that bypasses the tag TTL (layerlens.reviewImage).
	Refresh(ref, platform string)
	// Get returns what is known about the review of ref for platform.
	Get(ref, platform string) ImageStatus
	// Subscribe registers fn for review events and returns the function that unregisters it.
	// fn is called from background goroutines and must not block.
	Subscribe(fn func(ImageEvent)) (unsubscribe func())
	// Digest returns the pin digest of ref (the index digest for a multi-platform tag). It may
	// make a registry call: call it from background work only, never from a handler.
	Digest(ctx context.Context, ref string, refresh bool) (string, error)
	// Tags returns the tags of an image repository ("alpine", "ghcr.io/org/app"), newest-looking
	// first, once they are known (ready). It never blocks: when the list is not known yet it
	// starts listing it in the background and returns ready false, so the caller asks again.
	Tags(repo string) (tags []string, ready bool)
}

// ErrExitWithoutShutdown is returned by Serve when the client sent "exit" (or closed the
// connection) without a prior "shutdown"; the LSP specification asks for exit code 1 then.
var ErrExitWithoutShutdown = errors.New("lsp: exit without shutdown")

// lifecycle states of a connection.
const (
	stateNew          = iota // before initialize
	stateInitializing        // initialize answered, waiting for initialized
	stateRunning             // initialized received
	stateShutdown            // shutdown answered: only exit is accepted
)

// server is the state of one connection.
type server struct {
	opts Options
	log  *slog.Logger
	conn jsonrpc2.Conn
	// ctx lives as long as the connection; background work derives from it, never from a
	// request context.
	ctx    context.Context
	cancel context.CancelFunc
	// exitCh is closed by the exit notification.
	exitCh   chan struct{}
	exitOnce sync.Once
	// logUp and logVerbose mirror state and settings for the log handler, which must never take
	// mu: code holding mu may log.
	logUp, logVerbose atomic.Bool

	// mu guards the fields below it.
	mu       sync.Mutex
	state    int
	exited   bool
	docs     map[string]*document // open documents by URI string
	settings Settings
	// rulesCfg is the rules configuration derived from settings (see setSettings).
	rulesCfg *rules.Config
	// initSettings are the settings from initializationOptions: the base that a null answer to
	// workspace/configuration falls back to.
	initSettings Settings
	client       clientCaps
	// initProblem is an error in initializationOptions, shown once initialized arrives.
	initProblem error
	// initParams is the raw initialize request, for features that need client capabilities
	// clientCaps does not decode.
	initParams json.RawMessage

	// img is the base-image review state (images.go), made on first use by imgOnce;
	// targets caches resolved FROMs (images.go).
	imgOnce sync.Once
	img     *imageState
	targets targetCache
}

// Serve runs the language server on rwc until the client sends "exit", the connection closes,
// or ctx is cancelled. It returns nil after a clean shutdown+exit, ErrExitWithoutShutdown when
// the client exits (or disconnects) without shutdown, and ctx.Err() when ctx is cancelled.
// Serve closes rwc before returning.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.DiagnosticsTimeout <= 0 {
		opts.DiagnosticsTimeout = 30 * time.Second
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &server{
		opts:   opts,
		ctx:    sctx,
		cancel: cancel,
		exitCh: make(chan struct{}),
		docs:   map[string]*document{},
	}
	s.settings = DefaultSettings()
	s.initSettings = s.settings
	stream := newStream(rwc, opts.Logger)
	s.conn = jsonrpc2.NewConn(stream)
	// Logs go to opts.Logger and, once the connection is up, to the client.
	s.log = slog.New(&clientLogHandler{inner: opts.Logger.Handler(), s: s})
	stream.log = s.log
	s.conn.Go(sctx, s.handler())

	// Return on exit without waiting for the read loop: on stdio it may sit in a read of
	// stdin that closing does not interrupt, and the process is about to end anyway.
	select {
	case <-s.conn.Done():
	case <-s.exitCh:
	case <-ctx.Done():
	}
	s.conn.Close()
	cancel() // stop background diagnoses
	s.mu.Lock()
	state, exited := s.state, s.exited
	s.mu.Unlock()
	switch {
	case state == stateShutdown:
		return nil
	case ctx.Err() != nil && !exited:
		return ctx.Err()
	default:
		return ErrExitWithoutShutdown
	}
}

// handler builds the connection handler: out-of-band cancellation, then in-order dispatch.
//
// jsonrpc2.AsyncHandler starts each message only after the previous one replied, which keeps
// didOpen/didChange/requests in order; CancelHandler gives each call a cancellable context;
// our own front handles $/cancelRequest because protocol.CancelHandler ignores numeric ids
// (they decode as float64 from an interface{} field).
func (s *server) handler() jsonrpc2.Handler {
	inner, cancelID := jsonrpc2.CancelHandler(jsonrpc2.AsyncHandler(s.dispatch))
	return func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		if req.Method() != protocol.MethodCancelRequest {
			return inner(ctx, reply, req)
		}
		if id, ok := decodeCancelID(req.Params()); ok {
			cancelID(id)
		}
		_ = reply(ctx, nil, nil) // a notification: the conn sends nothing
		return nil
	}
}

// decodeCancelID reads the id of a $/cancelRequest. LSP ids are integers or strings; JSON
// integers are decoded through float64 so that 7 and 7.0 both match the int32 id jsonrpc2 uses.
func decodeCancelID(params json.RawMessage) (jsonrpc2.ID, bool) {
	var p struct {
		ID any `json:"id"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return jsonrpc2.ID{}, false
	}
	switch id := p.ID.(type) {
	case float64:
		if id != float64(int32(id)) {
			return jsonrpc2.ID{}, false
		}
		return jsonrpc2.NewNumberID(int32(id)), true
	case string:
		return jsonrpc2.NewStringID(id), true
	}
	return jsonrpc2.ID{}, false
}

// dispatch handles one message (in its own goroutine, after the previous one replied). It
// replies exactly once, turns a panic into an InternalError reply, and never returns an error:
// an error returned to jsonrpc2 would close the connection.
func (s *server) dispatch(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) (err error) {
	method := req.Method()
	_, isCall := req.(*jsonrpc2.Call)
	replied := false
	send := func(result any, rerr error) {
		replied = true
		if rerr == nil && ctx.Err() != nil && isCall {
			rerr = jsonrpc2.Errorf(protocol.CodeRequestCancelled, "%s cancelled", method)
			result = nil
		}
		if rerr != nil {
			result = nil
		}
		// Reply on the connection's context: the request's own may be cancelled, and the
		// cancellation error still has to be sent.
		if werr := reply(s.ctx, result, rerr); werr != nil && s.ctx.Err() == nil {
			s.log.Debug("reply not sent", "method", method, "err", werr)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("handler panic", "method", method, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			if !replied {
				send(nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", method, r))
			}
		}
	}()

	if isCall && ctx.Err() != nil { // cancelled while queued
		send(nil, nil)
		return nil
	}
	result, herr := s.handle(ctx, method, req.Params(), isCall)
	if herr != nil && ctx.Err() == nil {
		// The client's mistakes (unknown method, bad params, a document not open) are
		// debug noise; anything else is worth a warning in the editor's log.
		lvl := slog.LevelWarn
		var werr *jsonrpc2.Error
		if errors.As(herr, &werr) && (werr.Code == jsonrpc2.MethodNotFound || werr.Code == jsonrpc2.InvalidParams ||
			werr.Code == jsonrpc2.InvalidRequest || werr.Code == jsonrpc2.ServerNotInitialized) {
			lvl = slog.LevelDebug
		}
		s.log.Log(s.ctx, lvl, "request failed", "method", method, "err", herr)
	}
	send(result, herr)
	return nil
}

// handle enforces the lifecycle and calls the method's entry in the dispatch table.
func (s *server) handle(ctx context.Context, method string, params json.RawMessage, isCall bool) (any, error) {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()

	switch method {
	case protocol.MethodInitialize:
		if state != stateNew {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize sent twice")
		}
	case protocol.MethodExit:
		return s.exit(ctx, params)
	default:
		if state == stateNew {
			if isCall {
				return nil, jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized, "%s before initialize", method)
			}
			return nil, nil // notifications before initialize are dropped
		}
		if state == stateShutdown {
			if isCall {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s after shutdown", method)
			}
			return nil, nil
		}
	}
	m, ok := methods[method]
	if !ok {
		if !isCall {
			// Unknown notifications ($/setTrace from some clients, custom ones) are ignored.
			return nil, nil
		}
		return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method)
	}
	return m(s, ctx, params)
}

// decodeParams unmarshals request params into v, mapping failures to InvalidParams.
func decodeParams(params json.RawMessage, v any) error {
	if len(params) == 0 || string(params) == "null" {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "missing params")
	}
	if err := json.Unmarshal(params, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
	}
	return nil
}

// notify sends a notification to the client, logging (not returning) failures: a client that
// went away is not an error of the caller.
func (s *server) notify(method string, params any) {
	if err := s.conn.Notify(s.ctx, method, params); err != nil && s.ctx.Err() == nil {
		// Plain opts.Logger: logging through s.log would try the same broken connection again.
		s.opts.Logger.Debug("notification not sent", "method", method, "err", err)
	}
}

// call sends a request to the client and decodes its result, with a timeout so that a client
// that never answers cannot wedge the server.
func (s *server) call(ctx context.Context, method string, params, result any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := s.conn.Call(ctx, method, params, result)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}
