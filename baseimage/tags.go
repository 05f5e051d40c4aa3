package baseimage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Tags lists the tags of an image repository ("alpine", "ghcr.io/org/app"; a tag or digest
// on the name is ignored), sorted and without duplicates. Its sources:
//
//   - the OCI layouts: the tags of the entries whose ref.name (or io.containerd.image.name)
//     annotation names this repository;
//   - the store: a tag list fetched earlier, trusted for the tag TTL, and the tags resolved
//     by earlier reviews and pins;
//   - unless offline, the registry (mirrors first) through the tags/list API, with the
//     reviewer's credentials, transport and time budget. The answer is kept in the store.
//
// When the registry cannot be reached but an expired list is stored, the stored list is
// returned without error. Concurrent calls for the same repository share one listing.
func (rv *Reviewer) Tags(ctx context.Context, repo string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, rv.opts.timeout)
	defer cancel()
	disp, r, err := rv.parseRepoOnly(repo)
	if err != nil {
		return nil, err
	}
	local := rv.layoutTags(disp)
	cached, fresh := rv.store.tagList(disp, rv.now(), rv.opts.tagTTL)
	if rv.opts.offline {
		tags := append(append(local, cached...), rv.store.resolvedTags(disp)...)
		return sortTags(tags), nil
	}
	// A repository the layouts hold is not looked up (as for reviews: an image found in a
	// layout never causes a network call).
	if fresh || len(local) > 0 {
		return sortTags(append(local, cached...)), nil
	}
	v, err, _ := rv.single(ctx, "tags "+disp, func() (any, error) {
		// A listing that finished between our store read and now has stored its answer:
		// checking again keeps concurrent callers to one registry call.
		if tags, fresh := rv.store.tagList(disp, rv.now(), rv.opts.tagTTL); fresh {
			return tags, nil
		}
		tags, err := rv.listRemote(ctx, r)
		if err != nil {
			return nil, err
		}
		if err := rv.store.putTagList(disp, tags, rv.now()); err != nil {
			rv.opts.logger.Warn("storing tag list", "repo", disp, "err", err)
		}
		return tags, nil
	})
	if err != nil {
		if cached != nil {
			rv.opts.logger.Warn("listing tags failed; using the stored list", "repo", disp, "err", err)
			return sortTags(cached), nil
		}
		return nil, fmt.Errorf("listing tags of %s: %w", disp, err)
	}
	// The slice may be shared with concurrent callers: sort a copy.
	return sortTags(slices.Clone(v.([]string))), nil
}

// parseRepoOnly normalises a repository name: its display form ("docker.io/library/alpine")
// and the ggcr repository (honouring WithInsecure).
func (rv *Reviewer) parseRepoOnly(repo string) (string, name.Repository, error) {
	repo = strings.TrimSpace(repo)
	nameTag, _, _ := strings.Cut(repo, "@")
	if tagExplicit(nameTag) {
		nameTag = nameTag[:strings.LastIndex(nameTag, ":")]
	}
	if nameTag == "" {
		return "", name.Repository{}, errors.New("listing tags: empty repository name")
	}
	r, _, _, err := rv.parseRepo(nameTag + ":latest")
	if err != nil {
		return "", name.Repository{}, fmt.Errorf("listing tags: invalid repository %q: %w", repo, err)
	}
	return displayRepo(r), r, nil
}

// listRemote asks the registry, mirrors first, for the repository's tags.
func (rv *Reviewer) listRemote(ctx context.Context, repo name.Repository) ([]string, error) {
	var errs []error
	for _, c := range rv.candidates(repo) {
		tags, err := remote.List(c.repo, c.withCtx(ctx)...)
		if err == nil {
			if tags == nil {
				tags = []string{}
			}
			return tags, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", c, explain(err)))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// layoutTags returns the tags the OCI layouts hold for a repository (display form).
func (rv *Reviewer) layoutTags(repo string) []string {
	var out []string
	for _, dir := range rv.opts.layouts {
		idx, err := layout.ImageIndexFromPath(dir)
		if err != nil {
			continue // Review reports unreadable layouts; completion just has fewer tags
		}
		im, err := idx.IndexManifest()
		if err != nil {
			continue
		}
		for _, d := range im.Manifests {
			for _, key := range []string{"org.opencontainers.image.ref.name", "io.containerd.image.name"} {
				n := d.Annotations[key]
				if n == "" || !strings.ContainsAny(n, "/:") {
					continue // a bare tag names no repository
				}
				norm, err := NormaliseRef(n)
				if err != nil || strings.Contains(norm, "@") {
					continue
				}
				i := strings.LastIndex(norm, ":")
				if norm[:i] == repo {
					out = append(out, norm[i+1:])
				}
			}
		}
	}
	return out
}

// sortTags sorts and de-duplicates tags.
func sortTags(tags []string) []string {
	slices.Sort(tags)
	tags = slices.Compact(tags)
	if tags == nil {
		tags = []string{}
	}
	return tags
}

// tagListRecord is a stored tags/list answer: taglists/<sha256 of repo>.json in the store.
type tagListRecord struct {
	Repo string    `json:"repo"`
	Tags []string  `json:"tags"`
	At   time.Time `json:"at"`
}

func (s *store) tagListPath(repo string) string {
	h := sha256.Sum256([]byte(repo))
	return filepath.Join(s.dir, "taglists", hex.EncodeToString(h[:])+".json")
}

// tagList returns the stored tag list of repo (nil when none) and whether it is younger than
// ttl.
func (s *store) tagList(repo string, now time.Time, ttl time.Duration) ([]string, bool) {
	b, err := os.ReadFile(s.tagListPath(repo))
	if err != nil {
		return nil, false
	}
	var r tagListRecord
	if json.Unmarshal(b, &r) != nil || r.Repo != repo {
		return nil, false
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	return r.Tags, now.Sub(r.At) < ttl
}

func (s *store) putTagList(repo string, tags []string, at time.Time) error {
	b, err := json.Marshal(tagListRecord{Repo: repo, Tags: tags, At: at.UTC()})
	if err != nil {
		return err
	}
	p := s.tagListPath(repo)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return writeAtomic(p, b)
}

// resolvedTags returns the tags of repo that earlier reviews and pins resolved (the tags/
// records of the store). Offline, they are all that is known about a registry repository.
func (s *store) resolvedTags(repo string) []string {
	entries, err := os.ReadDir(filepath.Join(s.dir, "tags"))
	if err != nil {
		return nil
	}
	var out []string
	prefix := repo + ":"
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.dir, "tags", e.Name()))
		if err != nil {
			continue
		}
		var r tagRecord
		if json.Unmarshal(b, &r) != nil || !strings.HasPrefix(r.Ref, prefix) {
			continue
		}
		tag := strings.TrimPrefix(r.Ref, prefix)
		if tag != "" && !strings.ContainsAny(tag, "/:@") {
			out = append(out, tag)
		}
	}
	return out
}
