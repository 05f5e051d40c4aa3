package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// DockerDaemonPort flags EXPOSE 2375/2376 and DOCKER_HOST=tcp:// (row 48).
var DockerDaemonPort = &analysis.Rule{
	Name:     "DockerDaemonPort",
	Summary:  "Docker daemon API port exposed or DOCKER_HOST set to tcp://",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{},
	Doc: "Port 2375 is the Docker API without TLS: whoever reaches it controls the host. Internet " +
		"scans for it are how several cryptojacking worms spread. 2376 is the TLS port and still " +
		"hands out root on the host to anyone with a client certificate. An image should neither " +
		"expose the daemon nor point its clients at a remote one by default.",
	Run: func(p *analysis.Pass) {
		reportInherited(p)
		for _, in := range byCmd(p.File, "EXPOSE") {
			for _, e := range exposePorts(in) {
				if e.NumericErr {
					continue
				}
				for _, port := range []int{2375, 2376} {
					if e.Low <= port && port <= e.High {
						p.Reportf(e.Arg.Range, "port %d (Docker daemon API) is exposed", port)
					}
				}
			}
		}
		for _, in := range byCmd(p.File, "ENV", "ARG") {
			for _, kv := range kvOf(p, in) {
				if kv.Key == "DOCKER_HOST" && strings.HasPrefix(strings.ToLower(kv.Value), "tcp://") {
					p.Reportf(kv.Range, "DOCKER_HOST points at a daemon over TCP (%s)", kv.Value)
				}
			}
		}
	},
}
