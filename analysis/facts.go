package analysis

// ImageFacts is what a base image's config says, as far as rules need it. The base-image
// reviewer fills it; rules read it as data (see [Pass.Facts]).
type ImageFacts struct {
	Ref, Digest, Platform string
	User, WorkingDir      string
	Env                   []string // "NAME=value"
	Entrypoint, Cmd       []string
	Shell                 []string
	// HasHealthcheck reports a HEALTHCHECK in the image config (a "NONE" check counts as set).
	HasHealthcheck bool
	ExposedPorts   []string // "80/tcp"
	Volumes        []string
	OnBuild        []string
	Labels         map[string]string

	// The fields below are filled by the language server and `layerlens check` (issue 5), not
	// by Report.Facts: they describe the review as a whole rather than the image config.

	// RequestedPlatform is the platform the FROM asked for (--platform or the configured
	// default); Platform is what the image really is. They differ for a single-platform image.
	RequestedPlatform string
	// TagDigest is the digest the FROM's tag points to now, when it was looked up ("" =
	// unknown). For a FROM pinned as name:tag@sha256:..., a different value means a stale pin.
	TagDigest string
	// Findings are the base-image review's findings (config, history and layers).
	Findings []ImageFinding
	// Partial reports that the layers are not (all) reviewed yet, or could not be.
	Partial bool
}

// ImageFinding is one finding of a base-image review, as data for the Dockerfile rules.
type ImageFinding struct {
	Rule     string
	Severity Severity
	Message  string
	// Layer is the layer index, or -1 for the config and history; Path the file concerned.
	Layer int
	Path  string
}

// EnvValue returns the value of NAME in Env.
func (f *ImageFacts) EnvValue(name string) (string, bool) {
	if f == nil {
		return "", false
	}
	for _, kv := range f.Env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}
