package lsp

import (
	"context"

	"github.com/layerlens/layerlens/analysis"
)

// ruleFindings runs the rule engine over f with the user's settings.
//
// TODO(lsp helper, issue 2): the rules engine (package analysis/rules, rules.Check) is being
// written in parallel; until it compiles this returns no findings and only parse errors are
// published. Wiring it is this one function.
func (s *server) ruleFindings(ctx context.Context, f *analysis.File, st Settings) []analysis.Finding {
	return nil
}
