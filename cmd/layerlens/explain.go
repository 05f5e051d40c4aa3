package main

import (
	"fmt"
	"io"

	"github.com/layerlens/layerlens/analysis/rules"
)

// runExplain implements `layerlens explain NAME`: one rule's documentation as Markdown. NAME may
// be a rule name (any case), a BuildKit check name or a hadolint id; an id shared by several
// rules prints each of them.
func runExplain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, "Usage: layerlens explain NAME\n\nPrint a rule's documentation. NAME is a rule name (see 'layerlens rules'), a BuildKit check name or a hadolint id.\n")
		return 0
	}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "Usage: layerlens explain NAME")
		return 2
	}
	rs := rules.Resolve(args[0])
	if len(rs) == 0 {
		msg := fmt.Sprintf("layerlens explain: unknown rule %q", args[0])
		if s := rules.Suggest(args[0]); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		fmt.Fprintln(stderr, msg+"; 'layerlens rules' lists them")
		return 2
	}
	for i, r := range rs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprint(stdout, rules.RuleMarkdown(r, "#"))
		fmt.Fprintf(stdout, "\n%s\n", r.URL)
	}
	return 0
}
