package baseimage

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/baseimage/internal/testimage"
)

const demoLayout = "../testdata/oci"

func TestDemoLayoutOffline(t *testing.T) {
	hermetic(t)
	rv := newTestReviewer(t, "", WithOffline(true), WithLayouts(demoLayout))
	trapped, err := rv.Review(context.Background(), "layerlens.test/demo/trapped:1.0", "linux/amd64", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // rule -> path (or "" for config findings)
		"LayerMiner":            "/usr/local/bin/.cache/kworker",
		"LayerPrivateKey":       "/root/.ssh/id_rsa",
		"LayerHiddenByWhiteout": "/root/.ssh/id_rsa",
		"LayerSetuid":           "/bin/sh",
		"LayerAuthorizedKeys":   "/root/.ssh/authorized_keys",
		"LayerCredentials":      "/app/.env",
		"ImageOnBuild":          "",
		"ImageRunsAsRoot":       "",
	}
	for rule, p := range want {
		if findRule(trapped.Findings, rule, p) == nil {
			t.Errorf("trapped: no %s on %q", rule, p)
		}
	}
	if f := findRule(trapped.Findings, "LayerHiddenByWhiteout", ""); f == nil || f.Layer != 2 || f.Severity != analysis.SeverityError {
		t.Errorf("hidden key finding = %+v, want an error in layer 2 (where it can be downloaded)", f)
	}
	if trapped.Layers[3].Removed != 1 || trapped.Layers[3].Modified != 1 {
		t.Errorf("layer 3 = %+v, want 1 removed and 1 modified", trapped.Layers[3])
	}
	if trapped.Efficiency.Score >= 1 || trapped.Efficiency.WastedBytes == 0 {
		t.Errorf("efficiency = %+v, want waste from the re-added /bin/sh and the deleted key", trapped.Efficiency)
	}
	if !strings.HasPrefix(trapped.Source, "layout ") {
		t.Errorf("source = %q", trapped.Source)
	}

	clean, err := rv.Review(context.Background(), "layerlens.test/demo/clean:1.0", "linux/arm64", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := clean.MaxSeverity(); s != analysis.SeverityInfo {
		t.Errorf("clean: worst severity %v, findings %+v", s, clean.Findings)
	}
	if clean.Config.User != "app" || clean.Facts().User != "app" || !clean.Facts().HasHealthcheck {
		t.Errorf("clean config = %+v", clean.Config)
	}
	// The JSON names are part of the CLI contract.
	b, _ := json.Marshal(trapped)
	for _, k := range []string{`"ref":`, `"digest":`, `"manifestDigest":`, `"layers":`, `"findings":`, `"efficiency":`, `"userWastedPercent":`, `"severity":"error"`, `"emptyHistory":`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON lacks %s", k)
		}
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || len(back.Findings) != len(trapped.Findings) || back.Findings[0].Severity != analysis.SeverityError {
		t.Errorf("JSON round trip: %v", err)
	}

	_, err = rv.Review(context.Background(), "layerlens.test/demo/missing:1.0", "", nil)
	if err == nil || !strings.Contains(err.Error(), "layerlens.test/demo/clean:1.0") {
		t.Errorf("unknown name: err = %v, want one listing the layout's images", err)
	}
}

// writeLayout writes a hand-made OCI layout: blobs by name (their digest is computed unless
// the name is a digest already) and an index naming manifests.
func writeLayout(t *testing.T, blobs map[string]string, refs map[string]string, mediaType string) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755)
	os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
	for hexName, body := range blobs {
		os.WriteFile(filepath.Join(dir, "blobs", "sha256", hexName), []byte(body), 0o644)
	}
	var ms []map[string]any
	for ref, dg := range refs {
		ann := map[string]string{"org.opencontainers.image.ref.name": ref}
		if name, tag, ok := strings.Cut(ref, "|"); ok { // BuildKit style: name and tag apart
			ann = map[string]string{"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag}
		}
		ms = append(ms, map[string]any{"mediaType": mediaType, "digest": dg, "size": 1, "annotations": ann})
	}
	b, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": ms})
	os.WriteFile(filepath.Join(dir, "index.json"), b, 0o644)
	return dir
}

func hexOf(s string) string { return strings.TrimPrefix(digestOf([]byte(s)), "sha256:") }

