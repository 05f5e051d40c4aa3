package lsp

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/baseimage"
)

// Hover on the image of a FROM: the base-image review as Markdown, from whatever the image
// service has now (done, pending with what is known, failed with the reason).

// Hover size limits: a hover is read, not scrolled through.
const (
	hoverMaxLayers   = 40
	hoverMaxFindings = 25
	hoverCmdWidth    = 60
)

// imageClock is the clock of the age shown in hovers and inlay hints (tests pin it).
var imageClock = time.Now

// fromHover returns the hover of the image of stage st, or "" when it names no image (a stage,
// scratch) or image review is off.
func (s *server) fromHover(snap *snapshot, st *analysis.Stage) string {
	if s.opts.Images == nil || st == nil {
		return ""
	}
	si, ok := s.stageImageAt(snap.File(), st)
	if !ok {
		return ""
	}
	return imageHoverMarkdown(si)
}

// copyFromSummary is the base summary of the stage a COPY --from= names, appended to the
// stage's own hover; "" when the stage (or the stages it builds on) has no reviewed image.
func (s *server) copyFromSummary(snap *snapshot, name string) string {
	if s.opts.Images == nil || name == "" {
		return ""
	}
	f := snap.File()
	var st *analysis.Stage
	for _, e := range f.Stages {
		if strings.EqualFold(e.Name, name) || fmt.Sprint(e.Index) == name {
			st = e
			break
		}
	}
	// Follow FROM <stage> chains to the image at the bottom.
	for hops := 0; st != nil && hops < len(f.Stages); hops++ {
		si, ok := s.stageImageAt(f, st)
		if ok {
			return "**Base image** of stage `" + stageDisplay(st) + "`: " + imageSummaryLine(si)
		}
		var next *analysis.Stage
		for _, e := range f.Stages {
			if e.Index < st.Index && e.Name != "" && strings.EqualFold(e.Name, st.BaseImage) {
				next = e
			}
		}
		st = next
	}
	return ""
}

func stageDisplay(st *analysis.Stage) string {
	if st.Name != "" {
		return st.Name
	}
	return fmt.Sprint(st.Index)
}

// imageSummaryLine is one line about an image review: reference, state, and the main figures.
func imageSummaryLine(si stageImage) string {
	if si.err != nil {
		return "`" + mdInline(si.stage.BaseImage) + "`: " + si.err.Error()
	}
	ref := "`" + displayRef(si.key.ref) + "`"
	st := si.status
	switch st.State {
	case baseimage.StateUnknown, baseimage.StatePending:
		return ref + " (" + si.key.platform + "): review pending"
	case baseimage.StateFailed:
		return ref + ": cannot be reviewed: " + failureReason(st.Err)
	}
	rep := st.Report
	parts := []string{ref, si.key.platform}
	if rep.Created != "" {
		parts = append(parts, imageAge(rep.Created))
	}
	parts = append(parts, humanBytes(rep.Size))
	if rep.Config.User == "" {
		parts = append(parts, "user root (not set)")
	} else {
		parts = append(parts, "user "+mdInline(rep.Config.User))
	}
	c := rep.Counts()
	parts = append(parts, fmt.Sprintf("%d findings (%d error, %d warning)", len(rep.Findings), c[analysis.SeverityError], c[analysis.SeverityWarning]))
	return strings.Join(parts, " · ")
}

