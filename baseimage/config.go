package baseimage

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
)

// reviewConfig fills what the config and manifest say, before any layer is read: the config
// summary, the history matched to layers, and the config-level findings.
func reviewConfig(rep *Report, cf *v1.ConfigFile, m *v1.Manifest) {
	c := cf.Config
	rep.Created = createdString(cf.Created.Time)
	rep.Config = Config{
		User:         c.User,
		Entrypoint:   nonNil(c.Entrypoint),
		Cmd:          nonNil(c.Cmd),
		Env:          nonNil(c.Env),
		ExposedPorts: sortedKeys(c.ExposedPorts),
		Volumes:      sortedKeys(c.Volumes),
		OnBuild:      nonNil(c.OnBuild),
		Labels:       c.Labels,
		WorkingDir:   c.WorkingDir,
		Shell:        nonNil(c.Shell),
		StopSignal:   c.StopSignal,
	}
	if rep.Config.Labels == nil {
		rep.Config.Labels = map[string]string{}
	}
	if c.Healthcheck != nil {
		rep.Config.Healthcheck = nonNil(c.Healthcheck.Test)
	} else {
		rep.Config.Healthcheck = []string{}
	}

	// Dive's matching: history entries that made a layer are zipped with the layers in order;
	// empty_layer entries are skipped; layers left over show "(missing)".
	rep.History = []HistoryEntry{}
	rep.Layers = make([]Layer, len(m.Layers))
	li := 0
	for _, h := range cf.History {
		he := HistoryEntry{Created: createdString(h.Created.Time), CreatedBy: h.CreatedBy, Comment: h.Comment, EmptyLayer: h.EmptyLayer, Layer: -1}
		if !h.EmptyLayer && li < len(m.Layers) {
			he.Layer = li
			rep.Layers[li].Command = h.CreatedBy
			li++
		}
		rep.History = append(rep.History, he)
	}
	missing := 0
	for i, l := range m.Layers {
		rep.Layers[i].Index = i
		rep.Layers[i].Digest = l.Digest.String()
		rep.Layers[i].MediaType = string(l.MediaType)
		rep.Layers[i].Size = l.Size
		rep.Layers[i].Largest = []File{}
		if i < len(cf.RootFS.DiffIDs) {
			rep.Layers[i].DiffID = cf.RootFS.DiffIDs[i].String()
		}
		if i >= li {
			rep.Layers[i].Command = "(missing)"
			rep.Layers[i].EmptyHistory = true
			missing++
		}
	}
	rep.Findings = []Finding{}

	user := strings.TrimSpace(c.User)
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "root" || u == "0" {
		who := "no USER is set"
		if u != "" {
			who = "USER is " + user
		}
		rep.add(Finding{Rule: "ImageRunsAsRoot", Severity: sevInfo, Layer: -1,
			Message: who + ": containers run as root unless your Dockerfile sets a USER"})
	}
	for _, t := range c.OnBuild {
		rep.add(Finding{Rule: "ImageOnBuild", Severity: sevWarning, Layer: -1,
			Message: fmt.Sprintf("ONBUILD trigger runs in your build when you use this image: %s", truncate(t, 200))})
		// A RUN trigger is a shell command that will run in your build: review it as one.
		if kw, rest, ok := strings.Cut(strings.TrimSpace(t), " "); ok && strings.EqualFold(kw, "RUN") {
			for _, f := range reviewCommand("/bin/sh -c "+strings.TrimSpace(rest), fmt.Sprintf("ONBUILD trigger %q", truncate(t, 100))) {
				f.Layer = -1
				rep.add(f)
			}
		}
	}

	// Opaque provenance (RULES.md I17).
	blank := 0
	for _, h := range cf.History {
		if strings.TrimSpace(h.CreatedBy) == "" {
			blank++
		}
	}
	switch {
	case len(cf.History) == 0 && len(m.Layers) > 0:
		rep.add(Finding{Rule: "ImageOpaqueProvenance", Severity: sevWarning, Layer: -1,
			Message: fmt.Sprintf("the image has no history: nothing says how its %d layer(s) were built", len(m.Layers))})
	case missing > 0:
		rep.add(Finding{Rule: "ImageOpaqueProvenance", Severity: sevWarning, Layer: -1,
			Message: fmt.Sprintf("%d layer(s) have no history entry: their build steps are unknown", missing)})
	}
	if blank > 0 && len(cf.History) > 0 {
		rep.add(Finding{Rule: "ImageOpaqueProvenance", Severity: sevInfo, Layer: -1,
			Message: fmt.Sprintf("%d history entr%s an empty command", blank, plural(blank, "y has", "ies have"))})
	}
	if len(m.Layers) == 1 && len(cf.History) <= 1 && len(c.Entrypoint)+len(c.Cmd) > 0 && !strings.HasPrefix(rep.Layers[0].Command, "ADD file:") && !strings.Contains(rep.Layers[0].Command, "ADD file:") {
		rep.add(Finding{Rule: "ImageOpaqueProvenance", Severity: sevInfo, Layer: 0,
			Message: "an application image squashed into one layer with no build steps: its contents cannot be traced to a Dockerfile"})
	}

	// History commands, with the same shell rules as RUN lines.
	for _, h := range rep.History {
		cmd := h.CreatedBy
		if h.EmptyLayer && !strings.HasPrefix(strings.TrimSpace(cmd), "/bin/sh -c") && !strings.HasPrefix(cmd, "|") {
			// BuildKit records metadata steps as the instruction ("ONBUILD RUN ...", "ENV ..."):
			// mark them as the classic builder does, so they are not parsed as shell commands.
			cmd = "/bin/sh -c #(nop) " + cmd
		}
		for _, f := range reviewCommand(cmd, fmt.Sprintf("history step %q", truncate(strings.TrimSpace(h.CreatedBy), 100))) {
			f.Layer = h.Layer
			rep.add(f)
		}
	}
}

// reviewCommand is the one hook to the Dockerfile rules: a history created_by reviewed like a
// RUN line.
func reviewCommand(createdBy, where string) []Finding {
	var out []Finding
	for _, cf := range rules.CheckCommand(createdBy) {
		out = append(out, Finding{Rule: cf.Rule, Severity: cf.Severity, Message: where + ": " + cf.Message})
	}
	return out
}

func (r *Report) add(f Finding) { r.Findings = append(r.Findings, f) }

// Facts returns the image facts the Dockerfile rules read.
func (r *Report) Facts() *analysis.ImageFacts {
	if r == nil {
		return nil
	}
	c := r.Config
	return &analysis.ImageFacts{
		Ref: r.Ref, Digest: r.Digest, Platform: r.Platform,
		User: c.User, WorkingDir: c.WorkingDir,
		Env: slices.Clone(c.Env), Entrypoint: slices.Clone(c.Entrypoint), Cmd: slices.Clone(c.Cmd),
		Shell: slices.Clone(c.Shell), HasHealthcheck: len(c.Healthcheck) > 0,
		ExposedPorts: slices.Clone(c.ExposedPorts), Volumes: slices.Clone(c.Volumes),
		OnBuild: slices.Clone(c.OnBuild), Labels: maps.Clone(c.Labels),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
