package rules

import (
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis"
)

func TestSetuidBits(t *testing.T) {
	for _, tc := range []struct{ mode, want string }{
		{"u+s", "setuid bit"},
		{"g+s", "setgid bit"},
		{"+s", "setuid and setgid bits"},
		{"a+s", "setuid and setgid bits"},
		{"ug+s", "setuid and setgid bits"},
		{"u=rwxs,g+s", "setuid and setgid bits"},
		{"4755", "setuid bit"},
		{"2755", "setgid bit"},
		{"6755", "setuid and setgid bits"},
	} {
		if !modeSetuid(tc.mode) {
			t.Errorf("modeSetuid(%q) = false, want true", tc.mode)
		}
		if got := setuidBits(tc.mode); got != tc.want {
			t.Errorf("setuidBits(%q) = %q, want %q", tc.mode, got, tc.want)
		}
	}
}

// NoUser says what the base-image review knows instead of "unless the base image says
// otherwise".
func TestNoUserWithFacts(t *testing.T) {
	src := "FROM example/base:1\nRUN true\n"
	for _, tc := range []struct {
		facts map[int]*analysis.ImageFacts
		want  string
	}{
		{nil, "unless the base image says otherwise"},
		{map[int]*analysis.ImageFacts{0: {Ref: "example/base:1"}}, "no USER in the final stage or its base image"},
		{map[int]*analysis.ImageFacts{0: {Ref: "example/base:1", User: "root"}}, "the base image's USER is root"},
		{map[int]*analysis.ImageFacts{0: {Ref: "example/base:1", User: "app"}}, ""},
	} {
		msg := ""
		for _, fd := range Check(analysis.Parse(src), Options{Facts: tc.facts}) {
			if fd.Rule == "NoUser" {
				msg = fd.Message
			}
		}
		if (tc.want == "") != (msg == "") || !strings.Contains(msg, tc.want) {
			t.Errorf("NoUser with facts %+v = %q, want it to contain %q", tc.facts[0], msg, tc.want)
		}
	}
}
