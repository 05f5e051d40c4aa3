package baseimage

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

type sevT = analysis.Severity

const (
	sevError   = analysis.SeverityError
	sevWarning = analysis.SeverityWarning
	sevInfo    = analysis.SeverityInfo
)

// minerNames are miner binaries by file name (RULES.md I1).
var minerNames = map[string]bool{
	"xmrig": true, "xmr-stak": true, "xmr-stak-cpu": true, "ccminer": true, "cpuminer": true,
	"minerd": true, "t-rex": true, "nbminer": true, "phoenixminer": true, "lolminer": true,
	"xmrig-notls": true, "cpuminer-multi": true,
}

// setuidExpected are setuid/setgid programs distributions ship; they are reported as info.
var setuidExpected = map[string]bool{
	"su": true, "sudo": true, "passwd": true, "chsh": true, "chfn": true, "gpasswd": true,
	"newgrp": true, "mount": true, "umount": true, "ping": true, "ping6": true, "chage": true,
	"expiry": true, "unix_chkpwd": true, "ssh-keysign": true, "pkexec": true, "fusermount": true,
	"fusermount3": true, "wall": true, "write": true, "crontab": true, "dotlockfile": true,
	"newuidmap": true, "newgidmap": true, "pam_timestamp_check": true, "dbus-daemon-launch-helper": true,
	"utempter": true, "bsd-write": true, "ssh-agent": true, "mail-lock": true, "mail-unlock": true,
	"mail-touchlock": true, "staprun": true, "Xorg.wrap": true, "polkit-agent-helper-1": true,
}

var shells = map[string]bool{
	"sh": true, "bash": true, "dash": true, "zsh": true, "ash": true, "ksh": true, "mksh": true,
	"busybox": true, "csh": true, "tcsh": true, "fish": true, "python": true, "python3": true,
	"perl": true, "env": true, "find": true, "vim": true, "vi": true, "less": true, "nmap": true,
}

// hiddenDirsExpected are dot directories where executables are normal.
var hiddenDirsExpected = map[string]bool{
	".bin": true, ".cargo": true, ".rustup": true, ".local": true, ".npm": true, ".nvm": true,
	".pyenv": true, ".rbenv": true, ".sdkman": true, ".dotnet": true, ".bun": true, ".deno": true,
	".git": true, ".github": true, ".husky": true, ".venv": true, ".gradle": true, ".m2": true,
	".cache": false, // caches are where droppers hide: keep reporting
}

// textExts are extensions of files whose first bytes are read for secrets.
var textExts = map[string]bool{
	".pem": true, ".key": true, ".json": true, ".yml": true, ".yaml": true, ".toml": true,
	".ini": true, ".conf": true, ".cfg": true, ".env": true, ".properties": true, ".sh": true,
	".xml": true, ".txt": true, ".p8": true, ".ppk": true, ".asc": true,
}

// secretNames are files whose name alone says they hold credentials, with what confirms it.
var secretNames = map[string]string{
	".git-credentials": "Git credentials",
	".netrc":           "netrc credentials",
	".pgpass":          "PostgreSQL passwords",
	".pypirc":          "PyPI credentials",
	".npmrc":           "npm registry token",
	"credentials":      "cloud credentials",
	"config.json":      "registry credentials",
}

var (
	reAWSKey    = regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)
	reGitHub    = regexp.MustCompile(`\b(ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{36}\b|github_pat_[A-Za-z0-9_]{40,}`)
	reNpmToken  = regexp.MustCompile(`_authToken\s*=\s*\S{8,}`)
	reGitCred   = regexp.MustCompile(`https?://[^:\s/]+:[^@\s]+@`)
	reDockerCfg = regexp.MustCompile(`"auths?"\s*:\s*\{[^}]*"auth"\s*:\s*"[A-Za-z0-9+/=]{8,}"`)
)

var poolMarkers = [][]byte{[]byte("stratum+tcp://"), []byte("stratum+ssl://"), []byte("stratum2+tcp://"), []byte("stratum+tls://")}

