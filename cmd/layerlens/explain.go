package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
)

// runExplain implements `layerlens explain NAME`: one rule's documentation as Markdown. NAME may
// be a rule name (any case), an image rule, a base-image review finding name, a BuildKit check
// name or a hadolint id; an id shared by several rules prints each of them.
func runExplain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, "Usage: layerlens explain NAME\n\nPrint a rule's documentation. NAME is a rule name (see 'layerlens rules'), a base-image review finding, a BuildKit check name or a hadolint id.\n")
		return 0
	}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "Usage: layerlens explain NAME")
		return 2
	}
	rs := rules.Resolve(args[0])
	if len(rs) == 0 {
		if rf := lookupReviewFinding(args[0]); rf != nil {
			fmt.Fprint(stdout, rf.markdown())
			return 0
		}
		msg := fmt.Sprintf("layerlens explain: unknown rule %q", args[0])
		if s := suggestName(args[0]); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		fmt.Fprintln(stderr, msg+"; 'layerlens rules' lists them")
		return 2
	}
	for i, r := range rs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprint(stdout, rules.RuleMarkdown(r, "#"))
		fmt.Fprintf(stdout, "\n%s\n", r.URL)
	}
	return 0
}

// reviewFinding documents a finding name of the base-image review (rules.ReviewFindingNames).
// These are not rules of package rules: the reviewer (package baseimage) or the image
// diagnostics report them, and the configuration accepts their names like rule names.
type reviewFinding struct {
	Name string
	// Severity is the default severity, or several ("error, warning or info") when it depends
	// on what was found.
	Severity string
	Summary  string
	// Doc is a Markdown paragraph beyond the summary ("" for none).
	Doc string
	// Anchor is the documentation page and section.
	Anchor string
}

const (
	inspectFindingsURL = "https://github.com/layerlens/layerlens/blob/main/docs/inspect.md#findings"
	imagesDocURL       = "https://github.com/layerlens/layerlens/blob/main/docs/images.md#"
)

