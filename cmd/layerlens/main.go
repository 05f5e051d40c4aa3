// Command layerlens is the layerlens language server for Dockerfiles and its CLI for CI.
//
// Wiring only: each subcommand lives in its own file and returns the process exit code
// (0 ok, 1 findings at the fail level, 2 usage or I/O errors).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the language server on stdio (editors pass --stdio)", runServe},
		"check":   {"check Dockerfiles and print findings (text, json, sarif)", runCheck},
		"rules":   {"list the rules", runRules},
		"explain": {"print the documentation of one rule", runExplain},
		"inspect": {"review a base image: layers, history, findings, efficiency", runInspect},
		"pin":     {"pin FROM images to digests (or --check that they are)", runPin},
		"version": {"print the version", runVersion},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	case "--stdio": // an editor that starts the server with no subcommand
		return runServe(args, stdout, stderr)
	case "--version", "-v":
		name = "version"
	}
	c, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "layerlens: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `layerlens: a language server and CI checker for Dockerfiles that reviews base images.

Usage:
  layerlens serve [--stdio]                      language server on stdio
  layerlens check [flags] PATH...                check Dockerfiles
  layerlens rules                                list the rules
  layerlens explain NAME                         one rule's documentation
  layerlens inspect [flags] IMAGE                review a base image
  layerlens pin [--check] PATH...                pin FROM images to digests
  layerlens version

Run 'layerlens COMMAND -h' for a command's flags.
`)
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "layerlens %s\n", version)
	return 0
}

// parseInterspersed parses fs from args, allowing flags after the positional arguments
// ("check Dockerfile --format json"), and returns the positional arguments. When done is
// true the command must return code at once (0 for -h, 2 for a bad flag; fs has printed why).
func parseInterspersed(fs *flag.FlagSet, args []string) (positional []string, code int, done bool) {
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0, true
			}
			return nil, 2, true
		}
		if fs.NArg() == 0 {
			return positional, 0, false
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
}
