package rules

import (
	"fmt"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// Resolve finds the rules a user-given name means: a rule name (case-insensitive, including the
// image rules), a BuildKit check name, or a hadolint id (DL3008). It returns nil when nothing
// matches.
func Resolve(name string) []*analysis.Rule {
	if rs := resolveRuleName(name); len(rs) > 0 {
		return rs
	}
	if r := LookupImage(name); r != nil {
		return []*analysis.Rule{r}
	}
	return nil
}

// Suggest returns the rule name closest to a misspelt one, or "".
func Suggest(name string) string { return suggest(name) }

// refsLine renders the ids a rule corresponds to in other tools.
func refsLine(r *analysis.Rule) string {
	var parts []string
	add := func(tool string, ids []string) {
		if len(ids) > 0 {
			parts = append(parts, tool+" "+strings.Join(ids, ", "))
		}
	}
	add("hadolint", r.Refs.Hadolint)
	if r.Refs.BuildKit != "" {
		parts = append(parts, "BuildKit "+r.Refs.BuildKit)
	}
	add("Trivy", r.Refs.Trivy)
	add("Checkov", r.Refs.Checkov)
	add("CIS", r.Refs.CIS)
	if len(parts) == 0 {
		return "none (no other tool covers this)"
	}
	return strings.Join(parts, "; ")
}

// RuleMarkdown renders one rule's documentation (used by `layerlens explain` and docs/rules.md).
func RuleMarkdown(r *analysis.Rule, heading string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n\n", heading, r.Name)
	fmt.Fprintf(&b, "%s.\n\n", r.Summary)
	fmt.Fprintf(&b, "- Default severity: **%s**\n", r.Severity)
	fmt.Fprintf(&b, "- Other tools: %s\n", refsLine(r))
	if r.Fixable {
		b.WriteString("- Quick fix: yes\n")
	}
	if r.NeedsImage {
		b.WriteString("- Needs a base-image review\n")
	}
	b.WriteString("\n")
	b.WriteString(r.Doc)
	b.WriteString("\n")
	return b.String()
}

// Markdown renders docs/rules.md from the registry. A test keeps the file in sync.
func Markdown() string {
	var b strings.Builder
	b.WriteString(`# layerlens rules

<!-- Generated from the registry in analysis/rules by "go test ./analysis/rules -update". Do not edit. -->

layerlens checks Dockerfiles with the rules below, in the editor (diagnostics with quick fixes)
and in CI (` + "`layerlens check`" + `). Each rule has a stable name, a default severity, the ids it
corresponds to in hadolint, BuildKit's checks, Trivy, Checkov and the CIS Docker Benchmark, and a
bad and a good example (both are tested). ` + "`layerlens explain NAME`" + ` prints one rule's page;
` + "`layerlens rules`" + ` lists them. Rules that need a base-image review are documented in
[images.md](images.md). Parse errors (ParseError, UnknownInstruction, UnknownFlag, InvalidFlag,
MissingArgument, UnterminatedHeredoc, InvalidEscapeDirective, InstructionBeforeFrom) come from the
parser; they are always reported and cannot be suppressed.

## Severities

- **error**: the build breaks, or the Dockerfile does something dangerous by construction (a
  secret value in the file, a miner, remote code piped to a shell over plain http).
- **warning**: a likely bug or a real security weakness that needs a decision.
- **info**: not a bug, but probably unintended, or a hardening opportunity.
- **hint**: style and modernisation.

Measured target: the official docker-library images get no errors and at most one warning per file
on average; this is why, for example, "no USER" and "not pinned by digest" are info.

## Suppressing findings

- ` + "`# layerlens ignore=RuleName[,OtherRule]`" + ` on the line (or comment block) directly above an
  instruction suppresses those rules for that instruction. Text after the list (separated by a
  blank) is a free-form reason.
- ` + "`# hadolint ignore=DL3008,DL3015`" + ` works the same way for rules mapped to those hadolint ids,
  and ` + "`# hadolint global ignore=DL3008`" + ` anywhere in the file suppresses them for the whole file.
  A hadolint id selects the whole rule it maps to (DL3008 and DL3013 both select UnpinnedPackages).
- BuildKit's ` + "`# check=skip=RuleA,RuleB`" + ` parser directive at the top of the file turns rules off
  for the file (by our name or BuildKit's); ` + "`# check=skip=all`" + ` turns off every rule that has a
  BuildKit counterpart (the security rules stay on).

## Configuration

A ` + "`.layerlens.yaml`" + ` (or ` + "`.layerlens.yml`" + `) found in the Dockerfile's directory or any parent:

` + "```yaml" + `
rules:
  RootUser: off            # off | error | warning | info | hint
  CurlPipeShell: error
  DL3008: off              # hadolint ids and BuildKit names select the matching rules
trustedRegistries: [docker.io, ghcr.io/myorg]
` + "```" + `

Rule names are case-insensitive; the names of base-image review findings (` + "`LayerMiner`" + `,
` + "`ImageRunsAsRoot`" + `, ..., see [images.md](images.md)) are accepted too. Unknown keys, unknown rule
names and bad severities are errors with their line number: the editor
shows them on the file and ` + "`layerlens check`" + ` prints them and exits with code 2. The editor
settings (` + "`layerlens.rules`" + `, ` + "`layerlens.trustedRegistries`" + `, or the same JSON object in
initializationOptions / workspace/configuration) use the same shape and win over the file.

## In CI: layerlens check

` + "```" + `
layerlens check [--format text|json|sarif] [--fail-level error|warning|info|hint|none]
                [--config FILE] [--no-images | --online] [image flags] PATH...
` + "```" + `

- PATH is a file or a directory; directories are searched recursively (hidden directories,
  ` + "`node_modules`" + ` and ` + "`vendor`" + ` are skipped) for ` + "`Dockerfile`" + `, ` + "`Dockerfile.*`" + `,
  ` + "`*.Dockerfile`" + ` and ` + "`Containerfile`" + `.
- Each file gets the ` + "`.layerlens.yaml`" + ` found from its directory upwards (or ` + "`--config`" + `)
  and the ` + "`.dockerignore`" + ` of its directory (` + "`Dockerfile.dockerignore`" + ` first, as BuildKit does).
- ` + "`--format text`" + ` (default) prints ` + "`path:line:col: severity: RuleName: message`" + `;
  ` + "`--format json`" + ` prints ` + "`{\"files\":[{\"path\":...,\"diagnostics\":[{\"rule\",\"severity\",\"message\",\"range\":{\"start\":{\"line\",\"column\"},\"end\":{...}}}]}]}`" + `;
  ` + "`--format sarif`" + ` prints SARIF 2.1.0 for GitHub code scanning (rules with help text, locations,
  related locations and fixes). Lines and columns are 1-based; columns count Unicode code points.
- Base images are reviewed too (see [images.md](images.md)) and the image rules added, from the
  local store and ` + "`--oci-layout`" + ` directories only; ` + "`--online`" + ` lets ` + "`check`" + ` fetch them from
  registries, ` + "`--no-images`" + ` runs the Dockerfile rules alone. Without ` + "`--online`" + ` no network
  call is made.
- Exit status: 0 when no finding reaches ` + "`--fail-level`" + ` (default ` + "`error`" + `), 1 when one does, 2
  on usage errors, unreadable paths, non-UTF-8 files, directories without Dockerfiles and invalid
  configuration files (printed as ` + "`path:line:col: error: message`" + `). Findings of the files that
  could be read are printed in every case.

GitHub Actions:

` + "```yaml" + `
- run: layerlens check --format sarif --fail-level none . > layerlens.sarif
- uses: github/codeql-action/upload-sarif@v3
  with: {sarif_file: layerlens.sarif}
` + "```" + `

` + "`layerlens rules [--format text|json|markdown]`" + ` lists the rules and ` + "`layerlens explain NAME`" + `
prints one (NAME may also be a hadolint id or a BuildKit check name).

## Index

| Rule | Severity | Fix | hadolint | BuildKit | Trivy | Checkov | CIS | Summary |
|---|---|---|---|---|---|---|---|---|
`)
	dash := func(s []string) string {
		if len(s) == 0 {
			return "—"
		}
		return strings.Join(s, " ")
	}
	for _, r := range All {
		bk := r.Refs.BuildKit
		if bk == "" {
			bk = "—"
		}
		fix := ""
		if r.Fixable {
			fix = "yes"
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Name, strings.ToLower(r.Name), r.Severity, fix,
			dash(r.Refs.Hadolint), bk, dash(r.Refs.Trivy), dash(r.Refs.Checkov), dash(r.Refs.CIS), r.Summary)
	}
	b.WriteString("\n## Rules\n\n")
	for _, r := range All {
		b.WriteString(RuleMarkdown(r, "###"))
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}
