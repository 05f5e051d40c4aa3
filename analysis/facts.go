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
