package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
)

// runCheck implements `layerlens check [--format text|json|sarif] [--fail-level ...] PATH...`.
//
// Exit codes: 0 when no finding reaches the fail level, 1 when one does, 2 on usage errors, on
// I/O errors (unreadable or non-UTF-8 files, directories without Dockerfiles) and on invalid
// configuration files. Findings of the files that could be read are printed in every case.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text, json or sarif")
	failLevel := fs.String("fail-level", "error", "exit 1 when a finding is at least this severe: error, warning, info, hint or none")
	configPath := fs.String("config", "", "configuration `FILE` to use instead of the .layerlens.yaml found next to each Dockerfile")
	images := fs.Bool("images", true, "review the base images and run the image rules (--images=false or --no-images turns it off)")
	noImages := fs.Bool("no-images", false, "do not review base images: text rules only")
	online := fs.Bool("online", false, "fetch base images from registries (default: only the store and --oci-layout directories)")
	var img imageFlags
	img.register(fs, 2*time.Minute)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: layerlens check [flags] PATH...

Check Dockerfiles. PATH is a file or a directory, searched recursively for Dockerfile,
Dockerfile.*, *.Dockerfile and Containerfile (hidden directories are skipped).
Exit status: 0 ok, 1 findings at or above --fail-level, 2 usage, I/O or configuration errors.

