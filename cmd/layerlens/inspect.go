package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/baseimage"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// runInspect implements `layerlens inspect [flags] IMAGE`: the base-image review as a report.
// Exit codes: 0 reviewed, 1 findings at or above --fail-level, 2 usage or review errors.
func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	platform := fs.String("platform", "", "platform to review, os/arch[/variant] (default: linux/<host arch>)")
	var layouts, mirrors, insecure listFlag
	fs.Var(&layouts, "oci-layout", "OCI image layout `DIR` to read images from (repeatable)")
	offline := fs.Bool("offline", false, "read only the store and OCI layouts; make no network calls")
	failLevel := fs.String("fail-level", "error", "exit 1 when a finding is at least this severe: error, warning, info, hint or none")
	cacheDir := fs.String("cache-dir", "", "store directory (default: $LAYERLENS_CACHE or the user cache dir)")
	timeout := fs.Duration("timeout", baseimage.DefaultTimeout, "time budget for the whole review")
	budget := fs.Int64("max-bytes", baseimage.DefaultBudget.MaxBytes, "uncompressed bytes budget for the image")
	fs.Var(&mirrors, "mirror", "registry mirror as `REGISTRY=MIRROR` (e.g. docker.io=mirror.example:5000; repeatable)")
	fs.Var(&insecure, "insecure-registry", "registry `HOST` reachable over plain http (repeatable)")
	noProgress := fs.Bool("no-progress", false, "never draw the progress bar")
	refresh := fs.Bool("refresh", false, "resolve the tag again even if the store resolved it recently")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: layerlens inspect [flags] IMAGE\n\nReview a base image: config, history, layers, findings and efficiency.\nExit status: 0 reviewed, 1 findings at --fail-level, 2 errors.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	// Flags may come before or after the image name.
	images, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if len(images) != 1 {
		fmt.Fprintln(stderr, "layerlens inspect: want exactly one IMAGE")
		fs.Usage()
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "layerlens inspect: unknown --format %q (want text or json)\n", *format)
		return 2
	}
	var fail analysis.Severity
	if *failLevel != "none" {
		s, ok := analysis.ParseSeverity(*failLevel)
		if !ok {
			fmt.Fprintf(stderr, "layerlens inspect: unknown --fail-level %q\n", *failLevel)
			return 2
		}
		fail = s
	}

	opts := []baseimage.Option{baseimage.WithOffline(*offline), baseimage.WithTimeout(*timeout), baseimage.WithBudget(*budget)}
	if *refresh {
		opts = append(opts, baseimage.WithTagTTL(0))
	}
	if *cacheDir != "" {
		opts = append(opts, baseimage.WithCacheDir(*cacheDir))
	}
	if len(layouts) > 0 {
		opts = append(opts, baseimage.WithLayouts(layouts...))
	}
	if len(insecure) > 0 {
		opts = append(opts, baseimage.WithInsecure(insecure...))
	}
	if len(mirrors) > 0 {
		m := map[string][]string{}
		for _, kv := range mirrors {
			reg, mirror, ok := strings.Cut(kv, "=")
			if !ok || reg == "" || mirror == "" {
				fmt.Fprintf(stderr, "layerlens inspect: --mirror %q: want REGISTRY=MIRROR\n", kv)
				return 2
			}
			m[reg] = append(m[reg], mirror)
		}
		opts = append(opts, baseimage.WithMirrors(m))
	}
	rv, err := baseimage.New(opts...)
	if err != nil {
		fmt.Fprintf(stderr, "layerlens inspect: %v\n", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var bar *progressBar
	if !*noProgress && isTerminal(stderr) {
		bar = &progressBar{w: stderr}
	}
	rep, err := rv.Review(ctx, images[0], *platform, bar.update)
	bar.clear()
	if err != nil {
		fmt.Fprintf(stderr, "layerlens inspect: %v\n", err)
		return 2
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "layerlens inspect: %v\n", err)
			return 2
		}
	} else {
		writeInspectText(stdout, rep)
	}
	if max := rep.MaxSeverity(); fail != 0 && max != 0 && max <= fail {
		return 1
	}
	return 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws download progress on one terminal line. A nil bar draws nothing.
type progressBar struct {
	w    io.Writer
	last time.Time
	drew bool
}

