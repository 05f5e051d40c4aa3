package baseimage

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// reviewVersion is bumped whenever layerReview or the checks change, so stored reviews made by
// an older layerlens are redone.
const reviewVersion = 3

// Entry kinds in layerReview.Entries.
const (
	kindFile     = 'f'
	kindDir      = 'd'
	kindSymlink  = 'l'
	kindHardlink = 'h'
	kindOther    = 'x'
	kindWhiteout = 'w' // Path is the removed path
	kindOpaque   = 'o' // Path is the directory whose lower contents are hidden
)

// layerReview is what one pass over a layer's tar stream yields; it is stored by layer digest.
type layerReview struct {
	Version          int       `json:"v"`
	Digest           string    `json:"digest"`
	Size             int64     `json:"size"`
	UncompressedSize int64     `json:"usize"`
	ContentSize      int64     `json:"csize"`
	Entries          []entry   `json:"entries"`
	Findings         []Finding `json:"findings"`
	Largest          []File    `json:"largest"`
	// Complete is false when a budget stopped the walk; Error is the reason.
	Complete bool   `json:"complete"`
	Error    string `json:"error,omitempty"`
}

// entry is one tar entry, reduced to what the cross-layer diff and Dive's efficiency need.
type entry struct {
	Path string `json:"p"`
	Size int64  `json:"s,omitempty"`
	Kind byte   `json:"k"`
	// Flagged marks content a finding was raised on (a key, a miner...), so that hiding it
	// with a whiteout in a later layer is reported too.
	Flagged bool `json:"f,omitempty"`
}

// Budget errors end a layer walk with a finding rather than an error.
var (
	errOverBytes   = errors.New("the image's uncompressed size budget is exhausted")
	errBomb        = errors.New("decompressed size passed the compression-ratio limit (decompression bomb?)")
	errOverEntries = errors.New("too many tar entries")
	errHugeFile    = errors.New("a file declares a size over the per-file limit")
)

func isBudgetErr(err error) bool {
	return errors.Is(err, errOverBytes) || errors.Is(err, errBomb) || errors.Is(err, errOverEntries) || errors.Is(err, errHugeFile)
}

// meter counts bytes through a reader, enforces a limit and checks for cancellation.
type meter struct {
	r     io.Reader
	n     int64
	limit int64 // 0: none
	// peer and ratio, when set, bound n to ratio*peer.n once n > floor.
	peer    *meter
	ratio   float64
	floor   int64
	ctx     context.Context
	onBytes func(int64)
}

func (m *meter) Read(p []byte) (int, error) {
	if m.ctx != nil {
		if err := m.ctx.Err(); err != nil {
			return 0, err
		}
	}
	n, err := m.r.Read(p)
	m.n += int64(n)
	if m.onBytes != nil && n > 0 {
		m.onBytes(int64(n))
	}
	if m.limit > 0 && m.n > m.limit {
		return n, errOverBytes
	}
	if m.peer != nil && m.n > m.floor && float64(m.n) > m.ratio*float64(m.peer.n+1) {
		return n, errBomb
	}
	return n, err
}

// walkOptions configure one layer walk.
type walkOptions struct {
	budget    Budget
	bytesLeft int64 // uncompressed bytes left in the image budget
	onBytes   func(compressed int64)
}

const (
	sniffSize     = 64 << 10 // bytes of a file's start read for content checks
	maxPerRule    = 25       // findings of one rule kept per layer; the rest are counted
	largestToKeep = 10
)