func TestMalformedManifestsAndConfigs(t *testing.T) {
	hermetic(t)
	notJSON := "{not json"
	badConfig := "[1,2,3]"
	cfgManifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"` + digestOf([]byte(badConfig)) + `","size":7},"layers":[]}`
	schema1 := `{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[]}`
	empty := `{"schemaVersion":2}`
	blobs := map[string]string{
		hexOf(notJSON): notJSON, hexOf(badConfig): badConfig, hexOf(cfgManifest): cfgManifest,
		hexOf(schema1): schema1, hexOf(empty): empty,
		hexOf("tampered"): "not what the digest says",
	}
	refs := map[string]string{
		"layerlens.test/bad/json:1":    digestOf([]byte(notJSON)),
		"layerlens.test/bad/config:1":  digestOf([]byte(cfgManifest)),
		"layerlens.test/bad/schema1:1": digestOf([]byte(schema1)),
		"layerlens.test/bad/empty:1":   digestOf([]byte(empty)),
		"layerlens.test/bad/digest:1":  digestOf([]byte("tampered")),
		"layerlens.test/bad/missing:1": digestOf([]byte("absent")),
	}
	dir := writeLayout(t, blobs, refs, "application/vnd.oci.image.manifest.v1+json")
	rv := newTestReviewer(t, "", WithOffline(true), WithLayouts(dir))
	for ref, want := range map[string]string{
		"layerlens.test/bad/json:1":    "malformed manifest",
		"layerlens.test/bad/config:1":  "malformed config",
		"layerlens.test/bad/schema1:1": "schema 1",
		"layerlens.test/bad/empty:1":   "neither an index nor an image manifest",
		"layerlens.test/bad/digest:1":  "digest mismatch",
		"layerlens.test/bad/missing:1": "no such file",
	} {
		_, err := rv.Review(context.Background(), ref, "linux/amd64", nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", ref, err, want)
		}
	}
}

func TestAssembleEfficiency(t *testing.T) {
	rep := &Report{Layers: make([]Layer, 3)}
	reviews := []*layerReview{
		{Complete: true, ContentSize: 180, Entries: []entry{{Path: "/a", Size: 100, Kind: kindFile}, {Path: "/b", Size: 50, Kind: kindFile}, {Path: "/d", Kind: kindDir}, {Path: "/d/x", Size: 10, Kind: kindFile, Flagged: true}, {Path: "/d/y", Size: 20, Kind: kindFile}}},
		{Complete: true, ContentSize: 120, Entries: []entry{{Path: "/a", Size: 120, Kind: kindFile}, {Path: "/c", Size: 5, Kind: kindFile}}},
		{Complete: true, Entries: []entry{{Path: "/b", Kind: kindWhiteout}, {Path: "/d", Kind: kindWhiteout}, {Path: "/nothing", Kind: kindWhiteout}}},
	}
	assemble(rep, reviews)
	// Dive: /a 100+120 (min 100), /b 50+50 (min 50), /d whiteout charged 30 (one node), the
	// rest once: score = (100+50+30+10+20+5+0) / (220+100+30+10+20+5+0).
	wantScore := float64(100+50+30+10+20+5) / float64(220+100+30+10+20+5)
	if d := rep.Efficiency.Score - wantScore; d > 1e-9 || d < -1e-9 {
		t.Errorf("score = %v, want %v", rep.Efficiency.Score, wantScore)
	}
	if rep.Efficiency.WastedBytes != 320 {
		t.Errorf("wasted = %d, want 320 (/a 220 + /b 100)", rep.Efficiency.WastedBytes)
	}
	if l := rep.Layers[1]; l.Added != 1 || l.Modified != 1 {
		t.Errorf("layer 1 = +%d ~%d, want +1 ~1", l.Added, l.Modified)
	}
	if l := rep.Layers[2]; l.Removed != 2 {
		t.Errorf("layer 2 removed = %d, want 2 (/b and /d; /nothing was never there)", l.Removed)
	}
	if f := findRule(rep.Findings, "LayerHiddenByWhiteout", "/d/x"); f == nil || f.Layer != 0 {
		t.Errorf("hidden /d/x: %+v, want a finding in layer 0", rep.Findings)
	}
}

func TestReviewConfigProvenance(t *testing.T) {
	layers := func(n int) *v1.Manifest {
		m := &v1.Manifest{}
		for i := range n {
			h, _ := v1.NewHash(digestOf([]byte{byte(i)}))
			m.Layers = append(m.Layers, v1.Descriptor{Digest: h, Size: 10})
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		cf      v1.ConfigFile
		m       *v1.Manifest
		want    string
		missing []int
	}{
		{"no history", v1.ConfigFile{}, layers(2), "has no history", []int{0, 1}},
		{"fewer entries than layers", v1.ConfigFile{History: []v1.History{{CreatedBy: "ADD file:abc in /"}, {CreatedBy: "ENV A=1", EmptyLayer: true}}}, layers(3), "2 layer(s) have no history entry", []int{1, 2}},
		{"empty command", v1.ConfigFile{History: []v1.History{{CreatedBy: "ADD file:abc in /"}, {CreatedBy: ""}}}, layers(2), "1 history entry has an empty command", nil},
		{"squashed application", v1.ConfigFile{Config: v1.Config{Cmd: []string{"/app"}}, History: []v1.History{{CreatedBy: "COPY / /"}}}, layers(1), "squashed into one layer", nil},
	} {
		rep := &Report{}
		reviewConfig(rep, &tc.cf, tc.m)
		found := false
		for _, f := range rep.Findings {
			if f.Rule == "ImageOpaqueProvenance" && strings.Contains(f.Message, tc.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: findings %+v, want ImageOpaqueProvenance %q", tc.name, rep.Findings, tc.want)
		}
		for _, i := range tc.missing {
			if rep.Layers[i].Command != "(missing)" || !rep.Layers[i].EmptyHistory {
				t.Errorf("%s: layer %d = %q, want (missing)", tc.name, i, rep.Layers[i].Command)
			}
		}
	}
	// A distribution base image (one ADD file: layer) is normal.
	rep := &Report{}
	reviewConfig(rep, &v1.ConfigFile{Config: v1.Config{Cmd: []string{"/bin/sh"}}, History: []v1.History{{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / "}}}, layers(1))
	if findRule(rep.Findings, "ImageOpaqueProvenance", "") != nil {
		t.Errorf("distribution base flagged: %+v", rep.Findings)
	}
}

func TestDemoDockerfileResolvesToLayout(t *testing.T) {
	hermetic(t)
	b, err := os.ReadFile("../testdata/demo/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	f := analysis.Parse(string(b))
	rv := newTestReviewer(t, "", WithOffline(true), WithLayouts(demoLayout))
	var refs []string
	for _, st := range f.Stages {
		tg, err := ResolveFrom(f, st, nil, "linux/amd64")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rv.Review(context.Background(), tg.Ref, tg.Platform, nil); err != nil {
			t.Errorf("stage %d (%s): %v", st.Index, tg.Ref, err)
		}
		refs = append(refs, tg.Ref)
	}
	if strings.Join(refs, " ") != "layerlens.test/demo/clean:1.0 layerlens.test/demo/trapped:1.0" {
		t.Errorf("FROMs resolve to %v", refs)
	}
}

// TestDemoLayoutIsGenerated checks that testdata/oci is what genlayout writes today.
func TestDemoLayoutIsGenerated(t *testing.T) {
	for name, build := range map[string]func() (v1.ImageIndex, error){
		"layerlens.test/demo/clean:1.0":   testimage.DemoClean,
		"layerlens.test/demo/trapped:1.0": testimage.DemoTrapped,
	} {
		idx, err := build()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := idx.Digest()
		got, err := layoutSource{dir: demoLayout}.find(name)
		if err != nil || got != want.String() {
			t.Errorf("%s in testdata/oci = %s, %v; the generator makes %s: run go run ./baseimage/internal/genlayout -o testdata/oci", name, got, err, want)
		}
	}
}

func TestAssembleHiddenBytes(t *testing.T) {
	rep := &Report{Layers: make([]Layer, 2)}
	assemble(rep, []*layerReview{
		{Complete: true, Entries: []entry{{Path: "/var/cache/apt/archives/big.deb", Size: 3 << 20, Kind: kindFile}, {Path: "/var/cache/apt/archives", Kind: kindDir}}},
		{Complete: true, Entries: []entry{{Path: "/var/cache/apt/archives", Kind: kindOpaque}}},
	})
	f := findRule(rep.Findings, "LayerHiddenByWhiteout", "")
	if f == nil || f.Severity != analysis.SeverityInfo || f.Layer != 1 || !strings.Contains(f.Message, "3.1 MB") {
		t.Errorf("finding = %+v, want an info finding on layer 1 about 3.1 MB still downloaded", f)
	}
	if rep.Layers[1].Removed != 1 {
		t.Errorf("removed = %d, want 1 (the file under the opaque directory)", rep.Layers[1].Removed)
	}
}

func TestLayoutContainerdNames(t *testing.T) {
	hermetic(t)
	notJSON := "{not json"
	dir := writeLayout(t, map[string]string{hexOf(notJSON): notJSON},
		map[string]string{"docker.io/acme/app:2|2": digestOf([]byte(notJSON))}, "application/vnd.oci.image.manifest.v1+json")
	rv := newTestReviewer(t, "", WithOffline(true), WithLayouts(dir))
	// Found by io.containerd.image.name (then fails on the bad manifest, which proves the match).
	if _, err := rv.Review(context.Background(), "acme/app:2", "linux/amd64", nil); err == nil || !strings.Contains(err.Error(), "malformed manifest") {
		t.Errorf("containerd-named image: err = %v, want the layout's (malformed) manifest", err)
	}
	// A bare tag annotation ("2") matches no other image.
	if _, err := rv.Review(context.Background(), "other/thing:2", "linux/amd64", nil); err == nil || !strings.Contains(err.Error(), "not in the store") {
		t.Errorf("bare tag: err = %v, want not found", err)
	}
}
