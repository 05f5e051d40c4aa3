package analysis

import "testing"

func TestDockerIgnore(t *testing.T) {
	d := ParseDockerIgnore("# c\n.git\n*.md\n!README.md\n**/secret*\n/build/\n")
	for _, tc := range []struct {
		path string
		want bool
	}{
		{".git", true}, {".git/config", true}, {"a.md", true}, {"README.md", false},
		{"docs/a.md", false}, {"x/y/secret.txt", true}, {"secret", true}, {"build/out", true},
		{"src/main.go", false}, {".", false},
	} {
		if got, _ := d.Ignored(tc.path); got != tc.want {
			t.Errorf("Ignored(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
	var none *DockerIgnore
	if got, _ := none.Ignored("x"); got {
		t.Error("nil DockerIgnore ignores")
	}
}
