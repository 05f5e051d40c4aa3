package lsp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/baseimage"
	"github.com/layerlens/layerlens/lsp"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

// imageRegistry is ggcr's registry on loopback holding the demo images of testdata/oci (the
// trapped one has a miner, a private key, a setuid shell and an ONBUILD trigger). Requests for
// repositories under "slow/" wait until release is called (or the request is abandoned): a
// stalled registry, without sleeping.
type imageRegistry struct {
	host    string
	digests map[string]string // repo:tag -> index digest
	demo    map[string]v1.ImageIndex
	push    func(repoTag string, img v1.ImageIndex)
	// configs are the config blob digests of the demo images: "partial/" serves them, and
	// holds the layers at the gate.
	configs map[string]bool

	mu      sync.Mutex
	gate    chan struct{}
	open    bool
	waiting int
	changed chan struct{}
}

func newImageRegistry(t testing.TB) *imageRegistry {
	t.Helper()
	// Hermetic credentials: the keychain must not read the developer's Docker config.
	home := t.TempDir()
	for k, v := range map[string]string{"HOME": home, "DOCKER_CONFIG": filepath.Join(home, ".docker"),
		"REGISTRY_AUTH_FILE": filepath.Join(home, "auth.json"), "XDG_RUNTIME_DIR": filepath.Join(home, "run"),
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"), "LAYERLENS_CACHE": filepath.Join(home, "cache")} {
		t.Setenv(k, v)
	}
	ir := &imageRegistry{digests: map[string]string{}, gate: make(chan struct{}), changed: make(chan struct{})}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v2/garbage/") {
			// A registry answering with garbage: a digest header that is no digest, a body
			// that is no manifest.
			w.Header().Set("Docker-Content-Digest", "sha256:zz")
			w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
			_, _ = io.WriteString(w, "{{{ not a manifest")
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v2/slow/") || (strings.HasPrefix(r.URL.Path, "/v2/partial/") &&
			strings.Contains(r.URL.Path, "/blobs/") && !ir.isConfig(r.URL.Path)) {
			ir.mu.Lock()
			gate := ir.gate
			ir.waiting++
			close(ir.changed)
			ir.changed = make(chan struct{})
			ir.mu.Unlock()
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(ir.release)
	ir.host = strings.TrimPrefix(srv.URL, "http://")

	idx, err := layout.ImageIndexFromPath(filepath.Join("..", "testdata", "oci"))
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	demo := map[string]v1.ImageIndex{}
	for _, d := range im.Manifests {
		child, err := idx.ImageIndex(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		n := d.Annotations["org.opencontainers.image.ref.name"]
		demo[n[strings.LastIndex(n, "/")+1:]] = child // "trapped:1.0", "clean:1.0"
	}
	ir.demo = demo
	ir.configs = map[string]bool{}
	for _, ix := range demo {
		m, err := ix.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range m.Manifests {
			img, err := ix.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			cn, err := img.ConfigName()
			if err != nil {
				t.Fatal(err)
			}
			ir.configs[cn.String()] = true
		}
	}
	push := func(repoTag string, img v1.ImageIndex) {
		ref, err := name.ParseReference(ir.host + "/" + repoTag)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.WriteIndex(ref, img); err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		ir.digests[repoTag] = d.String()
	}
	ir.push = push
	// Push before any gate matters: "slow/" pushes go through the gate too, so open it.
	ir.release()
	push("demo/trapped:1.0", demo["trapped:1.0"])
	push("demo/clean:1.0", demo["clean:1.0"])
	for i := 0; i < 10; i++ {
		push("slow/img"+string(rune('a'+i))+":1", demo["clean:1.0"])
	}
	push("slow/trapped:1.0", demo["trapped:1.0"])
	push("partial/trapped:1.0", demo["trapped:1.0"])
	ir.mu.Lock()
	ir.gate, ir.open = make(chan struct{}), false
	ir.mu.Unlock()
	return ir
}

// isConfig reports a blob request for a config.
func (ir *imageRegistry) isConfig(path string) bool {
	return ir.configs[path[strings.LastIndexByte(path, '/')+1:]]
}

// release lets the requests to "slow/" through, now and later.
func (ir *imageRegistry) release() {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	if !ir.open {
		close(ir.gate)
		ir.open = true
	}
}

// waitStalled waits until at least n requests are held at the gate.
func (ir *imageRegistry) waitStalled(t testing.TB, n int) {
	t.Helper()
	for {
		ir.mu.Lock()
		w, ch := ir.waiting, ir.changed
		ir.mu.Unlock()
		if w >= n {
			return
		}
		<-ch
	}
}

// newImageEnv starts a server with the real image service.
func newImageEnv(t testing.TB, opts ...lsptest.Option) (*lsptest.Env, *lsp.BaseImageService) {
	t.Helper()
	svc, err := lsp.NewImageService(lsp.ImageServiceOptions{Base: []baseimage.Option{baseimage.WithAnonymous()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	opts = append([]lsptest.Option{lsptest.WithServerOptions(lsp.Options{Images: svc})}, opts...)
	return lsptest.New(t, opts...), svc
}

func codes(diags []protocol.Diagnostic) map[string]protocol.Diagnostic {
	out := map[string]protocol.Diagnostic{}
	for _, d := range diags {
		if c, ok := d.Code.(string); ok {
			out[c] = d
		}
	}
	return out
}

// waitDiagnostic waits for a publication of uri's diagnostics that includes code and returns it.
func waitDiagnostic(t *testing.T, env *lsptest.Env, uri, code string) []protocol.Diagnostic {
	t.Helper()
	quoted := []byte(`"` + uri + `"`)
	n := env.WaitNotification(protocol.MethodTextDocumentPublishDiagnostics, func(raw json.RawMessage) bool {
		// Decode only candidates: the harness keeps every notification and re-checks them all.
		if !bytes.Contains(raw, quoted) || !bytes.Contains(raw, []byte(code)) {
			return false
		}
		var p protocol.PublishDiagnosticsParams
		if json.Unmarshal(raw, &p) != nil || string(p.URI) != uri {
			return false
		}
		_, ok := codes(p.Diagnostics)[code]
		return ok
	})
	var p protocol.PublishDiagnosticsParams
	if err := json.Unmarshal(n.Params, &p); err != nil {
		t.Fatal(err)
	}
	return p.Diagnostics
}

func hoverText(t *testing.T, env *lsptest.Env, uri string, pos protocol.Position) string {
	t.Helper()
	h := env.Hover(uri, pos)
	if h == nil {
		return ""
	}
	return h.Contents.Value
}

// TestImageReviewEndToEnd follows one review from the editor's side: diagnostics before and
// after it lands, the progress sequence, the hover table, the pin quick fix and the source
// action, inlay hints and code lenses; a stalled registry never delays a hover elsewhere.
func TestImageReviewEndToEnd(t *testing.T) {
	reg := newImageRegistry(t)
	env, svc := newImageEnv(t, lsptest.WithCapabilities(strings.Replace(lsptest.DefaultCapabilities,
		`"foldingRange": {"lineFoldingOnly": true}`, `"foldingRange": {"lineFoldingOnly": true}, "codeLens": {}`, 1)))
	uri := "file:///w/Dockerfile"
	text := "# review me\nFROM " + reg.host + "/slow/trapped:1.0 AS app\nRUN echo hello\n"
	started := reviewStarted(t, svc, reg.host+"/slow/trapped:1.0")
	env.Open(uri, text)

	// Before the review: the text rules only, and the registry is stalled.
	before := codes(env.Diagnostics(uri))
	if _, ok := before["ImageNotPinned"]; !ok {
		t.Errorf("diagnostics before the review = %v, want ImageNotPinned", before)
	}
	for c := range before {
		if strings.HasPrefix(c, "Layer") || c == "ImageUnavailable" {
			t.Errorf("image diagnostic %s before the review landed", c)
		}
	}
	reg.waitStalled(t, 1)
	started()
	if h := hoverText(t, env, uri, env.At(uri, "RUN")); !strings.Contains(h, "RUN") {
		t.Errorf("hover on RUN while the registry stalls = %q", h)
	}
	if h := hoverText(t, env, uri, env.At(uri, "slow/trapped")); !strings.Contains(h, "review pending") {
		t.Errorf("FROM hover while pending = %q, want review pending", h)
	}

	// The review lands.
	reg.release()
	diags := waitDiagnostic(t, env, uri, "LayerMiner")
	got := codes(diags)
	for _, c := range []string{"LayerMiner", "LayerPrivateKey", "LayerSetuid", "ImageOnBuild", "ImageRunsAsRoot", "ImageNotPinned"} {
		if _, ok := got[c]; !ok {
			t.Errorf("diagnostics after the review lack %s: %v", c, got)
		}
	}
	miner := got["LayerMiner"]
	if want := env.Match(uri, `FROM (\S+)`); miner.Range != want {
		t.Errorf("LayerMiner range = %v, want the image token %v", miner.Range, want)
	}
	if len(miner.RelatedInformation) != 1 || !strings.Contains(miner.RelatedInformation[0].Message, "layer 1") {
		t.Errorf("LayerMiner related information = %+v, want the layer and path", miner.RelatedInformation)
	}

	// Progress: begin, reports, end, on one token.
	var seq []string
	env.WaitNotification(protocol.MethodProgress, func(raw json.RawMessage) bool { return strings.Contains(string(raw), `"end"`) })
	token := ""
	for _, n := range env.Notifications(protocol.MethodProgress) {
		var p struct {
			Token string `json:"token"`
			Value struct {
				Kind    string `json:"kind"`
				Title   string `json:"title"`
				Message string `json:"message"`
			} `json:"value"`
		}
		if err := json.Unmarshal(n.Params, &p); err != nil {
			t.Fatal(err)
		}
		if token == "" {
			token = p.Token
		}
		if p.Token == token {
			seq = append(seq, p.Value.Kind)
			if p.Value.Kind == "begin" && !strings.Contains(p.Value.Title, "slow/trapped:1.0") {
				t.Errorf("progress title = %q", p.Value.Title)
			}
		}
	}
	if len(seq) < 2 || seq[0] != "begin" || seq[len(seq)-1] != "end" {
		t.Errorf("progress sequence = %v, want begin, report..., end", seq)
	}
	for _, k := range seq[1 : len(seq)-1] {
		if k != "report" {
			t.Errorf("progress sequence = %v, want only reports between begin and end", seq)
		}
	}

	// Hover with the stored review.
	h := hoverText(t, env, uri, env.At(uri, "slow/trapped"))
	for _, want := range []string{"| # | Size | Command | Files +/~/- |", "★", "LayerMiner", "**Efficiency**", "| User | root (not set) |", reg.digests["slow/trapped:1.0"]} {
		if !strings.Contains(h, want) {
			t.Errorf("FROM hover lacks %q:\n%s", want, h)
		}
	}

	if testing.Verbose() {
		t.Logf("hover:\n%s", h)
		for _, d := range diags {
			t.Logf("diag %v %v: %s", d.Code, d.Range, d.Message)
		}
	}

	// The pin quick fix, attached to the ImageNotPinned diagnostic.
	line := env.LineRange(uri, "FROM")
	var pin *protocol.CodeAction
	for _, a := range env.CodeActions(uri, line, []protocol.Diagnostic{got["ImageNotPinned"]}) {
		if strings.HasPrefix(a.Title, "Pin ") && a.Kind == protocol.QuickFix {
			a := a
			pin = &a
		}
	}
	if pin == nil {
		t.Fatal("no Pin quick fix")
	}
	if len(pin.Diagnostics) != 1 || !pin.IsPreferred {
		t.Errorf("pin action diagnostics = %v, preferred = %v", pin.Diagnostics, pin.IsPreferred)
	}
	out, err := lsptest.ApplyEdit(env.Text(uri), uri, pin.Edit)
	if err != nil {
		t.Fatal(err)
	}
	wantLine := "FROM " + reg.host + "/slow/trapped:1.0@" + reg.digests["slow/trapped:1.0"] + " AS app"
	if !strings.Contains(out, wantLine+"\n") {
		t.Errorf("after the pin quick fix:\n%s\nwant the line %q", out, wantLine)
	}
	if v := pin.Edit.DocumentChanges[0].TextDocument.Version; v == nil || *v != env.Version(uri) {
		t.Errorf("pin edit version = %v, want %d", v, env.Version(uri))
	}

	// "Pin all base images" as a source action.
	var all []protocol.CodeAction
	if err := env.Call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": line,
		"context": map[string]any{"diagnostics": []any{}, "only": []string{"source"}},
	}, &all); err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Kind != "source.pinBaseImages" || all[0].Edit == nil {
		t.Fatalf("source actions = %+v, want Pin all with an edit", all)
	}
	if out2, _ := lsptest.ApplyEdit(env.Text(uri), uri, all[0].Edit); out2 != out {
		t.Errorf("Pin all gives\n%s\nwant\n%s", out2, out)
	}

	// Inlay hint after the image, and the code lens.
	var hints []struct {
		Position protocol.Position `json:"position"`
		Label    string            `json:"label"`
	}
	if err := env.Call("textDocument/inlayHint", map[string]any{"textDocument": map[string]any{"uri": uri},
		"range": protocol.Range{End: protocol.Position{Line: 10}}}, &hints); err != nil {
		t.Fatal(err)
	}
	if len(hints) != 1 || !strings.HasPrefix(hints[0].Label, "@"+reg.digests["slow/trapped:1.0"][:14]+" · ") || hints[0].Position != env.Match(uri, `FROM (\S+)`).End {
		t.Errorf("inlay hints = %+v", hints)
	}
	var lenses []protocol.CodeLens
	if err := env.Call(protocol.MethodTextDocumentCodeLens, map[string]any{"textDocument": map[string]any{"uri": uri}}, &lenses); err != nil {
		t.Fatal(err)
	}
	if len(lenses) != 1 || !strings.HasSuffix(lenses[0].Command.Title, "findings · review layers") {
		t.Errorf("code lenses = %+v", lenses)
	}
	var shown protocol.MarkupContent
	if err := env.Call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": lenses[0].Command.Command,
		"arguments": lenses[0].Command.Arguments}, &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Value != h {
		t.Errorf("code lens command result differs from the hover:\n%s", shown.Value)
	}
}

// TestImageChangedFromCancels: a FROM edited while its review is stalled does not keep the
// old review: once the new image's review lands, the old one is forgotten, and no diagnostics
// of the old version arrive.
func TestImageChangedFromCancels(t *testing.T) {
	reg := newImageRegistry(t)
	env, svc := newImageEnv(t)
	uri := "file:///w/Dockerfile"
	old := reg.host + "/slow/imga:1"
	env.Open(uri, "FROM "+old+"\n")
	env.Diagnostics(uri)
	reg.waitStalled(t, 1)
	env.Change(uri, "FROM "+reg.host+"/demo/trapped:1.0\n")
	waitDiagnostic(t, env, uri, "LayerMiner")
	norm, err := baseimage.NormaliseRef(old)
	if err != nil {
		t.Fatal(err)
	}
	if st := svc.Get(norm, "linux/amd64").State; st != baseimage.StateUnknown {
		t.Errorf("review of the replaced image is %v, want forgotten (unknown)", st)
	}
	for _, v := range env.PublishedVersions(uri) {
		if v > 2 {
			t.Errorf("diagnostics published for version %d, which does not exist", v)
		}
	}
}

// TestImageUnavailableAndNoProgressClient: an image missing from the registry is reported on
// the FROM with the registry's reason; a client without workDoneProgress gets no $/progress.
func TestImageUnavailableAndNoProgressClient(t *testing.T) {
	reg := newImageRegistry(t)
	env, _ := newImageEnv(t, lsptest.WithCapabilities(strings.Replace(lsptest.DefaultCapabilities, `"workDoneProgress": true`, `"workDoneProgress": false`, 1)))
	uri := "file:///w/Dockerfile"
	env.Open(uri, "FROM "+reg.host+"/demo/missing:1\nFROM "+reg.host+"/demo/clean:1.0\n")
	diags := waitDiagnostic(t, env, uri, "ImageUnavailable")
	d := codes(diags)["ImageUnavailable"]
	if !strings.Contains(d.Message, "not found") || d.Range != env.Match(uri, `FROM (\S+missing\S+)`) {
		t.Errorf("ImageUnavailable = %q at %v", d.Message, d.Range)
	}
	if h := hoverText(t, env, uri, env.At(uri, "demo/missing")); !strings.Contains(h, "cannot be reviewed") || !strings.Contains(h, "Check the name and tag") {
		t.Errorf("hover of a missing image = %q", h)
	}
	if n := len(env.Notifications(protocol.MethodProgress)); n != 0 {
		t.Errorf("%d $/progress notifications to a client without workDoneProgress", n)
	}
}

// TestImageReviewOffWithoutService: without an ImageService the image features stay silent.
func TestImageReviewOffWithoutService(t *testing.T) {
	env := lsptest.New(t)
	uri := "file:///w/Dockerfile"
	env.Open(uri, "FROM alpine:3.20\n")
	for c := range codes(env.Diagnostics(uri)) {
		if c == "ImageUnavailable" {
			t.Errorf("image diagnostic without a service")
		}
	}
	if h := env.Hover(uri, env.At(uri, "alpine")); h != nil {
		t.Errorf("FROM hover without a service = %q", h.Contents.Value)
	}
	var caps struct {
		Capabilities map[string]json.RawMessage `json:"capabilities"`
	}
	if err := json.Unmarshal(env.InitializeResult, &caps); err != nil {
		t.Fatal(err)
	}
	if _, ok := caps.Capabilities["inlayHintProvider"]; ok {
		t.Errorf("inlayHintProvider advertised without image review")
	}
}

// TestImageSameImageFiftyDocuments: fifty open documents using one image share one review,
// and every one of them gets the image diagnostics when it lands.
func TestImageSameImageFiftyDocuments(t *testing.T) {
	reg := newImageRegistry(t)
	// Fifty documents through the whole rules engine are slow under the race detector.
	env, _ := newImageEnv(t, lsptest.WithTimeout(2*time.Minute))
	var uris []string
	for i := 0; i < 50; i++ {
		uri := "file:///w/" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + "/Dockerfile"
		uris = append(uris, uri)
		env.Open(uri, "FROM "+reg.host+"/slow/trapped:1.0\nRUN echo "+uri+"\n")
	}
	reg.waitStalled(t, 1)
	reg.release()
	for _, uri := range uris {
		waitDiagnostic(t, env, uri, "LayerMiner")
	}
	begins := 0
	for _, n := range env.Notifications(protocol.MethodProgress) {
		if strings.Contains(string(n.Params), `"begin"`) {
			begins++
		}
	}
	if begins != 1 {
		t.Errorf("%d progress tasks for one image used by 50 documents, want 1", begins)
	}
}

// TestImageThousandsOfFROMs: a file naming thousands of images submits a bounded number of
// reviews; the FROMs beyond the bound say why they are not reviewed.
func TestImageThousandsOfFROMs(t *testing.T) {
	reg := newImageRegistry(t)
	env, svc := newImageEnv(t)
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		b.WriteString("FROM " + reg.host + "/slow/n" + strings.Repeat("x", i%7) + ":" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676)) + "\n")
	}
	uri := "file:///w/Dockerfile"
	env.Open(uri, b.String())
	env.Diagnostics(uri)
	h := hoverText(t, env, uri, protocol.Position{Line: 1999, Character: 8})
	if !strings.Contains(h, "more than 32 distinct base images") {
		t.Errorf("hover on the 2000th FROM = %q", h)
	}
	// The first 32 are submitted (once the settle timer fired), the others never are.
	reg.waitStalled(t, 4)
	pending := 0
	for i := 0; i < 2000; i++ {
		ref := reg.host + "/slow/n" + strings.Repeat("x", i%7) + ":" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		if svc.Get(ref, "linux/amd64").State != baseimage.StateUnknown {
			pending++
		}
	}
	if pending > 32 {
		t.Errorf("%d reviews submitted for one document, want at most 32", pending)
	}
}