func (b *progressBar) update(p baseimage.Progress) {
	if b == nil || p.Phase != baseimage.PhaseLayers || p.BytesTotal <= 0 {
		return
	}
	if now := time.Now(); now.Sub(b.last) < 100*time.Millisecond && p.BytesDone < p.BytesTotal {
		return
	} else {
		b.last = now
	}
	const width = 30
	done := min(p.BytesDone, p.BytesTotal)
	n := int(int64(width) * done / p.BytesTotal)
	fmt.Fprintf(b.w, "\r[%s%s] %s / %s  layer %d/%d ", strings.Repeat("=", n), strings.Repeat(" ", width-n),
		baseimage.HumanBytes(done), baseimage.HumanBytes(p.BytesTotal), min(p.LayersDone+1, p.LayersTotal), p.LayersTotal)
	b.drew = true
}

func (b *progressBar) clear() {
	if b != nil && b.drew {
		fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", 79))
	}
}

// shortCommand strips the "/bin/sh -c #(nop) " noise Docker writes into history.
func shortCommand(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "/bin/sh -c ")
	s = strings.TrimPrefix(s, "#(nop) ")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 72 {
		s = s[:71] + "…"
	}
	return s
}

func writeInspectText(w io.Writer, r *baseimage.Report) {
	fmt.Fprintf(w, "Image      %s\n", r.Ref)
	fmt.Fprintf(w, "Source     %s\n", r.Source)
	fmt.Fprintf(w, "Pin        %s\n", r.Digest)
	if r.ManifestDigest != r.Digest {
		fmt.Fprintf(w, "Manifest   %s\n", r.ManifestDigest)
	}
	fmt.Fprintf(w, "Platform   %s (%s)\n", r.Platform, r.PlatformSource)
	if r.Created != "" {
		fmt.Fprintf(w, "Created    %s\n", r.Created)
	}
	fmt.Fprintf(w, "Size       %s compressed, %s uncompressed, %d layers\n", baseimage.HumanBytes(r.Size), baseimage.HumanBytes(r.UncompressedSize), len(r.Layers))
	c := r.Config
	user := c.User
	if user == "" {
		user = "(not set: root)"
	}
	fmt.Fprintf(w, "User       %s\n", user)
	if len(c.Entrypoint) > 0 {
		fmt.Fprintf(w, "Entrypoint %s\n", jsonList(c.Entrypoint))
	}
	if len(c.Cmd) > 0 {
		fmt.Fprintf(w, "Cmd        %s\n", jsonList(c.Cmd))
	}
	if c.WorkingDir != "" {
		fmt.Fprintf(w, "Workdir    %s\n", c.WorkingDir)
	}
	if len(c.ExposedPorts) > 0 {
		fmt.Fprintf(w, "Ports      %s\n", strings.Join(c.ExposedPorts, " "))
	}
	if len(c.Volumes) > 0 {
		fmt.Fprintf(w, "Volumes    %s\n", strings.Join(c.Volumes, " "))
	}
	for _, t := range c.OnBuild {
		fmt.Fprintf(w, "OnBuild    %s\n", t)
	}

	fmt.Fprintf(w, "\nLayers\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  #\tSIZE\tFILES\t+ADD\t~MOD\t-DEL\tCOMMAND\n")
	for _, l := range r.Layers {
		files := fmt.Sprintf("%d\t+%d\t~%d\t-%d", l.Entries, l.Added, l.Modified, l.Removed)
		if !l.Reviewed {
			files = "not reviewed\t\t\t"
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", l.Index, baseimage.HumanBytes(l.Size), files, shortCommand(l.Command))
	}
	tw.Flush()

	counts := r.Counts()
	fmt.Fprintf(w, "\nFindings   %d error, %d warning, %d info\n", counts[analysis.SeverityError], counts[analysis.SeverityWarning], counts[analysis.SeverityInfo]+counts[analysis.SeverityHint])
	for _, sev := range []analysis.Severity{analysis.SeverityError, analysis.SeverityWarning, analysis.SeverityInfo, analysis.SeverityHint} {
		if counts[sev] == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s\n", strings.ToUpper(sev.String()))
		for _, f := range r.Findings {
			if f.Severity != sev {
				continue
			}
			where := "config"
			if f.Layer >= 0 {
				where = fmt.Sprintf("layer %d", f.Layer)
			}
			fmt.Fprintf(w, "    %-22s %-8s %s\n", f.Rule, where, f.Message)
		}
	}
	e := r.Efficiency
	fmt.Fprintf(w, "\nEfficiency %.1f %%  wasted %s  (%.1f %% of the layers above the first)\n", 100*e.Score, baseimage.HumanBytes(e.WastedBytes), e.UserWastedPercent)
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "\nIncomplete review:\n")
		for _, e := range r.Errors {
			fmt.Fprintf(w, "  - %s\n", e)
		}
	}
}

func jsonList(s []string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
