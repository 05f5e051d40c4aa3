package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/layerlens/layerlens/analysis"
)

// This file holds the only I/O of the package: finding .layerlens.yaml and .dockerignore.

// ConfigFileNames are the project configuration file names, in order of preference.
var ConfigFileNames = []string{".layerlens.yaml", ".layerlens.yml"}

// FindConfig walks up from dir to the filesystem root and returns the first configuration file
// found, with its contents. It returns path "" and no error when there is none.
func FindConfig(dir string) (path string, data []byte, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("finding %s: %w", ConfigFileNames[0], err)
	}
	for {
		for _, name := range ConfigFileNames {
			p := filepath.Join(dir, name)
			data, err := os.ReadFile(p)
			if err == nil {
				return p, data, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return p, nil, fmt.Errorf("reading %s: %w", p, err)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil, nil
		}
		dir = parent
	}
}

// LoadConfig finds and parses the configuration for a Dockerfile in dir. A missing file gives
// (nil, "", nil); an unreadable or invalid one gives an error naming the file.
func LoadConfig(dir string) (*Config, string, error) {
	path, data, err := FindConfig(dir)
	if err != nil || path == "" {
		return nil, path, err
	}
	c, err := ParseConfig(data)
	if err != nil {
		return nil, path, fmt.Errorf("%s: %w", path, err)
	}
	return c, path, nil
}

// ReadDockerIgnore reads the .dockerignore of the build context dir (or the
// "<Dockerfile>.dockerignore" next to a named Dockerfile, which BuildKit prefers). A missing file
// gives a DockerIgnore with Exists false.
func ReadDockerIgnore(dockerfile, contextDir string) (*analysis.DockerIgnore, error) {
	for _, p := range []string{dockerfile + ".dockerignore", filepath.Join(contextDir, ".dockerignore")} {
		data, err := os.ReadFile(p)
		if err == nil {
			return analysis.ParseDockerIgnore(string(data)), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
	}
	return &analysis.DockerIgnore{}, nil
}
