package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/baseimage"
	"github.com/layerlens/layerlens/lsp"
)

// runPin implements `layerlens pin [--check] PATH...`: every FROM that names an image by tag
// gets the tag's digest appended (name:tag@sha256:..., the index digest for a multi-platform
// tag), and stale pins (the tag has moved) get the new digest. Only the image word changes:
// formatting, comments, flags such as --platform and the AS name stay as they are. FROMs whose
// image comes from build args are reported, not rewritten.
//
// Exit codes: 0 everything pinned (or nothing to do); 1 with --check when something is
// unpinned or stale; 2 usage, I/O or registry errors (what could be pinned is still pinned).
func runPin(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "change nothing; exit 1 when a FROM is not pinned or its pin is stale")
	var img imageFlags
	img.register(fs, time.Minute)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: layerlens pin [--check] [flags] PATH...\n\nPin FROM images to digests in place (or --check that they are pinned and current).\nPATH is a Dockerfile or a directory holding one.\nExit status: 0 ok, 1 unpinned or stale (--check), 2 errors.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "layerlens pin: want at least one PATH")
		fs.Usage()
		return 2
	}
	buildArgs, err := img.args()
	if err != nil {
		fmt.Fprintf(stderr, "layerlens pin: %v\n", err)
		return 2
	}
	rv, err := img.reviewer(nil)
	if err != nil {
		fmt.Fprintf(stderr, "layerlens pin: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	code = 0
	for _, p := range paths {
		c := pinFile(ctx, rv, p, buildArgs, img.platform, *check, stdout, stderr)
		code = max(code, c)
	}
	return code
}

// pinFile pins (or checks) one Dockerfile and returns its exit code.
func pinFile(ctx context.Context, rv *baseimage.Reviewer, path string, buildArgs map[string]string, platform string, check bool, stdout, stderr io.Writer) int {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "Dockerfile")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "layerlens pin: %v\n", err)
		return 2
	}
	f := analysis.Parse(string(data))
	plan, problems := planPins(ctx, rv, f, buildArgs, platform)
	code := 0
	for _, pr := range problems {
		fmt.Fprintf(stderr, "%s:%d: %s\n", path, pr.line+1, pr.msg)
		if pr.err {
			code = 2
		} else if pr.unpinned && check {
			code = max(code, 1)
		}
	}
	if len(plan) == 0 {
		return code
	}
	if check {
		for _, p := range plan {
			fmt.Fprintf(stdout, "%s:%d:%d: %s\n", path, p.stage.BaseRange.Start.Line+1, p.stage.BaseRange.Start.Col+1, p.describe())
		}
		return max(code, 1)
	}
	edits := make([]analysis.TextEdit, 0, len(plan))
	for _, p := range plan {
		edits = append(edits, p.edit)
	}
	out, err := applyEdits(f, string(data), edits)
	if err == nil {
		err = writeFileAtomic(path, []byte(out))
	}
	if err != nil {
		fmt.Fprintf(stderr, "layerlens pin: %s: %v\n", path, err)
		return 2
	}
	for _, p := range plan {
		fmt.Fprintf(stdout, "%s:%d: %s\n", path, p.stage.BaseRange.Start.Line+1, p.done())
	}
	return code
}

// pinPlan is one FROM to rewrite.
type pinPlan struct {
	stage  *analysis.Stage
	ref    string // the reference as resolved (without the old digest)
	digest string
	stale  string // the old digest of a stale pin
	edit   analysis.TextEdit
}

func (p pinPlan) describe() string {
	if p.stale != "" {
		return fmt.Sprintf("ImageStalePin: %s is pinned to %s, but the tag now points to %s", p.ref, p.stale, p.digest)
	}
	return fmt.Sprintf("ImageNotPinned: %s is not pinned by digest (%s)", p.ref, p.digest)
}

func (p pinPlan) done() string {
	if p.stale != "" {
		return fmt.Sprintf("updated the pin of %s: %s -> %s", p.ref, p.stale, p.digest)
	}
	return fmt.Sprintf("pinned %s to %s", p.ref, p.digest)
}

type pinProblem struct {
	line int
	msg  string
	err  bool // a failure (exit 2), not just a note
	// unpinned marks an image that stays unpinned (its word uses build args): --check fails.
	unpinned bool
}

// planPins resolves the digest of every FROM image of f and returns the edits to make.
func planPins(ctx context.Context, rv *baseimage.Reviewer, f *analysis.File, buildArgs map[string]string, platform string) ([]pinPlan, []pinProblem) {
	var plan []pinPlan
	var problems []pinProblem
	digests := map[string]string{}
	for _, st := range f.Stages {
		if st.BaseImage == "" {
			continue
		}
		line := st.From.Range.Start.Line
		t, err := baseimage.ResolveFrom(f, st, buildArgs, platform)
		if err != nil {
			problems = append(problems, pinProblem{line: line, msg: "not pinned: " + err.Error()})
			continue
		}
		if t.Stage || t.Scratch {
			continue
		}
		nameTag, old, pinned := strings.Cut(t.Expanded, "@")
		if pinned && !hasTag(nameTag) {
			continue // pinned by digest alone: there is no tag to follow
		}
		lookup := t.Ref
		if pinned {
			lookup, _, _ = strings.Cut(t.Ref, "@")
		}
		d, ok := digests[lookup]
		if !ok {
			d, err = rv.Digest(ctx, lookup, false)
			if err != nil {
				problems = append(problems, pinProblem{line: line, msg: fmt.Sprintf("cannot resolve %s: %v", nameTag, err), err: true})
				continue
			}
			digests[lookup] = d
		}
		if pinned && old == d {
			continue
		}
		edit, ok := lsp.PinEdit(st, d)
		if !ok {
			problems = append(problems, pinProblem{line: line, unpinned: true,
				msg: fmt.Sprintf("not pinned: the image word %q uses build args or spans lines; pin it by hand to %s", st.BaseImage, d)})
			continue
		}
		p := pinPlan{stage: st, ref: nameTag, digest: d, edit: edit}
		if pinned {
			p.stale = old
		}
		plan = append(plan, p)
	}
	return plan, problems
}

// applyEdits applies non-overlapping edits (analysis positions) to text.
func applyEdits(f *analysis.File, text string, edits []analysis.TextEdit) (string, error) {
	offset := func(p analysis.Pos) (int, error) {
		if p.Line < 0 || p.Line >= len(f.LineStarts) {
			return 0, fmt.Errorf("edit at line %d is outside the file", p.Line+1)
		}
		o := f.LineStarts[p.Line] + p.Col
		if o > len(text) {
			return 0, fmt.Errorf("edit at %s is outside the file", p)
		}
		return o, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[j].Range.Start.Before(edits[i].Range.Start) })
	last := len(text) + 1
	for _, e := range edits {
		start, err := offset(e.Range.Start)
		if err != nil {
			return "", err
		}
		end, err := offset(e.Range.End)
		if err != nil {
			return "", err
		}
		if end > last || start > end {
			return "", errors.New("overlapping edits")
		}
		text = text[:start] + e.NewText + text[end:]
		last = start
	}
	return text, nil
}

// writeFileAtomic replaces path with data, keeping its permissions, through a temporary file in
// the same directory (a crash never leaves a half-written Dockerfile).
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".layerlens-pin-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
