package lsp

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Lua clients (Neovim) encode an empty table as [], so every object-valued setting may arrive
// as an empty array.
func TestParseSettingsEmptyArrayIsEmptyObject(t *testing.T) {
	for _, in := range []string{
		`[]`,
		`{"layerlens": []}`,
		`{"layerlens": [ ]}`,
		`{"rules": [], "mirrors": [], "buildArgs": [], "format": []}`,
		`{"layerlens": {"rules": [], "mirrors": [], "buildArgs": [], "format": [], "trustedRegistries": []}}`,
	} {
		st, err := parseSettings(json.RawMessage(in))
		if err != nil {
			t.Errorf("parseSettings(%s) error = %v, want none", in, err)
		}
		if !reflect.DeepEqual(st, DefaultSettings()) {
			t.Errorf("parseSettings(%s) = %+v, want the defaults", in, st)
		}
	}
	st, err := parseSettings(json.RawMessage(`{"rules": [], "platform": "linux/arm64", "buildArgs": [], "ociLayouts": ["./img"]}`))
	if err != nil || st.Platform != "linux/arm64" || !reflect.DeepEqual(st.OCILayouts, []string{"./img"}) || st.Rules == nil || st.BuildArgs == nil {
		t.Errorf("parseSettings(empty tables + values) = %+v, %v, want arm64 and ./img", st, err)
	}
}

// One bad field is dropped and reported; every valid field still applies.
func TestParseSettingsBadFieldKeepsTheRest(t *testing.T) {
	in := `{"layerlens": {
		"rules": {"A": "off", "B": "loud", "C": 3, "D": "warning"},
		"platform": 42,
		"offline": true,
		"mirrors": {"docker.io": ["m1.example", "m2.example"], "ghcr.io": "m3.example", "quay.io": 7},
		"buildArgs": {"BASE": "alpine:3.20", "N": 3, "FLAG": true, "OBJ": {}},
		"trustedRegistries": "docker.io",
		"insecureRegistries": ["127.0.0.1:5000"],
		"ociLayouts": ["./images"],
		"cacheDir": false,
		"trace": "chatty",
		"format": {"indent": "normalize", "continuationIndent": "four"},
		"somethingNew": {"x": 1}
	}}`
	st, err := parseSettings(json.RawMessage(in))
	if err == nil {
		t.Fatalf("parseSettings(bad fields) error = nil, want the bad fields reported")
	}
	for _, want := range []string{"rules.B", "loud", "rules.C", "platform: 42", "mirrors.quay.io", "buildArgs.OBJ",
		"trustedRegistries", "cacheDir", "chatty", "format.continuationIndent"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("parseSettings(bad fields) error = %v, want it to mention %q", err, want)
		}
	}
	for _, notWant := range []string{"rules.A", "rules.D", "offline", "insecureRegistries", "ociLayouts", "somethingNew", "buildArgs.N"} {
		if strings.Contains(err.Error(), notWant) {
			t.Errorf("parseSettings(bad fields) error = %v, mentions the valid %q", err, notWant)
		}
	}
	want := DefaultSettings()
	want.Rules = map[string]string{"A": "off", "D": "warning"}
	want.Offline = true
	want.Mirrors = map[string][]string{"docker.io": {"m1.example", "m2.example"}, "ghcr.io": {"m3.example"}}
	want.BuildArgs = map[string]string{"BASE": "alpine:3.20", "N": "3", "FLAG": "true"}
	want.InsecureRegistries = []string{"127.0.0.1:5000"}
	want.OCILayouts = []string{"./images"}
	want.Format.Indent = "normalize"
	if !reflect.DeepEqual(st, want) {
		t.Errorf("parseSettings(bad fields) = %+v\nwant %+v", st, want)
	}
}

func TestParseSettingsNotAnObject(t *testing.T) {
	for _, in := range []string{`"layerlens"`, `[1, 2]`, `{"layerlens": 5}`, `{`} {
		st, err := parseSettings(json.RawMessage(in))
		if err == nil || !reflect.DeepEqual(st, DefaultSettings()) {
			t.Errorf("parseSettings(%s) = %+v, %v, want the defaults and an error", in, st, err)
		}
	}
}

// Keys match case-insensitively, like encoding/json, and null keeps a default.
func TestParseSettingsCaseAndNull(t *testing.T) {
	st, err := parseSettings(json.RawMessage(`{"Platform": "linux/s390x", "BUILDARGS": {"A": "1"}, "trace": null, "mirrors": null, "format": {"indent": null, "continuationIndent": 2}}`))
	if err != nil {
		t.Fatalf("parseSettings error = %v", err)
	}
	if st.Platform != "linux/s390x" || st.BuildArgs["A"] != "1" || st.Trace != "off" || st.Mirrors == nil ||
		st.Format != (FormatSettings{Indent: "preserve", ContinuationIndent: 2}) {
		t.Errorf("parseSettings = %+v, want s390x, A=1, trace off, mirrors {}, format preserve/2", st)
	}
}