// TestImageFROMTypedKeystrokes: a FROM edited on every keystroke submits only what it settles
// on; the images typed on the way are never reviewed (or cancelled), and diagnostics are only
// published for versions that exist.
func TestImageFROMTypedKeystrokes(t *testing.T) {
	reg := newImageRegistry(t)
	env, svc := newImageEnv(t)
	uri := "file:///w/Dockerfile"
	final := "FROM " + reg.host + "/demo/trapped:1.0\n"
	env.Open(uri, "FROM "+reg.host+"/slow/imgb:1\n")
	env.Diagnostics(uri)
	typed := []string{}
	for i := 0; i < 20; i++ {
		ref := reg.host + "/slow/imgc:" + strings.Repeat("9", i+1)
		typed = append(typed, ref)
		env.Change(uri, "FROM "+ref+"\n")
	}
	env.Change(uri, final)
	waitDiagnostic(t, env, uri, "LayerMiner")
	for _, ref := range append(typed, reg.host+"/slow/imgb:1") {
		if st := svc.Get(ref, "linux/amd64").State; st != baseimage.StateUnknown {
			t.Errorf("review of %s, typed on the way, is %v; want never submitted or cancelled", ref, st)
		}
	}
	last := uint32(env.Version(uri))
	for _, v := range env.PublishedVersions(uri) {
		if v > last {
			t.Errorf("diagnostics published for version %d after the last version %d", v, last)
		}
	}
}

