package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestReviewFindingNames checks that every review finding name written in baseimage's source
// is accepted by the configuration (the list in review_names.go is kept by hand).
func TestReviewFindingNames(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "baseimage", "*.go"))
	if err != nil || len(files) == 0 {
		t.Skipf("baseimage sources not found: %v", err)
	}
	lit := regexp.MustCompile(`Rule:\s*"([A-Z][A-Za-z]+)"|"((?:Layer|Image)[A-Z][A-Za-z]+)"`)
	for _, f := range files {
		if filepath.Ext(f) != ".go" || len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(data), -1) {
			name := m[1] + m[2]
			if Lookup(name) == nil && LookupImage(name) == nil && reviewFindingName(name) == "" {
				t.Errorf("%s: finding name %s is not in ReviewFindingNames", filepath.Base(f), name)
			}
		}
	}
	c, err := ParseConfig([]byte("rules:\n  LayerMiner: error\n  layersetuid: off\n"))
	if err != nil || c.Rules["LayerMiner"].Severity == 0 || !c.Rules["LayerSetuid"].Off {
		t.Errorf("review finding names in config: %+v, %v", c, err)
	}
}
