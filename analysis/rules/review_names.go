package rules

import "strings"

// ReviewFindingNames are the rule names of base-image review findings (package baseimage) and of
// the language server's image diagnostics. They are not rules of this package, but users can
// turn them off or change their severity in the configuration, and suppress them with ignore
// comments, so ParseConfig accepts them. review_names_test.go keeps the list in step with
// baseimage's source.
var ReviewFindingNames = []string{
	"ImageUnavailable", "ImageOnBuild", "ImageOpaqueProvenance", "ImageRunsAsRoot",
	"LayerAuthorizedKeys", "LayerCredentials", "LayerEnvFile", "LayerExecutableInTemp", "LayerFileCapability",
	"LayerHiddenByWhiteout", "LayerHiddenExecutable", "LayerMiner", "LayerOverBudget", "LayerPathTraversal",
	"LayerPrivateKey", "LayerSetuid", "LayerSymlinkTrick", "LayerWorldWritable",
}

// reviewFindingName returns the canonical spelling of a review finding name, or "".
func reviewFindingName(name string) string {
	for _, n := range ReviewFindingNames {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}
