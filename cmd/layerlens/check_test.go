package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check runs `layerlens check` in-process and returns its exit code, stdout and stderr.
func check(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runCheck(args, &out, &errb)
	return code, out.String(), errb.String()
}

// writeTree writes files (path -> content) under a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const riskyDockerfile = "FROM debian:bookworm\nRUN curl -fsSL http://get.example.com | sh\nUSER 10001\n"

func TestCheckTextAndExitCodes(t *testing.T) {
	dir := writeTree(t, map[string]string{"Dockerfile": riskyDockerfile, ".dockerignore": ".git\n"})
	path := filepath.Join(dir, "Dockerfile")

	code, out, errOut := check(t, path)
	if code != 1 {
		t.Errorf("check = %d, want 1 (an error-level finding); stderr %s", code, errOut)
	}
	want := path + ":2:5: error: CurlPipeShell: curl output of http://get.example.com is executed by sh without verification, over plain http\n"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	if code, _, _ := check(t, "--fail-level", "none", path); code != 0 {
		t.Errorf("--fail-level none = %d, want 0", code)
	}
	if code, _, _ := check(t, path, "--fail-level=hint"); code != 1 {
		t.Errorf("flags after the path: --fail-level=hint = %d, want 1", code)
	}
	clean := writeTree(t, map[string]string{"Dockerfile": "FROM alpine:3.20\nUSER 10001\nCMD [\"true\"]\n"})
	if code, out, _ := check(t, "--fail-level", "warning", clean); code != 0 {
		t.Errorf("clean file at --fail-level warning = %d, want 0:\n%s", code, out)
	}
	if code, _, _ := check(t, "--format", "xml", path); code != 2 {
		t.Errorf("bad --format = %d, want 2", code)
	}
	if code, _, _ := check(t, "--fail-level", "fatal", path); code != 2 {
		t.Errorf("bad --fail-level = %d, want 2", code)
	}
	if code, _, _ := check(t); code != 2 {
		t.Errorf("no PATH = %d, want 2", code)
	}
}

