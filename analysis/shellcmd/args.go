package shellcmd

import "strings"

// HasFlag reports whether the command has one of the given flags. A long flag ("--yes") matches
// "--yes" and "--yes=..."; a single-letter flag ("-y") also matches inside a group of short
// flags ("-qy"). Arguments after "--" are not flags.
func (c *Command) HasFlag(flags ...string) bool {
	_, ok := c.Flag(flags...)
	return ok
}

// Flag returns the word of the first argument matching one of flags (see HasFlag).
func (c *Command) Flag(flags ...string) (Word, bool) {
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i].Value
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		for _, f := range flags {
			if a == f {
				return c.Args[i], true
			}
			if strings.HasPrefix(f, "--") {
				if strings.HasPrefix(a, f+"=") {
					return c.Args[i], true
				}
				continue
			}
			if len(f) == 2 && !strings.HasPrefix(a, "--") && strings.ContainsRune(a[1:], rune(f[1])) && isShortGroup(a) {
				return c.Args[i], true
			}
		}
	}
	return Word{}, false
}

// isShortGroup reports whether a looks like grouped short flags ("-qy"), not "-oValue" style
// words with non-letters.
func isShortGroup(a string) bool {
	if len(a) < 2 || len(a) > 8 {
		return false
	}
	for _, r := range a[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// FlagValue returns the value of a flag given as "--name=value", "--name value" or "-n value".
func (c *Command) FlagValue(flags ...string) (string, bool) {
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i].Value
		if a == "--" {
			break
		}
		for _, f := range flags {
			if a == f && i+1 < len(c.Args) {
				return c.Args[i+1].Value, true
			}
			if strings.HasPrefix(a, f+"=") {
				return a[len(f)+1:], true
			}
		}
	}
	return "", false
}

// Operands returns the arguments after Args[0] that are not flags. Values of flags listed in
// valued ("-o", "--output") are skipped too.
func (c *Command) Operands(valued ...string) []Word {
	var out []Word
	dashdash := false
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i].Value
		if dashdash {
			out = append(out, c.Args[i])
			continue
		}
		if a == "--" {
			dashdash = true
			continue
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			for _, v := range valued {
				if a == v {
					i++
					break
				}
			}
			continue
		}
		out = append(out, c.Args[i])
	}
	return out
}

// Sub returns the first operand (the subcommand of "apt-get install", "pip install"), lower-cased.
// Values of the flags in valued are skipped, as in Operands.
func (c *Command) Sub(valued ...string) string {
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i].Value
		if a == "--" {
			if i+1 < len(c.Args) {
				return strings.ToLower(c.Args[i+1].Value)
			}
			return ""
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			for _, v := range valued {
				if a == v {
					i++
					break
				}
			}
			continue
		}
		return strings.ToLower(a)
	}
	return ""
}

// Text returns the command's words joined by single spaces.
func (c *Command) Text() string {
	var b strings.Builder
	for i, a := range c.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Value)
	}
	return b.String()
}

// PipedTo returns the commands after c in its pipeline.
func (c *Command) PipedTo() []*Command {
	if c.PipeIndex+1 >= len(c.Pipeline) {
		return nil
	}
	return c.Pipeline[c.PipeIndex+1:]
}

// PipedFrom returns the commands before c in its pipeline.
func (c *Command) PipedFrom() []*Command {
	if c.PipeIndex <= 0 || c.PipeIndex > len(c.Pipeline) {
		return nil
	}
	return c.Pipeline[:c.PipeIndex]
}

// Find returns the commands of the script whose Name is one of names.
func (s *Script) Find(names ...string) []*Command {
	var out []*Command
	for _, c := range s.Commands {
		for _, n := range names {
			if c.Name == n {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// Has reports whether the script runs a command with one of names.
func (s *Script) Has(names ...string) bool {
	for _, c := range s.Commands {
		for _, n := range names {
			if c.Name == n {
				return true
			}
		}
	}
	return false
}

// Pipefail reports whether the script sets "-o pipefail" (set -o pipefail, set -eo pipefail,
// set -euxo pipefail) before its first pipeline.
func (s *Script) Pipefail() bool {
	for _, c := range s.Commands {
		if len(c.Pipeline) > 1 {
			return false
		}
		if c.Name != "set" {
			continue
		}
		for i, a := range c.Args {
			if a.Value == "pipefail" && i > 0 && strings.HasPrefix(c.Args[i-1].Value, "-") && strings.HasSuffix(c.Args[i-1].Value, "o") {
				return true
			}
		}
	}
	return false
}

// StripHistoryPrefix removes what Docker writes in front of a history created_by command:
// "/bin/sh -c #(nop) " for metadata steps, "|N A=1 B=2 /bin/sh -c " for RUN steps with build
// arguments, and "/bin/sh -c " for plain RUN steps. BuildKit's "RUN /bin/sh -c ... # buildkit"
// suffix and "RUN " prefix are removed too. nop reports a metadata step (ENV, CMD, LABEL ...),
// whose text is a Dockerfile instruction rather than a shell command.
func StripHistoryPrefix(createdBy string) (cmd string, nop bool) {
	s := strings.TrimSpace(createdBy)
	if strings.HasPrefix(s, "|") {
		// "|2 A=1 B=2 /bin/sh -c cmd": the count and the assignments end where the shell starts.
		if i := strings.Index(s, " /bin/sh -c "); i >= 0 {
			s = s[i+1:]
		} else if i := strings.Index(s, " /bin/bash -c "); i >= 0 {
			s = s[i+1:]
		}
	}
	s = strings.TrimSuffix(s, " # buildkit")
	s = strings.TrimPrefix(s, "RUN ")
	for _, p := range []string{"/bin/sh -c ", "/bin/bash -c ", "sh -c ", "cmd /S /C ", "powershell -Command "} {
		if strings.HasPrefix(s, p) {
			s = strings.TrimPrefix(s, p)
			break
		}
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "#(nop)") {
		return strings.TrimSpace(strings.TrimPrefix(s, "#(nop)")), true
	}
	return s, false
}
