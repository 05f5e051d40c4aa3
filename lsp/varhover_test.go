package lsp

import (
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/baseimage"
)

// varHoverAt returns the hover text for the first occurrence of marker (at its start + off).
func varHoverAt(t testing.TB, s *server, snap *snapshot, marker string, off int) string {
	t.Helper()
	i := strings.Index(snap.Text, marker)
	if i < 0 {
		t.Fatalf("marker %q not found", marker)
	}
	md, _, ok := s.hoverSymbol(snap, snap.Mapper.OffsetPos(i+off))
	if !ok {
		return ""
	}
	return md
}

func TestHoverSymbol(t *testing.T) {
	text := "ARG VERSION=3.20\nARG NODEF\nFROM alpine:$VERSION AS build\nARG VERSION\nARG NODEF\n" +
		"ENV APP=/opt/app\nENV BIN=$APP/bin\nRUN echo $BIN $NODEF $HOME $TARGETARCH\nRUN <<EOF\necho hi\nEOF\n" +
		"FROM build AS final\nCOPY --from=build /a /b\n"
	s := &server{settings: DefaultSettings()}
	snap := newSnapshot("file:///w/Dockerfile", 1, text, "dockerfile", nil)
	for _, tc := range []struct {
		marker string
		off    int
		want   []string
	}{
		{"$VERSION AS", 1, []string{"ARG VERSION", "global", "Value here: `3.20`"}},
		{"ARG VERSION\nARG NODEF\nENV", 4, []string{"ARG VERSION", "Value: `3.20`", "Re-declares the global ARG of line 1"}},
		{"$BIN", 1, []string{"ENV BIN", "Value here: `/opt/app/bin`", "Declared on line 7", "persist in the image"}},
		{"$NODEF", 1, []string{"No default", "--build-arg NODEF"}},
		{"$HOME", 1, []string{"not declared", "base image"}},
		{"$TARGETARCH", 1, []string{"not declared", "declare `ARG TARGETARCH`"}},
		{"build\nARG VERSION", 0, []string{"Stage `build` (#0)", "FROM alpine:$VERSION", "Used 2 times"}},
		{"--from=build", 7, []string{"Stage `build` (#0)"}},
		{"final", 0, []string{"Stage `final` (#1)", "Not used", "last stage"}},
		{"<<EOF", 2, []string{"Here-document `EOF`", "1 line(s)", "expanded"}},
	} {
		md := varHoverAt(t, s, snap, tc.marker, tc.off)
		for _, w := range tc.want {
			if !strings.Contains(md, w) {
				t.Errorf("hover at %q = %q, want it to contain %q", tc.marker, md, w)
			}
		}
	}
	// Build args from the settings override defaults.
	s.settings.BuildArgs = map[string]string{"VERSION": "3.21"}
	if md := varHoverAt(t, s, snap, "$BIN", 1); !strings.Contains(md, "/opt/app/bin") {
		t.Errorf("hover $BIN with build args = %q", md)
	}
	if md := varHoverAt(t, s, snap, "$VERSION AS", 1); !strings.Contains(md, "`3.21` (from the `buildArgs` setting)") {
		t.Errorf("hover $VERSION with build args = %q", md)
	}
	// Not on a name: no answer.
	if md := varHoverAt(t, s, snap, "RUN echo", 1); md != "" {
		t.Errorf("hover on a keyword = %q, want none from hoverSymbol", md)
	}
}

// BenchmarkVarHover5000 measures hover on a variable near the end of a 5,000-line document,
// the first request after an edit: the parse is reused, the variable and symbol indexes are
// rebuilt every time (the cache is bypassed). (BenchmarkHover5000, the keyword hover through
// the protocol, belongs to hover.go's tests.)
func BenchmarkVarHover5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000) + "RUN echo $APP_HOME\n"
	snap := newSnapshot("file:///bench/Dockerfile", 1, text, "dockerfile", nil)
	f := snap.File()
	pos := snap.Mapper.OffsetPos(strings.LastIndex(text, "$APP_HOME") + 2)
	s := &server{settings: DefaultSettings()}
	b.ReportAllocs()
	for b.Loop() {
		syms := analysis.IndexSymbols(f)
		o, ok := syms.At(pos)
		if !ok || variableHover(f, syms, o, nil, nil) == "" {
			b.Fatal("no hover")
		}
	}
	if md, _, ok := s.hoverSymbol(snap, pos); !ok || !strings.Contains(md, "APP_HOME") {
		b.Fatalf("hoverSymbol = %q", md)
	}
}

// BenchmarkCompletionCompute5000 measures variable completion at the end of a 5,000-line
// document with the variable index rebuilt every time (the first request after an edit).
func BenchmarkCompletionCompute5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000) + "RUN echo $\n"
	f := analysis.Parse(text)
	pos := analysis.Pos{Line: len(f.LineStarts) - 2, Col: len("RUN echo $")}
	b.ReportAllocs()
	for b.Loop() {
		if items := analysis.Complete(f, nil, pos); len(items) == 0 {
			b.Fatal("no items")
		}
	}
}

// envImages is an ImageService whose every review is done with the given environment. It
// embeds the interface so that it keeps compiling when the interface grows; only Get is used
// by hover.
type envImages struct {
	ImageService
	env []string
}

func (e envImages) Get(ref, platform string) ImageStatus {
	return ImageStatus{State: baseimage.StateDone, Report: &baseimage.Report{Ref: ref, Config: baseimage.Config{Env: e.env}}}
}

func TestHoverSymbolBaseImageEnv(t *testing.T) {
	text := "FROM alpine:3.20 AS base\nENV PATH=/opt/bin:$PATH\nRUN echo $HOME $PATH\nFROM base\nRUN echo $LANG\n"
	s := &server{settings: DefaultSettings(), opts: Options{Images: envImages{env: []string{"PATH=/usr/bin:/bin", "HOME=/root", "LANG=C.UTF-8"}}}}
	snap := newSnapshot("file:///w/Dockerfile", 1, text, "dockerfile", nil)
	for _, tc := range []struct {
		marker string
		off    int
		want   string
	}{
		{"PATH=/opt", 0, "Value: `/opt/bin:/usr/bin:/bin`"},
		{"$HOME", 1, "from the environment of the base image `alpine:3.20`\n\nValue: `/root`"},
		{"$PATH\nFROM", 1, "Value here: `/opt/bin:/usr/bin:/bin`"},
		{"$LANG", 1, "Value: `C.UTF-8`"}, // a child stage inherits the root image's environment
	} {
		if md := varHoverAt(t, s, snap, tc.marker, tc.off); !strings.Contains(md, tc.want) {
			t.Errorf("hover at %q = %q, want it to contain %q", tc.marker, md, tc.want)
		}
	}
}
