package analysis

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// parseOne parses a one-instruction Dockerfile with BuildKit and runs its instruction parser.
func parseOne(t *testing.T, src string) error {
	t.Helper()
	res, err := parser.Parse(strings.NewReader(src + "\n"))
	if err != nil {
		t.Fatalf("parser.Parse(%q): %v", src, err)
	}
	if len(res.AST.Children) != 1 {
		t.Fatalf("parser.Parse(%q): %d nodes, want 1", src, len(res.AST.Children))
	}
	_, err = instructions.ParseInstructionWithLinter(res.AST.Children[0], nil)
	return err
}

func TestCatalogCoversEveryInstruction(t *testing.T) {
	var got, want []string
	for _, in := range Instructions() {
		got = append(got, strings.ToLower(in.Name))
	}
	for name := range command.Commands {
		want = append(want, name)
	}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Instructions() = %v, want BuildKit's %v", got, want)
	}
}

func TestCatalogDocsComplete(t *testing.T) {
	for _, in := range Instructions() {
		if in.Summary == "" || in.Doc == "" || len(in.Syntax) == 0 || in.Snippet == "" {
			t.Errorf("%s: summary, doc, syntax and snippet are all required", in.Name)
		}
		if strings.HasSuffix(in.Summary, ".") || strings.Contains(in.Summary, "\n") {
			t.Errorf("%s: summary %q must be one line without a trailing period", in.Name, in.Summary)
		}
		if !strings.HasPrefix(in.Snippet, in.Name+" ") {
			t.Errorf("%s: snippet %q must start with the keyword", in.Name, in.Snippet)
		}
		for _, f := range in.Flags {
			if f.Summary == "" || f.Doc == "" {
				t.Errorf("%s --%s: summary and doc are required", in.Name, f.Name)
			}
			for _, o := range f.SubOptions {
				if o.Summary == "" {
					t.Errorf("%s --%s %s: summary required", in.Name, f.Name, o.Name)
				}
			}
		}
	}
	for _, d := range Directives() {
		if d.Summary == "" || d.Doc == "" || d.Snippet == "" {
			t.Errorf("directive %s: summary, doc and snippet are required", d.Name)
		}
	}
}

// TestCatalogFlagsAcceptedByBuildKit parses "<INSTR> --<flag>[=<value>] args" for every catalog
// flag and expects BuildKit not to call it unknown, and checks that an invented flag is refused
// (so the probe itself is meaningful).
func TestCatalogFlagsAcceptedByBuildKit(t *testing.T) {
	args := map[string]string{
		"FROM": "alpine", "RUN": "true", "COPY": "a b", "ADD": "a b", "HEALTHCHECK": "CMD true",
		"ENV": "x=1", "LABEL": "x=1",
	}
	for _, in := range Instructions() {
		rest := args[in.Name]
		if rest == "" {
			rest = "x"
		}
		// BuildKit's ARG and STOPSIGNAL parsers never look at flags: "ARG --x=1 a" is accepted
		// and the flag dropped, so only the other instructions are probed with an invented flag.
		if in.Name != "ARG" && in.Name != "STOPSIGNAL" {
			if err := parseOne(t, in.Name+" --layerlens-bogus=1 "+rest); err == nil || !strings.Contains(err.Error(), "unknown flag") {
				t.Errorf("%s --layerlens-bogus: err = %v, want unknown flag", in.Name, err)
			}
		}
		for _, f := range in.Flags {
			flag := "--" + f.Name
			if f.TakesValue {
				v := "1s"
				if len(f.Values) > 0 {
					v = f.Values[0]
				}
				if f.Name == "mount" {
					v = "type=cache,target=/c"
				}
				flag += "=" + v
			}
			if err := parseOne(t, in.Name+" "+flag+" "+rest); err != nil && strings.Contains(err.Error(), "unknown flag") {
				t.Errorf("%s %s: BuildKit says %v", in.Name, flag, err)
			}
		}
	}
}

