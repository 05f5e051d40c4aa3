package baseimage

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/layerlens/layerlens/analysis"
)

// Report is the review of one image for one platform. Its JSON field names are stable: scripts
// read them (`layerlens inspect --format json`).
type Report struct {
	// Ref is the normalised reference reviewed ("docker.io/library/alpine:3.20").
	Ref string `json:"ref"`
	// Source says where the image came from: "registry", "mirror <host>", "layout <dir>", "store".
	Source string `json:"source"`
	// Digest is the pin digest: the index digest for a multi-arch tag, else the manifest digest.
	Digest string `json:"digest"`
	// ManifestDigest is the digest of the platform's image manifest.
	ManifestDigest string `json:"manifestDigest"`
	// Platform is the platform reviewed (os/arch[/variant]); PlatformSource says why it was chosen.
	Platform       string `json:"platform"`
	PlatformSource string `json:"platformSource,omitempty"`
	Created        string `json:"created,omitempty"`
	// Size is the sum of the compressed layer sizes; UncompressedSize the sum of the layer tar
	// streams (known once the layers are reviewed).
	Size             int64          `json:"size"`
	UncompressedSize int64          `json:"uncompressedSize"`
	Config           Config         `json:"config"`
	History          []HistoryEntry `json:"history"`
	Layers           []Layer        `json:"layers"`
	Findings         []Finding      `json:"findings"`
	Efficiency       Efficiency     `json:"efficiency"`
	// Partial is true while only the config is known (layers not reviewed yet), or when some
	// layers could not be reviewed (see Errors).
	Partial bool `json:"partial"`
	// Errors are the reasons parts of the review are missing (a layer over budget, offline...).
	Errors []string `json:"errors,omitempty"`
}

// Config is the summary of the image configuration that matters for review.
type Config struct {
	User         string            `json:"user"`
	Entrypoint   []string          `json:"entrypoint"`
	Cmd          []string          `json:"cmd"`
	Env          []string          `json:"env"`
	ExposedPorts []string          `json:"exposedPorts"`
	Volumes      []string          `json:"volumes"`
	OnBuild      []string          `json:"onBuild"`
	Labels       map[string]string `json:"labels"`
	WorkingDir   string            `json:"workingDir"`
	Shell        []string          `json:"shell"`
	Healthcheck  []string          `json:"healthcheck"`
	StopSignal   string            `json:"stopSignal,omitempty"`
}

// HistoryEntry is one entry of the image history. Layer is the index of the layer it produced,
// or -1 for an empty-layer step (ENV, LABEL...).
type HistoryEntry struct {
	Created    string `json:"created,omitempty"`
	CreatedBy  string `json:"createdBy"`
	Comment    string `json:"comment,omitempty"`
	EmptyLayer bool   `json:"emptyLayer"`
	Layer      int    `json:"layer"`
}

// Layer is the review of one layer in the image.
type Layer struct {
	Index  int    `json:"index"`
	Digest string `json:"digest"`
	// DiffID is the digest of the uncompressed tar stream (from the config).
	DiffID           string `json:"diffId,omitempty"`
	MediaType        string `json:"mediaType,omitempty"`
	Size             int64  `json:"size"`
	UncompressedSize int64  `json:"uncompressedSize"`
	// ContentSize is the sum of the sizes of the regular files in the layer.
	ContentSize int64 `json:"contentSize"`
	// Command is the history created_by of the step that made the layer ("(missing)" when the
	// history has fewer non-empty entries than there are layers, as Dive shows it).
	Command      string `json:"command"`
	EmptyHistory bool   `json:"emptyHistory"`
	Entries      int    `json:"entries"`
	Added        int    `json:"added"`
	Modified     int    `json:"modified"`
	Removed      int    `json:"removed"`
	Largest      []File `json:"largest"`
	// Reviewed is false when the layer contents were not (fully) read; Error says why.
	Reviewed bool   `json:"reviewed"`
	Error    string `json:"error,omitempty"`
}

// File is one file of a layer (as listed in Layer.Largest).
type File struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
	Mode string `json:"mode"`
}

// Finding is one problem found in the image. Layer is the layer index, or -1 for the
// configuration and history. Path is the file (in the image) it concerns, if any.
type Finding struct {
	Rule     string            `json:"rule"`
	Severity analysis.Severity `json:"severity"`
	Message  string            `json:"message"`
	Layer    int               `json:"layer"`
	Path     string            `json:"path,omitempty"`
}

// MarshalJSON writes the severity by name ("error", "warning", ...), which scripts can rely on.
func (f Finding) MarshalJSON() ([]byte, error) {
	type plain Finding
	return json.Marshal(struct {
		plain
		Severity string `json:"severity"`
	}{plain(f), f.Severity.String()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Finding) UnmarshalJSON(b []byte) error {
	type plain Finding
	var v struct {
		plain
		Severity string `json:"severity"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	sev, ok := analysis.ParseSeverity(v.Severity)
	if !ok {
		return fmt.Errorf("finding %s: unknown severity %q", v.Rule, v.Severity)
	}
	*f = Finding(v.plain)
	f.Severity = sev
	return nil
}

// Efficiency is Dive's measure of wasted space: Score is Σ(smallest size seen per path) /
// Σ(cumulative size per path); WastedBytes is the cumulative size of every path that appears in
// two or more layers; UserWastedPercent is WastedBytes over the size of all layers but the first,
// in percent.
type Efficiency struct {
	Score             float64 `json:"score"`
	WastedBytes       int64   `json:"wastedBytes"`
	UserWastedPercent float64 `json:"userWastedPercent"`
}

// Counts returns the number of findings per severity.
func (r *Report) Counts() map[analysis.Severity]int {
	m := map[analysis.Severity]int{}
	for _, f := range r.Findings {
		m[f.Severity]++
	}
	return m
}

// MaxSeverity returns the most severe finding's severity, or 0 when there are none.
func (r *Report) MaxSeverity() analysis.Severity {
	var s analysis.Severity
	for _, f := range r.Findings {
		if s == 0 || f.Severity < s {
			s = f.Severity
		}
	}
	return s
}

// createdString formats a config or history timestamp; the zero time gives "".
func createdString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
