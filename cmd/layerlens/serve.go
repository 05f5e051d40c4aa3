package main

import (
	"fmt"
	"io"
)

// runServe is a placeholder until its issue lands.
func runServe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "layerlens serve: not implemented yet")
	return 2
}
