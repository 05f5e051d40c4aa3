package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ImageStalePin flags a FROM pinned as name:tag@sha256:... whose tag has moved on.
var ImageStalePin = &analysis.Rule{
	Name:     "ImageStalePin",
	Summary:  "The pinned digest is stale: the tag now points to another image",
	Severity: analysis.SeverityInfo,
	Fixable:  true,
	Doc: "A pin `name:tag@sha256:...` builds exactly the pinned image, which is the point; but " +
		"when the tag has moved since (a rebuilt base with security fixes), the pin keeps the " +
		"old one. The fix replaces the digest with the one the tag points to now (the index " +
		"digest for a multi-platform tag, as `layerlens pin`, Renovate and Dependabot write). " +
		"The tag is looked up with a HEAD request and kept for the tag TTL.",
	Run: func(p *analysis.Pass) {
		for _, fi := range imageStages(p) {
			r, facts := fi.Ref, fi.Facts
			if r.Digest == "" || r.Tag == "" || facts.TagDigest == "" || facts.TagDigest == r.Digest {
				continue
			}
			fd := analysis.Finding{Range: fi.Stage.BaseRange}
			fd.Message = "the pinned digest " + shortDigest(r.Digest) + " is stale: tag " + r.Tag + " now points to " + shortDigest(facts.TagDigest)
			if rng, ok := digestRange(p.File, fi.Stage, r.Digest); ok {
				fd.Fixes = []analysis.Fix{{Title: "Update the pin to " + shortDigest(facts.TagDigest),
					Edits: []analysis.TextEdit{{Range: rng, NewText: facts.TagDigest}}}}
			}
			p.Report(fd)
		}
	},
}

// digestRange locates the literal digest in the FROM's image word (not when it comes from an
// ARG or the word spans lines).
func digestRange(f *analysis.File, st *analysis.Stage, digest string) (analysis.Range, bool) {
	br := st.BaseRange
	if br.IsZero() || br.Start.Line != br.End.Line {
		return analysis.Range{}, false
	}
	i := strings.Index(st.BaseImage, "@"+digest)
	if i < 0 || br.End.Col-br.Start.Col != len(st.BaseImage) {
		return analysis.Range{}, false
	}
	start := analysis.Pos{Line: br.Start.Line, Col: br.Start.Col + i + 1}
	return analysis.Range{Start: start, End: analysis.Pos{Line: start.Line, Col: start.Col + len(digest)}}, true
}
