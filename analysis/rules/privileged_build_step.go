package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// PrivilegedBuildStep flags RUN --security=insecure and --network=host (row 65).
var PrivilegedBuildStep = &analysis.Rule{
	Name:     "PrivilegedBuildStep",
	Summary:  "RUN asks for a privileged build step (--security=insecure, --network=host)",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{},
	Doc: "`--security=insecure` runs the step like `docker run --privileged` (the builder must be " +
		"started with the security.insecure entitlement); `--network=host` gives the step the " +
		"host's network namespace (network.host entitlement). Either lets a build step reach the " +
		"host. Use them only in trusted builds, and prefer a scoped alternative.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "RUN") {
			for _, fl := range in.Flags {
				switch {
				case strings.EqualFold(fl.Name, "security") && strings.EqualFold(fl.Value, "insecure"):
					p.Reportf(fl.Range, "RUN --security=insecure runs this step with full privileges")
				case strings.EqualFold(fl.Name, "network") && strings.EqualFold(fl.Value, "host"):
					p.Reportf(fl.Range, "RUN --network=host gives this step the host's network")
				}
			}
		}
	},
}