func TestCheckSuppressionAndConfig(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Dockerfile":      "FROM debian:bookworm\n# layerlens ignore=CurlPipeShell reviewed in PR 12\nRUN curl -fsSL http://get.example.com | sh\n",
		"sub/Dockerfile":  "# check=skip=CurlPipeShell\n" + riskyDockerfile,
		"sub2/Dockerfile": riskyDockerfile,
		".layerlens.yaml": "rules:\n  InsecureDownloadSource: off\n  DL3008: error\n",
		".dockerignore":   ".git\n",
	})
	_, out, _ := check(t, "--fail-level", "none", dir)
	if strings.Contains(out, "CurlPipeShell") && !strings.Contains(out, filepath.Join("sub2", "Dockerfile")) {
		t.Errorf("suppressed CurlPipeShell reported:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "CurlPipeShell") && !strings.Contains(line, "sub2") {
			t.Errorf("suppressed finding: %s", line)
		}
		if strings.Contains(line, "InsecureDownloadSource") {
			t.Errorf("rule turned off in .layerlens.yaml reported: %s", line)
		}
	}
	if !strings.Contains(out, "sub2"+string(filepath.Separator)+"Dockerfile:2:5: error: CurlPipeShell") {
		t.Errorf("unsuppressed finding missing:\n%s", out)
	}

	bad := writeTree(t, map[string]string{
		"Dockerfile":      riskyDockerfile,
		".layerlens.yaml": "rules:\n  RootUser: off\n  CurlPipeShel: error\n  SudoInRun: loud\nextra: 1\n",
	})
	code, _, errOut := check(t, bad)
	if code != 2 {
		t.Errorf("invalid config = %d, want 2", code)
	}
	for _, want := range []string{
		".layerlens.yaml:3:3: error: unknown rule \"CurlPipeShel\" (did you mean CurlPipeShell?)",
		".layerlens.yaml:4:14: error: rule SudoInRun: \"loud\" is not one of off, error, warning, info, hint",
		".layerlens.yaml:5:1: error: unknown setting \"extra\"",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestCheckDirectoryWalkAndErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Dockerfile":                      "FROM alpine:3.20\n",
		"app/api.Dockerfile":              "FROM alpine:3.20\n",
		"app/Dockerfile.dev":              "FROM alpine:3.20\n",
		"app/Dockerfile.dev.dockerignore": "node_modules\n",
		"db/Containerfile":                "FROM alpine:3.20\n",
		".git/Dockerfile":                 "FROM alpine:3.20\n",
		"README.md":                       "not a Dockerfile",
	})
	code, out, errOut := check(t, "--format", "json", "--fail-level", "none", dir)
	if code != 0 {
		t.Fatalf("check dir = %d, stderr %s", code, errOut)
	}
	var res struct {
		Files []struct {
			Path        string `json:"path"`
			Diagnostics []struct {
				Rule     string `json:"rule"`
				Severity string `json:"severity"`
				Message  string `json:"message"`
				Range    struct {
					Start struct{ Line, Column int } `json:"start"`
					End   struct{ Line, Column int } `json:"end"`
				} `json:"range"`
			} `json:"diagnostics"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	var got []string
	for _, f := range res.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		got = append(got, filepath.ToSlash(rel))
	}
	want := "Dockerfile app/Dockerfile.dev app/api.Dockerfile db/Containerfile"
	if strings.Join(got, " ") != want {
		t.Errorf("files = %v, want %s", got, want)
	}
	d := res.Files[0].Diagnostics[0]
	if d.Range.Start.Line != 1 || d.Range.Start.Column < 1 || d.Severity == "" || d.Rule == "" {
		t.Errorf("diagnostic not 1-based or incomplete: %+v", d)
	}

	empty := t.TempDir()
	if code, _, errOut := check(t, empty); code != 2 || !strings.Contains(errOut, "no Dockerfile") {
		t.Errorf("empty dir = %d, %q; want 2 and a message", code, errOut)
	}
	if code, _, errOut := check(t, filepath.Join(empty, "missing")); code != 2 || !strings.Contains(errOut, "no such file") {
		t.Errorf("missing path = %d, %q; want 2", code, errOut)
	}
	latin1 := writeTree(t, map[string]string{"Dockerfile": "FROM alpine:3.20\nLABEL a=\xe9t\xe9\n"})
	if code, _, errOut := check(t, latin1); code != 2 || !strings.Contains(errOut, "not UTF-8") {
		t.Errorf("non-UTF-8 = %d, %q; want 2", code, errOut)
	}
	// One good and one missing path: findings are printed, the exit code is still 2.
	code, out, _ = check(t, "--fail-level", "none", filepath.Join(dir, "Dockerfile"), filepath.Join(empty, "missing"))
	if code != 2 || !strings.Contains(out, "ImageNotPinned") {
		t.Errorf("partial = %d, output %q", code, out)
	}
}

func TestCheckSARIF(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Dockerfile":    "FROM alpine:3.20\nMAINTAINER jane@example.com\nRUN wget -qO- http://x.example/i.sh | sh\nCMD a\nCMD [\"b\"]\n",
		".dockerignore": ".git\n",
	})
	code, out, errOut := check(t, "--format", "sarif", dir)
	if code != 1 {
		t.Errorf("sarif run = %d, want 1; %s", code, errOut)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID      string `json:"id"`
						HelpURI string `json:"helpUri"`
						Help    struct {
							Text     string `json:"text"`
							Markdown string `json:"markdown"`
						} `json:"help"`
						ShortDescription struct{ Text string } `json:"shortDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct {
							StartLine, StartColumn, EndLine, EndColumn int
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				RelatedLocations []json.RawMessage `json:"relatedLocations"`
				Fixes            []struct {
					Description     struct{ Text string }
					ArtifactChanges []struct {
						Replacements []struct {
							InsertedContent struct{ Text string } `json:"insertedContent"`
						} `json:"replacements"`
					} `json:"artifactChanges"`
				} `json:"fixes"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("sarif: %v", err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "layerlens" {
		t.Fatalf("sarif header wrong: %+v", log)
	}
	run := log.Runs[0]
	rulesByIndex := run.Tool.Driver.Rules
	seen := map[string]bool{}
	for _, r := range run.Results {
		if r.RuleIndex >= len(rulesByIndex) || rulesByIndex[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s has a wrong ruleIndex", r.RuleID)
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.Region.StartLine < 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("result %s has no usable location", r.RuleID)
		}
		seen[r.RuleID] = true
		switch r.RuleID {
		case "MaintainerDeprecated":
			if len(r.Fixes) != 1 || !strings.Contains(r.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text, "org.opencontainers.image.authors") {
				t.Errorf("MaintainerDeprecated fix missing: %+v", r.Fixes)
			}
		case "MultipleInstructionsDisallowed":
			if len(r.RelatedLocations) != 1 {
				t.Errorf("related location missing")
			}
		case "CurlPipeShell":
			if r.Level != "error" {
				t.Errorf("CurlPipeShell level %s", r.Level)
			}
		}
	}
	for _, want := range []string{"MaintainerDeprecated", "CurlPipeShell", "MultipleInstructionsDisallowed"} {
		if !seen[want] {
			t.Errorf("no %s result", want)
		}
	}
	for _, r := range rulesByIndex {
		if r.Help.Text == "" || r.HelpURI == "" || r.ShortDescription.Text == "" {
			t.Errorf("rule %s lacks help", r.ID)
		}
	}
}

func TestRulesAndExplain(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runRules(nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "CurlPipeShell") {
		t.Errorf("rules = %d:\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := runRules([]string{"--format", "json"}, &out, &errb); code != 0 {
		t.Errorf("rules --format json = %d", code)
	}
	var list []map[string]any
	if err := json.Unmarshal(out.Bytes(), &list); err != nil || len(list) < 80 {
		t.Errorf("rules json: %v, %d rules", err, len(list))
	}
	out.Reset()
	if code := runExplain([]string{"dl3020"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "# AddInsteadOfCopy") || !strings.Contains(out.String(), "Bad:") {
		t.Errorf("explain dl3020 = %d:\n%s", code, out.String())
	}
	errb.Reset()
	if code := runExplain([]string{"CurlPipeShel"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "did you mean CurlPipeShell") {
		t.Errorf("explain typo = %d, %q", code, errb.String())
	}
	if code := runExplain(nil, &out, &errb); code != 2 {
		t.Errorf("explain without NAME = %d, want 2", code)
	}
}

// TestCheckSummaryLine: the text format ends with a summary on stderr that counts findings by
// severity and says why the exit code is what it is; stdout keeps one finding per line.
func TestCheckSummaryLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(path, []byte("FROM alpine:3.20\nRUN curl -fsSL http://203.0.113.7/i.sh | sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := check(t, "--no-images", path)
	if code != 1 {
		t.Fatalf("check = %d, want 1; stderr %s", code, errOut)
	}
	if strings.Contains(out, "layerlens check:") {
		t.Errorf("summary on stdout:\n%s", out)
	}
	if !strings.Contains(errOut, "layerlens check: 1 file, ") || !strings.Contains(errOut, "failing: findings at --fail-level error or above") {
		t.Errorf("stderr lacks the summary line:\n%s", errOut)
	}
	code, _, errOut = check(t, "--no-images", "--fail-level", "none", path)
	if code != 0 || strings.Contains(errOut, "fail-level") {
		t.Errorf("check --fail-level none = %d, stderr %q; want 0 and a plain summary", code, errOut)
	}
	// Nothing checked: the error says why, and no "0 files" summary contradicts exit code 2.
	code, _, errOut = check(t, "--no-images", t.TempDir())
	if code != 2 || strings.Contains(errOut, "0 files") {
		t.Errorf("check EMPTYDIR = %d, stderr %q; want 2 and no summary", code, errOut)
	}
}
