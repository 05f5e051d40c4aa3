package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// officialNames are popular official Docker Hub images that impostors imitate.
var officialNames = []string{
	"alpine", "ubuntu", "debian", "centos", "fedora", "busybox", "amazonlinux", "rockylinux", "almalinux",
	"nginx", "httpd", "node", "python", "golang", "openjdk", "eclipse-temurin", "ruby", "php", "rust",
	"redis", "postgres", "mysql", "mariadb", "mongo", "memcached", "rabbitmq", "elasticsearch",
	"tomcat", "wordpress", "traefik", "haproxy", "registry", "docker", "jenkins", "consul", "vault",
}

// trustedNamespaces publish images under official names legitimately (vendors, docker-library
// architecture namespaces).
var trustedNamespaces = map[string]bool{
	"library": true, "bitnami": true, "circleci": true, "cimg": true, "nvidia": true, "amazon": true,
	"amd64": true, "arm64v8": true, "arm32v7": true, "arm32v6": true, "arm32v5": true, "i386": true,
	"ppc64le": true, "s390x": true, "riscv64": true, "mips64le": true, "windows": true,
	"hashicorp": true, "docker": true, "rancher": true, "google": true, "jenkins": true,
	"grafana": true, "elastic": true, "ubuntu": true, "nginxinc": true, "rockylinux": true,
	"chainguard": true, "cgr": true, "paketobuildpacks": true, "balenalib": true,
}

// ImpersonatedImage flags base image names that imitate official images (row 5).
var ImpersonatedImage = &analysis.Rule{
	Name:     "ImpersonatedImage",
	Summary:  "Base image name imitates an official image (typosquat or look-alike namespace)",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{CIS: []string{"4.2"}},
	Doc: "Malicious images on Docker Hub borrow the names of official ones: `someuser/ubuntu`, " +
		"`alpline`, `nginxx`. They often work as advertised and also run a miner or a backdoor. The " +
		"rule flags Docker Hub images whose name is an official image's name under an unknown " +
		"namespace, and names one or two letters away from an official image. Registry metadata " +
		"(official or verified publisher status) would settle it; from the text alone this is a warning.",
	Run: func(p *analysis.Pass) {
		for _, fi := range froms(p) {
			r := fi.Ref
			if r.Stage || r.Scratch || r.Unresolved || r.Registry != "docker.io" {
				continue
			}
			if msg := impersonation(r); msg != "" {
				p.Reportf(fi.Stage.BaseRange, "%s", msg)
			}
		}
	},
}

func impersonation(r imageRef) string {
	ns, name, ok := strings.Cut(r.Repo, "/")
	if !ok {
		return ""
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	for _, off := range officialNames {
		if name == off {
			if ns == "library" || trustedNamespaces[ns] {
				return ""
			}
			return "base image " + r.Raw + " uses the official image name " + off + " under the namespace " + ns + "; check that this publisher is the one you mean, or use the official " + off
		}
	}
	if ns == "library" && isOfficial(name) {
		return ""
	}
	for _, off := range officialNames {
		d := analysis.EditDistance(name, off)
		if len(off) >= 5 && d > 0 && d <= 1 || len(off) >= 7 && d == 2 {
			return "base image " + r.Raw + " is one or two letters away from the official image " + off + "; check for a typosquat"
		}
	}
	return ""
}

func isOfficial(name string) bool {
	for _, off := range officialNames {
		if name == off {
			return true
		}
	}
	return false
}