// checkFile runs the per-file checks on a regular file or directory, reading at most sniffSize
// bytes of the body when a content check applies.
func (w *walker) checkFile(tr *tar.Reader, h *tar.Header, p, dir, base string, e *entry) error {
	mode := h.Mode
	if e.Kind == kindDir {
		if mode&0o002 != 0 && mode&0o1000 == 0 {
			w.add("LayerWorldWritable", sevWarning, p, fmt.Sprintf("directory %s is world-writable without the sticky bit: any user can replace files in it", p))
		}
		return nil
	}
	exec := mode&0o111 != 0
	lower := strings.ToLower(base)
	if mode&0o4000 != 0 || mode&0o2000 != 0 {
		bit := "setuid"
		if mode&0o4000 == 0 {
			bit = "setgid"
		}
		switch {
		case shells[lower]:
			owner := fmt.Sprintf("the privileges of uid %d", h.Uid)
			if bit == "setgid" {
				owner = fmt.Sprintf("the privileges of gid %d", h.Gid)
			} else if h.Uid == 0 {
				owner = "root"
			}
			w.add("LayerSetuid", sevError, p, fmt.Sprintf("%s is a %s shell or interpreter: any user who can run it gets %s", p, bit, owner))
		case setuidExpected[base]:
			who := "u"
			if bit == "setgid" {
				who = "g"
			}
			w.add("LayerSetuid", sevInfo, p, fmt.Sprintf("%s is %s (usual for this program; remove the bit with chmod %s-s if the container never needs it)", p, bit, who))
		default:
			w.add("LayerSetuid", sevWarning, p, fmt.Sprintf("%s is %s (owner uid %d, gid %d)", p, bit, h.Uid, h.Gid))
		}
	}
	if capabilityXattr(h) {
		w.add("LayerFileCapability", sevWarning, p, fmt.Sprintf("%s carries file capabilities (security.capability xattr): it gains privileges when run", p))
	}
	if mode&0o002 != 0 {
		w.add("LayerWorldWritable", sevWarning, p, fmt.Sprintf("file %s is world-writable", p))
	}
	inTemp := strings.HasPrefix(p, "/tmp/") || strings.HasPrefix(p, "/var/tmp/") || strings.HasPrefix(p, "/dev/shm/")
	hiddenDir := hiddenComponent(dir)
	if exec && inTemp {
		w.add("LayerExecutableInTemp", sevWarning, p, fmt.Sprintf("executable %s in a temporary directory: droppers stage payloads there", p))
	} else if exec && (hiddenDir != "" || (strings.HasPrefix(base, ".") && len(base) > 1)) {
		msg := fmt.Sprintf("executable %s has a hidden (dot) name", p)
		if hiddenDir != "" {
			msg = fmt.Sprintf("executable %s is in a hidden directory (%s)", p, hiddenDir)
		}
		w.add("LayerHiddenExecutable", sevWarning, p, msg)
	}
	if minerNames[strings.TrimSuffix(lower, path.Ext(lower))] || minerNames[lower] {
		w.add("LayerMiner", sevError, p, fmt.Sprintf("%s is named like a cryptocurrency miner", p))
	}
	if lower == "authorized_keys" || lower == "authorized_keys2" {
		sev := sevWarning
		if strings.HasPrefix(p, "/root/") {
			sev = sevError
		}
		w.add("LayerAuthorizedKeys", sev, p, fmt.Sprintf("%s grants SSH logins to whoever holds the matching private keys", p))
	}
	envFile := isEnvFile(lower)
	ext := path.Ext(lower)
	_, named := secretNames[lower]
	sniff := h.Size > 0 && (exec || named || textExts[ext] || inTemp || hiddenDir != "" ||
		strings.HasPrefix(lower, "id_") || strings.Contains(p, "/.ssh/") || strings.HasPrefix(lower, ".env"))
	if !sniff {
		w.envFileNote(envFile, p)
		return nil
	}
	n := h.Size
	if n > sniffSize {
		n = sniffSize
	}
	if cap(w.buf) < sniffSize {
		w.buf = make([]byte, sniffSize)
	}
	b := w.buf[:n]
	if _, err := io.ReadFull(tr, b); err != nil {
		if isBudgetErr(err) {
			return err
		}
		return fmt.Errorf("reading %s: %w", p, err)
	}
	w.sniff(p, lower, exec, b)
	w.envFileNote(envFile, p)
	return nil
}

// envFileNote reports a .env file, unless the content check already found the credentials in
// it (LayerCredentials says more, at a higher severity, about the same file).
func (w *walker) envFileNote(envFile bool, p string) {
	if envFile && !w.seen["LayerCredentials\x00"+p] {
		w.add("LayerEnvFile", sevWarning, p, fmt.Sprintf("%s is a .env file: these usually hold secrets", p))
	}
}

