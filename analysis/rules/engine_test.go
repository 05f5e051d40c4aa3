package rules

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis"
)

func ruleNames(fs []analysis.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return strings.Join(out, " ")
}

func TestSuppression(t *testing.T) {
	only := []string{"SudoInRun", "AptInsteadOfAptGet", "NoInstallRecommends", "CurlPipeShell"}
	for _, tc := range []struct {
		name, src, want string
	}{
		{"none", "FROM debian:12\nRUN sudo apt install -y x\n", "AptInsteadOfAptGet NoInstallRecommends SudoInRun"},
		{"layerlens", "FROM debian:12\n# layerlens ignore=SudoInRun, AptInsteadOfAptGet because\nRUN sudo apt install -y x\n", "NoInstallRecommends"},
		{"comment block", "FROM debian:12\n# layerlens ignore=SudoInRun\n# hadolint ignore=DL3015\nRUN sudo apt install -y x\n", "AptInsteadOfAptGet"},
		{"not the next instruction", "FROM debian:12\n# layerlens ignore=SudoInRun\nRUN true\nRUN sudo true\n", "SudoInRun"},
		{"continuation lines", "FROM debian:12\n# hadolint ignore=DL3004\nRUN true && \\\n    sudo true\n", ""},
		{"hadolint", "FROM debian:12\n# hadolint ignore=DL3027,DL3004\nRUN sudo apt install -y x\n", "NoInstallRecommends"},
		{"hadolint global", "# hadolint global ignore=DL3015\nFROM debian:12\nRUN sudo apt install -y x\n", "AptInsteadOfAptGet SudoInRun"},
		{"check skip", "# check=skip=SudoInRun,AptInsteadOfAptGet\nFROM debian:12\nRUN sudo apt install -y x\n", "NoInstallRecommends"},
		{"check skip all", "# check=skip=all\nFROM debian:12\nRUN sudo apt install -y x && curl https://x | sh\n", "AptInsteadOfAptGet CurlPipeShell NoInstallRecommends SudoInRun"},
		{"case", "FROM debian:12\n# LayerLens Ignore=sudoinrun\nRUN sudo true\n", "SudoInRun"},
	} {
		got := Check(analysis.Parse(tc.src), Options{Only: only})
		names := strings.Fields(ruleNames(got))
		// Order by name for a stable comparison.
		for i := range names {
			for j := i + 1; j < len(names); j++ {
				if names[j] < names[i] {
					names[i], names[j] = names[j], names[i]
				}
			}
		}
		if g := strings.Join(names, " "); g != tc.want {
			t.Errorf("%s: findings = %q, want %q", tc.name, g, tc.want)
		}
	}
}

func TestSuppressionKeepsParseErrors(t *testing.T) {
	f := analysis.Parse("# check=skip=all\nFROM alpine:3.20\nFOO bar\n")
	if len(f.Errors) == 0 {
		t.Fatal("no parse error for an unknown instruction")
	}
	for _, fd := range Check(f, Options{}) {
		if fd.Rule == f.Errors[0].Rule {
			t.Errorf("Check returned the parse error %s", fd.Rule)
		}
	}
}

