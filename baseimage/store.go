package baseimage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// store is the on-disk cache: <cache>/layerlens, mode 0700.
//
//	tags/<sha256 of ref>.json        ref -> pin digest, with the time of the HEAD that found it
//	blobs/sha256/<hex>               manifests, indexes and configs, verified by digest on read
//	reviews/sha256/<layer hex>.json  per-layer reviews: "<sha256 of body>\n<body>", checked on read
//
// Names on disk come only from validated digests and hashes, never from image contents.
type store struct {
	dir string
}

func openStore(cacheDir string) (*store, error) {
	dir := filepath.Join(cacheDir, "layerlens")
	for _, d := range []string{dir, filepath.Join(dir, "tags"), filepath.Join(dir, "blobs", "sha256"), filepath.Join(dir, "reviews", "sha256")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	// MkdirAll leaves an existing directory's mode alone; the store holds what registries
	// returned with the user's credentials, so keep it private.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return &store{dir: dir}, nil
}

type tagRecord struct {
	Ref    string    `json:"ref"`
	Digest string    `json:"digest"`
	At     time.Time `json:"at"`
}

func (s *store) tagPath(ref string) string {
	h := sha256.Sum256([]byte(ref))
	return filepath.Join(s.dir, "tags", hex.EncodeToString(h[:])+".json")
}

// tag returns the stored pin digest of ref and when it was resolved.
func (s *store) tag(ref string) (tagRecord, bool) {
	b, err := os.ReadFile(s.tagPath(ref))
	if err != nil {
		return tagRecord{}, false
	}
	var r tagRecord
	if json.Unmarshal(b, &r) != nil || r.Ref != ref {
		return tagRecord{}, false
	}
	if _, err := v1.NewHash(r.Digest); err != nil {
		return tagRecord{}, false
	}
	return r, true
}

func (s *store) putTag(ref, digest string, at time.Time) error {
	b, err := json.Marshal(tagRecord{Ref: ref, Digest: digest, At: at.UTC()})
	if err != nil {
		return err
	}
	return writeAtomic(s.tagPath(ref), b)
}

// blobPath validates the digest before it becomes a file name.
func (s *store) blobPath(kind, digest, suffix string) (string, error) {
	h, err := v1.NewHash(digest)
	if err != nil {
		return "", err
	}
	if h.Algorithm != "sha256" {
		return "", fmt.Errorf("unsupported digest algorithm %s", h.Algorithm)
	}
	return filepath.Join(s.dir, kind, "sha256", h.Hex+suffix), nil
}

// blob returns a stored manifest or config. A file whose content does not match its digest is
// removed and reported as missing.
func (s *store) blob(digest string) ([]byte, bool) {
	p, err := s.blobPath("blobs", digest, "")
	if err != nil {
		return nil, false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	if digestOf(b) != digest {
		os.Remove(p)
		return nil, false
	}
	return b, true
}

func (s *store) putBlob(digest string, b []byte) error {
	if digestOf(b) != digest {
		return fmt.Errorf("store: refusing blob that does not match %s", digest)
	}
	p, err := s.blobPath("blobs", digest, "")
	if err != nil {
		return err
	}
	return writeAtomic(p, b)
}

// review returns the stored review of a layer, checked against its checksum line.
func (s *store) review(digest string) (*layerReview, bool) {
	p, err := s.blobPath("reviews", digest, ".json")
	if err != nil {
		return nil, false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	sum, body, ok := bytes.Cut(b, []byte("\n"))
	if !ok || string(sum) != digestOf(body) {
		os.Remove(p)
		return nil, false
	}
	var lr layerReview
	if err := json.Unmarshal(body, &lr); err != nil || lr.Version != reviewVersion || lr.Digest != digest {
		return nil, false
	}
	return &lr, true
}

func (s *store) putReview(lr *layerReview) error {
	p, err := s.blobPath("reviews", lr.Digest, ".json")
	if err != nil {
		return err
	}
	body, err := json.Marshal(lr)
	if err != nil {
		return err
	}
	b := make([]byte, 0, len(body)+80)
	b = append(b, digestOf(body)...)
	b = append(b, '\n')
	b = append(b, body...)
	return writeAtomic(p, b)
}

func digestOf(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// writeAtomic writes through a temporary file in the same directory and renames it, so readers
// never see a half-written file and concurrent writers of the same content do not clash.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