func (w *walker) sniff(p, base string, exec bool, b []byte) {
	if bytes.Contains(b, []byte("PRIVATE KEY-----")) && bytes.Contains(b, []byte("-----BEGIN")) {
		w.add("LayerPrivateKey", sevError, p, fmt.Sprintf("%s holds a private key; it stays in the layer even if a later step deletes it", p))
	}
	// Cheap literal scans guard the regular expressions, which are slow on binaries.
	if ((bytes.Contains(b, []byte("AKIA")) || bytes.Contains(b, []byte("ASIA"))) && reAWSKey.Match(b)) || bytes.Contains(b, []byte("aws_secret_access_key")) {
		w.add("LayerCredentials", sevError, p, fmt.Sprintf("%s holds AWS credentials", p))
	}
	if hasGitHubPrefix(b) && reGitHub.Match(b) {
		w.add("LayerCredentials", sevError, p, fmt.Sprintf("%s holds a GitHub token", p))
	}
	switch base {
	case ".npmrc":
		if reNpmToken.Match(b) {
			w.add("LayerCredentials", sevError, p, fmt.Sprintf("%s holds an npm registry token", p))
		}
	case ".git-credentials":
		if reGitCred.Match(b) {
			w.add("LayerCredentials", sevError, p, fmt.Sprintf("%s holds Git credentials", p))
		}
	case ".netrc", ".pgpass", ".pypirc":
		if bytes.Contains(b, []byte("password")) || base == ".pgpass" {
			w.add("LayerCredentials", sevError, p, fmt.Sprintf("%s holds %s", p, secretNames[base]))
		}
	case "config.json":
		if strings.Contains(p, "/.docker/") && reDockerCfg.Match(b) {
			w.add("LayerCredentials", sevError, p, fmt.Sprintf("%s holds registry credentials", p))
		}
	case "credentials":
		if strings.Contains(p, "/.aws/") && bytes.Contains(b, []byte("aws_access_key_id")) {
			w.add("LayerCredentials", sevError, p, fmt.Sprintf("%s holds AWS credentials", p))
		}
	}
	for _, m := range poolMarkers {
		if bytes.Contains(b, m) {
			w.add("LayerMiner", sevError, p, fmt.Sprintf("%s contains a mining pool URL (%s...)", p, m))
			return
		}
	}
	if bytes.Contains(b, []byte("donate-level")) || bytes.Contains(b, []byte("\"donate-level\"")) {
		w.add("LayerMiner", sevError, p, fmt.Sprintf("%s contains XMRig settings (donate-level)", p))
		return
	}
	if exec && (bytes.Contains(b, []byte("xmrig")) || bytes.Contains(b, []byte("XMRig"))) {
		w.add("LayerMiner", sevError, p, fmt.Sprintf("%s mentions XMRig", p))
		return
	}
	if base == "config.json" && bytes.Contains(b, []byte("\"pools\"")) && (bytes.Contains(b, []byte("\"algo\"")) || bytes.Contains(b, []byte("\"coin\""))) {
		w.add("LayerMiner", sevError, p, fmt.Sprintf("%s looks like a miner configuration (pools, algo)", p))
	}
}

var githubPrefixes = [][]byte{[]byte("ghp_"), []byte("gho_"), []byte("ghs_"), []byte("ghu_"), []byte("ghr_"), []byte("github_pat_")}

func hasGitHubPrefix(b []byte) bool {
	for _, p := range githubPrefixes {
		if bytes.Contains(b, p) {
			return true
		}
	}
	return false
}

// hiddenComponent returns the first unexpected dot directory of dir ("" if none).
func hiddenComponent(dir string) string {
	if !strings.Contains(dir, "/.") {
		return ""
	}
	acc := ""
	for _, c := range strings.Split(strings.TrimPrefix(dir, "/"), "/") {
		acc += "/" + c
		if len(c) > 1 && c[0] == '.' && c != ".." {
			if ok, known := hiddenDirsExpected[c]; known && ok {
				return ""
			}
			return acc
		}
	}
	return ""
}

func isEnvFile(base string) bool {
	if base != ".env" && !strings.HasPrefix(base, ".env.") {
		return false
	}
	switch strings.TrimPrefix(base, ".env.") {
	case "example", "sample", "template", "dist", "defaults":
		return false
	}
	return true
}

func capabilityXattr(h *tar.Header) bool {
	// archive/tar keeps xattrs in PAXRecords under the SCHILY.xattr. prefix.
	_, ok := h.PAXRecords["SCHILY.xattr.security.capability"]
	return ok
}
