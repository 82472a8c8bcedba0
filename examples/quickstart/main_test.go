package main

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

// TestREADMEShowsThisProgram keeps the README's Go example and this program the same, so the example
// as written is compiled by `go test ./...` (which builds this package to run this test).
func TestREADMEShowsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Calling the API from a Go service\n\n```go\n(.*?)```\n").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no Go block under \"## Calling the API from a Go service\"")
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	// The program's first line is its doc comment, which the README leaves out.
	program := src[bytes.IndexByte(src, '\n')+1:]
	if !bytes.Equal(m[1], program) {
		t.Errorf("the README's Go example is not examples/quickstart/main.go (after its first line):\nREADME:\n%s\nmain.go:\n%s", m[1], program)
	}
}
