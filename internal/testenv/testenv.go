// Package testenv is the TestMain of ossq's test packages: how many tests
// run at once, and where their temporary folders go. It is for tests only
// and imports no ossq package, so every package's tests can use it.
package testenv

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// memoryRoot is where a Linux machine keeps a tmpfs for everyone.
const memoryRoot = "/dev/shm"

// tempRoot is the memory folder Run put TMPDIR under, "" if it did not.
var tempRoot string

// Run runs m's tests and returns their exit code, with parallel tests at
// once unless the command line chose (-test.parallel; parallel <= 0 keeps
// go test's default, GOMAXPROCS), and the temporary
// folders in memory where the machine allows (see memoryTempRoot). Call it
// from TestMain: os.Exit(testenv.Run(m, n)).
func Run(m *testing.M, parallel int) int {
	if err := parallelByDefault(parallel); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 2
	}
	if root := memoryTempRoot(os.Getenv); root != "" {
		if dir, err := os.MkdirTemp(root, "ossq-test-"); err == nil {
			// TMPDIR, not GOTMPDIR: os.MkdirTemp("", …) and child processes
			// follow it too, and t.TempDir does when GOTMPDIR is unset.
			os.Setenv("TMPDIR", dir)
			tempRoot = root
			defer os.RemoveAll(dir)
		}
	}
	return m.Run()
}

// memoryTempRoot is memoryRoot when it is a tmpfs with room and the user has
// not chosen a folder (TMPDIR or GOTMPDIR set), else "" (the default
// folder). On a disk, creating, syncing and deleting the suite's tens of
// thousands of small files cost about a quarter of its CPU time.
func memoryTempRoot(getenv func(string) string) string {
	if getenv("TMPDIR") != "" || getenv("GOTMPDIR") != "" || !roomInMemory(memoryRoot) {
		return ""
	}
	return memoryRoot
}

// parallelByDefault makes n parallel tests run at once unless the command
// line chose a number. Tests against the emulator mostly wait (rate caps,
// latency faults, fsyncs), so more of them than GOMAXPROCS keep the cores
// busy.
func parallelByDefault(n int) error {
	if !flag.Parsed() {
		flag.Parse()
	}
	if n <= 0 {
		return nil
	}
	chosen := false
	flag.Visit(func(f *flag.Flag) { chosen = chosen || f.Name == "test.parallel" })
	if chosen {
		return nil
	}
	return flag.Set("test.parallel", strconv.Itoa(n))
}
