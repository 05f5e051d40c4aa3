package rules

import (
	"iter"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// baseStage returns the stage that s builds on ("FROM <stage>": the latest earlier stage of that
// name, as BuildKit resolves it), or nil when s starts from an image.
func baseStage(f *analysis.File, s *analysis.Stage) *analysis.Stage {
	var base *analysis.Stage
	for _, e := range f.Stages {
		if e.Index < s.Index && e.Name != "" && strings.EqualFold(e.Name, s.BaseImage) {
			base = e
		}
	}
	return base
}

// stageChain yields st and then each stage it builds on, down to the one whose FROM names an
// image. It ends: every step goes to an earlier stage.
func stageChain(f *analysis.File, st *analysis.Stage) iter.Seq[*analysis.Stage] {
	return func(yield func(*analysis.Stage) bool) {
		for s := st; s != nil; s = baseStage(f, s) {
			if !yield(s) {
				return
			}
		}
	}
}

// stageHas reports whether st, or a stage it builds on, has an instruction cmd ("USER", ...).
func stageHas(f *analysis.File, st *analysis.Stage, cmd string) bool {
	for s := range stageChain(f, st) {
		for _, in := range s.Instructions {
			if in.Cmd == cmd {
				return true
			}
		}
	}
	return false
}

// lastInstruction returns the last instruction cmd of st itself, or nil.
func lastInstruction(st *analysis.Stage, cmd string) *analysis.Instruction {
	var last *analysis.Instruction
	for _, in := range st.Instructions {
		if in.Cmd == cmd {
			last = in
		}
	}
	return last
}