// walkLayer reviews one layer from its compressed stream (gzip, zstd or plain tar, detected
// by magic bytes). It reads the stream to its end, so a verifying reader underneath sees the
// whole blob. Tar names are data: nothing is written to disk. A budget stop returns a review
// with Complete=false and a LayerOverBudget finding, and no error; I/O and format errors
// (truncated blobs, digest mismatches, bad gzip) return an error.
func walkLayer(ctx context.Context, blob io.Reader, wo walkOptions) (*layerReview, error) {
	comp := &meter{r: blob, ctx: ctx, onBytes: wo.onBytes, limit: wo.budget.MaxBytes}
	br := bufio.NewReaderSize(comp, 64<<10)
	var dec io.Reader
	magic, _ := br.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		dec = zr
	case len(magic) == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(64<<20), zstd.WithDecoderMaxMemory(256<<20))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		defer zr.Close()
		dec = zr
	default:
		dec = br
	}
	left := wo.bytesLeft
	if left <= 0 {
		left = 1
	}
	raw := &meter{r: dec, limit: left, peer: comp, ratio: wo.budget.MaxRatio, floor: wo.budget.RatioFloor}
	w := newWalker(wo.budget)
	err := w.walk(tar.NewReader(raw))
	if err == nil {
		// Read what follows the tar end-of-archive (padding, gzip trailer) so the checksum and
		// the digest underneath are verified.
		_, err = io.Copy(io.Discard, raw)
		if err == nil {
			_, err = io.Copy(io.Discard, br)
		}
	}
	lr := w.finish()
	lr.Size = comp.n
	lr.UncompressedSize = raw.n
	switch {
	case err == nil:
		lr.Complete = true
	case isBudgetErr(err):
		lr.Error = "review stopped: " + err.Error()
		lr.Findings = append(lr.Findings, Finding{Rule: "LayerOverBudget", Severity: sevWarning,
			Message: fmt.Sprintf("review stopped after %d entries and %s uncompressed: %v", len(lr.Entries), HumanBytes(raw.n), err)})
	default:
		return lr, err
	}
	return lr, nil
}

// walker holds the state of one tar walk.
type walker struct {
	budget   Budget
	lr       *layerReview
	buf      []byte
	symlinks map[string]string // path -> target, of this layer
	perRule  map[string]int
	seen     map[string]bool // rule+path already reported
}

func newWalker(b Budget) *walker {
	return &walker{
		budget:   b,
		lr:       &layerReview{Version: reviewVersion},
		symlinks: map[string]string{},
		perRule:  map[string]int{},
		seen:     map[string]bool{},
	}
}

func (w *walker) walk(tr *tar.Reader) error {
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if isBudgetErr(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return fmt.Errorf("reading tar: %w", err)
		}
		if len(w.lr.Entries) >= w.budget.MaxEntries {
			return fmt.Errorf("%w (more than %d)", errOverEntries, w.budget.MaxEntries)
		}
		if err := w.entry(tr, h); err != nil {
			return err
		}
	}
}

// cleanName turns a tar name into an absolute clean path and says whether the name tried to
// leave the root ("../") or was absolute.
func cleanName(name string) (p string, escapes, absolute bool) {
	absolute = strings.HasPrefix(name, "/")
	depth := 0
	for _, c := range strings.Split(name, "/") {
		switch c {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				escapes = true
			}
		default:
			depth++
		}
	}
	return path.Clean("/" + name), escapes, absolute
}

