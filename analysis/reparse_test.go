package analysis

import (
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"golang.org/x/tools/txtar"
)

// editSnippets are pieces of text that random edits insert: the ones that change how lines group
// into instructions are over-represented.
var editSnippets = []string{
	"\n", "\n\n", "\\\n", "\\", "`", " \\\n", "RUN x\n", "RUN <<EOF\n", "EOF\n", "EOF", "<<EOF",
	"<<-EOT\n\tEOT\n", "# comment\n", "#", "FROM alpine AS b\n", "FROM ", "ONBUILD ", "ENV a\n",
	"--mount=type=cache,target=/x ", "[\"a\", \"b\"]", "\"", "'", "=", " ", "\t", "x", "ä", "\r\n",
	"COPY --from=b a b\n", "HEALTHCHECK CMD true\n", "ARG A=1\n", "# escape=`\n", "# syntax=x\n",
}

// randomEdit replaces a random span of text (up to 20 bytes) with a random snippet.
func randomEdit(r *rand.Rand, text string) string {
	at := 0
	if len(text) > 0 {
		at = r.IntN(len(text) + 1)
	}
	del := 0
	if r.IntN(3) == 0 && at < len(text) {
		del = r.IntN(min(20, len(text)-at) + 1)
	}
	ins := ""
	if r.IntN(4) != 0 {
		ins = editSnippets[r.IntN(len(editSnippets))]
	}
	return text[:at] + ins + text[at+del:]
}

// sameFile reports whether a and b are deeply equal, with a readable difference when not.
func sameFile(t *testing.T, what string, got, want *File) bool {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return true
	}
	gd, wd := got.Dump(), want.Dump()
	if gd == wd {
		t.Errorf("%s: Reparse differs from Parse in fields Dump does not show: %s\ntext %q", what,
			firstDiff("File", reflect.ValueOf(got), reflect.ValueOf(want)), want.Text)
		return false
	}
	gl, wl := strings.Split(gd, "\n"), strings.Split(wd, "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			t.Errorf("%s: Reparse differs from Parse at dump line %d:\n got %s\nwant %s\ntext %q", what, i, gl[i], wl[i], want.Text)
			return false
		}
	}
	t.Errorf("%s: Reparse dump has %d lines, Parse %d\ntext %q", what, len(gl), len(wl), want.Text)
	return false
}

// reparseInputs are the texts the random-edit test starts from: a sample of the corpus, the
// golden inputs and a generated file.
func reparseInputs(t *testing.T, corpusSample int) []string {
	t.Helper()
	var inputs []string
	paths, _ := filepath.Glob("testdata/parse/*.txtar")
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if text, ok := goldenInput(ar); ok {
			inputs = append(inputs, text)
		}
	}
	inputs = append(inputs, GenerateDockerfile(300))
	if corpusSample > 0 {
		var names []string
		files, err := loadCorpus()
		if err != nil {
			t.Fatal(err)
		}
		for p := range files {
			names = append(names, p)
		}
		slices.Sort(names)
		r := rand.New(rand.NewPCG(7, 7))
		r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		for _, p := range names[:min(corpusSample, len(names))] {
			inputs = append(inputs, files[p])
		}
	}
	return inputs
}

// TestReparseRandomEdits checks Reparse(Parse(a), b) == Parse(b) over chains of random edits, and
// compares each result with BuildKit's AST when BuildKit accepts the text.
func TestReparseRandomEdits(t *testing.T) {
	sample, edits := 50, 25
	if testing.Short() {
		sample, edits = 20, 10
	}
	r := rand.New(rand.NewPCG(1, 2))
	count := 0
	for i, text := range reparseInputs(t, sample) {
		prev := Parse(text)
		for e := 0; e < edits; e++ {
			next := randomEdit(r, prev.Text)
			got := Reparse(prev, next)
			want := Parse(next)
			count++
			if !sameFile(t, "input "+string(rune('0'+i%10)), got, want) {
				return
			}
			checkRanges(t, "edit", got)
			if res, err := parser.Parse(strings.NewReader(next)); err == nil {
				compareWithBuildKit(t, "edit", want, res)
			}
			prev = got
		}
	}
	t.Logf("%d edits checked", count)
	if n := reparseRecovered.Load(); n != 0 {
		t.Errorf("Reparse recovered from %d panics", n)
	}
}

// TestParseBroken checks the File returned when the parser fails internally.
func TestParseBroken(t *testing.T) {
	f := psBroken("FROM a\nRUN x", "boom")
	checkRanges(t, "broken", &File{Text: f.Text, LineStarts: f.LineStarts})
	if len(f.Errors) != 1 || f.Errors[0].Range.End != (Pos{1, 5}) || !strings.Contains(f.Errors[0].Message, "boom") {
		t.Errorf("psBroken = %+v", f.Errors)
	}
}

