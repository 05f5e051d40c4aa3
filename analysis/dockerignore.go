package analysis

import (
	"path"
	"regexp"
	"strings"
)

// DockerIgnore is a parsed .dockerignore file. A nil *DockerIgnore means "not known" (the caller
// did not look); Exists == false means there is no .dockerignore.
type DockerIgnore struct {
	Exists   bool
	Patterns []IgnorePattern
}

// IgnorePattern is one line of a .dockerignore.
type IgnorePattern struct {
	Text   string // as cleaned: no leading "/" or "!"
	Negate bool   // "!pattern" re-includes
	Line   int    // 0-based line in the .dockerignore
	re     *regexp.Regexp
}

// ParseDockerIgnore parses the text of a .dockerignore file. Invalid patterns are skipped.
func ParseDockerIgnore(text string) *DockerIgnore {
	d := &DockerIgnore{Exists: true}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := IgnorePattern{Line: i}
		if strings.HasPrefix(line, "!") {
			p.Negate = true
			line = strings.TrimSpace(line[1:])
		}
		line = path.Clean(strings.ReplaceAll(line, `\`, "/"))
		line = strings.TrimPrefix(line, "/")
		if line == "" || line == "." {
			continue
		}
		re, err := regexp.Compile(ignoreRegexp(line))
		if err != nil {
			continue
		}
		p.Text, p.re = line, re
		d.Patterns = append(d.Patterns, p)
	}
	return d
}

// ignoreRegexp translates a .dockerignore pattern (filepath.Match syntax plus "**") into an
// anchored regular expression that also matches everything below a matched directory.
func ignoreRegexp(p string) string {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '*':
			if i+1 < len(p) && p[i+1] == '*' {
				i++
				if i+1 < len(p) && p[i+1] == '/' {
					i++
					b.WriteString("(.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := p[i+1 : i+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += j
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteString(regexp.QuoteMeta(string(p[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("(/.*)?$")
	return b.String()
}

// Ignored reports whether the context path p (relative, "/"-separated) is excluded, and the
// pattern that decided it. The last matching pattern wins, as in Docker.
func (d *DockerIgnore) Ignored(p string) (bool, *IgnorePattern) {
	if d == nil || !d.Exists {
		return false, nil
	}
	p = strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(p, `\`, "/")), "/")
	if p == "" {
		return false, nil
	}
	ignored := false
	var by *IgnorePattern
	for i := range d.Patterns {
		pat := &d.Patterns[i]
		if pat.re.MatchString(p) {
			ignored = !pat.Negate
			by = pat
		}
	}
	return ignored, by
}
