package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// pointless are commands that make no sense during an image build.
var pointless = map[string]string{
	"ssh": "there is nothing to log in to from a build", "vim": "there is no one to type", "nano": "there is no one to type",
	"shutdown": "a build step cannot stop a machine", "reboot": "a build step cannot restart a machine",
	"service": "no service manager runs in a build", "systemctl": "no systemd runs in a build",
	"ps": "no other processes run in a build", "free": "the build host's memory says nothing about the image",
	"top": "no other processes run in a build", "kill": "no other processes run in a build",
	"mount": "mounts do not persist into the image", "ifconfig": "the build's network is not the container's",
}

// PointlessCommand flags commands that do nothing useful in a build (row 80).
var PointlessCommand = &analysis.Rule{
	Name:     "PointlessCommand",
	Summary:  "Command that has no useful effect in an image build (ssh, vim, service, shutdown, ...)",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL3001"}, CIS: []string{"4.3"}},
	Doc:      "Build steps run once, without a terminal, an init system or other processes; their only lasting effect is the filesystem. Commands such as `service x start`, `systemctl`, `vim`, `shutdown` or `ps` either fail or do nothing that ends up in the image.",
	Run:      runShell(checkPointless),
}

func checkPointless(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		if why, ok := pointless[c.Name]; ok && !c.Nested {
			if c.Name == "systemctl" && (c.Sub() == "enable" || c.Sub() == "disable" || c.Sub() == "mask") {
				continue // enabling units for a systemd-based image does change files
			}
			r.cmd(c, "%s in a build step: %s", c.Name, why)
		}
	}
}