Flags:
`)
		fs.PrintDefaults()
	}
	// Flags may follow paths ("check Dockerfile --format json").
	paths, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "layerlens check: want at least one PATH (a Dockerfile or a directory)")
		fs.Usage()
		return 2
	}
	switch *format {
	case "text", "json", "sarif":
	default:
		fmt.Fprintf(stderr, "layerlens check: unknown --format %q (want text, json or sarif)\n", *format)
		return 2
	}
	threshold, ok := parseFailLevel(*failLevel)
	if !ok {
		fmt.Fprintf(stderr, "layerlens check: unknown --fail-level %q (want error, warning, info, hint or none)\n", *failLevel)
		return 2
	}

	c := &checker{stderr: stderr, configs: map[string]configResult{}, cache: rules.NewCache()}
	if *configPath != "" {
		data, err := os.ReadFile(*configPath)
		if err != nil {
			fmt.Fprintf(stderr, "layerlens check: %v\n", err)
			return 2
		}
		cfg, err := rules.ParseConfig(data)
		if err != nil {
			printConfigErrors(stderr, *configPath, err)
			return 2
		}
		c.fixedConfig = &configResult{cfg: cfg, path: *configPath}
	}
	if *images && !*noImages {
		review, err := img.checkReview(*online, stderr) // images.go
		if err != nil {
			fmt.Fprintf(stderr, "layerlens check: %v\n", err)
			return 2
		}
		c.review = review
	}

	files := c.expand(paths)
	var results []fileResult
	for _, p := range files {
		if r, ok := c.checkFile(p); ok {
			results = append(results, r)
		}
	}
	if len(results) == 0 && !c.failed {
		fmt.Fprintln(stderr, "layerlens check: no Dockerfiles found")
		c.failed = true
	}

	var err error
	switch *format {
	case "text":
		err = writeText(stdout, results)
	case "json":
		err = writeJSON(stdout, results)
	case "sarif":
		err = writeSARIF(stdout, results)
	}
	if err != nil {
		fmt.Fprintf(stderr, "layerlens check: writing output: %v\n", err)
		return 2
	}
	failing := false
	for _, r := range results {
		for _, fd := range r.findings {
			if threshold != 0 && fd.Severity <= threshold {
				failing = true
			}
		}
	}
	if *format == "text" && len(results) > 0 {
		fmt.Fprintln(stderr, summaryLine(results, threshold, failing))
	}
	if c.failed {
		return 2
	}
	if failing {
		return 1
	}
	return 0
}

// summaryLine is the closing line of the text format (on stderr, so that stdout stays one
// finding per line): how many files and findings by severity, and whether the run fails.
func summaryLine(results []fileResult, threshold analysis.Severity, failing bool) string {
	var counts [analysis.SeverityHint + 1]int
	total := 0
	for _, r := range results {
		for _, fd := range r.findings {
			if fd.Severity >= analysis.SeverityError && fd.Severity <= analysis.SeverityHint {
				counts[fd.Severity]++
			}
			total++
		}
	}
	files := "files"
	if len(results) == 1 {
		files = "file"
	}
	line := fmt.Sprintf("layerlens check: %d %s, %d findings (%d error, %d warning, %d info, %d hint)",
		len(results), files, total, counts[analysis.SeverityError], counts[analysis.SeverityWarning],
		counts[analysis.SeverityInfo], counts[analysis.SeverityHint])
	switch {
	case threshold == 0:
		return line
	case failing:
		return line + "; failing: findings at --fail-level " + threshold.String() + " or above"
	}
	return line + "; nothing at --fail-level " + threshold.String() + " or above"
}

// parseFailLevel returns the least severe severity that fails the run (0 = none fails).
func parseFailLevel(s string) (analysis.Severity, bool) {
	if s == "none" || s == "never" {
		return 0, true
	}
	return analysis.ParseSeverity(s)
}

// checker holds the state of one check run.
type checker struct {
	stderr      io.Writer
	failed      bool // a usage, I/O or configuration error happened
	fixedConfig *configResult
	configs     map[string]configResult // by directory
	review      func(*analysis.File, *rules.Config) imageReview
	// cache is shared by the files of one run (checked one at a time): Dockerfiles of one
	// project repeat their RUN lines, and the cache gives the same findings as none.
	cache *rules.Cache
}

type configResult struct {
	cfg  *rules.Config
	path string
	err  error
}

// fileResult is the outcome of checking one Dockerfile.
type fileResult struct {
	path     string // as given or found, for output
	file     *analysis.File
	findings []analysis.Finding
}

func (c *checker) errorf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "layerlens check: "+format+"\n", args...)
	c.failed = true
}

// isDockerfileName reports the names a directory search picks up.
func isDockerfileName(name string) bool {
	if strings.HasSuffix(name, ".dockerignore") || strings.HasSuffix(name, ".md") {
		return false
	}
	return name == "Dockerfile" || name == "Containerfile" || strings.HasPrefix(name, "Dockerfile.") ||
		strings.HasPrefix(name, "Containerfile.") || strings.HasSuffix(name, ".Dockerfile") || strings.HasSuffix(name, ".dockerfile")
}

// expand turns the PATH arguments into the list of files to check, in a stable order.
func (c *checker) expand(paths []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			c.errorf("%v", err)
			continue
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				c.errorf("%v", err)
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "vendor") {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && isDockerfileName(d.Name()) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			c.errorf("%v", err)
		}
		if len(found) == 0 {
			c.errorf("%s: no Dockerfile, Dockerfile.*, *.Dockerfile or Containerfile in this directory", p)
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return out
}

// config returns the configuration for a Dockerfile in dir (cached per directory).
func (c *checker) config(dir string) configResult {
	if c.fixedConfig != nil {
		return *c.fixedConfig
	}
	if r, ok := c.configs[dir]; ok {
		return r
	}
	cfg, path, err := rules.LoadConfig(dir)
	r := configResult{cfg: cfg, path: path, err: err}
	c.configs[dir] = r
	if err != nil {
		// Reported once per configuration file.
		reported := false
		for d, o := range c.configs {
			if d != dir && o.path == path && o.err != nil {
				reported = true
			}
		}
		if !reported {
			if path != "" {
				printConfigErrors(c.stderr, path, err)
			} else {
				fmt.Fprintf(c.stderr, "layerlens check: %v\n", err)
			}
		}
		c.failed = true
	}
	return r
}

// printConfigErrors prints each configuration problem as "path:line:col: error: message".
func printConfigErrors(w io.Writer, path string, err error) {
	var errs rules.ConfigErrors
	if errors.As(err, &errs) {
		for _, e := range errs {
			if e.Line > 0 {
				fmt.Fprintf(w, "%s:%d:%d: error: %s\n", path, e.Line, max(e.Column, 1), e.Msg)
			} else {
				fmt.Fprintf(w, "%s: error: %s\n", path, e.Msg)
			}
		}
		return
	}
	fmt.Fprintf(w, "%s: error: %v\n", path, err)
}

// checkFile reads, parses and checks one file. ok is false when it could not be checked.
func (c *checker) checkFile(path string) (fileResult, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		c.errorf("%v", err)
		return fileResult{}, false
	}
	if !utf8.Valid(data) {
		c.errorf("%s: not UTF-8 text; Dockerfiles must be UTF-8", path)
		return fileResult{}, false
	}
	dir := filepath.Dir(path)
	cr := c.config(dir)
	if cr.err != nil {
		return fileResult{}, false
	}
	di, err := rules.ReadDockerIgnore(path, dir)
	if err != nil {
		c.errorf("%v", err)
		di = nil
	}
	f := analysis.Parse(string(data))
	opts := rules.Options{Config: cr.cfg, DockerIgnore: di, Cache: c.cache}
	var extra []analysis.Finding
	if c.review != nil {
		rev := c.review(f, cr.cfg)
		opts.Facts = rev.Facts
		extra = rev.Findings
	}
	findings := append([]analysis.Finding(nil), f.Errors...)
	findings = append(findings, rules.Check(f, opts)...)
	findings = append(findings, extra...)
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i].Range.Start, findings[j].Range.Start
		if a != b {
			return a.Before(b)
		}
		return findings[i].Rule < findings[j].Rule
	})
	return fileResult{path: path, file: f, findings: findings}, true
}

// lineCol converts a position to 1-based line and 1-based column counted in Unicode code
// points (what editors show; SARIF says so with columnKind).
func lineCol(f *analysis.File, p analysis.Pos) (int, int) {
	if p.Line >= len(f.LineStarts) {
		// The end of a file without a final newline.
		return p.Line + 1, p.Col + 1
	}
	start := f.LineStarts[p.Line]
	end := min(start+p.Col, len(f.Text))
	return p.Line + 1, utf8.RuneCountInString(f.Text[start:end]) + 1
}

func writeText(w io.Writer, results []fileResult) error {
	for _, r := range results {
		for _, fd := range r.findings {
			l, c := lineCol(r.file, fd.Range.Start)
			if _, err := fmt.Fprintf(w, "%s:%d:%d: %s: %s: %s\n", r.path, l, c, fd.Severity, fd.Rule, fd.Message); err != nil {
				return err
			}
		}
	}
	return nil
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type jsonRange struct {
	Start jsonPos `json:"start"`
	End   jsonPos `json:"end"`
}

type jsonDiagnostic struct {
	Rule     string    `json:"rule"`
	Severity string    `json:"severity"`
	Message  string    `json:"message"`
	Range    jsonRange `json:"range"`
}

type jsonFile struct {
	Path        string           `json:"path"`
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
}

func toJSONRange(f *analysis.File, r analysis.Range) jsonRange {
	sl, sc := lineCol(f, r.Start)
	el, ec := lineCol(f, r.End)
	return jsonRange{Start: jsonPos{sl, sc}, End: jsonPos{el, ec}}
}

func writeJSON(w io.Writer, results []fileResult) error {
	out := struct {
		Files []jsonFile `json:"files"`
	}{Files: []jsonFile{}}
	for _, r := range results {
		jf := jsonFile{Path: r.path, Diagnostics: []jsonDiagnostic{}}
		for _, fd := range r.findings {
			jf.Diagnostics = append(jf.Diagnostics, jsonDiagnostic{Rule: fd.Rule, Severity: fd.Severity.String(), Message: fd.Message, Range: toJSONRange(r.file, fd.Range)})
		}
		out.Files = append(out.Files, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// SARIF 2.1.0, as GitHub code scanning reads it: one run, the rules that produced results in
// tool.driver.rules (with help text), results with a location, related locations and fixes.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifLevel     `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifLevel struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        int             `json:"ruleIndex"`
	Level            string          `json:"level"`
	Message          sarifText       `json:"message"`
	Locations        []sarifLocation `json:"locations"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
	Fixes            []sarifFix      `json:"fixes,omitempty"`
}

type sarifLocation struct {
	ID               int                   `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifText            `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent sarifText   `json:"insertedContent"`
}

// sarifLevelOf maps a severity to a SARIF level (info and hint are notes).
func sarifLevelOf(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError:
		return "error"
	case analysis.SeverityWarning:
		return "warning"
	}
	return "note"
}

func sarifRegionOf(f *analysis.File, r analysis.Range) sarifRegion {
	sl, sc := lineCol(f, r.Start)
	el, ec := lineCol(f, r.End)
	return sarifRegion{StartLine: sl, StartColumn: sc, EndLine: el, EndColumn: ec}
}

// sarifURI is the artifact URI: the path relative to the working directory when possible,
// with forward slashes, so that code scanning matches it to the repository file.
func sarifURI(path string) string {
	if filepath.IsAbs(path) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
				path = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(path))
}

// sarifRuleFor describes a rule for tool.driver.rules; findings of rules outside the registry
// (parse errors, image review findings) get a generic description.
func sarifRuleFor(name string, fd analysis.Finding) sarifRule {
	if rs := rules.Resolve(name); len(rs) == 1 && rs[0].Name == name {
		r := rs[0]
		props := map[string]any{"tags": []string{"dockerfile"}}
		// Rules with a CIS item, and the rules no other tool has (all about attacks), are
		// security rules: code scanning ranks their alerts by security-severity.
		security := len(r.Refs.CIS) > 0 || (len(r.Refs.Hadolint) == 0 && r.Refs.BuildKit == "" && len(r.Refs.Trivy) == 0 && len(r.Refs.Checkov) == 0)
		if security {
			props["tags"] = []string{"dockerfile", "security"}
			props["security-severity"] = map[analysis.Severity]string{analysis.SeverityError: "8.0", analysis.SeverityWarning: "5.5",
				analysis.SeverityInfo: "3.0", analysis.SeverityHint: "1.0"}[r.Severity]
		}
		return sarifRule{
			ID: r.Name, Name: r.Name,
			ShortDescription:     sarifText{Text: r.Summary},
			FullDescription:      sarifText{Text: r.Summary + "."},
			Help:                 sarifText{Text: r.Summary + ". See " + r.URL, Markdown: rules.RuleMarkdown(r, "##")},
			HelpURI:              r.URL,
			DefaultConfiguration: sarifLevel{Level: sarifLevelOf(r.Severity)},
			Properties:           props,
		}
	}
	desc := name
	if strings.HasPrefix(name, "Image") || strings.HasPrefix(name, "Layer") || strings.HasPrefix(name, "History") || strings.HasPrefix(name, "Config") {
		desc = "Base-image review finding " + name
	} else {
		desc = "Dockerfile syntax problem (" + name + ")"
	}
	uri := fd.URL
	if uri == "" {
		uri = "https://github.com/layerlens/layerlens/blob/main/docs/rules.md"
	}
	return sarifRule{
		ID: name, Name: name,
		ShortDescription:     sarifText{Text: desc},
		FullDescription:      sarifText{Text: desc + "."},
		Help:                 sarifText{Text: desc + ". See " + uri},
		HelpURI:              uri,
		DefaultConfiguration: sarifLevel{Level: sarifLevelOf(fd.Severity)},
	}
}

func writeSARIF(w io.Writer, results []fileResult) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "layerlens", Version: version,
			InformationURI: "https://github.com/layerlens/layerlens", Rules: []sarifRule{}}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	index := map[string]int{}
	for _, r := range results {
		uri := sarifURI(r.path)
		for _, fd := range r.findings {
			i, ok := index[fd.Rule]
			if !ok {
				i = len(run.Tool.Driver.Rules)
				index[fd.Rule] = i
				run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(fd.Rule, fd))
			}
			res := sarifResult{
				RuleID: fd.Rule, RuleIndex: i, Level: sarifLevelOf(fd.Severity), Message: sarifText{Text: fd.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: sarifArtifact{URI: uri}, Region: sarifRegionOf(r.file, fd.Range)}}},
			}
			for k, rel := range fd.Related {
				msg := sarifText{Text: rel.Message}
				res.RelatedLocations = append(res.RelatedLocations, sarifLocation{ID: k + 1, Message: &msg,
					PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: sarifArtifact{URI: uri}, Region: sarifRegionOf(r.file, rel.Range)}})
			}
			for _, fx := range fd.Fixes {
				change := sarifArtifactChange{ArtifactLocation: sarifArtifact{URI: uri}}
				for _, e := range fx.Edits {
					change.Replacements = append(change.Replacements, sarifReplacement{DeletedRegion: sarifRegionOf(r.file, e.Range), InsertedContent: sarifText{Text: e.NewText}})
				}
				res.Fixes = append(res.Fixes, sarifFix{Description: sarifText{Text: fx.Title}, ArtifactChanges: []sarifArtifactChange{change}})
			}
			run.Results = append(run.Results, res)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