func TestConfigSeverityAndOff(t *testing.T) {
	cfg, err := ParseConfig([]byte("rules:\n  SudoInRun: error\n  DL3027: off\n  noinstallrecommends: hint\ntrustedRegistries: [ghcr.io/acme]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := Check(analysis.Parse("FROM quay.io/x/y:1\nRUN sudo apt install -y x\n"), Options{Config: cfg,
		Only: []string{"SudoInRun", "AptInsteadOfAptGet", "NoInstallRecommends", "UntrustedRegistry"}})
	sev := map[string]analysis.Severity{}
	for _, f := range got {
		sev[f.Rule] = f.Severity
	}
	if sev["SudoInRun"] != analysis.SeverityError || sev["NoInstallRecommends"] != analysis.SeverityHint {
		t.Errorf("severities = %v", sev)
	}
	if _, ok := sev["AptInsteadOfAptGet"]; ok {
		t.Error("rule turned off by its hadolint id still reported")
	}
	if _, ok := sev["UntrustedRegistry"]; !ok {
		t.Error("trustedRegistries not applied")
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"rules: [a]\n", []string{"line 1: rules must be a mapping"}},
		{"rules:\n  Nope: off\n", []string{`line 2: unknown rule "Nope"`}},
		{"rules:\n  RootUser: sometimes\n", []string{`line 2: rule RootUser: "sometimes" is not one of`}},
		{"trustedRegistries: docker.io\n", []string{"line 1: trustedRegistries must be a list"}},
		{"trustedRegistries: [\"a b\"]\n", []string{`is not a registry host`}},
		{"colour: red\nrules: {RootUser: off}\n", []string{`line 1: unknown setting "colour"`}},
		{"rules:\n  RootUser: off\n bad indent\n", []string{"invalid YAML"}},
	} {
		c, err := ParseConfig([]byte(tc.in))
		if err == nil || c != nil {
			t.Errorf("ParseConfig(%q) = %v, nil; want an error", tc.in, c)
			continue
		}
		var ce ConfigErrors
		if !errors.As(err, &ce) {
			t.Errorf("ParseConfig(%q) error %T is not ConfigErrors", tc.in, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseConfig(%q) = %v, want it to contain %q", tc.in, err, w)
			}
		}
	}
	for _, ok := range []string{"", "# only a comment\n", "rules:\n", `{"rules": {"RootUser": "warning"}, "trustedRegistries": ["docker.io"]}`} {
		if _, err := ParseConfig([]byte(ok)); err != nil {
			t.Errorf("ParseConfig(%q) = %v", ok, err)
		}
	}
	c, err := ConfigFromValue(map[string]any{"rules": map[string]any{"CurlPipeShell": "error"}, "trustedRegistries": []any{"docker.io"}})
	if err != nil || c.Rules["CurlPipeShell"].Severity != analysis.SeverityError || c.TrustedRegistries[0] != "docker.io" {
		t.Errorf("ConfigFromValue = %+v, %v", c, err)
	}
	merged := (&Config{Rules: map[string]RuleSetting{"RootUser": {Off: true}}, TrustedRegistries: []string{"a"}}).Merge(c)
	if !merged.Rules["RootUser"].Off || merged.Rules["CurlPipeShell"].Severity != analysis.SeverityError || merged.TrustedRegistries[0] != "docker.io" {
		t.Errorf("Merge = %+v", merged)
	}
}

