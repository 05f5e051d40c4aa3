package shellcmd

import (
	"strings"
	"testing"
)

func names(s *Script) string {
	var out []string
	for _, c := range s.Commands {
		n := c.Name
		if len(c.Pipeline) > 1 {
			n += "|" + itoa(c.PipeIndex)
		}
		if c.Nested {
			n += "$"
		}
		if c.Inner {
			n += "!"
		}
		out = append(out, n)
	}
	return strings.Join(out, " ")
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestParse(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"apt-get update && apt-get install -y curl", "apt-get apt-get"},
		{"curl -fsSL https://x | sudo -E bash -", "curl|0 bash|1"},
		{"sh -c 'curl https://x | sh'", "sh curl|0! sh|1!"},
		{"bash <(curl -s https://x)", "bash curl$"},
		{"FOO=1 env A=b nohup ./run &", "run"},
		{"if [ -f x ]; then wget -q y; fi", "[ wget"},
		{"echo $(base64 -d <<< Zm9v)", "echo base64$"},
		{"set -eux; { echo a; echo b; } | tee f", "set echo|0 echo|1 tee|2"},
		{"eval \"$(curl -s x)\"", "eval curl$"},
		{"foo ( bar", "foo"},
	} {
		s := Parse(tc.src)
		if got := names(s); got != tc.want {
			t.Errorf("Parse(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
}

func TestOffsets(t *testing.T) {
	src := `sh -c "curl http://a | bash"`
	s := Parse(src)
	for _, c := range s.Commands {
		if c.Name == "curl" {
			if got := src[c.Start:c.End]; got != "curl http://a" {
				t.Errorf("curl range = %q", got)
			}
			if got := src[c.Args[1].Start:c.Args[1].End]; got != "http://a" {
				t.Errorf("arg range = %q", got)
			}
			return
		}
	}
	t.Fatal("no curl")
}

func TestFlags(t *testing.T) {
	c := Parse("apt-get install -qy --no-install-recommends curl=7.1 wget").Commands[0]
	if !c.HasFlag("-y", "--yes") || !c.HasFlag("--no-install-recommends") || c.HasFlag("-f") {
		t.Errorf("flags wrong: %+v", c.Args)
	}
	ops := c.Operands()
	if len(ops) != 3 || ops[0].Value != "install" || ops[2].Value != "wget" {
		t.Errorf("Operands = %+v", ops)
	}
	if !Parse("set -euxo pipefail; a | b").Pipefail() || Parse("a | b; set -o pipefail").Pipefail() {
		t.Error("Pipefail wrong")
	}
}

func TestStripHistoryPrefix(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		nop      bool
	}{
		{"/bin/sh -c #(nop)  CMD [\"sh\"]", `CMD ["sh"]`, true},
		{"/bin/sh -c apk add curl", "apk add curl", false},
		{"|2 A=1 B=x y /bin/sh -c make", "make", false},
		{"RUN /bin/sh -c curl x | sh # buildkit", "curl x | sh", false},
	} {
		got, nop := StripHistoryPrefix(tc.in)
		if got != tc.want || nop != tc.nop {
			t.Errorf("StripHistoryPrefix(%q) = %q, %v, want %q, %v", tc.in, got, nop, tc.want, tc.nop)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("curl x | sh")
	f.Add("sh -c 'a && b' <<EOF\nx\nEOF")
	f.Fuzz(func(t *testing.T, s string) {
		sc := Parse(s)
		for _, c := range sc.Commands {
			if c.Start < 0 || c.End > len(s) || c.Start > c.End+len(s) {
				t.Fatalf("bad range %d-%d", c.Start, c.End)
			}
		}
	})
}

func TestVars(t *testing.T) {
	s := ParseWithVars(`URL=http://x.example/i.sh; export MODE=fast; curl "$URL" ${OTHER} $MODE ${URL:-d}; unset URL; curl $URL`, map[string]string{"OTHER": "o"})
	var got []string
	for _, c := range s.Find("curl") {
		var args []string
		for _, a := range c.Args[1:] {
			args = append(args, a.Value)
		}
		got = append(got, strings.Join(args, " "))
	}
	want := "http://x.example/i.sh o fast ${URL}|${URL}"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("curl args = %q, want %q", g, want)
	}
}
