package main

import (
	"fmt"
	"io"
)

// runInspect is a placeholder until its issue lands.
func runInspect(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "layerlens inspect: not implemented yet")
	return 2
}
