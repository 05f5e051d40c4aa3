package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
)

// runRules implements `layerlens rules [--format text|json|markdown]`: the rule list with
// default severities and summaries (the image rules last).
func runRules(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text, json or markdown (the full docs/rules.md)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: layerlens rules [--format text|json|markdown]\n\nList the rules. 'layerlens explain NAME' prints one rule's documentation.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "layerlens rules: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	all := append(append([]*analysis.Rule(nil), rules.All...), rules.ImageRules...)
	switch *format {
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tSEVERITY\tFIX\tSUMMARY")
		for _, r := range all {
			fix := ""
			if r.Fixable {
				fix = "fix"
			}
			if r.NeedsImage {
				fix += " image"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Severity, fix, r.Summary)
		}
		if err := tw.Flush(); err != nil {
			fmt.Fprintf(stderr, "layerlens rules: %v\n", err)
			return 2
		}
	case "json":
		type jsonRule struct {
			Name       string        `json:"name"`
			Severity   string        `json:"severity"`
			Summary    string        `json:"summary"`
			URL        string        `json:"url"`
			Fixable    bool          `json:"fixable"`
			NeedsImage bool          `json:"needsImage"`
			Refs       analysis.Refs `json:"refs"`
		}
		var out []jsonRule
		for _, r := range all {
			out = append(out, jsonRule{r.Name, r.Severity.String(), r.Summary, r.URL, r.Fixable, r.NeedsImage, r.Refs})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "layerlens rules: %v\n", err)
			return 2
		}
	case "markdown":
		fmt.Fprint(stdout, rules.Markdown())
	default:
		fmt.Fprintf(stderr, "layerlens rules: unknown --format %q (want text, json or markdown)\n", *format)
		return 2
	}
	return 0
}
