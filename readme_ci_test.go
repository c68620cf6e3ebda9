package main

import (
	"os"
	"strings"
	"testing"
)

// TestCIRunsTheReadmeTestCommand: the command README.md gives for the tests
// is the one .ci/run runs, word for word.
func TestCIRunsTheReadmeTestCommand(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var command string
	for _, line := range strings.Split(string(readme), "\n") {
		if cmd, comment, ok := strings.Cut(line, "#"); ok && strings.Contains(comment, "the tests (what CI runs)") {
			command = strings.TrimSpace(cmd)
			break
		}
	}
	if command == "" {
		t.Fatal(`README.md has no line commented "the tests (what CI runs)"`)
	}
	for _, line := range strings.Split(string(ci), "\n") {
		if strings.TrimSpace(line) == command {
			return
		}
	}
	t.Errorf(".ci/run does not run README.md's test command %q", command)
}
