package analysis

import (
	"os"
	"strings"
	"testing"
)

func labels(items []CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func hasAll(got []string, want ...string) bool {
	set := map[string]bool{}
	for _, g := range got {
		set[g] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

func TestCompletion(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // labels that must be offered
		not       []string // labels that must not be offered
		replace   string   // text the first item replaces
	}{
		{"keyword at start", "@{c}", []string{"FROM", "ARG", "RUN"}, nil, ""},
		{"keyword prefix", "FROM a\nCO@{c}", []string{"COPY"}, []string{"RUN"}, "CO"},
		{"lower-case prefix keeps case", "FROM a\nru@{c}", []string{"run"}, nil, "ru"},
		{"directive", "# sy@{c}\nFROM a", []string{"syntax"}, []string{"escape"}, "sy"},
		{"directive value", "# escape=@{c}\nFROM a", []string{"\\", "`"}, nil, ""},
		{"no directive after an instruction", "FROM a\n# sy@{c}", nil, []string{"syntax"}, ""},
		{"copy flags after --", "FROM a AS b\nFROM c\nCOPY --@{c}", []string{"--from", "--chmod", "--link", "--parents", "--exclude", "--chown"}, []string{"--checksum"}, "--"},
		{"copy flags broken file", "FROM a\nENV\nCOPY --@{c}\nRUN [\"x\"\nENV a", []string{"--from", "--link"}, nil, "--"},
		{"add flags", "FROM a\nADD --@{c} x y", []string{"--checksum", "--keep-git-dir", "--unpack", "--link", "--exclude"}, []string{"--from"}, "--"},
		{"run flags", "FROM a\nRUN --@{c}", []string{"--mount", "--network", "--security", "--device"}, nil, "--"},
		{"healthcheck flags", "FROM a\nHEALTHCHECK --@{c}", []string{"--interval", "--timeout", "--start-period", "--start-interval", "--retries"}, nil, "--"},
		{"healthcheck CMD", "FROM a\nHEALTHCHECK --interval=5s @{c}", []string{"CMD", "NONE"}, nil, ""},
		{"given flag not repeated", "FROM a\nCOPY --link --@{c}", []string{"--chmod"}, []string{"--link"}, "--"},
		{"network values", "FROM a\nRUN --network=@{c}", []string{"default", "none", "host"}, nil, ""},
		{"security values", "FROM a\nRUN --security=in@{c}", []string{"insecure"}, []string{"sandbox"}, "in"},
		{"mount option keys", "FROM a\nRUN --mount=@{c}", []string{"type", "target", "source", "from"}, []string{"size", "sharing"}, ""},
		{"mount types", "FROM a\nRUN --mount=type=@{c}", []string{"bind", "cache", "tmpfs", "secret", "ssh"}, nil, ""},
		{"cache options", "FROM a\nRUN --mount=type=cache,@{c}", []string{"id", "target", "sharing", "mode", "uid", "gid", "from"}, []string{"size", "env", "type"}, ""},
		{"secret options", "FROM a\nRUN --mount=type=secret,@{c}", []string{"id", "target", "env", "required", "mode"}, []string{"sharing", "size"}, ""},
		{"tmpfs options", "FROM a\nRUN --mount=type=tmpfs,@{c}", []string{"target", "size"}, []string{"id"}, ""},
		{"ssh options", "FROM a\nRUN --mount=type=ssh,@{c}", []string{"id", "required"}, []string{"env"}, ""},
		{"sharing values", "FROM a\nRUN --mount=type=cache,target=/x,sharing=@{c}", []string{"shared", "private", "locked"}, nil, ""},
		{"mount from stage", "FROM a AS deps\nFROM b\nRUN --mount=type=bind,from=@{c}", []string{"deps"}, nil, ""},
		{"copy from stages", "FROM a AS build\nFROM b AS tools\nFROM c AS final\nCOPY --from=@{c}", []string{"build", "tools"}, []string{"final"}, ""},
		{"from stage names", "FROM a AS build\nFROM @{c}", []string{"build", "scratch", "--platform"}, nil, ""},
		{"from stage names at EOF broken", "FROM a AS build\nENV\nFROM @{c}", []string{"build"}, nil, ""},
		{"from AS", "FROM alpine a@{c}", []string{"AS"}, nil, "a"},
		{"platform values", "FROM --platform=@{c}", []string{"$BUILDPLATFORM", "linux/arm64"}, nil, ""},
		{"variables in stage", "ARG G=1\nFROM a\nARG V=1\nENV E=2\nRUN echo $@{c}", []string{"V", "E", "HTTP_PROXY"}, []string{"G", "TARGETPLATFORM"}, ""},
		{"variable redefined on the line before", "FROM a\nENV X=1\nENV X=2\n$@{c}", nil, nil, ""},
		{"variables braced prefix", "FROM a\nENV EXAMPLE=1 OTHER=2\nRUN echo ${EX@{c}", []string{"EXAMPLE"}, []string{"OTHER"}, "EX"},
		{"variables in FROM", "ARG BASE=alpine\nFROM $@{c}", []string{"BASE", "TARGETPLATFORM", "BUILDPLATFORM"}, nil, ""},
		{"variable in flag value", "ARG P\nFROM --platform=$BUILD@{c}", []string{"BUILDPLATFORM", "BUILDARCH"}, []string{"P", "TARGETOS"}, "BUILD"},
		{"no variables in single quotes", "FROM a\nENV X=1\nRUN echo '$@{c}", nil, []string{"X"}, ""},
		{"nothing in heredoc body", "FROM a\nRUN <<EOF\nCO@{c}\nEOF", nil, []string{"COPY"}, ""},
		{"variables in heredoc body", "FROM a\nENV APP=/a\nRUN <<EOF\necho ${A@{c}\nEOF", []string{"APP"}, nil, "A"},
		{"onbuild keywords", "FROM a\nONBUILD @{c}", []string{"RUN", "COPY"}, []string{"FROM", "ONBUILD", "MAINTAINER"}, ""},
		{"onbuild flags", "FROM a\nONBUILD COPY --@{c}", []string{"--from"}, nil, "--"},
		{"continuation flags", "FROM a\nRUN --network=none \\\n  # comment\n  --@{c}", []string{"--mount", "--security"}, []string{"--network"}, "--"},
		{"backtick continuation", "# escape=`\nFROM a\nRUN --network=none `\n  --@{c}", []string{"--mount"}, []string{"--network"}, "--"},
		{"crlf", "FROM a AS b\r\nFROM c\r\nCOPY --from=@{c}\r\n", []string{"b"}, nil, ""},
		{"ARG names in a stage", "ARG GLOBAL=1\nFROM a\nARG TARGETOS\nARG @{c}", []string{"GLOBAL", "TARGETARCH", "SOURCE_DATE_EPOCH"}, []string{"TARGETOS"}, ""},
		{"ARG names before FROM", "ARG @{c}", []string{"BUILDKIT_SYNTAX"}, []string{"TARGETARCH"}, ""},
		{"no keywords in continuation", "FROM a\nRUN echo \\\n  ec@{c}", nil, []string{"ENV"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, m := markers(t, tc.src)
			f := Parse(src)
			items := Complete(f, nil, m["c"])
			got := labels(items)
			if !hasAll(got, tc.want...) {
				t.Errorf("Complete = %v, want all of %v", got, tc.want)
			}
			for _, n := range tc.not {
				if hasAll(got, n) {
					t.Errorf("Complete = %v, must not offer %q", got, n)
				}
			}
			seen := map[string]bool{}
			for _, l := range got {
				if seen[l] {
					t.Errorf("Complete offers %q twice: %v", l, got)
				}
				seen[l] = true
			}
			if len(items) > 0 && tc.replace != "" {
				if r := ftSlice(f, items[0].Replace); r != tc.replace {
					t.Errorf("Complete replaces %q, want %q", r, tc.replace)
				}
			}
		})
	}
}

func TestCompletionImageEnv(t *testing.T) {
	src, m := markers(t, "FROM alpine AS base\nENV APP=1\nFROM base\nRUN echo $@{c}\nFROM $@{from}")
	f := Parse(src)
	env := func(stage int) map[string]string {
		if stage != 0 {
			t.Errorf("imageEnv(%d), want the root stage 0", stage)
		}
		return map[string]string{"PATH": "/usr/bin", "APP": "image", "HOME": "/root"}
	}
	got := map[string]CompletionItem{}
	for _, it := range CompleteWith(f, nil, m["c"], env) {
		if _, dup := got[it.Label]; dup {
			t.Errorf("%q offered twice", it.Label)
		}
		got[it.Label] = it
	}
	if it, ok := got["PATH"]; !ok || it.Detail != "base image ENV = /usr/bin" {
		t.Errorf("PATH = %+v, want it from the base image", it)
	}
	if it := got["APP"]; it.Detail != "ENV = 1" {
		t.Errorf("APP = %+v, want the file's ENV (it wins over the image's)", it)
	}
	for _, it := range CompleteWith(f, nil, m["from"], env) {
		if it.Label == "PATH" {
			t.Error("FROM lines do not see the image environment")
		}
	}
}

func TestCompletionSnippets(t *testing.T) {
	src, m := markers(t, "FROM a\nRUN --@{c}")
	items := Complete(Parse(src), nil, m["c"])
	for _, it := range items {
		if it.Label == "--network" && it.InsertText != "--network=${1|default,none,host|}" {
			t.Errorf("--network snippet = %q", it.InsertText)
		}
	}
	src, m = markers(t, "@{c}")
	for _, it := range Complete(Parse(src), nil, m["c"]) {
		if it.Label == "FROM" && (!it.Snippet || !strings.HasPrefix(it.InsertText, "FROM ${1")) {
			t.Errorf("FROM item = %+v, want a snippet", it)
		}
	}
}

func TestSemanticTokens(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\nARG V=1\nFROM alpine:$V AS build\ncopy --from=build --chmod=0755 a b\nRUN --mount=type=cache,target=/c --network=none echo ä $V\nEXPOSE 80\nFROM build\nCMD [\"a\", \"b\"]\nMAINTAINER me\n"
	f := Parse(src)
	toks := SemanticTokens(f, nil, nil)
	type tk struct {
		text string
		typ  string
		mods SemanticModifier
	}
	var got []tk
	for i, t0 := range toks {
		if i > 0 {
			p := toks[i-1]
			if t0.Line < p.Line || (t0.Line == p.Line && t0.Col < p.end()) {
				t.Fatalf("tokens overlap or are unsorted: %+v then %+v", p, t0)
			}
		}
		got = append(got, tk{ftLine(f, t0.Line)[t0.Col:t0.end()], SemanticTypeNames[t0.Type], t0.Mods})
	}
	want := []tk{
		{"# ", "comment", 0}, {"syntax", "macro", 0}, {"docker/dockerfile:1", "string", 0},
		{"ARG", "keyword", 0}, {"V", "variable", SemDeclaration}, {"1", "string", 0},
		{"FROM", "keyword", 0}, {"alpine:", "type", 0}, {"$V", "variable", 0}, {"AS", "keyword", 0}, {"build", "namespace", SemDeclaration},
		{"copy", "keyword", 0}, {"--from", "parameter", 0}, {"build", "namespace", 0}, {"--chmod", "parameter", 0}, {"0755", "string", 0},
		{"RUN", "keyword", 0}, {"--mount", "parameter", 0}, {"type", "property", 0}, {"cache", "enumMember", 0}, {"target", "property", 0}, {"/c", "string", 0},
		{"--network", "parameter", 0}, {"none", "enumMember", 0}, {"$V", "variable", 0},
		{"EXPOSE", "keyword", 0}, {"80", "number", 0},
		{"FROM", "keyword", 0}, {"build", "namespace", 0},
		{"CMD", "keyword", 0}, {`"a"`, "string", 0}, {`"b"`, "string", 0},
		{"MAINTAINER", "keyword", SemDeprecated},
	}
	if len(got) != len(want) {
		t.Fatalf("SemanticTokens: got %d tokens %v\nwant %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// A range request returns only tokens of the instructions it touches.
	r := Range{Start: Pos{Line: 5}, End: Pos{Line: 5, Col: 3}}
	for _, t0 := range SemanticTokens(f, nil, &r) {
		if t0.Line != 5 {
			t.Errorf("range tokens include line %d", t0.Line)
		}
	}
}

func TestSignatureHelp(t *testing.T) {
	for _, tc := range []struct {
		src        string
		wantLabel  string // a substring of the active signature
		wantActive string // the text of the active parameter
	}{
		{"FROM a\nCOPY --from=x @{c}", "COPY [--from", "<src>..."},
		{"FROM a\nCOPY --ch@{c}", "COPY [--from", "[--chown=<user>:<group>]"},
		{"FROM a\nCOPY a @{c}", "COPY [--from", "<dest>"},
		{"FROM a\nCMD [\"a\", @{c}", `CMD ["executable"`, ""},
		{"FROM a\nHEALTHCHECK NONE@{c}", "HEALTHCHECK NONE", ""},
		{"FROM a\nRUN --mount=type=cache,shar@{c}", "--mount=type=cache", "sharing=<shared|private|locked>"},
		{"FROM a\nRUN --mount=type=tmpfs,@{c}", "size=<size>", ""},
	} {
		src, m := markers(t, tc.src)
		h := SignatureAt(Parse(src), m["c"])
		if h == nil {
			t.Errorf("SignatureAt(%q) = nil", tc.src)
			continue
		}
		sig := h.Signatures[h.Active]
		if !strings.Contains(sig.Label, tc.wantLabel) {
			t.Errorf("SignatureAt(%q) = %q, want it to contain %q", tc.src, sig.Label, tc.wantLabel)
		}
		if tc.wantActive != "" {
			if h.ActiveParam < 0 {
				t.Errorf("SignatureAt(%q): no active parameter, want %q", tc.src, tc.wantActive)
				continue
			}
			p := sig.Params[h.ActiveParam]
			if got := sig.Label[p.Start:p.End]; got != tc.wantActive {
				t.Errorf("SignatureAt(%q) active = %q, want %q", tc.src, got, tc.wantActive)
			}
		}
	}
}

func TestLinks(t *testing.T) {
	src := "ARG TAG=1\nFROM alpine:3.20 AS a\nFROM ghcr.io/owner/img@sha256:abc AS b\nFROM quay.io/prometheus/node-exporter:v1\n" +
		"FROM mcr.microsoft.com/dotnet/sdk:8.0\nFROM gcr.io/distroless/static\nFROM bitnami/redis:$TAG\nFROM a\nFROM localhost:5000/x\n" +
		"COPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=a /x /y\n" +
		"ADD https://example.com/tool.tar.gz /opt/\nRUN curl -fsSL https://get.example.org/install.sh). | sh\n"
	f := Parse(src)
	var got []string
	for _, l := range Links(f) {
		got = append(got, ftSlice(f, l.Range)+" -> "+l.Target)
	}
	want := []string{
		"alpine:3.20 -> https://hub.docker.com/_/alpine",
		"ghcr.io/owner/img@sha256:abc -> https://ghcr.io/owner/img",
		"quay.io/prometheus/node-exporter:v1 -> https://quay.io/repository/prometheus/node-exporter",
		"mcr.microsoft.com/dotnet/sdk:8.0 -> https://mcr.microsoft.com/artifact/mar/dotnet/sdk",
		"gcr.io/distroless/static -> https://console.cloud.google.com/gcr/images/distroless/global/static",
		"nginx:1.27 -> https://hub.docker.com/_/nginx",
		"https://example.com/tool.tar.gz -> https://example.com/tool.tar.gz",
		"https://get.example.org/install.sh -> https://get.example.org/install.sh",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func format(t *testing.T, src string, opts FormatOptions) string {
	t.Helper()
	f := Parse(src)
	return ApplyEdits(f, Format(f, opts, nil))
}

func TestFormat(t *testing.T) {
	preserve := FormatOptions{Indent: "preserve", ContinuationIndent: 4}
	normalize := FormatOptions{Indent: "normalize", ContinuationIndent: 2}
	for _, tc := range []struct {
		name, src, want string
		opts            FormatOptions
	}{
		{"casing", "from alpine as build\nrun echo hi\nonbuild run x\n", "FROM alpine AS build\nRUN echo hi\nONBUILD RUN x\n", preserve},
		{"json spacing", "FROM a\nCMD [\"a\",\"b\",   \"c d\"]\nENTRYPOINT [ \"x\" ]\n", "FROM a\nCMD [\"a\", \"b\", \"c d\"]\nENTRYPOINT [\"x\"]\n", preserve},
		{"trailing blanks", "FROM a   \nRUN a \\   \n    b  \n", "FROM a\nRUN a \\\n    b\n", preserve},
		{"preserve shifts the block", "FROM a\nRUN set -e; \\\n  if x; then \\\n      y; \\\n  fi\n", "FROM a\nRUN set -e; \\\n    if x; then \\\n        y; \\\n    fi\n", preserve},
		{"normalize flattens", "FROM a\nRUN set -e; \\\n  if x; then \\\n      y; \\\n  fi\n", "FROM a\nRUN set -e; \\\n  if x; then \\\n  y; \\\n  fi\n", normalize},
		{"normalize instruction indent", "FROM a\n   RUN x\n", "FROM a\nRUN x\n", normalize},
		{"comment between continuations", "FROM a\nRUN a \\\n# note\n b\n", "FROM a\nRUN a \\\n    # note\n    b\n", preserve},
		{"heredoc untouched", "FROM a\nrun <<EOF   \n  echo hi   \n\tindented\nEOF\n", "FROM a\nRUN <<EOF\n  echo hi   \n\tindented\nEOF\n", normalize},
		{"string across lines untouched", "FROM a\nRUN echo \"a \\\n  b\" \\\n  c\n", "FROM a\nRUN echo \"a \\\n  b\" \\\n    c\n", preserve},
		{"crlf", "from a\r\nrun x \\\r\n  y\r\n", "FROM a\r\nRUN x \\\r\n    y\r\n", preserve},
		{"backtick escape", "# escape=`\nfrom a\nrun x `\n y\n", "# escape=`\nFROM a\nRUN x `\n    y\n", preserve},
		{"non-ascii", "from ä\nrun echo \"é\" \\\n  ü\n", "FROM ä\nRUN echo \"é\" \\\n    ü\n", preserve},
		{"tabs mixed left alone", "FROM a\nRUN x \\\n\ty \\\n  z\n", "FROM a\nRUN x \\\n\ty \\\n  z\n", preserve},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := format(t, tc.src, tc.opts)
			if got != tc.want {
				t.Errorf("Format(%q) =\n%q\nwant\n%q", tc.src, got, tc.want)
			}
			if again := format(t, got, tc.opts); again != got {
				t.Errorf("Format is not idempotent:\n%q\nthen\n%q", got, again)
			}
		})
	}
}

func TestFormatOnType(t *testing.T) {
	src, m := markers(t, "FROM a\nrun apt-get update \\\n@{c}\n")
	f := Parse(src)
	got := ApplyEdits(f, FormatOnType(f, FormatOptions{ContinuationIndent: 4}, m["c"], "\n"))
	if want := "FROM a\nRUN apt-get update \\\n    \n"; got != want {
		t.Errorf("FormatOnType = %q, want %q", got, want)
	}
}

// TestFormatCorpus formats every Dockerfile of the shared corpus (and our fixtures) twice in
// both modes: the second pass must change nothing, and formatting must keep the instructions,
// here-documents and exec-form arguments.
func TestFormatCorpus(t *testing.T) {
	files := featureCorpus()
	if len(files) == 0 {
		t.Skip("no corpus found (../../shared/corpus)")
	}
	n := 0
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		a := Parse(string(b))
		for _, opts := range []FormatOptions{{Indent: "preserve", ContinuationIndent: 4}, {Indent: "normalize", ContinuationIndent: 2}} {
			once := ApplyEdits(a, Format(a, opts, nil))
			z := Parse(once)
			if edits := Format(z, opts, nil); len(edits) > 0 {
				t.Errorf("%s (%s): formatting is not idempotent: second pass edits %v", p, opts.Indent, edits[0])
			}
			if len(a.Instructions) != len(z.Instructions) {
				t.Errorf("%s (%s): %d instructions became %d", p, opts.Indent, len(a.Instructions), len(z.Instructions))
				continue
			}
			for i, in := range a.Instructions {
				out := z.Instructions[i]
				if in.Cmd != out.Cmd || len(in.Heredocs) != len(out.Heredocs) || strings.Join(strings.Fields(in.Shell), " ") != strings.Join(strings.Fields(out.Shell), " ") {
					t.Errorf("%s (%s): instruction %d changed: %s %q -> %s %q", p, opts.Indent, i, in.Cmd, in.Shell, out.Cmd, out.Shell)
					break
				}
				for j, h := range in.Heredocs {
					if h.Body != out.Heredocs[j].Body {
						t.Errorf("%s: heredoc %s body changed", p, h.Name)
					}
				}
				if in.JSON {
					for j, a := range in.Args {
						if j >= len(out.Args) || a.Value != out.Args[j].Value {
							t.Errorf("%s: exec-form arguments of %s changed", p, in.Cmd)
							break
						}
					}
				}
			}
			n++
		}
	}
	t.Logf("formatted %d files twice in each mode", n/2)
}
