package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ImageRules are the rules that read the results of a base-image review (the ImageFacts fields
// the language server and `layerlens check` fill: RequestedPlatform, TagDigest, Findings). They
// are not in All: without a review they can never fire, and the callers that have one run them
// with CheckImage, once, with the facts.
var ImageRules = registerImage([]*analysis.Rule{
	ImageReviewFinding, ImageStalePin, ImagePlatformMismatch, ImageInheritedSecretEnv,
	ImageInheritedExposedPort,
})

// imageDocURL is where the image rules are documented.
func imageDocURL(name string) string {
	return "https://github.com/layerlens/layerlens/blob/main/docs/images.md#" + strings.ToLower(name)
}

func registerImage(rs []*analysis.Rule) []*analysis.Rule {
	for _, r := range rs {
		r.URL = imageDocURL(r.Name)
		r.NeedsImage = true
	}
	return rs
}

// LookupImage returns the image rule with the given name (case-insensitive), or nil.
func LookupImage(name string) *analysis.Rule {
	for _, r := range ImageRules {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

// CheckImage runs the image rules over f with opts.Facts, with the same configuration and
// suppression handling as Check. It returns nothing when opts.Facts is empty.
func CheckImage(f *analysis.File, opts Options) []analysis.Finding {
	if f == nil || len(opts.Facts) == 0 {
		return nil
	}
	sup := suppressions(f)
	memo := map[string]any{}
	var out []analysis.Finding
	for _, r := range ImageRules {
		if len(opts.Only) > 0 && !contains(opts.Only, r.Name) {
			continue
		}
		var override analysis.Severity
		if opts.Config != nil {
			if s, ok := opts.Config.Rules[r.Name]; ok {
				if s.Off {
					continue
				}
				override = s.Severity
			}
		}
		if sup.skipAll(r) {
			continue
		}
		p := analysis.NewPass(r, f, func(fd analysis.Finding) {
			if sup.suppressed(r, fd.Range) {
				return
			}
			// A review finding carries its own rule name ("LayerMiner"): that name can be
			// configured and suppressed too.
			if fd.Rule != r.Name && opts.Config != nil {
				if s, ok := opts.Config.Rules[fd.Rule]; ok {
					if s.Off {
						return
					}
					fd.Severity = s.Severity
				}
			}
			if sup.suppressedName(fd.Rule, fd.Range) {
				return
			}
			if override != 0 {
				fd.Severity = override
			}
			out = append(out, fd)
		})
		p.Facts = opts.Facts
		p.Memo = memo
		if opts.Config != nil {
			p.Config = &analysis.Settings{TrustedRegistries: opts.Config.TrustedRegistries}
		}
		runSafely(r, p)
	}
	sortFindings(out)
	return out
}

// suppressedName reports an ignore comment naming rule (a plain name, not a registered rule).
func (s *suppression) suppressedName(rule string, rng analysis.Range) bool {
	for _, sp := range s.spans {
		if rng.Start.Line >= sp.from && rng.Start.Line <= sp.to && sp.names[rule] {
			return true
		}
	}
	return s.skip[rule]
}

// usedAsBase reports whether a later stage builds FROM st.
func usedAsBase(f *analysis.File, st *analysis.Stage) bool {
	if st.Name == "" {
		return false
	}
	for _, e := range f.Stages {
		if e.Index > st.Index && strings.EqualFold(e.BaseImage, st.Name) {
			return true
		}
	}
	return false
}

// shortDigest shortens "sha256:0123456789abcdef..." to "sha256:0123456789ab".
func shortDigest(d string) string {
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		return d[:i+13]
	}
	return d
}

// imageStage is a stage whose FROM names an image (not scratch, not a stage) with facts.
type imageStage struct {
	Stage *analysis.Stage
	Ref   imageRef
	Facts *analysis.ImageFacts
}

// imageStages returns the stages of p's file that have image facts.
func imageStages(p *analysis.Pass) []imageStage {
	var out []imageStage
	for _, fi := range froms(p) {
		facts := p.Facts[fi.Stage.Index]
		if facts == nil || fi.Ref.Stage || fi.Ref.Scratch || fi.Stage.BaseRange.IsZero() {
			continue
		}
		out = append(out, imageStage{Stage: fi.Stage, Ref: fi.Ref, Facts: facts})
	}
	return out
}
