package lsp

import (
	"encoding/json"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

func TestToDiagnostic(t *testing.T) {
	snap := newSnapshot("file:///w/Dockerfile", 7, "FROM ä\nCMD a\nCMD b\n", "dockerfile", nil)
	r := func(l1, c1, l2, c2 int) analysis.Range {
		return analysis.Range{Start: analysis.Pos{Line: l1, Col: c1}, End: analysis.Pos{Line: l2, Col: c2}}
	}
	f := analysis.Finding{
		Rule: "MultipleCmd", Severity: analysis.SeverityWarning, Message: "only the last CMD counts",
		Range: r(1, 0, 1, 5), URL: "https://example.com/rules#multiplecmd",
		Related: []analysis.Related{{Range: r(2, 0, 2, 5), Message: "this one wins"}},
		Tags:    []analysis.Tag{analysis.TagUnnecessary},
		Fixes:   []analysis.Fix{{Title: "Remove", Edits: []analysis.TextEdit{{Range: r(0, 5, 0, 7), NewText: "b"}}}},
	}
	d := toDiagnostic(snap, f, false)
	if d.Code != "MultipleCmd" || d.Source != "layerlens" || d.Severity != protocol.DiagnosticSeverityWarning {
		t.Errorf("code/source/severity = %v/%v/%v", d.Code, d.Source, d.Severity)
	}
	if d.CodeDescription == nil || string(d.CodeDescription.Href) != f.URL {
		t.Errorf("codeDescription = %+v, want %s", d.CodeDescription, f.URL)
	}
	if len(d.Tags) != 1 || d.Tags[0] != protocol.DiagnosticTagUnnecessary {
		t.Errorf("tags = %v, want [Unnecessary]", d.Tags)
	}
	if len(d.RelatedInformation) != 1 || d.RelatedInformation[0].Location.URI != "file:///w/Dockerfile" ||
		d.RelatedInformation[0].Location.Range.Start.Line != 2 {
		t.Errorf("relatedInformation = %+v", d.RelatedInformation)
	}
	raw, err := json.Marshal(d.Data)
	if err != nil {
		t.Fatal(err)
	}
	// The fix's edit covers "ä": bytes 5-7, UTF-16 5-6.
	want := `{"rule":"MultipleCmd","version":7,"fixes":[{"title":"Remove","edits":[{"range":{"start":{"line":0,"character":5},"end":{"line":0,"character":6}},"newText":"b"}]}]}`
	if string(raw) != want {
		t.Errorf("data = %s\nwant   %s", raw, want)
	}
	// A parse finding is marked so that no ignore action is offered.
	pd := toDiagnostic(snap, analysis.Finding{Rule: "UnknownInstruction", Severity: analysis.SeverityError, Range: r(1, 0, 1, 3)}, true)
	if raw, _ := json.Marshal(pd.Data); !strings.Contains(string(raw), `"parse":true`) {
		t.Errorf("parse data = %s", raw)
	}
}

func TestParseSettings(t *testing.T) {
	for _, in := range []string{``, `null`, `{}`, `{"layerlens": null}`} {
		st, err := parseSettings(json.RawMessage(in))
		if err != nil || st.Platform != "linux/amd64" || st.Rules == nil || st.Trace != "off" {
			t.Errorf("parseSettings(%q) = %+v, %v, want the defaults", in, st, err)
		}
	}
	st, err := parseSettings(json.RawMessage(`{"layerlens": {"rules": {"A": "off", "B": "loud"}, "platform": "linux/arm64", "buildArgs": null}}`))
	if err == nil || !strings.Contains(err.Error(), "loud") {
		t.Errorf("invalid severity: err = %v, want it reported", err)
	}
	if st.Rules["A"] != "off" || st.Rules["B"] != "" || st.Platform != "linux/arm64" || st.BuildArgs == nil {
		t.Errorf("settings = %+v, want A off, B dropped, arm64, buildArgs {}", st)
	}
}
