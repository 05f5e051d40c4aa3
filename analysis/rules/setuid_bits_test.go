package rules

import "testing"

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
