package analysis

import (
	"regexp"
	"strings"
)

// Document links: image references (FROM, COPY --from, RUN --mount from=) open the registry's
// web page when one is known (Docker Hub, GHCR, Quay, MCR, GCR, Amazon ECR Public), and http(s)
// URLs in ADD and RUN (including here-document bodies) open themselves.

// Link is one document link.
type Link struct {
	Range   Range
	Target  string
	Tooltip string
}

var urlRE = regexp.MustCompile(`https?://[^\s"'<>\x60\\|]+`)

// Links returns the document links of f in source order.
func Links(f *File) []Link {
	var out []Link
	stageNames := map[string]bool{}
	for _, st := range f.Stages {
		if st.Name != "" {
			stageNames[strings.ToLower(st.Name)] = true
		}
	}
	image := func(ref string, r Range) {
		if ref == "" || r.IsZero() || strings.Contains(ref, "$") || stageNames[strings.ToLower(ref)] ||
			strings.EqualFold(ref, "scratch") || isStageIndex(ref) {
			return
		}
		if target, where := ImageWebPage(ref); target != "" {
			out = append(out, Link{Range: r, Target: target, Tooltip: "Open " + ref + " on " + where})
		}
	}
	for _, in := range f.Instructions {
		for x := in; x != nil; x = x.Sub {
			if x.Cmd == "FROM" && x.Stage >= 0 && x.Stage < len(f.Stages) && f.Stages[x.Stage].From == x {
				st := f.Stages[x.Stage]
				image(st.BaseImage, st.BaseRange)
			}
			for _, fl := range x.Flags {
				switch {
				case fl.Name == "from" && x.Cmd == "COPY":
					image(fl.Value, fl.ValueRange)
				case fl.Name == "mount" && x.Cmd == "RUN":
					if v, r, ok := mountOption(f, fl, "from"); ok {
						image(v, r)
					}
				}
			}
			if x.Cmd == "ADD" || x.Cmd == "RUN" {
				out = append(out, urlLinks(f, x)...)
			}
		}
	}
	return out
}

// urlLinks finds http(s) URLs on the lines of an instruction, here-document bodies included.
func urlLinks(f *File, in *Instruction) []Link {
	var out []Link
	start := in.KeywordRange.End
	for ln := start.Line; ln <= in.Range.End.Line && ln < len(f.LineStarts); ln++ {
		l := ftLine(f, ln)
		from := 0
		if ln == start.Line {
			from = min(start.Col, len(l))
		}
		for _, m := range urlRE.FindAllStringIndex(l[from:], -1) {
			a, b := from+m[0], from+m[1]
			// Trailing punctuation is rarely part of the URL.
			for b > a && strings.ContainsRune(".,;:)]}", rune(l[b-1])) {
				b--
			}
			url := l[a:b]
			if strings.Contains(url, "$") {
				continue // the real URL is only known after expansion
			}
			out = append(out, Link{Range: Range{Start: Pos{Line: ln, Col: a}, End: Pos{Line: ln, Col: b}}, Target: url})
		}
	}
	return out
}

// ImageWebPage returns the web page of an image reference's repository and the name of the
// site, or "" when the registry has no known page.
func ImageWebPage(ref string) (url, site string) {
	// Drop the digest and the tag.
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && !strings.Contains(ref[i:], "/") {
		ref = ref[:i]
	}
	host, path := "docker.io", ref
	if i := strings.IndexByte(ref, '/'); i >= 0 {
		first := ref[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			host, path = strings.ToLower(first), ref[i+1:]
		}
	}
	if path == "" {
		return "", ""
	}
	switch {
	case host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io":
		path = strings.TrimPrefix(path, "library/")
		if !strings.Contains(path, "/") {
			return "https://hub.docker.com/_/" + path, "Docker Hub"
		}
		return "https://hub.docker.com/r/" + path, "Docker Hub"
	case host == "ghcr.io":
		return "https://ghcr.io/" + path, "GitHub Container Registry"
	case host == "quay.io":
		return "https://quay.io/repository/" + path, "Quay"
	case host == "mcr.microsoft.com":
		return "https://mcr.microsoft.com/artifact/mar/" + path, "Microsoft Artifact Registry"
	case host == "gcr.io" || strings.HasSuffix(host, ".gcr.io"):
		project, rest, ok := strings.Cut(path, "/")
		if !ok {
			return "", ""
		}
		loc := "global"
		if host != "gcr.io" {
			loc = strings.TrimSuffix(host, ".gcr.io")
		}
		return "https://console.cloud.google.com/gcr/images/" + project + "/" + loc + "/" + rest, "Google Container Registry"
	case host == "public.ecr.aws":
		return "https://gallery.ecr.aws/" + path, "Amazon ECR Public Gallery"
	}
	return "", ""
}
