package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// Commands (workspace/executeCommand) of the image features.
const (
	// cmdReviewImage forces a new review of the images of a document (arguments: uri, and
	// optionally a position to review only that FROM), bypassing the tag TTL.
	cmdReviewImage = "layerlens.reviewImage"
	// cmdPinAll pins every FROM of a document (argument: uri) and applies the edit with
	// workspace/applyEdit once the digests are known.
	cmdPinAll = "layerlens.pinAll"
	// cmdShowImageReview is the code lens command (arguments: uri, position): it moves the
	// client's cursor to the image (window/showDocument) and returns the hover Markdown.
	cmdShowImageReview = "layerlens.showImageReview"
)

// imageCommands lists the commands for the executeCommandProvider capability.
var imageCommands = []string{cmdReviewImage, cmdPinAll, cmdShowImageReview}

// executeCommand answers workspace/executeCommand. Slow work (registry lookups) runs in the
// background from the connection's context; the reply does not wait for it.
func (s *server) executeCommand(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	}
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	switch p.Command {
	case cmdReviewImage, cmdPinAll, cmdShowImageReview:
	default:
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
	}
	if s.opts.Images == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s: image review is off in this server", p.Command)
	}
	var uri string
	if len(p.Arguments) == 0 || json.Unmarshal(p.Arguments[0], &uri) != nil || uri == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: want the document URI as the first argument", p.Command)
	}
	snap, err := s.snapshot(protocol.DocumentURI(uri))
	if err != nil {
		return nil, err
	}
	var pos *protocol.Position
	if len(p.Arguments) > 1 {
		var pp protocol.Position
		if json.Unmarshal(p.Arguments[1], &pp) == nil {
			pos = &pp
		}
	}
	switch p.Command {
	case cmdReviewImage:
		return s.reviewImageCommand(snap, pos), nil
	case cmdPinAll:
		go s.pinAllCommand(snap)
		return nil, nil
	case cmdShowImageReview:
		return s.showImageReview(snap, pos), nil
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
}

// reviewImageCommand starts new reviews of the images of snap (or of the FROM at pos) and
// returns how many were started.
func (s *server) reviewImageCommand(snap *snapshot, pos *protocol.Position) int {
	n := 0
	seen := map[imageKey]bool{}
	for _, si := range s.stageImages(snap.File(), s.currentSettings()) {
		if si.err != nil || seen[si.key] {
			continue
		}
		if pos != nil && !si.stage.From.Range.Contains(snap.Mapper.Pos(*pos)) {
			continue
		}
		seen[si.key] = true
		s.opts.Images.Refresh(si.key.ref, si.key.platform)
		n++
	}
	return n
}

// showImageReview moves the client to the image token of the FROM at pos (when the client
// supports window/showDocument) and returns the hover Markdown of its review.
func (s *server) showImageReview(snap *snapshot, pos *protocol.Position) any {
	if pos == nil {
		return nil
	}
	ins := instructionAt(snap.File(), snap.Mapper.Pos(*pos))
	if ins == nil || ins.Cmd != "FROM" || ins.Stage < 0 || ins.Stage >= len(snap.File().Stages) {
		return nil
	}
	st := snap.File().Stages[ins.Stage]
	md := s.fromHover(snap, st)
	rng := snap.Mapper.Range(st.BaseRange)
	go func() {
		var res struct {
			Success bool `json:"success"`
		}
		err := s.call(s.ctx, "window/showDocument", map[string]any{"uri": snap.URI, "selection": rng, "takeFocus": true}, &res)
		if err != nil && s.ctx.Err() == nil {
			s.log.Debug("showDocument failed", "err", err)
		}
	}()
	return protocol.MarkupContent{Kind: protocol.Markdown, Value: md}
}

// pinAllCommand pins every FROM of snap: digests come from the reviews when known, else from
// the registry (a HEAD request per tag), then the edit is applied with workspace/applyEdit for
// the version it was computed on (the client refuses it if the document changed since).
func (s *server) pinAllCommand(snap *snapshot) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("pinAll panic", "panic", fmt.Sprint(r))
		}
	}()
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Minute)
	defer cancel()
	var edits []protocol.TextEdit
	var problems []string
	for _, si := range s.stageImages(snap.File(), s.currentSettings()) {
		if si.err != nil {
			continue
		}
		digest, _ := pinDigest(si)
		if digest == "" {
			lookup := si.key.ref
			if nameTag, ok := pinnedTag(si.key.ref); ok {
				lookup = nameTag
			} else if strings.Contains(si.key.ref, "@") {
				continue // pinned without a tag: nothing to refresh against
			}
			d, err := s.opts.Images.Digest(ctx, lookup, false)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s", displayRef(lookup), failureReason(err)))
				continue
			}
			digest = d
		}
		te, ok := PinEdit(si.stage, digest)
		if !ok {
			if strings.ContainsAny(si.stage.BaseImage, "$") {
				problems = append(problems, fmt.Sprintf("line %d: the image uses build args; pin it by hand", si.stage.From.Range.Start.Line+1))
			}
			continue
		}
		edits = append(edits, protocol.TextEdit{Range: snap.Mapper.Range(te.Range), NewText: te.NewText})
	}
	if len(problems) > 0 {
		s.notify(protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{
			Type: protocol.MessageTypeWarning, Message: "layerlens: some images were not pinned: " + strings.Join(problems, "; "),
		})
	}
	if len(edits) == 0 || ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	docChanges := s.client.Workspace.WorkspaceEdit.DocumentChanges
	s.mu.Unlock()
	we, ok := workspaceEdit(s.latest(snap), snap.Version, edits, docChanges)
	if !ok {
		s.notify(protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{
			Type: protocol.MessageTypeWarning, Message: "layerlens: the document changed while pinning; run the command again",
		})
		return
	}
	var res protocol.ApplyWorkspaceEditResponse
	if err := s.call(s.ctx, protocol.MethodWorkspaceApplyEdit, &protocol.ApplyWorkspaceEditParams{Label: "Pin base images", Edit: *we}, &res); err != nil {
		s.log.Warn("pinAll: applyEdit failed", "err", err)
		return
	}
	if !res.Applied {
		s.log.Info("pinAll: the client did not apply the edit", "reason", res.FailureReason)
	}
}

// latest returns the current snapshot of snap's document (snap itself when it was closed).
func (s *server) latest(snap *snapshot) *snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.docs[snap.URI]; d != nil {
		return d.snap
	}
	return snap
}