// TestReparseShares checks that a one-line edit keeps the untouched instructions' pointers and
// that prev is not modified.
func TestReparseShares(t *testing.T) {
	text := GenerateDockerfile(600)
	prev := Parse(text)
	before := prev.Dump()
	next := Reparse(prev, oneLineEdit(text))
	if prev.Dump() != before {
		t.Fatal("Reparse modified prev")
	}
	shared := 0
	for i, ins := range next.Instructions {
		if ins == prev.Instructions[i] {
			shared++
		}
	}
	if shared < len(next.Instructions)-2 {
		t.Errorf("Reparse shared %d of %d instructions, want all but the edited one", shared, len(next.Instructions))
	}
	// Inserting a line moves everything after it: those must be copies, not the old objects.
	i := strings.Index(text, "WORKDIR /src/10\n")
	moved := Reparse(prev, text[:i]+"\n"+text[i:])
	if prev.Dump() != before {
		t.Fatal("Reparse modified prev")
	}
	last := moved.Instructions[len(moved.Instructions)-1]
	if last == prev.Instructions[len(prev.Instructions)-1] {
		t.Error("a moved instruction kept the old pointer")
	}
	if !sameFile(t, "insert", moved, Parse(moved.Text)) {
		return
	}
}

// firstDiff returns the path of the first difference between a and b (for test messages).
func firstDiff(path string, a, b reflect.Value) string {
	if a.Kind() != b.Kind() {
		return path + ": kind"
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": nil vs non-nil"
			}
			return ""
		}
		return firstDiff(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := firstDiff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return path + ": nil slice vs empty slice"
		}
		if a.Len() != b.Len() {
			return path + ": length " + strconv.Itoa(a.Len()) + " vs " + strconv.Itoa(b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := firstDiff(path+"["+strconv.Itoa(i)+"]", a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.String:
		if a.String() != b.String() {
			return path + ": " + strconv.Quote(a.String()) + " vs " + strconv.Quote(b.String())
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return path + ": " + strconv.FormatInt(a.Int(), 10) + " vs " + strconv.FormatInt(b.Int(), 10)
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return path + ": bool"
		}
	}
	return ""
}

// TestReparseCases checks edits that change how later lines group or which stage they belong to.
func TestReparseCases(t *testing.T) {
	base := "# syntax=x\nFROM a AS one\nRUN <<EOF\nfoo\nRUN echo 1\nFROM b\nRUN echo 2\n"
	for _, tc := range []struct{ name, from, to string }{
		{"close heredoc at the end", base, base + "EOF\n"},
		{"close heredoc in the middle", base, strings.Replace(base, "RUN echo 1\n", "EOF\nRUN echo 1\n", 1)},
		{"open heredoc", "FROM a\nRUN x\nRUN y\nEOF\n", "FROM a\nRUN x <<EOF\nRUN y\nEOF\n"},
		{"escape directive", base, "# escape=`\n" + base},
		{"first line becomes a directive", "FROM a\nRUN x\n", "# escape=`\nRUN x\n"},
		{"continuation joins the next line", base, strings.Replace(base, "RUN echo 1\n", "RUN echo 1 \\\n", 1)},
		{"remove a FROM", base, strings.Replace(base, "FROM b\n", "", 1)},
		{"add a FROM", base, strings.Replace(base, "RUN echo 1\n", "FROM c\nRUN echo 1\n", 1)},
		{"rename a stage", base, strings.Replace(base, "AS one", "AS two", 1)},
		{"append to a continued last line", "FROM a\nRUN a \\\n", "FROM a\nRUN a \\\nb\n"},
		{"delete everything after FROM", base, "# syntax=x\nFROM a AS one\n"},
		{"comment-only file gets an instruction", "# c\n\n# d\n", "# c\n\n# d\nFROM a\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev := Parse(tc.from)
			before := prev.Dump()
			got := Reparse(prev, tc.to)
			sameFile(t, tc.name, got, Parse(tc.to))
			if prev.Dump() != before {
				t.Error("Reparse modified prev")
			}
		})
	}
}

// TestReparseConcurrent re-parses edits of one File from several goroutines (run with -race):
// a File is immutable, so sharing it as the base of many Reparse calls is safe.
func TestReparseConcurrent(t *testing.T) {
	text := GenerateDockerfile(400)
	prev := Parse(text)
	edits := []string{
		oneLineEdit(text),
		strings.Replace(text, "WORKDIR /src/3\n", "WORKDIR /src/3\nRUN <<EOF\n", 1),
		strings.Replace(text, "FROM stage-4", "FROM \\\n stage-4", 1),
		text + "FROM scratch\n",
	}
	results := make([]*File, len(edits))
	done := make(chan int)
	for i, e := range edits {
		go func() {
			results[i] = Reparse(prev, e)
			done <- i
		}()
	}
	for range edits {
		<-done
	}
	for i, e := range edits {
		sameFile(t, "concurrent", results[i], Parse(e))
	}
}
