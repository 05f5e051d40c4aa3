package analysis

import "testing"

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3},
		{"RUN", "RUN", 0}, {"FORM", "FROM", 2}, {"COPPY", "COPY", 1},
	} {
		if got := EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"CurlPipeShell", "RootUser", "NoUser"}
	for _, tc := range []struct {
		word  string
		limit int
		want  string
	}{
		{"curlpipeshel", 4, "CurlPipeShell"},
		{"rootusr", 4, "RootUser"},
		{"nouser", 4, "NoUser"},
		{"Something", 4, ""},
		{"RootUsr", 1, ""}, // distance 1 is not below a limit of 1
	} {
		if got := Closest(tc.word, names, tc.limit); got != tc.want {
			t.Errorf("Closest(%q, limit %d) = %q, want %q", tc.word, tc.limit, got, tc.want)
		}
	}
}
