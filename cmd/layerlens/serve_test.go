package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestApplyMemoryLimit: serve sets its soft memory limit unless GOMEMLIMIT or GOGC=off is set.
func TestApplyMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	debug.SetMemoryLimit(math.MaxInt64)
	if _, set := applyMemoryLimit(env(map[string]string{"GOMEMLIMIT": "1GiB"})); set {
		t.Error("limit set although GOMEMLIMIT is")
	}
	if _, set := applyMemoryLimit(env(map[string]string{"GOGC": "off"})); set {
		t.Error("limit set although GOGC=off")
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit changed to %d", got)
	}
	limit, set := applyMemoryLimit(env(nil))
	if !set || limit != serveMemoryLimit {
		t.Fatalf("applyMemoryLimit() = %d, %v", limit, set)
	}
	if got := debug.SetMemoryLimit(-1); got != serveMemoryLimit {
		t.Errorf("runtime limit %d, want %d", got, serveMemoryLimit)
	}
}
