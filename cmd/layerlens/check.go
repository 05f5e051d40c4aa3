package main

import (
	"fmt"
	"io"
)

// runCheck is a placeholder until its issue lands.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "layerlens check: not implemented yet")
	return 2
}
