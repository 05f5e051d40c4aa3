package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"runtime/debug"
	"sort"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/layerlens/layerlens/analysis"
)

// diagnosticSource is the "source" of every diagnostic the server publishes.
const diagnosticSource = "layerlens"

// diagnose starts a background diagnosis of snap, cancelling the one still running for the
// document (latest change wins). It returns at once: handlers never wait for diagnostics.
func (s *server) diagnose(d *document, snap *snapshot) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.DiagnosticsTimeout)
	s.mu.Lock()
	d.stop()
	d.cancel = cancel
	s.mu.Unlock()
	go s.runDiagnosis(ctx, cancel, d, snap)
}

// rediagnoseAll re-runs diagnostics for every open document (after a settings change).
func (s *server) rediagnoseAll() {
	s.mu.Lock()
	docs := make([]*document, 0, len(s.docs))
	for _, d := range s.docs {
		docs = append(docs, d)
	}
	s.mu.Unlock()
	for _, d := range docs {
		s.mu.Lock()
		snap := d.snap
		s.mu.Unlock()
		s.diagnose(d, snap)
	}
}

func (s *server) runDiagnosis(ctx context.Context, cancel context.CancelFunc, d *document, snap *snapshot) {
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("diagnosis panic", "uri", snap.URI, "version", snap.Version, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	select {
	case d.run <- struct{}{}:
		defer func() { <-d.run }()
	case <-ctx.Done():
		return // a newer version arrived while an older run was still busy
	}
	if ctx.Err() != nil {
		return
	}
	diags := s.diagnostics(snap, s.findings(ctx, snap))
	// Encode once: the bytes are both hashed and sent.
	encoded, err := json.Marshal(diags)
	if err != nil {
		s.log.Error("encoding diagnostics", "uri", snap.URI, "err", err)
		return
	}
	h := fnv.New64a()
	h.Write(encoded)
	hash := h.Sum64()

	// Publishing is serialised per document, and the "still latest?" check happens inside
	// the critical section, so an older run can never overwrite a newer one's result.
	d.pub <- struct{}{}
	defer func() { <-d.pub }()
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	// Before "initialized" is allowed too: some clients open documents right after initialize.
	latest := s.docs[snap.URI] == d && d.snap == snap && (s.state == stateRunning || s.state == stateInitializing)
	s.mu.Unlock()
	if !latest {
		return
	}
	// The same set for the same version (a settings change that changed nothing, a repeated
	// review) is not re-sent. A new version is always published, even with an identical set:
	// clients tie diagnostics to the version they were computed for, and waiting for "the
	// diagnostics of version N" is how editors and tests know the server caught up.
	if d.published.sent && d.published.version == snap.Version && d.published.hash == hash {
		return
	}
	s.notify(protocol.MethodTextDocumentPublishDiagnostics, &publishParams{
		URI:         snap.URI,
		Version:     snap.Version,
		Diagnostics: encoded,
	})
	d.published = publishState{sent: true, version: snap.Version, hash: hash}
}

// findings returns everything to report for snap: parse errors, then rule findings, with the
// user's per-rule settings applied. Rules are wired in here and nowhere else.
func (s *server) findings(ctx context.Context, snap *snapshot) []analysis.Finding {
	f := snap.File()
	settings := s.currentSettings()
	out := make([]analysis.Finding, 0, len(f.Errors))
	for _, e := range f.Errors {
		if sev, ok := ruleSeverity(settings, e.Rule); ok {
			if sev == 0 {
				continue
			}
			e.Severity = sev
		}
		out = append(out, e)
	}
	out = append(out, s.ruleFindings(ctx, snap)...)
	out = append(out, s.imageFindings(snap, settings, out)...) // base images: images.go
	sort.SliceStable(out, func(i, j int) bool { return out[i].Range.Start.Before(out[j].Range.Start) })
	return out
}

// ruleSeverity returns the user's severity for rule: (0, true) for "off", (sev, true) for an
// override and (0, false) when the user set nothing.
func ruleSeverity(st Settings, rule string) (analysis.Severity, bool) {
	v, ok := st.Rules[rule]
	if !ok {
		return 0, false
	}
	if v == "off" {
		return 0, true
	}
	sev, ok := analysis.ParseSeverity(v)
	return sev, ok
}

// diagnosticData travels in Diagnostic.data so that code actions need no re-analysis: the
// quick fixes with their edits already in protocol positions, for the version they were
// computed on.
type diagnosticData struct {
	Rule    string `json:"rule"`
	Version int32  `json:"version"`
	// Parse marks a parser finding: it cannot be suppressed with an ignore comment.
	Parse bool      `json:"parse,omitempty"`
	Fixes []fixData `json:"fixes,omitempty"`
}

type fixData struct {
	Title string              `json:"title"`
	Edits []protocol.TextEdit `json:"edits"`
}

// diagnostics converts findings to protocol diagnostics. The result is never nil.
func (s *server) diagnostics(snap *snapshot, findings []analysis.Finding) []protocol.Diagnostic {
	parse := map[string]bool{}
	for _, e := range snap.File().Errors {
		parse[e.Rule] = true
	}
	out := make([]protocol.Diagnostic, 0, len(findings))
	for _, f := range findings {
		out = append(out, toDiagnostic(snap, f, parse[f.Rule]))
	}
	return out
}

func toDiagnostic(snap *snapshot, f analysis.Finding, parse bool) protocol.Diagnostic {
	m := snap.Mapper
	d := protocol.Diagnostic{
		Range:    m.Range(f.Range),
		Severity: toSeverity(f.Severity),
		Code:     f.Rule,
		Source:   diagnosticSource,
		Message:  f.Message,
	}
	if f.URL != "" {
		d.CodeDescription = &protocol.CodeDescription{Href: uri.URI(f.URL)}
	}
	for _, t := range f.Tags {
		switch t {
		case analysis.TagUnnecessary:
			d.Tags = append(d.Tags, protocol.DiagnosticTagUnnecessary)
		case analysis.TagDeprecated:
			d.Tags = append(d.Tags, protocol.DiagnosticTagDeprecated)
		}
	}
	for _, r := range f.Related {
		d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: protocol.DocumentURI(snap.URI), Range: m.Range(r.Range)},
			Message:  r.Message,
		})
	}
	data := diagnosticData{Rule: f.Rule, Version: snap.Version, Parse: parse}
	for _, fx := range f.Fixes {
		fd := fixData{Title: fx.Title, Edits: make([]protocol.TextEdit, 0, len(fx.Edits))}
		for _, e := range fx.Edits {
			fd.Edits = append(fd.Edits, protocol.TextEdit{Range: m.Range(e.Range), NewText: e.NewText})
		}
		data.Fixes = append(data.Fixes, fd)
	}
	d.Data = data
	return d
}

func toSeverity(s analysis.Severity) protocol.DiagnosticSeverity {
	switch s {
	case analysis.SeverityError:
		return protocol.DiagnosticSeverityError
	case analysis.SeverityWarning:
		return protocol.DiagnosticSeverityWarning
	case analysis.SeverityInfo:
		return protocol.DiagnosticSeverityInformation
	case analysis.SeverityHint:
		return protocol.DiagnosticSeverityHint
	}
	return protocol.DiagnosticSeverityError
}

// publishParams is protocol.PublishDiagnosticsParams with the diagnostics already encoded.
type publishParams struct {
	URI         string          `json:"uri"`
	Version     int32           `json:"version"`
	Diagnostics json.RawMessage `json:"diagnostics"`
}
