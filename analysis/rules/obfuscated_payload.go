package rules

import (
	"regexp"
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

var longBase64 = regexp.MustCompile(`^[A-Za-z0-9+/]{80,}={0,2}$`)

// ObfuscatedPayload flags decoded payloads that are executed (row 89).
var ObfuscatedPayload = &analysis.Rule{
	Name:     "ObfuscatedPayload",
	Summary:  "Encoded payload is decoded and executed (base64 -d | sh, eval, xxd -r, openssl enc -d)",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{},
	Doc: "Build steps that decode a blob and run it (`echo ... | base64 -d | sh`, `eval " +
		"\"$(echo ... | base64 -d)\"`, `xxd -r -p | bash`, `openssl enc -d ... | sh`, " +
		"`python -c \"exec(...decode(...))\"`) hide what they do from review; this is how " +
		"droppers in malicious images look. A long base64 literal that is only decoded to a file " +
		"is reported as a warning.",
	Run: runShell(checkObfuscated),
}

// decoder reports whether c decodes an encoded payload.
func decoder(c *shellcmd.Command) bool {
	switch c.Name {
	case "base64", "base32", "basenc":
		return c.HasFlag("-d", "--decode", "-D")
	case "xxd":
		return c.HasFlag("-r")
	case "openssl":
		sub := c.Sub()
		return (sub == "enc" || sub == "base64" || strings.HasPrefix(sub, "aes")) && c.HasFlag("-d")
	case "gzip", "gunzip", "zcat":
		return c.Name != "gzip" || c.HasFlag("-d")
	case "rev":
		return true
	}
	return false
}

func checkObfuscated(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		if !decoder(c) || c.Name == "gzip" || c.Name == "gunzip" || c.Name == "zcat" || c.Name == "rev" {
			// Compression tools and rev alone are not obfuscation; they count only between a
			// decoder and a shell (handled by the pipeline scan below).
			if c.Name != "rev" || !decoderInPipe(c) {
				continue
			}
		}
		// Decoded output executed through a pipe.
		if next := pipedToRunner(c); next != nil {
			r.at(c.Start, next.End, "decoded payload (%s) is executed by %s", c.Name, next.Name)
			continue
		}
		// Decoded output executed through eval/sh -c "$(...)".
		if c.Nested && c.Parent != nil && (c.Parent.Name == "eval" || shellcmd.IsShell(c.Parent.Name) || interpreters[c.Parent.Name]) {
			r.at(c.Parent.Start, c.Parent.End, "decoded payload (%s) is executed by %s", c.Name, c.Parent.Name)
			continue
		}
		// A long encoded literal decoded to a file.
		if prev := echoesBlob(c); prev != nil {
			h := r.at(prev.Start, c.End, "a long encoded blob is decoded with %s; check what it contains", c.Name)
			h.Severity = analysis.SeverityWarning
		}
	}
	for _, c := range s.Commands {
		if !strings.HasPrefix(c.Name, "python") && c.Name != "perl" && c.Name != "ruby" && c.Name != "node" {
			continue
		}
		code, ok := c.FlagValue("-c", "-e")
		if !ok {
			continue
		}
		lc := strings.ToLower(code)
		if (strings.Contains(lc, "exec(") || strings.Contains(lc, "eval(") || strings.Contains(lc, "eval ")) &&
			(strings.Contains(lc, "b64decode") || strings.Contains(lc, "decode(") || strings.Contains(lc, "unpack") || strings.Contains(lc, "frombase64") || strings.Contains(lc, "buffer.from")) {
			r.cmd(c, "%s executes decoded code", c.Name)
		}
	}
}

func decoderInPipe(c *shellcmd.Command) bool {
	for _, p := range c.PipedFrom() {
		if p != c && decoder(p) && p.Name != "rev" {
			return true
		}
	}
	return false
}

func pipedToRunner(c *shellcmd.Command) *shellcmd.Command {
	for _, next := range c.PipedTo() {
		if runsStdin(next) {
			return next
		}
	}
	return nil
}

func echoesBlob(c *shellcmd.Command) *shellcmd.Command {
	for _, prev := range c.PipedFrom() {
		if prev.Name == "echo" || prev.Name == "printf" {
			for _, a := range prev.Args[1:] {
				if longBase64.MatchString(a.Value) {
					return prev
				}
			}
		}
	}
	return nil
}