// TestImageGarbageRegistry: a registry that answers with garbage ends in a clear diagnostic.
func TestImageGarbageRegistry(t *testing.T) {
	reg := newImageRegistry(t)
	env, _ := newImageEnv(t)
	uri := "file:///w/Dockerfile"
	env.Open(uri, "FROM "+reg.host+"/garbage/app:1\n")
	d := codes(waitDiagnostic(t, env, uri, "ImageUnavailable"))["ImageUnavailable"]
	if !strings.Contains(d.Message, "garbage/app:1") {
		t.Errorf("ImageUnavailable message = %q", d.Message)
	}
}

// TestImageReviewCommandAndStalePin: the tag moves in the registry; layerlens.reviewImage
// reviews the new image at once (bypassing the tag TTL), and a FROM pinned to the old digest
// gets ImageStalePin with a fix to the new one.
func TestImageReviewCommandAndStalePin(t *testing.T) {
	reg := newImageRegistry(t)
	reg.push("demo/moving:1", reg.demo["clean:1.0"])
	oldDigest := reg.digests["demo/moving:1"]
	env, _ := newImageEnv(t)
	uri := "file:///w/Dockerfile"
	env.Open(uri, "FROM "+reg.host+"/demo/moving:1\n")
	waitDiagnostic(t, env, uri, "LayerSetuid") // the clean image's /bin/su
	if h := hoverText(t, env, uri, env.At(uri, "demo/moving")); !strings.Contains(h, oldDigest) {
		t.Fatalf("hover before the tag moved lacks %s:\n%s", oldDigest, h)
	}

	reg.push("demo/moving:1", reg.demo["trapped:1.0"])
	var started int
	if err := env.Call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": "layerlens.reviewImage",
		"arguments": []any{uri}}, &started); err != nil || started != 1 {
		t.Fatalf("layerlens.reviewImage = %d, %v; want 1 review started", started, err)
	}
	waitDiagnostic(t, env, uri, "LayerMiner")
	if h := hoverText(t, env, uri, env.At(uri, "demo/moving")); !strings.Contains(h, reg.digests["demo/moving:1"]) {
		t.Errorf("hover after the re-review lacks the new digest:\n%s", h)
	}

	pinned := "file:///w/pinned/Dockerfile"
	env.Open(pinned, "FROM "+reg.host+"/demo/moving:1@"+oldDigest+"\n")
	d, ok := codes(waitDiagnostic(t, env, pinned, "ImageStalePin"))["ImageStalePin"]
	if !ok {
		t.Fatal("no ImageStalePin")
	}
	var fixed string
	for _, a := range env.CodeActions(pinned, d.Range, []protocol.Diagnostic{d}) {
		if strings.HasPrefix(a.Title, "Update the pin") {
			fixed, _ = lsptest.ApplyEdit(env.Text(pinned), pinned, a.Edit)
		}
	}
	if want := "FROM " + reg.host + "/demo/moving:1@" + reg.digests["demo/moving:1"] + "\n"; fixed != want {
		t.Errorf("stale pin fix gives %q, want %q", fixed, want)
	}

	if err := env.Call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": "layerlens.nope",
		"arguments": []any{uri}}, nil); err == nil {
		t.Errorf("an unknown command succeeded")
	}
}