// imageHoverMarkdown renders the hover of one FROM image.
func imageHoverMarkdown(si stageImage) string {
	var b strings.Builder
	if si.err != nil {
		fmt.Fprintf(&b, "**%s**\n\nNot reviewed: %s", mdInline(si.stage.BaseImage), mdInline(si.err.Error()))
		return b.String()
	}
	st := si.status
	fmt.Fprintf(&b, "**%s**", mdInline(displayRef(si.key.ref)))
	switch st.State {
	case baseimage.StateUnknown:
		b.WriteString(" · review not started yet\n\nThe image is reviewed in the background once the file stops changing.")
		return b.String()
	case baseimage.StatePending:
		b.WriteString(" · review pending")
		if msg, _ := progressMessage(st.Progress); st.Progress.Phase != "" {
			b.WriteString(" (" + msg + ")")
		}
		b.WriteString("\n\nNothing is known about the image yet; this hover shows the review as soon as its config is read.")
		return b.String()
	case baseimage.StateFailed:
		reason := failureReason(st.Err)
		fmt.Fprintf(&b, " · **cannot be reviewed**\n\n%s\n\n%s", mdInline(reason), failureAdvice(reason))
		return b.String()
	}
	rep := st.Report
	if rep == nil {
		b.WriteString(" · no report")
		return b.String()
	}
	if st.State == baseimage.StateConfigKnown {
		b.WriteString(" · reviewing layers")
		if st.Progress.Phase == baseimage.PhaseLayers {
			msg, _ := progressMessage(st.Progress)
			b.WriteString(" (" + msg + ")")
		}
		b.WriteString(": config and history are known, layer contents are not yet")
	} else if rep.Source != "" {
		b.WriteString(" · from " + mdInline(rep.Source))
	}
	b.WriteString("\n\n| | |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	row("Reference", "`"+mdCell(rep.Ref)+"`")
	row("Digest", "`"+mdCell(rep.Digest)+"`")
	if rep.ManifestDigest != "" && rep.ManifestDigest != rep.Digest {
		row("Manifest", "`"+mdCell(rep.ManifestDigest)+"` (this platform)")
	}
	plat := rep.Platform
	if rep.PlatformSource != "" {
		plat += " (" + rep.PlatformSource + ")"
	}
	if si.target.Platform != "" && rep.Platform != "" && !strings.HasPrefix(rep.Platform, si.target.Platform) && !strings.HasPrefix(si.target.Platform, rep.Platform) {
		plat += " — **not " + si.target.Platform + "**"
	}
	row("Platform", mdCell(plat))
	if rep.Created != "" {
		row("Created", mdCell(rep.Created)+" ("+imageAge(rep.Created)+" old)")
	}
	size := humanBytes(rep.Size) + " compressed"
	if rep.UncompressedSize > 0 {
		size += " · " + humanBytes(rep.UncompressedSize) + " uncompressed"
	}
	row("Size", fmt.Sprintf("%s · %d layers", size, len(rep.Layers)))
	user := "root (not set)"
	if rep.Config.User != "" {
		user = "`" + mdCell(rep.Config.User) + "`"
	}
	row("User", user)
	if len(rep.Config.Entrypoint) > 0 {
		row("Entrypoint", "`"+mdCell(jsonish(rep.Config.Entrypoint))+"`")
	}
	if len(rep.Config.Cmd) > 0 {
		row("Cmd", "`"+mdCell(jsonish(rep.Config.Cmd))+"`")
	}
	if len(rep.Config.ExposedPorts) > 0 {
		row("Ports", mdCell(strings.Join(rep.Config.ExposedPorts, ", ")))
	}
	if rep.Config.WorkingDir != "" {
		row("Workdir", "`"+mdCell(rep.Config.WorkingDir)+"`")
	}
	if st.TagDigest != "" && strings.Contains(rep.Ref, "@") && !strings.HasSuffix(rep.Ref, st.TagDigest) {
		row("Tag now", "`"+mdCell(st.TagDigest)+"` (the pin is stale)")
	}

	writeLayerTable(&b, rep, st.State == baseimage.StateDone)
	writeFindings(&b, rep)
	if st.State == baseimage.StateDone && len(rep.Layers) > 0 {
		e := rep.Efficiency
		fmt.Fprintf(&b, "\n**Efficiency** %.1f %% · wasted %s (%.1f %% of the layers above the first)\n",
			e.Score*100, humanBytes(e.WastedBytes), e.UserWastedPercent)
	}
	if len(rep.Errors) > 0 {
		b.WriteString("\n**Incomplete:** " + mdInline(strings.Join(rep.Errors, "; ")) + "\n")
	}
	return strings.TrimSpace(b.String())
}

// writeLayerTable writes the layer table, marking the largest layers with ★.
func writeLayerTable(b *strings.Builder, rep *baseimage.Report, done bool) {
	if len(rep.Layers) == 0 {
		return
	}
	// The largest layers by compressed size: one, or three in images of more than five layers.
	largest := map[int]bool{}
	if len(rep.Layers) > 1 {
		idx := make([]int, len(rep.Layers))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, c int) bool { return rep.Layers[idx[a]].Size > rep.Layers[idx[c]].Size })
		top := 1
		if len(rep.Layers) > 5 {
			top = 3
		}
		for _, i := range idx[:top] {
			largest[i] = true
		}
	}
	b.WriteString("\n**Layers**\n\n| # | Size | Command | Files +/~/- |\n|--:|--:|---|---|\n")
	for i, l := range rep.Layers {
		if i == hoverMaxLayers {
			fmt.Fprintf(b, "| … | | %d more layers | |\n", len(rep.Layers)-i)
			break
		}
		mark := ""
		if largest[i] {
			mark = " ★"
		}
		files := "…"
		if l.Reviewed {
			files = fmt.Sprintf("+%d ~%d -%d", l.Added, l.Modified, l.Removed)
		} else if done || l.Error != "" {
			files = "not read"
		}
		fmt.Fprintf(b, "| %d%s | %s | `%s` | %s |\n", l.Index, mark, humanBytes(l.Size), mdCell(shortCommand(l.Command)), files)
	}
}

