package lsp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"go.lsp.dev/protocol"
)

// clientLogHandler is a slog.Handler that writes to the configured logger (stderr in the
// binary) and mirrors records to the client as window/logMessage: Info and up always, Debug
// too when the "trace" setting is "verbose". It never touches stdout, and never takes
// server.mu, so code holding the lock may log.
type clientLogHandler struct {
	inner slog.Handler
	s     *server
	attrs []slog.Attr
}

func (h *clientLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l) || l >= slog.LevelInfo || h.verbose()
}

func (h *clientLogHandler) verbose() bool {
	return h.s.logVerbose.Load()
}

func (h *clientLogHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if h.inner.Enabled(ctx, r.Level) {
		err = h.inner.Handle(ctx, r)
	}
	if r.Level < slog.LevelInfo && !h.verbose() {
		return err
	}
	if !h.s.logUp.Load() {
		return err // window/logMessage only after initialize
	}
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		if a.Key == "stack" { // too long for an editor's log line; it is in stderr
			return true
		}
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	typ := protocol.MessageTypeLog
	switch {
	case r.Level >= slog.LevelError:
		typ = protocol.MessageTypeError
	case r.Level >= slog.LevelWarn:
		typ = protocol.MessageTypeWarning
	case r.Level >= slog.LevelInfo:
		typ = protocol.MessageTypeInfo
	}
	h.s.notify(protocol.MethodWindowLogMessage, &protocol.LogMessageParams{Type: typ, Message: b.String()})
	return err
}

func (h *clientLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &clientLogHandler{inner: h.inner.WithAttrs(attrs), s: h.s, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], attrs...)}
}

func (h *clientLogHandler) WithGroup(name string) slog.Handler {
	return &clientLogHandler{inner: h.inner.WithGroup(name), s: h.s, attrs: h.attrs}
}
