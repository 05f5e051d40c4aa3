package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/baseimage"
)

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	bar := &progressBar{w: &buf}
	bar.update(baseimage.Progress{Phase: baseimage.PhaseConfig, BytesTotal: 100})
	if buf.Len() != 0 {
		t.Errorf("drew %q before any layer", buf.String())
	}
	bar.update(baseimage.Progress{Phase: baseimage.PhaseLayers, BytesDone: 100, BytesTotal: 100, LayersDone: 2, LayersTotal: 2})
	if got := buf.String(); !strings.Contains(got, "[==============================]") || !strings.Contains(got, "100 B / 100 B") || !strings.Contains(got, "layer 2/2") {
		t.Errorf("bar = %q", got)
	}
	bar.clear()
	if !strings.HasSuffix(buf.String(), "\r") {
		t.Errorf("clear did not return to the line start: %q", buf.String())
	}
	var nilBar *progressBar
	nilBar.update(baseimage.Progress{Phase: baseimage.PhaseLayers, BytesTotal: 1})
	nilBar.clear()
}
