package lsp_test

import (
	"encoding/json"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/lsp/lsptest"
)

// A Neovim user's settings with empty Lua tables ([] for objects) and one bad value: the empty
// tables are not problems, the bad value is reported, and the valid rules setting applies.
func TestSettingsLuaEmptyTablesEndToEnd(t *testing.T) {
	env := lsptest.New(t, lsptest.WithSettings(json.RawMessage(
		`{"rules": {"UnknownInstruction": "hint"}, "mirrors": [], "buildArgs": [], "format": [], "platform": 5}`)))
	env.Open(uri, "FROM alpine\nFOO bar\n")
	if d := find(env.Diagnostics(uri), "UnknownInstruction"); d == nil || d.Severity != protocol.DiagnosticSeverityHint {
		t.Errorf("UnknownInstruction = %+v, want severity hint from the valid part of the settings", d)
	}
	// The settings are read in initialized, before didOpen is handled, so the warning was
	// sent before the diagnostics.
	shown := env.Notifications(protocol.MethodWindowShowMessage)
	if len(shown) != 1 {
		t.Fatalf("showMessage notifications = %d, want 1 (the bad platform)", len(shown))
	}
	msg := string(shown[0].Params)
	if !strings.Contains(msg, "platform") {
		t.Errorf("showMessage = %s, want it to name platform", msg)
	}
	for _, field := range []string{"mirrors", "buildArgs", "format", "rules"} {
		if strings.Contains(msg, field) {
			t.Errorf("showMessage = %s, names %s, which was valid", msg, field)
		}
	}
}
