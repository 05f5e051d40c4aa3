package rules

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/layerlens/layerlens/analysis"
)

// corpusDir is ../shared/corpus relative to the repository root; tests skip without it.
func corpusDir(t testing.TB) string {
	dir, err := corpusDirErr()
	if err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	return dir
}

func corpusDirErr() (string, error) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "corpus"))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST-labelled-examples.tsv")); err != nil {
		return "", err
	}
	return dir, nil
}

// rulesFor returns our rules that correspond to an upstream id (Trivy DS id or BuildKit name).
func rulesFor(id string) map[string]bool {
	out := map[string]bool{}
	for _, r := range All {
		if r.Name == id || r.Refs.BuildKit == id || contains(r.Refs.Trivy, id) {
			out[r.Name] = true
		}
	}
	return out
}

// TestCorpusLabelled checks every labelled example: bad ones are flagged by a rule mapped to
// their upstream id, good ones are not.
func TestCorpusLabelled(t *testing.T) {
	dir := corpusDir(t)
	f, err := os.Open(filepath.Join(dir, "MANIFEST-labelled-examples.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	mapping := map[string][]string{}
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 {
			continue
		}
		set, path, label, id := cols[0], cols[1], cols[2], cols[3]
		data, err := os.ReadFile(filepath.Join(dir, set, path))
		if err != nil {
			t.Fatal(err)
		}
		want := rulesFor(id)
		if len(want) == 0 {
			t.Errorf("%s: no rule maps to %s", path, id)
			continue
		}
		for r := range want {
			if !contains(mapping[id], r) {
				mapping[id] = append(mapping[id], r)
			}
		}
		opts := Options{}
		if id == "CopyIgnoredFile" {
			// The example's .dockerignore is not in the corpus; the BuildKit page describes
			// one that excludes the tmp directory.
			opts.DockerIgnore = analysis.ParseDockerIgnore("tmp\n")
		}
		var hits []string
		for _, fd := range Check(analysis.Parse(string(data)), opts) {
			if want[fd.Rule] {
				hits = append(hits, fd.Rule+": "+fd.Message)
			}
		}
		switch {
		case label == "bad" && len(hits) == 0:
			t.Errorf("%s/%s (bad, %s) is not flagged by %v", set, path, id, keys(want))
		case label == "good" && len(hits) > 0:
			t.Errorf("%s/%s (good, %s) is flagged: %v", set, path, id, hits)
		}
		n++
	}
	if n < 100 {
		t.Errorf("only %d labelled examples read", n)
	}
	var ids []string
	for id := range mapping {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		sort.Strings(mapping[id])
		t.Logf("%s -> %s", id, strings.Join(mapping[id], ", "))
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// corpusFiles lists the Dockerfiles of a corpus set.
func corpusFiles(t testing.TB, dir, set string) []string {
	out, err := corpusPaths(dir, set)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func corpusPaths(dir, set string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(dir, set), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (d.Name() == "Dockerfile" || strings.HasSuffix(d.Name(), ".Dockerfile")) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// TestCorpusDockerLibrary measures false positives on the official images: no error-level
// findings and at most one warning per file on average. Run with -v for per-rule counts.
func TestCorpusDockerLibrary(t *testing.T) {
	dir := corpusDir(t)
	counts := map[string]map[analysis.Severity]int{}
	files, warnings := 0, 0
	for _, set := range []string{"docker-library-php", "docker-library-python"} {
		for _, p := range corpusFiles(t, dir, set) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files++
			for _, fd := range Check(analysis.Parse(string(data)), Options{}) {
				if counts[fd.Rule] == nil {
					counts[fd.Rule] = map[analysis.Severity]int{}
				}
				counts[fd.Rule][fd.Severity]++
				switch fd.Severity {
				case analysis.SeverityError:
					t.Errorf("%s: error %s: %s at %v", p, fd.Rule, fd.Message, fd.Range)
				case analysis.SeverityWarning:
					warnings++
				}
			}
		}
	}
	if files < 900 {
		t.Errorf("only %d docker-library files", files)
	}
	avg := float64(warnings) / float64(files)
	t.Logf("%d files, %d warnings (%.3f per file)", files, warnings, avg)
	if avg > 1 {
		t.Errorf("%.3f warnings per file on average, want <= 1", avg)
	}
	var names []string
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Logf("%-32s error=%d warning=%d info=%d hint=%d", n, counts[n][analysis.SeverityError], counts[n][analysis.SeverityWarning], counts[n][analysis.SeverityInfo], counts[n][analysis.SeverityHint])
	}
}

// BenchmarkCheckCorpus parses and checks every file of the corpus once per iteration.
func BenchmarkCheckCorpus(b *testing.B) {
	texts := corpusTexts(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		for _, s := range texts {
			Check(analysis.Parse(s), Options{})
		}
		n++
	}
	// The machine is shared: report process CPU time per op next to wall time.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(len(texts)), "files/op")
}

// BenchmarkRulesCorpus measures the rule pass alone (files parsed beforehand).
func BenchmarkRulesCorpus(b *testing.B) {
	parsed := corpusParsed(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		for _, f := range parsed {
			Check(f, Options{})
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
}

// corpusTexts reads every file of the four corpus sets (skipping the benchmark without a corpus).
func corpusTexts(b *testing.B) []string {
	dir := corpusDir(b)
	var texts []string
	for _, set := range []string{"docker-library-php", "docker-library-python", "trivy-checks-examples", "buildkit-rule-examples"} {
		for _, p := range corpusFiles(b, dir, set) {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			texts = append(texts, string(data))
		}
	}
	return texts
}

// corpusParsed is corpusTexts parsed, for benchmarks of the rule pass alone.
func corpusParsed(b *testing.B) []*analysis.File {
	texts := corpusTexts(b)
	parsed := make([]*analysis.File, len(texts))
	for i, s := range texts {
		parsed[i] = analysis.Parse(s)
	}
	return parsed
}

// cpuTime is the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// largeDockerfile generates a file of about n lines: many stages with RUN, COPY, ENV and
// multi-line RUN instructions, to show that no rule is quadratic in the file size.
func largeDockerfile(n int) string {
	var b strings.Builder
	b.WriteString("# syntax=docker/dockerfile:1\nARG BASE=debian:bookworm\n")
	for i := 0; b.Len() < n*40; i++ {
		fmt.Fprintf(&b, "FROM ${BASE} AS s%d\n", i)
		fmt.Fprintf(&b, "ENV APP_HOME=/srv/app%d PATH=/srv/app%d/bin:$PATH\n", i, i)
		b.WriteString("WORKDIR /srv/app\nCOPY --from=s0 /etc/hosts /tmp/hosts\n")
		b.WriteString("RUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y --no-install-recommends curl ca-certificates; \\\n    curl -fsSLo /tmp/x.tgz https://example.com/x.tgz; \\\n    echo \"abc  /tmp/x.tgz\" | sha256sum -c -; \\\n    rm -rf /var/lib/apt/lists/*\n")
		b.WriteString("RUN wget -q https://example.com/y && chmod 755 y\nUSER 10001\n")
	}
	return b.String()
}

// BenchmarkCheckLarge checks one generated 5,000-line file (parse included).
func BenchmarkCheckLarge(b *testing.B) {
	text := largeDockerfile(5000)
	b.ReportAllocs()
	for b.Loop() {
		Check(analysis.Parse(text), Options{})
	}
	b.ReportMetric(float64(strings.Count(text, "\n")), "lines")
}
