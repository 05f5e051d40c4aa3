package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// privilegedRunFlags are docker/podman run options that give a container host-level power.
var privilegedRunFlags = []string{"--privileged", "--pid=host", "--pid host", "--net=host", "--network=host", "--ipc=host",
	"--uts=host", "--userns=host", "--cap-add", "-v /:/", "--volume /:/", "docker.sock", "--security-opt seccomp=unconfined",
	"--security-opt=seccomp=unconfined", "apparmor=unconfined", "--device"}

// PrivilegedRunLabel flags LABEL RUN/INSTALL with privileged options (row 50).
var PrivilegedRunLabel = &analysis.Rule{
	Name:     "PrivilegedRunLabel",
	Summary:  "Run-label asks for privileged execution",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{},
	Doc: "`podman container runlabel` and Atomic run the command in the `RUN`, `INSTALL` or " +
		"`UNINSTALL` label. A label with `--privileged`, `--pid=host`, `-v /:/host` or the Docker " +
		"socket asks the user to hand the image the host. Review it as you would a `curl | sudo sh`.",
	Run: func(p *analysis.Pass) {
		reportInherited(p)
		for _, in := range byCmd(p.File, "LABEL") {
			for _, kv := range kvOf(p, in) {
				switch strings.ToUpper(kv.Key) {
				case "RUN", "INSTALL", "UNINSTALL":
				default:
					continue
				}
				v := strings.Join(strings.Fields(kv.Value), " ")
				for _, fl := range privilegedRunFlags {
					if strings.Contains(v, fl) {
						p.Reportf(kv.Range, "%s label runs the image with %s", kv.Key, fl)
						break
					}
				}
			}
		}
	},
}
