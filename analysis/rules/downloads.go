package rules

import (
	"net"
	"net/url"
	"strings"

	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// This file holds the download helpers shared by CurlPipeShell, UnverifiedDownload and
// InsecureDownloadSource.

// fetch is one download command.
type fetch struct {
	Cmd  *shellcmd.Command
	URLs []shellcmd.Word
	// ToStdout reports output to stdout (curl without -o/-O; wget -O- / -qO-).
	ToStdout bool
	// OutFile is the file written, when known.
	OutFile string
}

// fetches finds curl and wget downloads in a script.
func fetches(s *shellcmd.Script) []fetch {
	var out []fetch
	for _, c := range s.Commands {
		switch c.Name {
		case "curl":
			f := fetch{Cmd: c, ToStdout: true}
			if v, ok := c.FlagValue("-o", "--output"); ok {
				f.ToStdout = v == "-"
				f.OutFile = v
			} else if c.HasFlag("-O", "--remote-name", "--remote-name-all") {
				f.ToStdout = false
			} else {
				// "-fsSLo file" groups o with other letters; its value is the next word.
				for i := 1; i < len(c.Args); i++ {
					a := c.Args[i].Value
					if isShortGroup(a) && strings.HasSuffix(a, "o") && i+1 < len(c.Args) {
						f.ToStdout = c.Args[i+1].Value == "-"
						f.OutFile = c.Args[i+1].Value
					}
					if isShortGroup(a) && strings.Contains(a, "O") {
						f.ToStdout = false
					}
				}
			}
			f.URLs = urlWords(c)
			out = append(out, f)
		case "wget":
			f := fetch{Cmd: c}
			if v, ok := c.FlagValue("-O", "--output-document"); ok {
				f.ToStdout = v == "-"
				f.OutFile = v
			}
			for i := 1; i < len(c.Args); i++ {
				a := c.Args[i].Value
				if isShortGroup(a) && strings.HasSuffix(a, "O") && i+1 < len(c.Args) {
					f.ToStdout = c.Args[i+1].Value == "-"
					f.OutFile = c.Args[i+1].Value
				}
				if strings.HasPrefix(a, "-") && strings.HasSuffix(a, "O-") {
					f.ToStdout = true
				}
			}
			f.URLs = urlWords(c)
			out = append(out, f)
		}
	}
	return out
}

func isShortGroup(a string) bool {
	if len(a) < 2 || a[0] != '-' || a[1] == '-' {
		return false
	}
	for _, r := range a[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// urlWords returns the arguments that look like URLs.
func urlWords(c *shellcmd.Command) []shellcmd.Word {
	var out []shellcmd.Word
	for _, a := range c.Args[1:] {
		v := strings.ToLower(a.Value)
		if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "ftp://") {
			out = append(out, a)
		}
	}
	return out
}

// interpreters read a program from stdin when given no script operand.
var interpreters = map[string]bool{"python": true, "python2": true, "python3": true, "perl": true, "ruby": true,
	"node": true, "php": true, "pwsh": true, "powershell": true, "source": true, ".": true}

// runsStdin reports whether c executes the program it reads on stdin.
func runsStdin(c *shellcmd.Command) bool {
	n := c.Name
	if strings.HasPrefix(n, "python") {
		n = "python"
	}
	if !shellcmd.IsShell(n) && !interpreters[n] {
		return false
	}
	ops := c.Operands("-o", "-O", "+O", "-c")
	if c.HasFlag("-c") && !shellcmd.IsShell(n) {
		return false // python -c 'code' does not read stdin
	}
	return len(ops) == 0 || ops[0].Value == "-" || c.HasFlag("-s")
}

// verifies reports whether the script checks a download (checksum or signature).
func verifies(s *shellcmd.Script) bool {
	for _, c := range s.Commands {
		switch c.Name {
		case "sha256sum", "sha512sum", "sha384sum", "sha1sum", "sha224sum", "md5sum", "shasum", "b2sum", "cksum",
			"gpgv", "gpgv2", "cosign", "minisign", "signify", "sigstore", "slsa-verifier":
			return true
		case "gpg", "gpg2":
			if c.HasFlag("--verify") {
				return true
			}
		case "openssl":
			if c.Sub() == "dgst" || c.Sub() == "sha256" {
				return true
			}
		case "rpm":
			if c.HasFlag("-K", "--checksig") {
				return true
			}
		}
	}
	return false
}

// keyFile reports downloads of public keys and certificates, which are inputs to verification.
func keyFile(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{".asc", ".gpg", ".pub", ".pem", ".crt", ".key", ".sig", ".sha256", ".sha512", ".sha256sum", ".md5", ".sha1"} {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return strings.Contains(n, "keyring") || strings.Contains(n, "gpgkey")
}

// urlHost returns the scheme and host of a URL word.
func urlHost(raw string) (scheme, host string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", false
	}
	return strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), true
}

var dynDNSSuffixes = []string{"duckdns.org", "no-ip.com", "no-ip.org", "no-ip.biz", "ddns.net", "hopto.org", "zapto.org",
	"sytes.net", "servebeer.com", "serveftp.com", "dynu.com", "dynu.net", "afraid.org", "mooo.com", "ngrok.io",
	"ngrok-free.app", "ngrok.app", "serveo.net", "trycloudflare.com", "dyndns.org", "3utilities.com", "myftp.biz", "portmap.io"}

var pasteHosts = []string{"pastebin.com", "paste.ee", "hastebin.com", "ghostbin.co", "transfer.sh", "anonfiles.com",
	"file.io", "0x0.st", "termbin.com", "temp.sh", "paste.c-net.org", "rentry.co", "dpaste.com", "ix.io", "sprunge.us", "gofile.io"}

var shortenerHosts = []string{"bit.ly", "tinyurl.com", "goo.gl", "t.co", "is.gd", "cutt.ly", "rb.gy", "shorturl.at", "ow.ly", "buff.ly", "tiny.cc"}

func hostIn(host string, list []string) bool {
	for _, h := range list {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// sourceRisk classifies a URL: "" when fine, otherwise a description and whether it is severe.
func sourceRisk(raw string) (what string, severe bool) {
	scheme, host, ok := urlHost(raw)
	if !ok || strings.Contains(host, "$") {
		return "", false
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() {
			if scheme == "http" {
				return "plain http to a private address", false
			}
			return "", false
		}
		return "a raw IP address", true
	}
	switch {
	case hostIn(host, dynDNSSuffixes):
		return "a dynamic-DNS host", true
	case hostIn(host, pasteHosts):
		return "a paste or file-drop site", true
	case hostIn(host, shortenerHosts):
		return "a URL shortener", true
	case scheme == "http" && host != "localhost" && !strings.HasSuffix(host, ".local") && !strings.HasSuffix(host, ".internal"):
		return "plain http (no TLS)", false
	case scheme == "ftp":
		return "plain ftp (no TLS)", false
	}
	return "", false
}