// TestImageConfigBeforeLayers: while the layers are held, the config is known: config findings
// are published, and the hover shows the config with the layers still pending.
func TestImageConfigBeforeLayers(t *testing.T) {
	reg := newImageRegistry(t)
	env, _ := newImageEnv(t)
	uri := "file:///w/Dockerfile"
	env.Open(uri, "FROM "+reg.host+"/partial/trapped:1.0\n")
	diags := codes(waitDiagnostic(t, env, uri, "ImageOnBuild"))
	if _, ok := diags["LayerMiner"]; ok {
		t.Errorf("layer findings before the layers were read")
	}
	h := hoverText(t, env, uri, env.At(uri, "partial/trapped"))
	for _, want := range []string{"reviewing layers", "| User | root (not set) |", "| Ports | 22/tcp |", "curl -fsSL http://203.0.113.7/install.sh"} {
		if !strings.Contains(h, want) {
			t.Errorf("hover with the config known lacks %q:\n%s", want, h)
		}
	}
	reg.release()
	waitDiagnostic(t, env, uri, "LayerMiner")
}

// TestImageCopyFromHover: hovering the stage in COPY --from= adds that stage's base summary,
// following FROM <stage> chains down to the image.
func TestImageCopyFromHover(t *testing.T) {
	reg := newImageRegistry(t)
	env, _ := newImageEnv(t)
	uri := "file:///w/Dockerfile"
	env.Open(uri, "FROM "+reg.host+"/demo/trapped:1.0 AS base\nFROM base AS app\nFROM scratch\nCOPY --from=app /x /x\n")
	waitDiagnostic(t, env, uri, "LayerMiner")
	h := hoverText(t, env, uri, env.At(uri, "--from=a|pp"))
	if !strings.Contains(h, "**Base image** of stage `base`: `"+reg.host+"/demo/trapped:1.0`") || !strings.Contains(h, "findings (") {
		t.Errorf("COPY --from hover = %q", h)
	}
}

