package rules

import (
	"github.com/layerlens/layerlens/analysis"
)

// EnvSelfReference flags ENV a=1 b=$a in one instruction (row 31).
var EnvSelfReference = &analysis.Rule{
	Name:     "EnvSelfReference",
	Summary:  "ENV uses a variable defined in the same ENV instruction",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3044"}},
	Doc:      "All values of one ENV are expanded before any is set, so `ENV A=1 B=$A` gives B the *previous* value of A (often empty). Split it into two ENV instructions.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ENV") {
			kvs := kvOf(p, in)
			defined := map[string]bool{}
			for _, kv := range kvs {
				for _, name := range varRefNames(kv.Value) {
					if defined[name] {
						p.Reportf(kv.Range, "%s uses $%s, which is defined in the same ENV and is not yet set here; split the ENV", kv.Key, name)
					}
				}
				defined[kv.Key] = true
			}
		}
	},
}
