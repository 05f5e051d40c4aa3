package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// This file lets the text rules see what the final stage inherits from its base image, when
// image facts are passed in: volumes, labels, environment and the entrypoint. (Inherited
// exposed ports are the image rule ImageInheritedExposedPort's.)
// Findings about inherited settings are reported on the FROM's image word.

// finalFacts returns the facts of the final stage's base image, the final stage, and the stage
// whose FROM names that image (following FROM <earlier stage>). facts is nil when unknown.
func finalFacts(p *analysis.Pass) (facts *analysis.ImageFacts, final, named *analysis.Stage) {
	st := lastStage(p.File)
	if st == nil || len(p.Facts) == 0 {
		return nil, st, nil
	}
	for s := range stageChain(p.File, st) {
		if f := p.Facts[s.Index]; f != nil {
			return f, st, s
		}
	}
	return nil, st, nil
}

// reportInherited runs the inherited-settings check of the calling rule (by name: the rules'
// Run functions call it, so comparing rule values would be an initialization cycle).
func reportInherited(p *analysis.Pass) {
	facts, st, named := finalFacts(p)
	if facts == nil || st == nil {
		return
	}
	at := named.BaseRange
	from := facts.Ref
	if from == "" {
		from = named.BaseImage
	}
	switch p.Rule.Name {
	case "DockerDaemonPort":
		// Inherited ports 2375/2376 (and 22) are ImageInheritedExposedPort's: reporting them
		// here too would show the same problem twice.
		if v, ok := facts.EnvValue("DOCKER_HOST"); ok && strings.HasPrefix(strings.ToLower(v), "tcp://") {
			p.Reportf(at, "the base image %s sets DOCKER_HOST=%s", from, v)
		}
	case "DockerSocket":
		for _, v := range facts.Volumes {
			if strings.Contains(v, "docker.sock") {
				p.Reportf(at, "the base image %s declares a VOLUME for the Docker socket", from)
			}
		}
	case "PrivilegedRunLabel":
		for k, v := range facts.Labels {
			switch strings.ToUpper(k) {
			case "RUN", "INSTALL", "UNINSTALL":
			default:
				continue
			}
			norm := strings.Join(strings.Fields(v), " ")
			for _, fl := range privilegedRunFlags {
				if strings.Contains(norm, fl) {
					p.Reportf(at, "the base image %s has a %s label that runs it with %s", from, k, fl)
					break
				}
			}
		}
	case "TLSVerifyDisabled":
		for _, kv := range facts.Env {
			k, v, _ := strings.Cut(kv, "=")
			if tlsOffValue(k, v, true) {
				p.Reportf(at, "the base image %s sets %s, which disables TLS certificate verification", from, kv)
			}
		}
	case "SuspiciousEntrypoint":
		if stageHas(p.File, st, "ENTRYPOINT") {
			return
		}
		if len(facts.Entrypoint) > 0 {
			if why := suspiciousProgram(facts.Entrypoint[0]); why != "" {
				p.Reportf(at, "the base image %s has ENTRYPOINT %s, %s", from, facts.Entrypoint[0], why)
			}
		} else if len(facts.Cmd) > 0 && !stageHas(p.File, st, "CMD") {
			if why := suspiciousProgram(facts.Cmd[0]); why != "" {
				p.Reportf(at, "the base image %s has CMD %s, %s", from, facts.Cmd[0], why)
			}
		}
	}
}