// TestImageSettingsOCILayout: the ociLayouts and offline settings reach the reviewer; the demo
// image comes from the layout (its registry, layerlens.test, does not exist).
func TestImageSettingsOCILayout(t *testing.T) {
	newImageRegistry(t) // hermetic store and credentials
	dir, err := filepath.Abs(filepath.Join("..", "testdata", "oci"))
	if err != nil {
		t.Fatal(err)
	}
	env, _ := newImageEnv(t, lsptest.WithSettings(map[string]any{"ociLayouts": []string{dir}, "offline": true}))
	uri := "file:///w/Dockerfile"
	env.Open(uri, "ARG REGISTRY=layerlens.test\nFROM ${REGISTRY}/demo/trapped:1.0\n")
	waitDiagnostic(t, env, uri, "LayerMiner")
	if h := hoverText(t, env, uri, env.At(uri, "demo/trapped")); !strings.Contains(h, "from layout "+dir) {
		t.Errorf("hover does not name the layout:\n%s", h)
	}
}

// TestImageClosedDocumentCancels: the review of an image only a closed document used is
// cancelled at the next settle.
func TestImageClosedDocumentCancels(t *testing.T) {
	reg := newImageRegistry(t)
	env, svc := newImageEnv(t)
	first, second := "file:///w/a/Dockerfile", "file:///w/b/Dockerfile"
	stalled := reg.host + "/slow/imgd:1"
	env.Open(first, "FROM "+stalled+"\n")
	env.Diagnostics(first)
	reg.waitStalled(t, 1)
	env.Close(first)
	env.Open(second, "FROM "+reg.host+"/demo/trapped:1.0\n")
	waitDiagnostic(t, env, second, "LayerMiner")
	if st := svc.Get(stalled, "linux/amd64").State; st != baseimage.StateUnknown {
		t.Errorf("review of the closed document's image is %v, want cancelled (unknown)", st)
	}
}

