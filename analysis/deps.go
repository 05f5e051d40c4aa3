package analysis

// Keep the pinned module set in go.mod while the packages that use them are being written.
import (
	_ "golang.org/x/tools/txtar"
	_ "gopkg.in/yaml.v3"
	_ "mvdan.cc/sh/v3/syntax"
)
