package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// PersistenceTrick flags persistence and defence-evasion steps (row 92).
var PersistenceTrick = &analysis.Rule{
	Name:     "PersistenceTrick",
	Summary:  "Persistence or evasion trick (ld.so.preload, crontab, history -c, chattr +i, firewall off)",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{},
	Doc: "Cryptojacking scripts make themselves hard to see and remove: they write " +
		"`/etc/ld.so.preload` (to hide processes), install cron jobs, clear shell history, make " +
		"files immutable with `chattr +i`, flush firewall rules, disable SELinux, and kill " +
		"competing miners. None of this belongs in a build step.",
	Run: runShell(checkPersistence),
}

var competitorNames = []string{"xmrig", "kinsing", "kdevtmpfsi", "minerd", "cryptonight", "kworkerds", "sysupdate", "networkservice"}

func checkPersistence(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		for _, rd := range c.Redirs {
			if rd.Op != ">" && rd.Op != ">>" {
				continue
			}
			t := rd.Target.Value
			switch {
			case strings.Contains(t, "ld.so.preload"):
				r.cmd(c, "writes /etc/ld.so.preload, which injects a library into every process")
			case t == "/etc/crontab" || strings.HasPrefix(t, "/var/spool/cron") || strings.HasPrefix(t, "/etc/cron."):
				r.cmd(c, "installs a cron job (%s)", t)
			}
		}
		switch c.Name {
		case "tee", "cp", "mv", "ln":
			for _, a := range c.Args[1:] {
				if strings.Contains(a.Value, "ld.so.preload") {
					r.cmd(c, "writes /etc/ld.so.preload, which injects a library into every process")
				}
			}
		case "crontab":
			if ops := c.Operands(); len(ops) > 0 && !c.HasFlag("-l") {
				r.cmd(c, "installs a crontab")
			}
		case "history":
			if c.HasFlag("-c") {
				r.cmd(c, "clears the shell history")
			}
		case "chattr":
			for _, a := range c.Args[1:] {
				if strings.HasPrefix(a.Value, "+") && strings.ContainsAny(a.Value, "ia") {
					r.cmd(c, "makes files immutable (chattr %s)", a.Value)
					break
				}
			}
		case "iptables", "ip6tables":
			if c.HasFlag("-F", "--flush") {
				r.cmd(c, "flushes the firewall rules")
			}
		case "ufw":
			if c.Sub() == "disable" {
				r.cmd(c, "disables the firewall")
			}
		case "setenforce":
			if ops := c.Operands(); len(ops) > 0 && (ops[0].Value == "0" || strings.EqualFold(ops[0].Value, "permissive")) {
				r.cmd(c, "turns SELinux enforcement off")
			}
		case "pkill", "killall":
			if a, ok := killsCompetitor(c); ok {
				r.cmd(c, "kills competing miner processes (%s)", a)
			}
		case "unset":
			for _, a := range c.Args[1:] {
				if a.Value == "HISTFILE" {
					r.cmd(c, "disables shell history")
				}
			}
		}
		for _, as := range c.Assigns {
			if strings.HasPrefix(as, "HISTFILE=/dev/null") {
				r.cmd(c, "disables shell history")
			}
		}
		if c.Name == "export" {
			for _, a := range c.Args[1:] {
				if a.Value == "HISTFILE=/dev/null" {
					r.cmd(c, "disables shell history")
				}
			}
		}
	}
}

func killsCompetitor(c *shellcmd.Command) (string, bool) {
	for _, a := range c.Args[1:] {
		for _, n := range competitorNames {
			if strings.Contains(strings.ToLower(a.Value), n) {
				return a.Value, true
			}
		}
	}
	return "", false
}