// newBoundedImageEnv starts a server with the real image service and the given bounds.
func newBoundedImageEnv(t *testing.T, o lsp.ImageServiceOptions) (*lsptest.Env, *lsp.BaseImageService) {
	t.Helper()
	o.Base = []baseimage.Option{baseimage.WithAnonymous()}
	svc, err := lsp.NewImageService(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return lsptest.New(t, lsptest.WithServerOptions(lsp.Options{Images: svc})), svc
}

// waitPublication waits for a publication of uri's diagnostics that satisfies ok.
func waitPublication(t *testing.T, env *lsptest.Env, uri string, ok func([]protocol.Diagnostic) bool) []protocol.Diagnostic {
	t.Helper()
	quoted := []byte(`"` + uri + `"`)
	var out []protocol.Diagnostic
	env.WaitNotification(protocol.MethodTextDocumentPublishDiagnostics, func(raw json.RawMessage) bool {
		if !bytes.Contains(raw, quoted) {
			return false
		}
		var p protocol.PublishDiagnosticsParams
		if json.Unmarshal(raw, &p) != nil || string(p.URI) != uri || !ok(p.Diagnostics) {
			return false
		}
		out = p.Diagnostics
		return true
	})
	return out
}

func countCode(diags []protocol.Diagnostic, code string) int {
	n := 0
	for _, d := range diags {
		if c, _ := d.Code.(string); c == code {
			n++
		}
	}
	return n
}

// TestImageEvictionKeepsOpenDocuments: with room for one finished review of an image no open
// document uses, the reviews of closed documents' images are evicted, never those of an open
// one: its diagnostics stay while other images come and go, and an evicted image opened again
// is reviewed again (from the store).
func TestImageEvictionKeepsOpenDocuments(t *testing.T) {
	reg := newImageRegistry(t)
	copies := make([]string, 4)
	for i := range copies {
		reg.push(fmt.Sprintf("demo/copy%d:1", i), reg.demo["clean:1.0"])
		copies[i] = fmt.Sprintf("%s/demo/copy%d:1", reg.host, i)
	}
	env, svc := newBoundedImageEnv(t, lsp.ImageServiceOptions{MaxReports: 1})
	kept := "file:///w/kept/Dockerfile"
	trapped := reg.host + "/demo/trapped:1.0"
	env.Open(kept, "FROM "+trapped+"\n")
	waitDiagnostic(t, env, kept, "LayerMiner")
	for i, ref := range copies {
		uri := fmt.Sprintf("file:///w/copy%d/Dockerfile", i)
		env.Open(uri, "FROM "+ref+"\n")
		waitDiagnostic(t, env, uri, "LayerSetuid")
		if i < len(copies)-1 {
			env.Close(uri) // its image is cancelled (released) at the next document's settle
		}
	}
	// copy0..copy2 are no open document's: one of them stays, the others were evicted. The
	// open documents' images stay, though trapped is the least recently reviewed.
	done := 0
	for _, ref := range copies[:3] {
		if st := svc.Get(ref, "linux/amd64").State; st == baseimage.StateDone {
			done++
		} else if st != baseimage.StateUnknown {
			t.Errorf("%s is %v, want done or unknown (evicted)", ref, st)
		}
	}
	if done != 1 {
		t.Errorf("%d reviews of closed documents' images kept, want 1 (MaxReports)", done)
	}
	for _, ref := range []string{trapped, copies[3]} {
		if st := svc.Get(ref, "linux/amd64").State; st != baseimage.StateDone {
			t.Errorf("%s (an open document's) is %v, want done", ref, st)
		}
	}
	// The open document diagnosed again at once still has its image findings.
	env.Change(kept, "# edited\nFROM "+trapped+"\n")
	if got := codes(env.Diagnostics(kept)); got["LayerMiner"].Code == nil {
		t.Errorf("diagnostics of the open document after evictions lack LayerMiner: %v", got)
	}
	// An evicted image opened again is reviewed again.
	again := "file:///w/again/Dockerfile"
	env.Open(again, "FROM "+copies[0]+"\nFROM "+copies[1]+"\n")
	waitPublication(t, env, again, func(d []protocol.Diagnostic) bool { return countCode(d, "LayerSetuid") == 2 })
}

// TestImageQueueFullIsBusy: an image the scheduler's queue has no room for is shown as
// "busy: too many images queued", and is reviewed once the queue drains.
func TestImageQueueFullIsBusy(t *testing.T) {
	reg := newImageRegistry(t)
	env, svc := newBoundedImageEnv(t, lsp.ImageServiceOptions{Concurrency: 1, MaxQueued: 1})
	uri := "file:///w/Dockerfile"
	text := ""
	for _, c := range "abc" {
		text += "FROM " + reg.host + "/slow/img" + string(c) + ":1\nRUN true\n"
	}
	env.Open(uri, text)
	// One image runs (held at the gate); one waits in the queue, or two were refused when
	// the second Submit came before the worker took the first from the queue.
	reg.waitStalled(t, 1)
	diags := waitDiagnostic(t, env, uri, "ImageUnavailable")
	refused := 0
	for _, d := range diags {
		if c, _ := d.Code.(string); c != "ImageUnavailable" {
			continue
		}
		refused++
		if !strings.Contains(d.Message, "busy: too many images queued") {
			t.Errorf("ImageUnavailable = %q, want busy", d.Message)
		}
		for _, c := range "abc" {
			if ref := reg.host + "/slow/img" + string(c) + ":1"; strings.Contains(d.Message, ref+":") {
				if st := svc.Get(ref, "linux/amd64"); st.State != baseimage.StateFailed || !errors.Is(st.Err, baseimage.ErrQueueFull) {
					t.Errorf("%s status %v %v, want failed with ErrQueueFull", ref, st.State, st.Err)
				}
			}
		}
	}
	if refused < 1 || refused > 2 {
		t.Errorf("%d images refused, want 1 or 2 (queue of 1, one worker)", refused)
	}
	reg.release()
	waitPublication(t, env, uri, func(d []protocol.Diagnostic) bool {
		return countCode(d, "LayerSetuid") == 3 && countCode(d, "ImageUnavailable") == 0
	})
}

// TestImageServiceConfigureResubmitsWanted: after Configure (a new, empty scheduler), Get of an
// image a document uses submits it again instead of answering "unknown"; one no document uses
// any more (cancelled) stays unknown.
func TestImageServiceConfigureResubmitsWanted(t *testing.T) {
	reg := newImageRegistry(t)
	svc, err := lsp.NewImageService(lsp.ImageServiceOptions{Base: []baseimage.Option{baseimage.WithAnonymous()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	done := make(chan string, 16)
	defer svc.Subscribe(func(ev lsp.ImageEvent) {
		if ev.Kind == baseimage.EventDone {
			done <- ev.Ref
		}
	})()
	used, dropped := reg.host+"/demo/trapped:1.0", reg.host+"/demo/clean:1.0"
	for _, ref := range []string{used, dropped} {
		svc.Submit(ref, "linux/amd64")
		<-done
	}
	svc.Cancel(dropped, "linux/amd64") // done: kept by the scheduler, but nobody wants it
	if err := svc.Configure(lsp.ImageConfig{InsecureRegistries: []string{"example.invalid"}}); err != nil {
		t.Fatal(err)
	}
	if st := svc.Get(dropped, "linux/amd64").State; st != baseimage.StateUnknown {
		t.Errorf("released image after Configure: %v, want unknown", st)
	}
	if st := svc.Get(used, "linux/amd64").State; st == baseimage.StateUnknown || st == baseimage.StateFailed {
		t.Fatalf("wanted image after Configure: %v, want submitted again", st)
	}
	for ref := range done {
		if ref == used {
			break
		}
	}
	if st := svc.Get(used, "linux/amd64"); st.State != baseimage.StateDone || st.Report == nil {
		t.Errorf("wanted image after its new review: %v", st.State)
	}
}

// reviewStarted subscribes to svc and returns a function that waits until the review of ref for
// linux/amd64 (the platform the server uses by default) reports progress. Registry requests
// alone do not say which review made them: the image may be submitted again while the
// settings arrive.
func reviewStarted(t *testing.T, svc *lsp.BaseImageService, ref string) func() {
	t.Helper()
	ch := make(chan struct{}, 1)
	t.Cleanup(svc.Subscribe(func(ev lsp.ImageEvent) {
		if ev.Ref == ref && ev.Platform == "linux/amd64" && ev.Kind == baseimage.EventProgress {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}))
	return func() {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(time.Minute):
			t.Fatalf("no progress event for the review of %s", ref)
		}
	}
}
