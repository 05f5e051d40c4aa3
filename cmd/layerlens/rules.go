package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
)

// runRules implements `layerlens rules [--format text|json|markdown]`: the rule list with
// default severities and summaries, then the image rules and the base-image review findings,
// marked as needing the base image. markdown is docs/rules.md (the Dockerfile rules only).
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
		fmt.Fprintln(tw, "RULE\tSEVERITY\tFIX\tNEEDS\tSUMMARY")
		for _, r := range all {
			fix, needs := "", ""
			if r.Fixable {
				fix = "fix"
			}
			if r.NeedsImage {
				needs = "base image"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Severity, fix, needs, r.Summary)
		}
		for _, rf := range reviewFindings {
			fmt.Fprintf(tw, "%s\t%s\t\tbase image\t%s\n", rf.Name, strings.ReplaceAll(strings.ReplaceAll(rf.Severity, ", ", "/"), " or ", "/"), rf.Summary)
		}
		if err := tw.Flush(); err != nil {
			fmt.Fprintf(stderr, "layerlens rules: %v\n", err)
			return 2
		}
		fmt.Fprintln(stdout, "\nNEEDS base image: reported only when the base image is reviewed (an OCI layout, the store, or a registry when online).")
	case "json":
		type jsonRule struct {
			Name     string `json:"name"`
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			URL      string `json:"url"`
			Fixable  bool   `json:"fixable"`
			// NeedsImage: the rule reports only when the base image is reviewed.
			NeedsImage bool `json:"needsImage"`
			// ReviewFinding: a finding name of the base-image review rather than a rule;
			// severity may then list several ("error, warning or info").
			ReviewFinding bool          `json:"reviewFinding,omitempty"`
			Refs          analysis.Refs `json:"refs"`
		}
		var out []jsonRule
		for _, r := range all {
			out = append(out, jsonRule{Name: r.Name, Severity: r.Severity.String(), Summary: r.Summary, URL: r.URL,
				Fixable: r.Fixable, NeedsImage: r.NeedsImage, Refs: r.Refs})
		}
		for _, rf := range reviewFindings {
			out = append(out, jsonRule{Name: rf.Name, Severity: rf.Severity, Summary: rf.Summary, URL: rf.Anchor,
				NeedsImage: true, ReviewFinding: true})
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
