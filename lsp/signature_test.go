package lsp_test

import (
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/lsp/lsptest"
)

func TestSignatureHelpEndToEnd(t *testing.T) {
	// An emoji before the cursor checks that the position is read in UTF-16 units.
	text, at := featFixture(t, "FROM a AS b\nLABEL x=\"🐳\"\nCOPY --from=b @{arg} x\nRUN --mount=type=secret,i@{opt}\nCMD [\"a\", @{json}\n")
	const uri = "file:///w/signature/Dockerfile"
	env := lsptest.New(t)
	env.Open(uri, text)
	type sig struct {
		Signatures []struct {
			Label      string `json:"label"`
			Parameters []struct {
				Label [2]uint32 `json:"label"`
			} `json:"parameters"`
		} `json:"signatures"`
		ActiveSignature uint32 `json:"activeSignature"`
		ActiveParameter uint32 `json:"activeParameter"`
	}
	for _, tc := range []struct{ at, active string }{
		{"arg", "<src>..."},
		{"opt", "id=<id>"},
		{"json", ""},
	} {
		var h sig
		if err := env.Call(protocol.MethodTextDocumentSignatureHelp, featPos(uri, at(tc.at)), &h); err != nil {
			t.Fatal(err)
		}
		if len(h.Signatures) == 0 {
			t.Errorf("signatureHelp at %s: none", tc.at)
			continue
		}
		s := h.Signatures[h.ActiveSignature]
		if tc.active == "" {
			if s.Label != `CMD ["executable", "param1", "param2"]` {
				t.Errorf("signatureHelp at %s = %q, want the exec form", tc.at, s.Label)
			}
			continue
		}
		if int(h.ActiveParameter) >= len(s.Parameters) {
			t.Errorf("signatureHelp at %s: no active parameter in %q", tc.at, s.Label)
			continue
		}
		p := s.Parameters[h.ActiveParameter].Label
		if got := s.Label[p[0]:p[1]]; got != tc.active {
			t.Errorf("signatureHelp at %s: active %q, want %q (label %q)", tc.at, got, tc.active, s.Label)
		}
	}
}
