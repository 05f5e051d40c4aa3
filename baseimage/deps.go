// Package baseimage resolves FROM images and reviews them. Only this package imports
// go-containerregistry.
package baseimage

import (
	_ "github.com/google/go-containerregistry/pkg/registry"
	_ "github.com/google/go-containerregistry/pkg/v1/remote"
)
