package rules

import (
	"fmt"

	"github.com/layerlens/layerlens/analysis"
)

// ImageReviewFinding reports the findings of the base-image review (config, history and layer
// contents) on the FROM image, each under its own rule name (LayerMiner, ImageOnBuild, ...).
var ImageReviewFinding = &analysis.Rule{
	Name:     "ImageReviewFinding",
	Summary:  "The base image review found a problem in the image's config, history or layers",
	Severity: analysis.SeverityWarning,
	Doc: "layerlens reviews the image a FROM names without running it: its config (user, " +
		"ONBUILD triggers), its history commands (with the same shell rules as RUN lines) and " +
		"the files of every layer (miners, private keys, setuid shells, content hidden by later " +
		"deletions). Each finding is reported on the FROM with the layer and path it comes " +
		"from, under its own rule name, so it can be configured or suppressed by that name " +
		"(or all at once as ImageReviewFinding). ImageRunsAsRoot is only reported for the " +
		"final stage, and not when the stage sets a USER.",
	Run: func(p *analysis.Pass) {
		for _, is := range imageStages(p) {
			st, facts := is.Stage, is.Facts
			for _, fd := range facts.Findings {
				if fd.Rule == "ImageRunsAsRoot" && (usedAsBase(p.File, st) || st.Index != len(p.File.Stages)-1 || stageHas(p.File, st, "USER")) {
					continue
				}
				where := "config"
				if fd.Layer >= 0 {
					where = fmt.Sprintf("layer %d", fd.Layer)
				}
				rel := fmt.Sprintf("%s of %s", where, facts.Ref)
				if fd.Path != "" {
					rel += ": " + fd.Path
				}
				p.Report(analysis.Finding{
					Rule:     fd.Rule,
					Severity: fd.Severity,
					Range:    st.BaseRange,
					Message:  fmt.Sprintf("base image %s: %s", where, fd.Message),
					Related:  []analysis.Related{{Range: st.From.Range, Message: rel}},
				})
			}
		}
	},
}
