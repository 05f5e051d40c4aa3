package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// PipefailMissing flags pipelines in RUN without set -o pipefail (row 36).
var PipefailMissing = &analysis.Rule{
	Name:     "PipefailMissing",
	Summary:  "RUN with a pipe but without `set -o pipefail`",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL4006"}},
	Doc: "A pipeline's status is that of its last command, so `curl ... | tar x` succeeds even " +
		"when the download fails, and the build goes on with a broken layer. Start the RUN with " +
		"`set -o pipefail &&`, or set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (busybox " +
		"ash and dash support it too in recent releases). Pipes into `true`, `tee` and similar are " +
		"not reported.",
	Run: func(p *analysis.Pass) {
		// A SHELL with pipefail covers the RUNs after it in its stage.
		covered := map[*analysis.Instruction]bool{}
		for _, st := range p.File.Stages {
			on := false
			for _, in := range st.Instructions {
				if in.Cmd == "SHELL" {
					on = false
					for _, a := range in.Args {
						if a.Value == "pipefail" {
							on = true
						}
					}
				}
				if on {
					covered[in] = true
				}
			}
		}
		for _, rs := range scripts(p) {
			if covered[rs.Inst] {
				continue
			}
			for _, h := range rs.entry.hitsFor(pipefailSlot, checkPipefail) {
				p.Report(analysis.Finding{Range: rs.Range(p.File, h.Start, h.End), Message: h.Message})
			}
		}
	},
}

func checkPipefail(s *shellcmd.Script, r *shellReporter) {
	if s.Pipefail() {
		return
	}
	for _, c := range s.Commands {
		if len(c.Pipeline) < 2 || c.PipeIndex != 0 || c.Inner || c.Nested {
			continue
		}
		last := c.Pipeline[len(c.Pipeline)-1]
		switch last.Name {
		case "true", "cat", "tee":
			continue
		}
		// Only a command before the last one that can fail for real matters: echo, printf
		// and cat of a literal do not.
		var failing *shellcmd.Command
		for _, m := range c.Pipeline[:len(c.Pipeline)-1] {
			switch m.Name {
			case "echo", "printf", "cat", "yes", "true":
			default:
				if failing == nil {
					failing = m
				}
			}
		}
		if failing == nil {
			continue
		}
		r.at(c.Pipeline[0].Start, last.End, "set -o pipefail before this pipe, or a failure of %s is ignored", failing.Name)
		return
	}
}

// pipefailSlot numbers the rule's script findings for the cache.
var pipefailSlot = newShellSlot()
