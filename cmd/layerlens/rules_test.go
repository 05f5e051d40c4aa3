package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis/rules"
)

// Every review finding name the configuration accepts has documentation, in the same order.
func TestReviewFindingsDocumented(t *testing.T) {
	if len(reviewFindings) != len(rules.ReviewFindingNames) {
		t.Fatalf("len(reviewFindings) = %d, want %d (rules.ReviewFindingNames)", len(reviewFindings), len(rules.ReviewFindingNames))
	}
	for i, name := range rules.ReviewFindingNames {
		rf := reviewFindings[i]
		if rf.Name != name || rf.Summary == "" || rf.Severity == "" || rf.Anchor == "" {
			t.Errorf("reviewFindings[%d] = %+v, want a documented %s", i, rf, name)
		}
		if rules.LookupImage(name) != nil || len(rules.Resolve(name)) != 0 {
			t.Errorf("review finding %s is also a rule; explain would hide its rule page", name)
		}
	}
}

func TestRulesListsImageRulesAndReviewFindings(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runRules(nil, &out, &errb); code != 0 {
		t.Fatalf("rules = %d: %s", code, errb.String())
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.Contains(lines[0], "NEEDS") {
		t.Errorf("rules header = %q, want a NEEDS column", lines[0])
	}
	row := func(name string) string {
		for _, l := range lines {
			if f := strings.Fields(l); len(f) > 0 && f[0] == name {
				return l
			}
		}
		return ""
	}
	for _, name := range []string{"ImageStalePin", "ImageInheritedSecretEnv", "LayerSetuid", "ImageUnavailable", "LayerMiner"} {
		if r := row(name); !strings.Contains(r, "base image") {
			t.Errorf("rules row %s = %q, want it marked base image", name, r)
		}
	}
	if r := row("CurlPipeShell"); r == "" || strings.Contains(r, "base image") {
		t.Errorf("rules row CurlPipeShell = %q, want a Dockerfile rule without base image", r)
	}

	out.Reset()
	if code := runRules([]string{"--format", "json"}, &out, &errb); code != 0 {
		t.Fatalf("rules --format json = %d", code)
	}
	var list []struct {
		Name          string `json:"name"`
		Severity      string `json:"severity"`
		NeedsImage    bool   `json:"needsImage"`
		ReviewFinding bool   `json:"reviewFinding"`
	}
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatalf("rules json: %v", err)
	}
	got := map[string]int{}
	for i, r := range list {
		got[r.Name] = i
	}
	for _, name := range append([]string{"ImageStalePin", "ImagePlatformMismatch"}, rules.ReviewFindingNames...) {
		i, ok := got[name]
		if !ok || !list[i].NeedsImage {
			t.Errorf("rules json %s = present %v, %+v; want it with needsImage", name, ok, list[i])
		}
	}
	if i := got["LayerSetuid"]; !list[i].ReviewFinding || list[i].Severity != "error, warning or info" {
		t.Errorf("rules json LayerSetuid = %+v, want a review finding with its severities", list[i])
	}
	if i := got["CurlPipeShell"]; list[i].NeedsImage || list[i].ReviewFinding {
		t.Errorf("rules json CurlPipeShell = %+v, want a plain rule", list[i])
	}
}

func TestExplainImageRulesAndReviewFindings(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"ImageStalePin", "Needs a base-image review"},
		{"imageinheritedsecretenv", "# ImageInheritedSecretEnv"},
		{"LayerSetuid", "Needs base image"},
		{"layerminer", "# LayerMiner"},
		{"ImageUnavailable", "docs/images.md#imageunavailable"},
	} {
		var out, errb bytes.Buffer
		if code := runExplain([]string{tc.name}, &out, &errb); code != 0 || !strings.Contains(out.String(), tc.want) {
			t.Errorf("explain %s = %d:\n%s%s\nwant it to contain %q", tc.name, code, out.String(), errb.String(), tc.want)
		}
	}
	for _, tc := range []struct{ typo, want string }{
		{"LayerSetui", "did you mean LayerSetuid?"},
		{"ImageStalePn", "did you mean ImageStalePin?"},
		{"CurlPipeShel", "did you mean CurlPipeShell?"},
	} {
		var out, errb bytes.Buffer
		if code := runExplain([]string{tc.typo}, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("explain %s = %d, %q, want 2 and %q", tc.typo, code, errb.String(), tc.want)
		}
	}
}