// TestCatalogFlagsMatchBuildKitSource reads BuildKit's instruction parser source (from the module
// cache, located through the runtime's file table) and compares the declared flag names with the
// catalog, so a flag added upstream shows up as a failure when the dependency moves.
func TestCatalogFlagsMatchBuildKitSource(t *testing.T) {
	fn := runtime.FuncForPC(reflect.ValueOf(instructions.ParseInstruction).Pointer())
	file, _ := fn.FileLine(fn.Entry())
	dir := filepath.Dir(file)
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(matches) == 0 {
		t.Skipf("BuildKit source not available at %s (built with -trimpath?)", dir)
	}
	decl := regexp.MustCompile(`flags\.Add(?:String|Bool|Strings)\("([a-z-]+)"`)
	upstream := map[string]bool{}
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, sm := range decl.FindAllStringSubmatch(string(b), -1) {
			upstream[sm[1]] = true
		}
	}
	ours := map[string]bool{}
	for _, in := range Instructions() {
		for _, f := range in.Flags {
			ours[f.Name] = true
		}
	}
	for name := range upstream {
		if !ours[name] {
			t.Errorf("BuildKit declares flag --%s, missing from the catalog", name)
		}
	}
	for name := range ours {
		if !upstream[name] {
			t.Errorf("catalog has --%s, BuildKit declares no such flag", name)
		}
	}
}

// parseRunMount parses "RUN --mount=<opts> true" and expands it, which is when BuildKit checks
// the mount options.
func parseRunMount(t *testing.T, opts string) error {
	t.Helper()
	res, err := parser.Parse(strings.NewReader("RUN --mount=" + opts + " true\n"))
	if err != nil {
		t.Fatalf("parser.Parse: %v", err)
	}
	v, err := instructions.ParseInstructionWithLinter(res.AST.Children[0], nil)
	if err != nil {
		return err
	}
	run, ok := v.(*instructions.RunCommand)
	if !ok {
		t.Fatalf("ParseInstruction(RUN) = %T", v)
	}
	return run.Expand(func(s string) (string, error) { return s, nil })
}

func TestMountOptionsAcceptedByBuildKit(t *testing.T) {
	mount := LookupFlag("run", "--mount")
	if mount == nil {
		t.Fatal("LookupFlag(run, --mount) = nil")
	}
	sample := map[string]string{
		"type": "", "target": "/t", "source": "s", "from": "base", "readonly": "true", "readwrite": "true",
		"id": "x", "sharing": "locked", "mode": "0700", "uid": "1", "gid": "1", "size": "10m",
		"required": "true", "env": "TOKEN",
	}
	for _, typ := range mountTypes {
		for _, o := range mount.OptionsFor(typ) {
			if o.Name == "type" {
				continue
			}
			if o.Name == "source" && typ == "secret" {
				continue // legacy alias of id; cannot be combined with our id below
			}
			opts := "type=" + typ + "," + o.Name + "=" + sample[o.Name]
			if typ == "secret" && o.Name != "id" && o.Name != "target" {
				opts += ",id=s"
			}
			if err := parseRunMount(t, opts); err != nil {
				t.Errorf("ParseMount(%q) = %v; the catalog says %s applies to %s", opts, err, o.Name, typ)
			}
		}
	}
	if err := parseRunMount(t, "type=tmpfs,target=/t,uid=1"); err == nil {
		t.Error("BuildKit accepts uid on tmpfs; the catalog says it does not apply")
	}
	if o := mount.Option("dst"); o == nil || o.Name != "target" {
		t.Errorf("Option(dst) = %v, want target", o)
	}
	if len(mount.OptionsFor("tmpfs")) != 3 { // type, target, size
		t.Errorf("OptionsFor(tmpfs) = %v, want type, target, size", mount.OptionsFor("tmpfs"))
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		instr, flag string
		want        bool
	}{
		{"copy", "link", true},
		{"COPY", "--parents", true},
		{"Add", "--checksum", true},
		{"add", "from", false},
		{"healthcheck", "start-interval", true},
		{"from", "platform", true},
		{"run", "device", true},
		{"cmd", "anything", false},
		{"nope", "link", false},
	} {
		if got := LookupFlag(tc.instr, tc.flag) != nil; got != tc.want {
			t.Errorf("LookupFlag(%q, %q) != nil = %v, want %v", tc.instr, tc.flag, got, tc.want)
		}
	}
	if LookupInstruction("healthCheck") == nil || LookupInstruction("frm") != nil {
		t.Error("LookupInstruction is not case-insensitive or matches unknown names")
	}
	if d := LookupDirective("ESCAPE"); d == nil || len(d.Values) != 2 {
		t.Errorf("LookupDirective(ESCAPE) = %v", d)
	}
}