func (w *walker) entry(tr *tar.Reader, h *tar.Header) error {
	p, escapes, absolute := cleanName(h.Name)
	if escapes {
		w.add("LayerPathTraversal", sevError, p, fmt.Sprintf("tar entry %q climbs out of the root with ../; a naive extractor writes outside the target directory", truncate(h.Name, 120)))
	} else if absolute {
		w.add("LayerPathTraversal", sevWarning, p, fmt.Sprintf("tar entry %q has an absolute path", truncate(h.Name, 120)))
	}
	if p == "/" {
		return nil
	}
	dir, base := path.Split(p)
	dir = path.Clean(dir)
	if strings.HasPrefix(base, ".wh.") {
		if base == ".wh..wh..opq" {
			w.lr.Entries = append(w.lr.Entries, entry{Path: dir, Kind: kindOpaque})
		} else {
			w.lr.Entries = append(w.lr.Entries, entry{Path: path.Join(dir, base[len(".wh."):]), Kind: kindWhiteout})
		}
		return nil
	}
	if len(w.symlinks) > 0 {
		for d := dir; d != "/" && d != "."; d = path.Dir(d) {
			if target, ok := w.symlinks[d]; ok {
				w.add("LayerSymlinkTrick", sevWarning, p, fmt.Sprintf("%s is written through the symlink %s -> %s in the same layer; an extractor that follows it writes elsewhere", p, d, truncate(target, 120)))
				break
			}
		}
	}
	e := entry{Path: p}
	switch h.Typeflag {
	case tar.TypeReg: // the reader turns the old TypeRegA into TypeReg or TypeDir
		e.Kind, e.Size = kindFile, h.Size
	case tar.TypeDir:
		e.Kind = kindDir
	case tar.TypeSymlink:
		e.Kind = kindSymlink
		w.symlinks[p] = h.Linkname
	case tar.TypeLink:
		e.Kind = kindHardlink
		if _, esc, _ := cleanName(h.Linkname); esc {
			w.add("LayerPathTraversal", sevError, p, fmt.Sprintf("hard link %s points out of the root: %q", p, truncate(h.Linkname, 120)))
		}
	default:
		e.Kind = kindOther
	}
	if h.Size > w.budget.MaxFileSize {
		w.lr.Entries = append(w.lr.Entries, e)
		return fmt.Errorf("%w: %s declares %s", errHugeFile, p, HumanBytes(h.Size))
	}
	before := len(w.lr.Findings)
	if e.Kind == kindFile || e.Kind == kindDir {
		if err := w.checkFile(tr, h, p, dir, base, &e); err != nil {
			return err
		}
	}
	if e.Kind == kindFile {
		w.lr.ContentSize += e.Size
		w.keepLargest(File{Path: p, Size: e.Size, Mode: modeString(h)})
	}
	if len(w.lr.Findings) > before || w.flagged(p) {
		e.Flagged = true
	}
	w.lr.Entries = append(w.lr.Entries, e)
	return nil
}

// flagged reports whether a finding on p was kept or counted (past the per-rule cap).
func (w *walker) flagged(p string) bool { return w.seen["\x00"+p] }

// add records a finding, at most once per rule and path and at most maxPerRule per rule.
func (w *walker) add(rule string, sev sevT, p, msg string) {
	key := rule + "\x00" + p
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	w.seen["\x00"+p] = true
	w.perRule[rule]++
	if w.perRule[rule] > maxPerRule {
		return
	}
	w.lr.Findings = append(w.lr.Findings, Finding{Rule: rule, Severity: sev, Message: msg, Path: p})
}

func (w *walker) keepLargest(f File) {
	l := w.lr.Largest
	if len(l) == largestToKeep && f.Size <= l[len(l)-1].Size {
		return
	}
	i := sort.Search(len(l), func(i int) bool { return l[i].Size < f.Size })
	if len(l) < largestToKeep {
		l = append(l, File{})
	}
	copy(l[i+1:], l[i:])
	l[i] = f
	w.lr.Largest = l
}

func (w *walker) finish() *layerReview {
	for rule, n := range w.perRule {
		if n > maxPerRule {
			sev := sevInfo
			for _, f := range w.lr.Findings {
				if f.Rule == rule {
					sev = f.Severity
					break
				}
			}
			w.lr.Findings = append(w.lr.Findings, Finding{Rule: rule, Severity: sev,
				Message: fmt.Sprintf("%d more %s findings in this layer not listed", n-maxPerRule, rule)})
		}
	}
	if w.lr.Entries == nil {
		w.lr.Entries = []entry{}
	}
	return w.lr
}

func modeString(h *tar.Header) string {
	return h.FileInfo().Mode().String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// HumanBytes formats a byte count with SI units ("1.5 MB"), as the reports do.
func HumanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
