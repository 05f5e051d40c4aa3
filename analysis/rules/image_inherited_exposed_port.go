package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ImageInheritedExposedPort flags ports the base image exposes that your image inherits: SSH
// (22) and the Docker daemon API (2375, 2376), the inherited side of ExposedSSH and
// DockerDaemonPort (rows 47 and 48).
var ImageInheritedExposedPort = &analysis.Rule{
	Name:     "ImageInheritedExposedPort",
	Summary:  "The base image exposes an SSH or Docker daemon port that your image inherits",
	Severity: analysis.SeverityWarning,
	Doc: "EXPOSE is inherited: a base image that exposes 22 (an SSH server) or 2375/2376 (the " +
		"Docker daemon API, which is root on the host) makes your image advertise the same " +
		"port, and `docker run -P` publishes it. A container should not run sshd, and a Docker " +
		"daemon port reachable from the network was how the cryptojacking campaigns of 2019-2021 " +
		"spread. Choose another base image, or make sure nothing listens there.",
	Run: func(p *analysis.Pass) {
		for _, is := range imageStages(p) {
			for _, port := range is.Facts.ExposedPorts {
				num, proto, _ := strings.Cut(port, "/")
				if proto != "" && proto != "tcp" {
					continue
				}
				switch num {
				case "22":
					p.Reportf(is.Stage.BaseRange, "base image %s exposes port 22 (SSH): your image inherits it", is.Facts.Ref)
				case "2375", "2376":
					p.Reportf(is.Stage.BaseRange, "base image %s exposes port %s (the Docker daemon API): your image inherits it", is.Facts.Ref, num)
				}
			}
		}
	},
}
