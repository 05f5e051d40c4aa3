package rules

import "github.com/layerlens/layerlens/analysis"

// historyHygiene are the shell rules CheckCommand leaves out when it reviews an image's
// history. They are about how a Dockerfile is written (layer size, reproducibility, style);
// in a base image the user cannot change them, and on official images they would bury the
// findings that matter (remote code, secrets, privileges, persistence) under hundreds of
// notes. The security rules still run on every history step.
var historyHygiene = map[*analysis.Rule]bool{
	ShellChangeInRun:      true,
	PipefailMissing:       true,
	CdInRun:               true,
	SudoInRun:             true,
	UseraddHighUID:        true,
	UnpinnedPackages:      true,
	NonInteractiveInstall: true,
	NoInstallRecommends:   true,
	PackageCacheLeft:      true,
	AptInsteadOfAptGet:    true,
	UpdateAlone:           true,
	DistUpgrade:           true,
	PointlessCommand:      true,
	WgetProgress:          true,
}
