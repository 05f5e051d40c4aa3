package rules

import (
	"embed"
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"golang.org/x/tools/txtar"
)

// All is the registry: every rule, in documentation order (by concern, as in RULES.md).
var All = register([]*analysis.Rule{
	// Base image
	UntaggedImage, LatestTag, ImageNotPinned, UntrustedRegistry, ImpersonatedImage, EndOfLifeBase,
	FromPlatformFlagConstDisallowed, RedundantTargetPlatform, UndefinedArgInFrom, InvalidDefaultArgInFrom,
	// Stages
	DuplicateStageName, ReservedStageName, StageNameCasing, FromAsCasing, CopyFromSelf, CopyFromUnknownStage,
	CopyWholeFilesystem, InvalidOnbuildTrigger,
	// Syntax
	ConsistentInstructionCasing, NoEmptyContinuation, LegacyKeyValueFormat, MaintainerDeprecated,
	InvalidDefinitionDescription, InlineIgnorePragma, EnvSelfReference, UndefinedVar, ShellChangeInRun,
	PipefailMissing, ConsecutiveRun, CopyMultipleSourcesDir,
	// Runtime metadata
	JSONArgsRecommended, MultipleInstructionsDisallowed, NoHealthcheck, ExposePortRange, ExposeProtoCasing,
	ExposeInvalidFormat, ExposedSSH, DockerDaemonPort, DockerSocket, PrivilegedRunLabel, SuspiciousEntrypoint,
	// WORKDIR
	WorkdirRelativePath, CdInRun, CopyRelativeNoWorkdir, WorkdirSystemDir,
	// Privileges
	NoUser, RootUser, SudoInRun, NonNumericUser, UseraddHighUID, PasswordInBuild, SetuidBit, SetCapabilities,
	WorldWritable, PrivilegedBuildStep,
	// Secrets
	SecretsUsedInArgOrEnv, SecretFileCopied, SecretValue, PlantedSSHKey,
	// Packages
	UnpinnedPackages, NonInteractiveInstall, NoInstallRecommends, PackageCacheLeft, AptInsteadOfAptGet,
	UpdateAlone, DistUpgrade, SignatureCheckDisabled, TLSVerifyDisabled, PointlessCommand,
	// Remote content and malware indicators
	AddInsteadOfCopy, ArchiveExtractInRun, WgetAndCurl, WgetProgress, UnverifiedDownload, CurlPipeShell,
	InsecureDownloadSource, ObfuscatedPayload, MinerIndicator, OffensiveTooling, PersistenceTrick,
	// Build context
	CopyIgnoredFile, CopyAllNoDockerignore,
})

// shellChecks are the rules' shell-command bodies that also apply to image history commands
// (see CheckCommand).
var shellChecks = []struct {
	rule  *analysis.Rule
	check shellCheck
}{
	{ShellChangeInRun, checkShellChange},
	{PipefailMissing, checkPipefail},
	{ExposedSSH, checkSSHServer},
	{DockerSocket, checkDockerSocket},
	{CdInRun, checkCd},
	{SudoInRun, checkSudo},
	{UseraddHighUID, checkUseradd},
	{PasswordInBuild, checkPasswords},
	{SetuidBit, checkSetuid},
	{SetCapabilities, checkSetcap},
	{WorldWritable, checkWorldWritable},
	{PlantedSSHKey, checkPlantedSSH},
	{UnpinnedPackages, checkUnpinned},
	{NonInteractiveInstall, checkNonInteractive},
	{NoInstallRecommends, checkInstallRecommends},
	{PackageCacheLeft, checkPackageCacheShell},
	{AptInsteadOfAptGet, checkApt},
	{UpdateAlone, checkUpdateAlone},
	{DistUpgrade, checkDistUpgrade},
	{SignatureCheckDisabled, checkSignatures},
	{TLSVerifyDisabled, checkTLS},
	{PointlessCommand, checkPointless},
	{WgetProgress, checkWgetProgress},
	{UnverifiedDownload, checkUnverified},
	{CurlPipeShell, checkCurlPipeShell},
	{InsecureDownloadSource, checkInsecureSource},
	{ObfuscatedPayload, checkObfuscated},
	{OffensiveTooling, checkOffensive},
	{PersistenceTrick, checkPersistence},
}

// textChecks are rules that look for patterns in any text (also image history metadata).
var textChecks = []struct {
	rule  *analysis.Rule
	check func(string) []string
}{
	{SecretValue, func(s string) []string { return hitMessages(secretHits(s)) }},
	{MinerIndicator, func(s string) []string { return hitMessages(minerHits(s)) }},
}

func hitMessages(hs []textHit) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.msg)
	}
	return out
}

var byName = func() map[string]*analysis.Rule {
	m := map[string]*analysis.Rule{}
	for _, r := range All {
		m[strings.ToLower(r.Name)] = r
	}
	return m
}()

// Lookup returns the rule with the given name (case-insensitive), or nil.
func Lookup(name string) *analysis.Rule {
	return byName[strings.ToLower(name)]
}

// examples are the golden test files; their first bad and good Dockerfiles are the examples in
// each rule's documentation, so the documented examples are always tested.
//
//go:embed testdata/*.txtar
var examples embed.FS

// register fills the URL of each rule and appends the examples to its Doc.
func register(rs []*analysis.Rule) []*analysis.Rule {
	for _, r := range rs {
		r.URL = docURL(r.Name)
		bad, good := ruleExamples(r.Name)
		var b strings.Builder
		b.WriteString(strings.TrimSpace(r.Doc))
		if bad != "" {
			b.WriteString("\n\nBad:\n\n```dockerfile\n" + bad + "```")
		}
		if good != "" {
			b.WriteString("\n\nGood:\n\n```dockerfile\n" + good + "```")
		}
		r.Doc = b.String()
	}
	return rs
}

// ruleExamples returns the first "bad" and "good" Dockerfile of a rule's golden file.
func ruleExamples(name string) (bad, good string) {
	data, err := examples.ReadFile("testdata/" + name + ".txtar")
	if err != nil {
		return "", ""
	}
	for _, f := range txtar.Parse(data).Files {
		switch {
		case bad == "" && strings.HasPrefix(f.Name, "bad"):
			bad = string(f.Data)
		case good == "" && strings.HasPrefix(f.Name, "good"):
			good = string(f.Data)
		}
	}
	return bad, good
}
