package lsp

import (
	"strings"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/baseimage"
)

// Pinning FROM images to digests in the editor: a "Pin to digest" quick fix per FROM, the "Pin
// all base images" source action and the layerlens.pinAll command (commands.go).

// pinAllKind is the code action kind of "Pin all base images".
const pinAllKind protocol.CodeActionKind = "source.pinBaseImages"

// PinEdit returns the edit that pins the image of stage st to digest: "@digest" inserted after
// a name[:tag] typed literally, or the digest of an existing pin replaced. ok is false when the
// image word uses variables or spans lines (an edit there could change what another build-arg
// value means), or when the pin is already digest.
func PinEdit(st *analysis.Stage, digest string) (analysis.TextEdit, bool) {
	br := st.BaseRange
	word := st.BaseImage
	if br.IsZero() || br.Start.Line != br.End.Line || br.End.Col-br.Start.Col != len(word) ||
		strings.ContainsAny(word, "$`\\") || digest == "" {
		return analysis.TextEdit{}, false
	}
	if i := strings.IndexByte(word, '@'); i >= 0 {
		if word[i+1:] == digest {
			return analysis.TextEdit{}, false
		}
		start := analysis.Pos{Line: br.Start.Line, Col: br.Start.Col + i + 1}
		return analysis.TextEdit{Range: analysis.Range{Start: start, End: br.End}, NewText: digest}, true
	}
	return analysis.TextEdit{Range: analysis.Range{Start: br.End, End: br.End}, NewText: "@" + digest}, true
}

// pinDigest returns the digest a FROM should be pinned to from what the review knows: the
// tag's digest for an unpinned reference, the tag's current digest for a stale pin.
func pinDigest(si stageImage) (digest string, stale bool) {
	if si.err != nil {
		return "", false
	}
	if strings.Contains(si.key.ref, "@") {
		if _, tagged := pinnedTag(si.key.ref); !tagged || si.status.TagDigest == "" {
			return "", false
		}
		_, cur, _ := strings.Cut(si.key.ref, "@")
		if cur == si.status.TagDigest {
			return "", false
		}
		return si.status.TagDigest, true
	}
	if rep := si.status.Report; rep != nil && (si.status.State == baseimage.StateDone || si.status.State == baseimage.StateConfigKnown) {
		return rep.Digest, false
	}
	return "", false
}

// pinActions returns the pin quick fixes for the FROMs in the request range and the "Pin all
// base images" source action, as far as the requested kinds allow.
func (s *server) pinActions(snap *snapshot, p *protocol.CodeActionParams, docChanges bool) []protocol.CodeAction {
	out := []protocol.CodeAction{}
	if s.opts.Images == nil {
		return out
	}
	f := snap.File()
	m := snap.Mapper
	want := p.Range
	sis := s.stageImages(f, s.currentSettings())
	var all []protocol.TextEdit
	missing := 0
	for _, si := range sis {
		if si.err != nil {
			continue
		}
		digest, stale := pinDigest(si)
		if digest == "" {
			if !strings.Contains(si.key.ref, "@") {
				missing++
			}
			continue
		}
		te, ok := PinEdit(si.stage, digest)
		if !ok {
			continue
		}
		edit := protocol.TextEdit{Range: m.Range(te.Range), NewText: te.NewText}
		all = append(all, edit)
		if !kindRequested(p.Context.Only, protocol.QuickFix) || !rangesTouch(m.Range(si.stage.From.Range), want) {
			continue
		}
		title := "Pin " + displayRef(strings.Split(si.key.ref, "@")[0]) + " to digest " + shortDigest(digest)
		if stale {
			title = "Update the stale pin of " + displayRef(strings.Split(si.key.ref, "@")[0]) + " to " + shortDigest(digest)
		}
		var diags []protocol.Diagnostic
		for _, d := range p.Context.Diagnostics {
			if d.Source == diagnosticSource && (d.Code == "ImageNotPinned" || d.Code == "ImageStalePin") && rangesTouch(d.Range, m.Range(si.stage.BaseRange)) {
				diags = append(diags, d)
			}
		}
		if stale && len(diags) > 0 {
			continue // the ImageStalePin diagnostic carries the same fix in its data
		}
		we, ok := workspaceEdit(snap, snap.Version, []protocol.TextEdit{edit}, docChanges)
		if !ok {
			continue
		}
		out = append(out, protocol.CodeAction{Title: title, Kind: protocol.QuickFix, Diagnostics: diags, IsPreferred: len(diags) > 0, Edit: we})
	}
	if kindRequested(p.Context.Only, pinAllKind) && (len(all) > 0 || missing > 0) {
		ca := protocol.CodeAction{Title: "Pin all base images to digests", Kind: pinAllKind}
		if missing == 0 {
			ca.Edit, _ = workspaceEdit(snap, snap.Version, all, docChanges)
		} else {
			// Some digests are not known yet: the command looks them up, then applies the edit.
			ca.Command = &protocol.Command{Title: ca.Title, Command: cmdPinAll, Arguments: []any{snap.URI}}
		}
		out = append(out, ca)
	}
	return out
}

// rangesTouch reports whether two ranges share a position (touching counts).
func rangesTouch(a, b protocol.Range) bool {
	before := func(p, q protocol.Position) bool {
		return p.Line < q.Line || (p.Line == q.Line && p.Character < q.Character)
	}
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}