// writeFindings lists the review's findings, most severe first, with their layers and paths.
func writeFindings(b *strings.Builder, rep *baseimage.Report) {
	if len(rep.Findings) == 0 {
		b.WriteString("\n**Findings:** none\n")
		return
	}
	fs := append([]baseimage.Finding(nil), rep.Findings...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity < fs[j].Severity })
	c := rep.Counts()
	fmt.Fprintf(b, "\n**Findings** (%d error, %d warning, %d info, %d hint)\n\n",
		c[analysis.SeverityError], c[analysis.SeverityWarning], c[analysis.SeverityInfo], c[analysis.SeverityHint])
	for i, f := range fs {
		if i == hoverMaxFindings {
			fmt.Fprintf(b, "- … %d more (`layerlens inspect %s`)\n", len(fs)-i, mdInline(rep.Ref))
			break
		}
		where := "config"
		if f.Layer >= 0 {
			where = fmt.Sprintf("layer %d", f.Layer)
		}
		if f.Path != "" {
			where += ", `" + mdInline(f.Path) + "`"
		}
		fmt.Fprintf(b, "- **%s** %s (%s): %s\n", f.Severity, f.Rule, where, mdInline(f.Message))
	}
}

// shortCommand shortens a history command for a table cell: the "/bin/sh -c #(nop) " noise
// removed, whitespace collapsed, cut to hoverCmdWidth runes.
func shortCommand(c string) string {
	c = strings.TrimPrefix(strings.TrimSpace(c), "/bin/sh -c ")
	c = strings.TrimPrefix(c, "#(nop) ")
	c = strings.Join(strings.Fields(c), " ")
	if r := []rune(c); len(r) > hoverCmdWidth {
		c = string(r[:hoverCmdWidth-1]) + "…"
	}
	return c
}

// mdCell escapes text for a Markdown table cell inside backticks or plain.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "`", "'")
}

// mdInline makes text safe for inline Markdown: no newlines, no backticks, no table breaks.
func mdInline(s string) string {
	return mdCell(s)
}

// jsonish renders a string list as a JSON-like array.
func jsonish(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// imageAge renders the age of an RFC 3339 time ("21 days", "3 years").
func imageAge(created string) string {
	t, err := time.Parse(time.RFC3339, created)
	if err != nil {
		return "unknown age"
	}
	d := imageClock().Sub(t)
	days := int(d.Hours() / 24)
	switch {
	case d < 0:
		return "in the future"
	case days == 0:
		return "today"
	case days == 1:
		return "1 day"
	case days < 60:
		return fmt.Sprintf("%d days", days)
	case days < 730:
		return fmt.Sprintf("%d months", days/30)
	}
	return fmt.Sprintf("%d years", days/365)
}
