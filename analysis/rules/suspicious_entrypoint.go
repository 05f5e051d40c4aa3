package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// SuspiciousEntrypoint flags ENTRYPOINT/CMD that run hidden or temporary files or background a
// process (row 51).
var SuspiciousEntrypoint = &analysis.Rule{
	Name:     "SuspiciousEntrypoint",
	Summary:  "ENTRYPOINT/CMD runs a hidden or temp-dir program, a masquerading name, or backgrounds a process",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{},
	Doc: "Malicious images start their payload from `/tmp`, `/dev/shm`, `/var/tmp` or a hidden " +
		"directory, name it like a kernel thread (`kworker`, `[kthreadd]`), or background it with " +
		"`nohup ... &` so that the advertised program runs in front. Legitimate entrypoints live in " +
		"`/usr/local/bin` or the app directory and run in the foreground.",
	Run: func(p *analysis.Pass) {
		reportInherited(p)
		for _, in := range byCmd(p.File, "ENTRYPOINT", "CMD") {
			if in.JSON {
				if len(in.Args) > 0 {
					if why := suspiciousProgram(in.Args[0].Value); why != "" {
						p.Reportf(in.Args[0].Range, "%s runs %s, %s", in.Cmd, in.Args[0].Value, why)
					}
				}
				// ["sh", "-c", "..."] is checked through its script below.
				if len(in.Args) >= 3 && shellcmd.IsShell(baseName(in.Args[0].Value)) && in.Args[1].Value == "-c" {
					checkEntryScript(p, in, shellcmd.Parse(in.Args[2].Value), in.Args[2].Range)
				}
				continue
			}
			checkEntryScript(p, in, shellcmd.Parse(in.Shell), argsRange(p.File, in))
		}
	},
}

func checkEntryScript(p *analysis.Pass, in *analysis.Instruction, s *shellcmd.Script, rng analysis.Range) {
	for _, c := range s.Commands {
		if len(c.Args) > 0 {
			if why := suspiciousProgram(c.Args[0].Value); why != "" {
				p.Reportf(rng, "%s runs %s, %s", in.Cmd, c.Args[0].Value, why)
				return
			}
		}
		if c.Background || contains(c.Wrappers, "nohup") || contains(c.Wrappers, "setsid") || c.Name == "screen" && c.HasFlag("-d", "-dm") {
			p.Reportf(rng, "%s starts %s in the background", in.Cmd, c.Name)
			return
		}
	}
}

func baseName(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

// suspiciousProgram explains why a program path looks like a hidden payload, or returns "".
func suspiciousProgram(prog string) string {
	for _, dir := range []string{"/tmp/", "/dev/shm/", "/var/tmp/"} {
		if strings.HasPrefix(prog, dir) {
			return "which lives in a temporary directory"
		}
	}
	for _, part := range strings.Split(prog, "/") {
		if strings.HasPrefix(part, ".") && part != "." && part != ".." {
			return "which lives in a hidden path"
		}
	}
	name := baseName(prog)
	switch {
	case strings.HasPrefix(name, "kworker"), strings.HasPrefix(name, "[k"), name == "kthreadd", name == "ksoftirqd":
		return "a name that imitates a kernel thread"
	case strings.HasPrefix(name, "systemd-") && !strings.HasPrefix(prog, "/usr/") && !strings.HasPrefix(prog, "/lib/") && strings.Contains(prog, "/"):
		return "a systemd name outside /usr"
	}
	return ""
}
