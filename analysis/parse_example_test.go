package analysis_test

import (
	"fmt"

	"github.com/layerlens/layerlens/analysis"
)

func ExampleParse() {
	f := analysis.Parse("FROM --platform=linux/amd64 golang:1.22 AS build\nRUN go build \\\n    ./...\nENV a\n")
	st := f.Stages[0]
	fmt.Println(st.Name, st.NameRange, st.BaseImage, st.BaseRange, st.Platform, st.PlatformRange)
	run := f.InstructionAt(analysis.Pos{Line: 2, Col: 5})
	fmt.Printf("%s %v %q %v\n", run.Cmd, run.Range, run.Shell, run.ShellRange)
	for _, e := range f.Errors {
		fmt.Println(e.Range, e.Rule, e.Message)
	}
	// Output:
	// build 0:43-0:48 golang:1.22 0:28-0:39 linux/amd64 0:16-0:27
	// RUN 1:0-2:9 "go build     ./..." 1:4-2:9
	// 3:4-3:5 MissingArgument ENV must have two arguments: add a value
}

func ExampleReparse() {
	prev := analysis.Parse("FROM alpine\nRUN echo one\nRUN echo two\n")
	next := analysis.Reparse(prev, "FROM alpine\nRUN echo one\nRUN echo 2\n")
	fmt.Println(next.Instructions[1] == prev.Instructions[1], next.Instructions[2].Shell)
	// Output:
	// true echo 2
}
