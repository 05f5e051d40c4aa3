package rules

import (
	"path"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ArchiveExtractInRun flags COPY of an archive that a later RUN unpacks (row 83).
var ArchiveExtractInRun = &analysis.Rule{
	Name:     "ArchiveExtractInRun",
	Summary:  "Archive copied and then extracted in RUN; ADD can unpack it",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{Hadolint: []string{"DL3010"}},
	Doc:      "COPY of a local archive followed by `tar -x` in a RUN keeps the archive in one layer and the unpacked files in another. `ADD app.tar.gz /opt/` unpacks it in one step.",
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			copied := map[string]*analysis.Arg{}
			for _, in := range st.Instructions {
				if in.Cmd == "COPY" && flagOf(in, "from") == nil && len(in.Args) >= 2 {
					for _, a := range in.Args[:len(in.Args)-1] {
						if isArchive(a.Value) {
							copied[path.Base(unquote(a.Value))] = a
						}
					}
				}
			}
			if len(copied) == 0 {
				continue
			}
			for _, rs := range scripts(p) {
				if rs.Inst.Stage != st.Index {
					continue
				}
				for _, c := range rs.Script.Find("tar") {
					for _, w := range c.Args[1:] {
						if a, ok := copied[path.Base(w.Value)]; ok && strings.Contains(c.Text(), "x") {
							p.Reportf(a.Range, "%s is copied and then extracted in RUN; ADD can extract it in one layer", a.Value)
							delete(copied, path.Base(w.Value))
						}
					}
				}
			}
		}
	},
}
