package main

import (
	"fmt"
	"io"
)

// runPin is a placeholder until its issue lands.
func runPin(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "layerlens pin: not implemented yet")
	return 2
}
