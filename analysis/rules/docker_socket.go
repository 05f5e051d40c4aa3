package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// DockerSocket flags wiring to the host's Docker socket (row 49).
var DockerSocket = &analysis.Rule{
	Name:     "DockerSocket",
	Summary:  "Image is wired to the Docker socket",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{CIS: []string{"5.31"}},
	Doc: "A container with `/var/run/docker.sock` can start privileged containers on the host, " +
		"which is root on the host. `VOLUME /var/run/docker.sock`, `DOCKER_HOST=unix://...` and " +
		"RUN steps that touch the socket show that the image expects it to be mounted. That is " +
		"sometimes the point (CI agents), but it should be a deliberate, reviewed choice.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "VOLUME") {
			for _, a := range in.Args {
				if strings.Contains(a.Value, "docker.sock") {
					p.Reportf(a.Range, "VOLUME for the Docker socket: whoever runs this image is expected to hand it root on the host")
				}
			}
		}
		for _, in := range byCmd(p.File, "ENV", "ARG") {
			for _, kv := range kvOf(p, in) {
				if kv.Key == "DOCKER_HOST" && strings.HasPrefix(kv.Value, "unix://") {
					p.Reportf(kv.Range, "DOCKER_HOST points at the Docker socket (%s)", kv.Value)
				}
			}
		}
		runShell(checkDockerSocket)(p)
		reportInherited(p)
	},
}

func checkDockerSocket(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		for _, a := range c.Args[min(1, len(c.Args)):] {
			if strings.Contains(a.Value, "docker.sock") {
				r.word(a, "%s uses the Docker socket (%s)", c.Name, a.Value)
				break
			}
		}
	}
}