func TestFindConfigAndDockerIgnore(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if p, _, err := FindConfig(deep); err != nil || (p != "" && strings.HasPrefix(p, root)) {
		t.Fatalf("FindConfig with no file = %q, %v", p, err)
	}
	if err := os.WriteFile(filepath.Join(root, "a", ".layerlens.yaml"), []byte("rules:\n  RootUser: off\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, data, err := FindConfig(deep)
	if err != nil || p != filepath.Join(root, "a", ".layerlens.yaml") || !strings.Contains(string(data), "RootUser") {
		t.Errorf("FindConfig = %q, %q, %v", p, data, err)
	}
	c, _, err := LoadConfig(deep)
	if err != nil || !c.Rules["RootUser"].Off {
		t.Errorf("LoadConfig = %+v, %v", c, err)
	}
	if err := os.WriteFile(filepath.Join(deep, ".layerlens.yml"), []byte("rules: {Nope: off}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, path, err := LoadConfig(deep); err == nil || !strings.HasSuffix(path, ".layerlens.yml") || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("LoadConfig(invalid) = %q, %v", path, err)
	}

	df := filepath.Join(deep, "Dockerfile")
	di, err := ReadDockerIgnore(df, deep)
	if err != nil || di == nil || di.Exists {
		t.Errorf("ReadDockerIgnore(none) = %+v, %v", di, err)
	}
	if err := os.WriteFile(filepath.Join(deep, ".dockerignore"), []byte(".git\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(df+".dockerignore", []byte("secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	di, err = ReadDockerIgnore(df, deep)
	if ign, _ := di.Ignored("secret"); err != nil || !ign {
		t.Errorf("Dockerfile.dockerignore not preferred: %+v, %v", di, err)
	}
}

func TestCheckCommand(t *testing.T) {
	for _, tc := range []struct {
		createdBy string
		want      string // a rule that must be reported ("" = none at all)
	}{
		{"/bin/sh -c curl -fsSL http://x.example/i.sh | sh", "CurlPipeShell"},
		{"|2 A=1 B=2 /bin/sh -c apt-get update && apt-get install -y curl", ""},
		{"|1 D=/data /bin/sh -c mkdir $D && cd $D && chmod 777 /data", "WorldWritable"},
		{"RUN /bin/sh -c wget -qO- https://x.example/m | bash # buildkit", "CurlPipeShell"},
		{"/bin/sh -c #(nop)  ENV WALLET=44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A", "MinerIndicator"},
		{"/bin/sh -c #(nop)  CMD [\"sh\"]", ""},
		{"/bin/sh -c #(nop) ADD file:0123 in / ", ""},
		{"/bin/sh -c ./xmrig --donate-level 1 -o stratum+tcp://pool.example:3333", "MinerIndicator"},
		{"", ""},
	} {
		got := CheckCommand(tc.createdBy)
		if tc.want == "" {
			if len(got) != 0 {
				t.Errorf("CheckCommand(%q) = %+v, want nothing", tc.createdBy, got)
			}
			continue
		}
		found := false
		for _, f := range got {
			if f.Rule == tc.want && f.Severity != 0 && f.Message != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("CheckCommand(%q) = %+v, want a %s finding", tc.createdBy, got, tc.want)
		}
	}
}

// TestCheckCommandSkipsHygiene: a base image's history is not the user's Dockerfile, so the
// style and layer-hygiene rules stay quiet there while the security rules still report.
func TestCheckCommandSkipsHygiene(t *testing.T) {
	got := CheckCommand("/bin/sh -c cd /src && apt install curl | tee log && curl -k https://x.example/a -o a")
	var names []string
	for _, f := range got {
		names = append(names, f.Rule)
		if historyHygiene[Lookup(f.Rule)] {
			t.Errorf("CheckCommand reported hygiene rule %s: %s", f.Rule, f.Message)
		}
	}
	if !slices.Contains(names, "TLSVerifyDisabled") {
		t.Errorf("CheckCommand rules = %v, want TLSVerifyDisabled", names)
	}
}

func TestCheckNilAndEmpty(t *testing.T) {
	if got := Check(nil, Options{}); got != nil {
		t.Errorf("Check(nil) = %v", got)
	}
	for _, src := range []string{"", "\n\n", "# just a comment\n", "FROM", "RUN echo hi\n", "FROM alpine\nRUN <<EOF\nunterminated\n"} {
		Check(analysis.Parse(src), Options{DockerIgnore: &analysis.DockerIgnore{}})
	}
}

func TestInheritedFacts(t *testing.T) {
	src := "FROM example/base:1 AS base\nFROM base\nRUN true\n"
	facts := map[int]*analysis.ImageFacts{0: {
		Ref:          "example/base:1",
		ExposedPorts: []string{"22/tcp", "2375/tcp"},
		Volumes:      []string{"/var/run/docker.sock"},
		Labels:       map[string]string{"RUN": "docker run --privileged IMAGE"},
		Env:          []string{"PATH=/bin", "NODE_TLS_REJECT_UNAUTHORIZED=0", "DOCKER_HOST=tcp://0.0.0.0:2375"},
		Entrypoint:   []string{"/tmp/.cache/kworker"},
		User:         "app",
	}}
	got := Check(analysis.Parse(src), Options{Facts: facts})
	// Inherited ports are ImageInheritedExposedPort's (an image rule), not ExposedSSH's.
	want := map[string]bool{"DockerDaemonPort": false, "DockerSocket": false,
		"PrivilegedRunLabel": false, "TLSVerifyDisabled": false, "SuspiciousEntrypoint": false}
	for _, fd := range got {
		if _, ok := want[fd.Rule]; ok {
			want[fd.Rule] = true
			if fd.Range.Start.Line != 0 || !strings.Contains(fd.Message, "base image example/base:1") {
				t.Errorf("%s: %q at %v, want it on the FROM naming the image", fd.Rule, fd.Message, fd.Range)
			}
		}
		if fd.Rule == "ExposedSSH" {
			t.Errorf("ExposedSSH reported the inherited port 22 (ImageInheritedExposedPort's): %s", fd.Message)
		}
		if fd.Rule == "NoUser" {
			t.Errorf("NoUser reported although the base image runs as %q", facts[0].User)
		}
	}
	for r, ok := range want {
		if !ok {
			t.Errorf("%s did not report the inherited setting", r)
		}
	}
	// The same file without facts reports none of them.
	for _, fd := range Check(analysis.Parse(src), Options{}) {
		if _, ok := want[fd.Rule]; ok {
			t.Errorf("%s without facts: %s", fd.Rule, fd.Message)
		}
	}
	// An ENTRYPOINT in the Dockerfile overrides the inherited one.
	for _, fd := range Check(analysis.Parse(src+"ENTRYPOINT [\"/usr/local/bin/app\"]\n"), Options{Facts: facts}) {
		if fd.Rule == "SuspiciousEntrypoint" {
			t.Errorf("overridden entrypoint reported: %s", fd.Message)
		}
	}
}

// TestCheckConcurrent runs Check from several goroutines (the language server does); run it
// with -race.
func TestCheckConcurrent(t *testing.T) {
	srcs := []string{
		"FROM debian:12\nRUN curl -fsSL http://x.example | sh\nENV A=1 B=$A\n",
		"FROM alpine:3.20 AS b\nRUN apk add curl && chmod 777 /x\nFROM b\nCOPY --from=b / /\n",
		"FROM ubuntu:24.04\nRUN <<EOF\napt update\nEOF\nCMD a\nCMD b\n",
	}
	files := make([]*analysis.File, len(srcs))
	for i, s := range srcs {
		files[i] = analysis.Parse(s)
	}
	want := make([]string, len(files))
	for i, f := range files {
		want[i] = ruleNames(Check(f, Options{}))
	}
	done := make(chan string, 16)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for k := 0; k < 20; k++ {
				i := (g + k) % len(files)
				if got := ruleNames(Check(files[i], Options{})); got != want[i] {
					done <- "file " + srcs[i] + ": " + got
					return
				}
			}
			done <- ""
		}(g)
	}
	for g := 0; g < 8; g++ {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

// TestNoUserDefersToImageRunsAsRoot: when the final stage's own base image was reviewed and the
// review reports ImageRunsAsRoot (shown on the image token), NoUser does not say it again; with a
// root base image but no such finding (an older stored review), NoUser still reports, naming
// what the review knows.
func TestNoUserDefersToImageRunsAsRoot(t *testing.T) {
	src := "FROM example/base:1\nRUN true\n"
	count := func(facts *analysis.ImageFacts) (n int, msg string) {
		for _, fd := range Check(analysis.Parse(src), Options{Facts: map[int]*analysis.ImageFacts{0: facts}}) {
			if fd.Rule == "NoUser" {
				n, msg = n+1, fd.Message
			}
		}
		return n, msg
	}
	withFinding := &analysis.ImageFacts{Ref: "example/base:1",
		Findings: []analysis.ImageFinding{{Rule: "ImageRunsAsRoot", Severity: analysis.SeverityInfo, Layer: -1}}}
	if n, msg := count(withFinding); n != 0 {
		t.Errorf("NoUser reported next to ImageRunsAsRoot: %q", msg)
	}
	if n, msg := count(&analysis.ImageFacts{Ref: "example/base:1"}); n != 1 || !strings.Contains(msg, "or its base image") {
		t.Errorf("NoUser without the review finding = %d (%q), want 1 naming the base image", n, msg)
	}
}
