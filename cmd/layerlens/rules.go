package main

import (
	"fmt"
	"io"
)

// runRules is a placeholder until its issue lands.
func runRules(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "layerlens rules: not implemented yet")
	return 2
}
