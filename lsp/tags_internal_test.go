package lsp

import (
	"fmt"
	"slices"
	"testing"

	"github.com/layerlens/layerlens/analysis"
)

func TestNewestFirst(t *testing.T) {
	in := []string{"latest", "3.9", "3.20", "edge", "3.20.1", "v1.2.3", "3.20-slim", "3.19", "20240101", "3.20-alpine", "sha-abc", "0.1"}
	want := []string{"20240101", "3.20.1", "3.20", "3.20-alpine", "3.20-slim", "3.19", "3.9", "v1.2.3", "0.1", "edge", "latest", "sha-abc"}
	if got := newestFirst(slices.Clone(in)); !slices.Equal(got, want) {
		t.Errorf("newestFirst(%v) =\n%v, want\n%v", in, got, want)
	}
	if got := newestFirst(nil); len(got) != 0 {
		t.Errorf("newestFirst(nil) = %v", got)
	}
}

func TestImageTagContext(t *testing.T) {
	for _, tc := range []struct {
		line        string
		col         int // -1: end of line
		repo, typed string
		start, end  int
		ok          bool
	}{
		{line: "FROM alpine:", col: -1, repo: "alpine", start: 12, end: 12, ok: true},
		{line: "from alpine:3.2", col: -1, repo: "alpine", typed: "3.2", start: 12, end: 15, ok: true},
		{line: "FROM alpine:3.2 AS b", col: 13, repo: "alpine", typed: "3", start: 12, end: 15, ok: true},
		{line: "  FROM --platform=linux/arm64 ghcr.io/org/app:", col: -1, repo: "ghcr.io/org/app", start: 46, end: 46, ok: true},
		{line: "FROM localhost:5000/app:v", col: -1, repo: "localhost:5000/app", typed: "v", start: 24, end: 25, ok: true},
		{line: "FROM localhost:5000/app", col: -1},
		{line: "FROM alpine", col: -1},
		{line: "FROM $BASE:", col: -1},
		{line: "FROM alpine@sha256:", col: -1},
		{line: "FROM --platform=linux/", col: -1},
		{line: "FROM alpine:3.20 AS b", col: -1},
		{line: "RUN echo a:", col: -1},
		{line: "FROM :", col: -1},
	} {
		col := tc.col
		if col < 0 {
			col = len(tc.line)
		}
		got, ok := imageTagContext(tc.line, analysis.Pos{Line: 2, Col: col})
		if ok != tc.ok {
			t.Errorf("imageTagContext(%q, %d) ok = %v, want %v", tc.line, col, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		want := tagContext{repo: tc.repo, typed: tc.typed, tag: analysis.Range{Start: analysis.Pos{Line: 2, Col: tc.start}, End: analysis.Pos{Line: 2, Col: tc.end}}}
		if got != want {
			t.Errorf("imageTagContext(%q, %d) = %+v, want %+v", tc.line, col, got, want)
		}
	}
}

// manyTags are n tags shaped like a busy Docker Hub repository's: versions with variants.
func manyTags(n int) []string {
	variants := []string{"", "-slim", "-alpine", "-bookworm"}
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		out = append(out, fmt.Sprintf("%d.%d.%d%s", i%23, i%17, i%11, variants[i%len(variants)]))
	}
	return out
}

func BenchmarkNewestFirst2000(b *testing.B) {
	tags := manyTags(2000)
	b.ReportAllocs()
	for b.Loop() {
		newestFirst(slices.Clone(tags))
	}
}

// tagsOnly is an ImageService whose tag lists are known; nothing else is used.
type tagsOnly struct {
	ImageService
	tags []string
}

func (f tagsOnly) Tags(string) ([]string, bool) { return f.tags, true }

// BenchmarkTagCompletion2000 measures the handler's part of a tag completion once the list of
// 2,000 tags is known: filtering by the typed prefix and building the items.
func BenchmarkTagCompletion2000(b *testing.B) {
	s := &server{settings: DefaultSettings(), opts: Options{Images: tagsOnly{tags: newestFirst(manyTags(2000))}}}
	text := "FROM python:3.1\n"
	snap := newSnapshot("file:///w/Dockerfile", 1, text, "dockerfile", nil)
	tc, ok := imageTagContext(snap.Mapper.LineText(0), analysis.Pos{Line: 0, Col: len("FROM python:3.1")})
	if !ok {
		b.Fatal("no tag context")
	}
	b.ReportAllocs()
	for b.Loop() {
		if l := s.tagCompletion(snap, tc); len(l.Items) == 0 {
			b.Fatal("no items")
		}
	}
}
