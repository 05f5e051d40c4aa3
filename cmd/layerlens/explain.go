package main

import (
	"fmt"
	"io"
)

// runExplain is a placeholder until its issue lands.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "layerlens explain: not implemented yet")
	return 2
}
