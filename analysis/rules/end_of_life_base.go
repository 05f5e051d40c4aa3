package rules

import (
	"strconv"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// eolCodenames are distribution release names whose support (including Debian LTS) has ended,
// as of late 2026. Keep this list and eolRelease in step with the distributions' calendars.
var eolCodenames = map[string]string{
	"squeeze": "Debian 6", "wheezy": "Debian 7", "jessie": "Debian 8", "stretch": "Debian 9", "buster": "Debian 10",
	"bullseye": "Debian 11", "oracular": "Ubuntu 24.10", "plucky": "Ubuntu 25.04",
	"precise": "Ubuntu 12.04", "trusty": "Ubuntu 14.04", "xenial": "Ubuntu 16.04", "bionic": "Ubuntu 18.04",
	"focal": "Ubuntu 20.04", "eoan": "Ubuntu 19.10", "groovy": "Ubuntu 20.10", "hirsute": "Ubuntu 21.04",
	"impish": "Ubuntu 21.10", "kinetic": "Ubuntu 22.10", "lunar": "Ubuntu 23.04", "mantic": "Ubuntu 23.10",
}

// EndOfLifeBase flags base image tags naming releases that no longer get security updates (row 7).
var EndOfLifeBase = &analysis.Rule{
	Name:     "EndOfLifeBase",
	Summary:  "Base image tag names an end-of-life OS or runtime release",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{CIS: []string{"4.4"}},
	Doc: "Releases past their end of life get no security fixes, so every rebuild ships the same " +
		"known vulnerabilities. The rule reads the tag, against the release calendars as of late " +
		"2026: Debian up to 11 (bullseye), Ubuntu up to 20.04 and the interim releases, Alpine " +
		"3.x up to 3.20, CentOS (all of it), Python 2 and 3.0–3.9, Node.js up to 21. The " +
		"base-image review confirms it from /etc/os-release.",
	Run: func(p *analysis.Pass) {
		for _, fi := range froms(p) {
			r := fi.Ref
			if r.Stage || r.Scratch || r.Unresolved || r.Tag == "" {
				continue
			}
			if what := eolRelease(r); what != "" {
				p.Reportf(fi.Stage.BaseRange, "base image %s is %s, which is end of life; move to a supported release", r.Raw, what)
			}
		}
	},
}

func eolRelease(r imageRef) string {
	name := r.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	tag := strings.ToLower(r.Tag)
	for _, part := range strings.FieldsFunc(tag, func(c rune) bool { return c == '-' || c == '_' }) {
		if what, ok := eolCodenames[part]; ok {
			return what + " (" + part + ")"
		}
	}
	major, minor, ok := version(tag)
	switch name {
	case "centos":
		return "CentOS Linux"
	case "debian":
		if ok && major >= 6 && major <= 11 {
			return "Debian " + strconv.Itoa(major)
		}
	case "ubuntu":
		if ok && major >= 10 && major <= 20 || ok && major >= 21 && major <= 25 && (minor == 10 || major%2 == 1) {
			return "Ubuntu " + tag
		}
	case "alpine":
		if ok && major == 3 && minor >= 0 && minor <= 20 {
			return "Alpine " + strconv.Itoa(major) + "." + strconv.Itoa(minor)
		}
	case "python", "pypy":
		if ok && (major == 2 || major == 3 && minor >= 0 && minor <= 9) {
			return "Python " + strconv.Itoa(major) + "." + strconv.Itoa(minor)
		}
	case "node":
		if ok && major >= 4 && major <= 21 {
			return "Node.js " + strconv.Itoa(major)
		}
	}
	return ""
}

// version reads a leading "MAJOR[.MINOR]" from a tag.
func version(tag string) (major, minor int, ok bool) {
	i := 0
	for i < len(tag) && tag[i] >= '0' && tag[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, 0, false
	}
	major, _ = strconv.Atoi(tag[:i])
	minor = -1
	if i < len(tag) && tag[i] == '.' {
		j := i + 1
		for j < len(tag) && tag[j] >= '0' && tag[j] <= '9' {
			j++
		}
		if j > i+1 {
			minor, _ = strconv.Atoi(tag[i+1 : j])
		}
	}
	return major, minor, true
}
