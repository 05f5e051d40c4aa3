package lsp

import (
	"fmt"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/baseimage"
)

// progressTask is one $/progress task: the review of one image, shown while an open document
// uses it. Only the image worker touches it.
type progressTask struct {
	token   string
	title   string
	lastMsg string
}

// Work-done progress values, written by hand: protocol.ProgressParams marshalled by value
// loses its token (ProgressToken.MarshalJSON has a pointer receiver), and a plain string
// token is all LSP needs.
type progressValue struct {
	Kind        string `json:"kind"`
	Title       string `json:"title,omitempty"`
	Cancellable bool   `json:"cancellable,omitempty"`
	Message     string `json:"message,omitempty"`
	Percentage  *int   `json:"percentage,omitempty"`
}

type progressParams struct {
	Token string        `json:"token"`
	Value progressValue `json:"value"`
}

// handleProgress reports the progress of the review k: begin (after asking the client to
// create the token), reports with layers and bytes, and end with the outcome. Nothing is sent
// to clients without window.workDoneProgress, or for images no open document uses.
func (s *server) handleProgress(st *imageState, k imageKey, pe *pendingEvent, inUse bool) {
	s.mu.Lock()
	supported := s.client.Window.WorkDoneProgress
	s.mu.Unlock()
	if !supported || st.noProgress {
		return
	}
	task := st.tasks[k]
	if task == nil && inUse && pe.started {
		st.mu.Lock()
		st.tokens++
		n := st.tokens
		st.mu.Unlock()
		task = &progressTask{token: fmt.Sprintf("layerlens/review/%d", n), title: "Reviewing " + displayRef(k.ref)}
		err := s.call(s.ctx, protocol.MethodWorkDoneProgressCreate, map[string]any{"token": task.token}, nil)
		if err != nil {
			// A client that refuses (or never answers) once would stall the worker each time:
			// no more progress on this connection.
			s.log.Info("window/workDoneProgress/create failed; no more review progress", "err", err)
			st.noProgress = true
			return
		}
		st.tasks[k] = task
		zero := 0
		s.notify(protocol.MethodProgress, &progressParams{Token: task.token, Value: progressValue{
			Kind: "begin", Title: task.title, Message: k.platform, Percentage: &zero,
		}})
	}
	if task == nil {
		return
	}
	if pe.progress != nil && pe.final == nil {
		msg, pct := progressMessage(*pe.progress)
		if msg != task.lastMsg {
			task.lastMsg = msg
			s.notify(protocol.MethodProgress, &progressParams{Token: task.token, Value: progressValue{
				Kind: "report", Message: msg, Percentage: pct,
			}})
		}
	}
	if pe.final != nil || !inUse {
		msg := "cancelled: no open document uses it"
		if pe.final != nil {
			msg = "done"
			if pe.final.Kind == baseimage.EventFailed {
				msg = "failed: " + failureReason(pe.final.Err)
			} else if rep := s.opts.Images.Get(k.ref, k.platform).Report; rep != nil {
				msg = fmt.Sprintf("done: %d findings", len(rep.Findings))
			}
		}
		s.notify(protocol.MethodProgress, &progressParams{Token: task.token, Value: progressValue{Kind: "end", Message: msg}})
		delete(st.tasks, k)
	}
}

// progressMessage renders a progress as "layer 2/5 · 1.2 MB of 7.8 MB" with a percentage of
// the bytes (or of the layers when sizes are unknown).
func progressMessage(p baseimage.Progress) (string, *int) {
	switch p.Phase {
	case baseimage.PhaseResolving, "":
		return "resolving the tag", nil
	case baseimage.PhaseConfig:
		return fmt.Sprintf("config read · %d layers, %s", p.LayersTotal, humanBytes(p.BytesTotal)), nil
	}
	pct := 0
	switch {
	case p.BytesTotal > 0:
		pct = int(p.BytesDone * 100 / p.BytesTotal)
	case p.LayersTotal > 0:
		pct = p.LayersDone * 100 / p.LayersTotal
	}
	pct = min(max(pct, 0), 100)
	return fmt.Sprintf("layer %d/%d · %s of %s", min(p.LayersDone+1, p.LayersTotal), p.LayersTotal,
		humanBytes(p.BytesDone), humanBytes(p.BytesTotal)), &pct
}

// humanBytes formats n bytes with decimal units ("7.8 MB"), as registries and docker show them.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTP"[exp])
}

// displayRef shortens a normalised reference for people: "docker.io/library/alpine:3.20" is
// "alpine:3.20", a digest is cut to 12 hex digits.
func displayRef(ref string) string {
	r := ref
	if len(r) > len("docker.io/library/") && r[:len("docker.io/library/")] == "docker.io/library/" {
		r = r[len("docker.io/library/"):]
	} else if len(r) > len("docker.io/") && r[:len("docker.io/")] == "docker.io/" {
		r = r[len("docker.io/"):]
	}
	for i := 0; i+1 < len(r); i++ {
		if r[i] == '@' {
			return r[:i+1] + shortDigest(r[i+1:])
		}
	}
	return r
}

// shortDigest cuts "sha256:<64 hex>" to "sha256:<12 hex>".
func shortDigest(d string) string {
	for i := 0; i < len(d); i++ {
		if d[i] == ':' && len(d) > i+13 {
			return d[:i+13]
		}
	}
	return d
}
