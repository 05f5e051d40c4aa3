package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/layerlens/layerlens/lsp"
)

// runServe runs the language server on stdin/stdout. Editors start it as `layerlens serve
// --stdio` (or `layerlens --stdio`); stdio is the only transport, so --stdio is accepted and
// changes nothing. Logs go to stderr (or --log-file), never to stdout, which carries the protocol.
// The exit code is 0 after shutdown+exit, 1 when the client exits or disconnects without
// shutdown, 2 for usage errors.
//
// The stdout parameter is unused: the protocol is served on the process's real stdout.
func runServe(args []string, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("layerlens serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Bool("stdio", true, "communicate over stdin/stdout (the default and only transport)")
	// vscode-languageclient (node transports) and some other clients pass the editor's pid.
	fs.Int("clientProcessId", 0, "accepted and ignored (some clients pass the editor's process id)")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	logFile := fs.String("log-file", "", "append the log to this file instead of stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "layerlens serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "layerlens serve: invalid --log-level %q\n", *level)
		return 2
	}
	logOut := stderr
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			fmt.Fprintf(stderr, "layerlens serve: %v\n", err)
			return 2
		}
		defer f.Close()
		logOut = f
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: lvl}))
	if limit, set := applyMemoryLimit(os.Getenv); set {
		logger.Debug("soft memory limit", "bytes", limit)
	}

	// The protocol owns stdout. Anything else that prints to os.Stdout by mistake (a library,
	// a stray debug print) lands on stderr instead of corrupting the stream.
	protoOut := os.Stdout
	os.Stdout = os.Stderr
	defer func() { os.Stdout = protoOut }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := lsp.Options{Logger: logger, Version: version}
	// Base-image review (images.go); the editor's settings configure its sources.
	if svc, err := newImageService(logger); err != nil {
		logger.Warn("base-image review is off", "err", err)
	} else {
		defer svc.Close()
		opts.Images = svc
	}
	err := lsp.Serve(ctx, stdio{in: os.Stdin, out: protoOut}, opts)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, lsp.ErrExitWithoutShutdown):
		logger.Warn("exiting without shutdown")
		return 1
	default:
		logger.Error("server stopped", "err", err)
		return 1
	}
}

// stdio is the server's connection: stdin and the real stdout.
type stdio struct {
	in  *os.File
	out *os.File
}

func (s stdio) Read(p []byte) (int, error)  { return s.in.Read(p) }
func (s stdio) Write(p []byte) (int, error) { return s.out.Write(p) }

// Close closes both ends; errors are irrelevant at that point (the process is exiting).
func (s stdio) Close() error {
	err := s.in.Close()
	if e := s.out.Close(); err == nil {
		err = e
	}
	return err
}

// serveMemoryLimit is the soft limit of the Go heap (and runtime) for `layerlens serve` when
// the user sets none. A language server lives as long as the editor and most of its heap is
// garbage of the last keystroke; with the default GOGC=100 alone the heap grows to twice the
// live data, and a 5,000-line file peaked at 42-47 MB RSS. Under this limit the collector runs
// earlier instead (peak about 38 MB for that file). It is soft: a document whose live data
// exceeds it still works, with more frequent collections (the runtime caps their CPU share).
const serveMemoryLimit = 30 << 20

// applyMemoryLimit sets serveMemoryLimit unless the environment (GOMEMLIMIT, or GOGC=off, which
// asks for no collection at all) says otherwise. It reports the limit and whether it set it.
func applyMemoryLimit(getenv func(string) string) (int64, bool) {
	if getenv("GOMEMLIMIT") != "" || getenv("GOGC") == "off" {
		return 0, false
	}
	debug.SetMemoryLimit(serveMemoryLimit)
	return serveMemoryLimit, true
}
