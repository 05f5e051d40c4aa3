package baseimage

import (
	"errors"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis"
)

func TestResolveFrom(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		stage      int
		buildArgs  map[string]string
		defPlat    string
		want       Target
		wantErr    string
	}{
		{name: "hub short name", dockerfile: "FROM alpine:3.20\n",
			want: Target{Ref: "docker.io/library/alpine:3.20", Platform: "linux/arm64", PlatformSource: "configured default"}, defPlat: "linux/arm64"},
		{name: "no tag", dockerfile: "FROM alpine\n", defPlat: "linux/amd64",
			want: Target{Ref: "docker.io/library/alpine:latest", Platform: "linux/amd64", PlatformSource: "configured default"}},
		{name: "global args with defaults", dockerfile: "ARG REG=ghcr.io\nARG IMG=${REG}/acme/app\nARG TAG=1.2\nFROM ${IMG}:${TAG}\n", defPlat: "linux/amd64",
			want: Target{Ref: "ghcr.io/acme/app:1.2", Platform: "linux/amd64", PlatformSource: "configured default"}},
		{name: "build arg overrides default", dockerfile: "ARG TAG=1.2\nFROM debian:${TAG}\n", buildArgs: map[string]string{"TAG": "12-slim"}, defPlat: "linux/amd64",
			want: Target{Ref: "docker.io/library/debian:12-slim", Platform: "linux/amd64", PlatformSource: "configured default"}},
		{name: "arg without default", dockerfile: "ARG BASE\nFROM ${BASE}\n", wantErr: "$BASE"},
		{name: "undeclared build arg is ignored", dockerfile: "FROM ${BASE:-busybox}\n", buildArgs: map[string]string{"BASE": "evil"}, defPlat: "linux/amd64",
			want: Target{Ref: "docker.io/library/busybox:latest", Platform: "linux/amd64", PlatformSource: "configured default"}},
		{name: "platform flag", dockerfile: "FROM --platform=linux/arm/v7 alpine:3\n", defPlat: "linux/amd64",
			want: Target{Ref: "docker.io/library/alpine:3", Platform: "linux/arm/v7", PlatformSource: "--platform"}},
		{name: "platform from builtin arg", dockerfile: "FROM --platform=$BUILDPLATFORM golang:1.22\n", defPlat: "linux/s390x",
			want: Target{Ref: "docker.io/library/golang:1.22", Platform: "linux/s390x", PlatformSource: "--platform"}},
		{name: "scratch", dockerfile: "FROM scratch\n", defPlat: "linux/amd64", want: Target{Scratch: true, Platform: "linux/amd64", PlatformSource: "configured default"}},
		{name: "stage reference", dockerfile: "FROM alpine AS Build\nFROM build\n", stage: 1, defPlat: "linux/amd64",
			want: Target{Stage: true, Platform: "linux/amd64", PlatformSource: "configured default"}},
		{name: "tag and digest kept", dockerfile: "FROM alpine:3.20@sha256:" + strings.Repeat("a", 64) + "\n", defPlat: "linux/amd64",
			want: Target{Ref: "docker.io/library/alpine:3.20@sha256:" + strings.Repeat("a", 64), Platform: "linux/amd64", PlatformSource: "configured default"}},
		{name: "registry with port", dockerfile: "FROM localhost:5000/team/img\n", defPlat: "linux/amd64",
			want: Target{Ref: "localhost:5000/team/img:latest", Platform: "linux/amd64", PlatformSource: "configured default"}},
		{name: "invalid name", dockerfile: "FROM UPPER/Case\n", wantErr: "invalid image name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := analysis.Parse(tt.dockerfile)
			if len(f.Stages) <= tt.stage {
				t.Fatalf("Parse(%q) has %d stages", tt.dockerfile, len(f.Stages))
			}
			got, err := ResolveFrom(f, f.Stages[tt.stage], tt.buildArgs, tt.defPlat)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrUnresolvable) {
					t.Fatalf("ResolveFrom = %+v, %v; want an ErrUnresolvable containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveFrom: %v", err)
			}
			got.Expanded = ""
			if got != tt.want {
				t.Errorf("ResolveFrom = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResolveFromHostDefault(t *testing.T) {
	f := analysis.Parse("FROM alpine\n")
	got, err := ResolveFrom(f, f.Stages[0], nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Platform != hostPlatform() || got.PlatformSource != "host default" {
		t.Errorf("platform = %s (%s), want %s (host default)", got.Platform, got.PlatformSource, hostPlatform())
	}
}

func TestNormaliseRef(t *testing.T) {
	for in, want := range map[string]string{
		"alpine":                                   "docker.io/library/alpine:latest",
		"docker.io/library/alpine:3":               "docker.io/library/alpine:3",
		"index.docker.io/library/alpine":           "docker.io/library/alpine:latest",
		"bitnami/redis:7":                          "docker.io/bitnami/redis:7",
		"ghcr.io/o/r:1":                            "ghcr.io/o/r:1",
		"layerlens.test/demo/clean:1.0":            "layerlens.test/demo/clean:1.0",
		"alpine@sha256:" + strings.Repeat("0", 64): "docker.io/library/alpine@sha256:" + strings.Repeat("0", 64),
	} {
		got, err := NormaliseRef(in)
		if err != nil || got != want {
			t.Errorf("NormaliseRef(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := NormaliseRef("alpine@sha256:short"); err == nil {
		t.Error("NormaliseRef accepted a bad digest")
	}
}
