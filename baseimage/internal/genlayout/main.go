// Command genlayout writes the demo OCI image layout shipped in testdata/oci: a clean image
// and a booby-trapped one (see package testimage), each for linux/amd64 and linux/arm64,
// named layerlens.test/demo/clean:1.0 and layerlens.test/demo/trapped:1.0.
//
//	go run ./baseimage/internal/genlayout -o testdata/oci
//
// The output is reproducible: running it again gives the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/layerlens/layerlens/baseimage/internal/testimage"
)

func main() {
	out := flag.String("o", "testdata/oci", "output directory (replaced)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genlayout:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	for _, img := range []struct {
		name string
		make func() (v1.ImageIndex, error)
	}{
		{"layerlens.test/demo/clean:1.0", testimage.DemoClean},
		{"layerlens.test/demo/trapped:1.0", testimage.DemoTrapped},
	} {
		idx, err := img.make()
		if err != nil {
			return fmt.Errorf("%s: %w", img.name, err)
		}
		if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": img.name})); err != nil {
			return fmt.Errorf("%s: %w", img.name, err)
		}
	}
	return nil
}
