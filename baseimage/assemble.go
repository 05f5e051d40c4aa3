package baseimage

import (
	"fmt"
	"sort"
	"strings"
)

// hiddenReportBytes is the size of deleted lower-layer content worth an info finding.
const hiddenReportBytes = 1 << 20

// stacked is one path of the image file system as the layers build it up.
type stacked struct {
	size    int64
	layer   int
	flagged bool
	dir     bool
}

// effData is Dive's per-path efficiency record.
type effData struct {
	cumulative int64
	min        int64
	nodes      int
}

// assemble merges the per-layer reviews into the report: per-layer counts (added, modified,
// removed against the layers below), the layer findings, content hidden by later whiteouts,
// and Dive's efficiency. A nil review is a layer that could not be read.
func assemble(rep *Report, reviews []*layerReview) {
	tree := map[string]*stacked{}
	eff := map[string]*effData{}
	var userSize, uncompressed int64
	record := func(p string, size int64) {
		d := eff[p]
		if d == nil {
			d = &effData{min: -1}
			eff[p] = d
		}
		d.cumulative += size
		if d.min < 0 || size < d.min {
			d.min = size
		}
		d.nodes++
	}
	for i, lr := range reviews {
		l := &rep.Layers[i]
		if lr == nil {
			if l.Error == "" {
				l.Error = "not reviewed"
			}
			continue
		}
		l.Reviewed = lr.Complete
		l.Error = lr.Error
		l.UncompressedSize = lr.UncompressedSize
		l.ContentSize = lr.ContentSize
		l.Entries = len(lr.Entries)
		l.Largest = append([]File{}, lr.Largest...)
		uncompressed += lr.UncompressedSize
		if i > 0 {
			userSize += lr.ContentSize
		}
		for _, f := range lr.Findings {
			f.Layer = i
			rep.add(f)
		}
		var sortedPaths []string // built lazily for directory removals
		subtree := func(dir string, visit func(p string, s *stacked)) {
			if sortedPaths == nil {
				sortedPaths = make([]string, 0, len(tree))
				for p := range tree {
					sortedPaths = append(sortedPaths, p)
				}
				sort.Strings(sortedPaths)
			}
			prefix := dir + "/"
			if dir == "/" {
				prefix = "/"
			}
			j := sort.SearchStrings(sortedPaths, prefix)
			for ; j < len(sortedPaths) && strings.HasPrefix(sortedPaths[j], prefix); j++ {
				if s, ok := tree[sortedPaths[j]]; ok {
					visit(sortedPaths[j], s)
				}
			}
		}
		var removals []string
		var hiddenBytes int64 // bytes of earlier layers this layer deletes
		hiddenFiles := 0
		for _, e := range lr.Entries {
			switch e.Kind {
			case kindWhiteout, kindOpaque:
				var size int64
				hidden := []string{}
				visit := func(p string, s *stacked) {
					size += s.size
					if s.layer < i {
						hiddenBytes += s.size
						if !s.dir {
							hiddenFiles++
						}
						if s.flagged {
							hidden = append(hidden, p)
						}
					}
				}
				if e.Kind == kindWhiteout {
					if s, ok := tree[e.Path]; ok {
						l.Removed++
						visit(e.Path, s)
						if s.dir {
							subtree(e.Path, visit)
						}
					}
					removals = append(removals, e.Path)
				} else {
					subtree(e.Path, func(p string, s *stacked) {
						if s.layer < i {
							l.Removed++
						}
						visit(p, s)
					})
					removals = append(removals, e.Path+"/")
				}
				if e.Kind == kindWhiteout || size > 0 {
					record(e.Path, size)
				}
				for _, p := range hidden {
					s := tree[p]
					rep.add(Finding{Rule: "LayerHiddenByWhiteout", Severity: sevError, Layer: s.layer, Path: p,
						Message: fmt.Sprintf("%s, a problem found in layer %d, is deleted in layer %d, but deleting does not remove it: it can still be downloaded from layer %d", p, s.layer, i, s.layer)})
				}
			default:
				if prev, ok := tree[e.Path]; ok && !(prev.dir && e.Kind == kindDir) {
					l.Modified++
				} else if !ok {
					l.Added++
				}
				if e.Kind != kindDir {
					record(e.Path, e.Size)
				}
			}
		}
		if hiddenBytes >= hiddenReportBytes {
			rep.add(Finding{Rule: "LayerHiddenByWhiteout", Severity: sevInfo, Layer: i,
				Message: fmt.Sprintf("this layer deletes %d file(s), %s, added by earlier layers: deleting hides them but they are still downloaded with those layers", hiddenFiles, HumanBytes(hiddenBytes))})
		}
		// Apply removals after counting, then this layer's entries on top.
		for _, r := range removals {
			if strings.HasSuffix(r, "/") {
				dir := strings.TrimSuffix(r, "/")
				subtree(dir, func(p string, _ *stacked) { delete(tree, p) })
				continue
			}
			if s, ok := tree[r]; ok {
				if s.dir {
					subtree(r, func(p string, _ *stacked) { delete(tree, p) })
				}
				delete(tree, r)
			}
		}
		for _, e := range lr.Entries {
			if e.Kind == kindWhiteout || e.Kind == kindOpaque {
				continue
			}
			tree[e.Path] = &stacked{size: e.Size, layer: i, flagged: e.Flagged, dir: e.Kind == kindDir}
		}
	}
	rep.UncompressedSize = uncompressed

	var minSum, cumSum, wasted int64
	for _, d := range eff {
		minSum += d.min
		cumSum += d.cumulative
		if d.nodes >= 2 {
			wasted += d.cumulative
		}
	}
	rep.Efficiency.Score = 1
	if cumSum > 0 {
		rep.Efficiency.Score = float64(minSum) / float64(cumSum)
	}
	rep.Efficiency.WastedBytes = wasted
	if userSize > 0 {
		rep.Efficiency.UserWastedPercent = 100 * float64(wasted) / float64(userSize)
	}
	sortFindings(rep.Findings)
}

// sortFindings orders findings by severity, then layer, rule and path, so output is stable.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity < b.Severity
		}
		if a.Layer != b.Layer {
			return a.Layer < b.Layer
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Path < b.Path
	})
}
