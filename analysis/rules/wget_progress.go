package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// WgetProgress flags wget without a quiet or progress option (row 85).
var WgetProgress = &analysis.Rule{
	Name:     "WgetProgress",
	Summary:  "wget without --progress or -q floods the build log",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{Hadolint: []string{"DL3047"}},
	Doc:      "Without a terminal, wget prints a progress line for every few kilobytes, which bloats CI logs. Use `-q`, `-nv` or `--progress=dot:giga`.",
	Run:      runShell(checkWgetProgress),
}

func checkWgetProgress(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Find("wget") {
		if !c.HasFlag("-q", "--quiet", "-nv", "--no-verbose", "--progress", "-o", "--output-file", "-a", "--append-output") {
			r.cmd(c, "wget without --progress (or -q / -nv) writes a long progress log")
		}
	}
}