// reviewFindings has one entry per name of rules.ReviewFindingNames, in that order (a test
// checks it). The facts come from docs/inspect.md and baseimage.
var reviewFindings = []reviewFinding{
	{Name: "ImageUnavailable", Severity: "warning", Anchor: imagesDocURL + "imageunavailable",
		Summary: "The base image could not be reviewed",
		Doc:     "The message says why: not found, authentication required, rate limited, offline and not in the store, no such platform, the registry too slow for the time budget, or a malformed answer. The editor's hover on the image says what to do about it."},
	{Name: "ImageOnBuild", Severity: "warning", Anchor: inspectFindingsURL,
		Summary: "The base image has an ONBUILD trigger, which runs in your build",
		Doc:     "Triggers run before your first instruction with your build context and secrets. Read them (`layerlens inspect IMAGE`) before building on the image. `ONBUILD RUN` triggers are also checked with the shell rules."},
	{Name: "ImageOpaqueProvenance", Severity: "warning or info", Anchor: inspectFindingsURL,
		Summary: "The base image hides how it was built",
		Doc:     "Warning: no history at all, or layers without a history entry. Info: history entries with empty commands, or an application image squashed into one layer. Without history the review cannot say which step added what."},
	{Name: "ImageRunsAsRoot", Severity: "info", Anchor: inspectFindingsURL,
		Summary: "The base image has no USER, or USER root",
		Doc:     "Reported on the final stage only, and not when the stage sets its own USER or is used as the base of another stage."},
	{Name: "LayerAuthorizedKeys", Severity: "error or warning", Anchor: inspectFindingsURL,
		Summary: "A layer plants an SSH authorized_keys file",
		Doc:     "Error for root's, warning for other users'. Whoever holds the matching private key can log in to containers that run an SSH server."},
	{Name: "LayerCredentials", Severity: "error", Anchor: inspectFindingsURL,
		Summary: "A layer holds credentials",
		Doc:     "AWS keys, GitHub tokens, `.npmrc` tokens, `.git-credentials`, passwords in `.netrc`, `.pgpass` or `.pypirc`, Docker `config.json` auths. Anyone who pulls the image can read them; rotate them."},
	{Name: "LayerEnvFile", Severity: "warning", Anchor: inspectFindingsURL,
		Summary: "A layer holds a .env file",
		Doc:     "`.env` files usually hold secrets. Templates such as `.env.example` are not reported."},
	{Name: "LayerExecutableInTemp", Severity: "warning", Anchor: inspectFindingsURL,
		Summary: "A layer leaves an executable in /tmp, /var/tmp or /dev/shm",
		Doc:     "Build leftovers at best; droppers stage payloads there."},
	{Name: "LayerFileCapability", Severity: "warning", Anchor: inspectFindingsURL,
		Summary: "A file in a layer has file capabilities (security.capability)",
		Doc:     "Like setuid, capabilities give whoever runs the file privileges they would not have otherwise."},
	{Name: "LayerHiddenByWhiteout", Severity: "error or info", Anchor: inspectFindingsURL,
		Summary: "A later layer deletes files of an earlier one",
		Doc:     "Error: something flagged in one layer is deleted by a later one; deleting does not remove it, the earlier layer still carries it. Info: a layer deletes 1 MB or more of earlier layers' files, which are still downloaded."},
	{Name: "LayerHiddenExecutable", Severity: "warning", Anchor: inspectFindingsURL,
		Summary: "A layer has an executable in a dot directory or with a dot name",
		Doc:     "Usual tool directories (`.bin`, `.cargo`, `.local` and the like) are not reported."},
	{Name: "LayerMiner", Severity: "error", Anchor: inspectFindingsURL,
		Summary: "A layer holds a cryptominer",
		Doc:     "A file named like a miner (xmrig, ccminer, ...), a file containing a pool URL (`stratum+tcp://`) or XMRig settings, or a miner `config.json`."},
	{Name: "LayerOverBudget", Severity: "warning", Anchor: inspectFindingsURL,
		Summary: "The review of a layer stopped at a budget",
		Doc:     "The layer exceeded a limit on size, compression ratio, entry count or file size, so the rest of it was not reviewed."},
	{Name: "LayerPathTraversal", Severity: "error or warning", Anchor: inspectFindingsURL,
		Summary: "A layer's tar entries climb out of the root",
		Doc:     "Names with `../`, hard links pointing outside the root, or absolute names: tricks against tools that unpack layers."},
	{Name: "LayerPrivateKey", Severity: "error", Anchor: inspectFindingsURL,
		Summary: "A layer holds a private key (-----BEGIN ... PRIVATE KEY-----)",
		Doc:     "Anyone who pulls the image has the key; treat it as leaked."},
	{Name: "LayerSetuid", Severity: "error, warning or info", Anchor: inspectFindingsURL,
		Summary: "A layer has setuid or setgid files",
		Doc:     "Error for shells and interpreters (anyone who can run them gets the owner's privileges), info for programs distributions ship that way (`su`, `passwd`, ...), warning otherwise."},
	{Name: "LayerSymlinkTrick", Severity: "warning", Anchor: inspectFindingsURL,
		Summary: "A layer writes a file through a symlink created earlier in the same layer",
		Doc:     "A way to place files where a reader of the tar listing does not expect them."},
	{Name: "LayerWorldWritable", Severity: "warning", Anchor: inspectFindingsURL,
		Summary: "A layer has world-writable files, or world-writable directories without the sticky bit",
		Doc:     "Any user in the container can change them."},
}

func lookupReviewFinding(name string) *reviewFinding {
	for i := range reviewFindings {
		if strings.EqualFold(reviewFindings[i].Name, name) {
			return &reviewFindings[i]
		}
	}
	return nil
}

// markdown renders the finding's documentation like rules.RuleMarkdown renders a rule's.
func (rf *reviewFinding) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s.\n\n", rf.Name, rf.Summary)
	fmt.Fprintf(&b, "- Default severity: **%s**\n", rf.Severity)
	b.WriteString("- Needs base image: a finding of the base-image review (`layerlens inspect`, and on FROM lines in `layerlens check` and the editor)\n")
	fmt.Fprintf(&b, "- Configure it like a rule (`rules: {%s: off}`), or silence it on one FROM with `# layerlens ignore=%s` on the line before\n", rf.Name, rf.Name)
	if rf.Doc != "" {
		fmt.Fprintf(&b, "\n%s\n", rf.Doc)
	}
	fmt.Fprintf(&b, "\n%s\n", rf.Anchor)
	return b.String()
}

// suggestName returns the known name closest to a misspelt one: rules first (rules.Suggest),
// then image rules and review findings, or "".
func suggestName(name string) string {
	if s := rules.Suggest(name); s != "" {
		return s
	}
	var names []string
	for _, r := range rules.ImageRules {
		names = append(names, r.Name)
	}
	for _, rf := range reviewFindings {
		names = append(names, rf.Name)
	}
	return analysis.Closest(name, names, 4)
}
