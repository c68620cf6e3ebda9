package testenv

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Run(m, 3)) }

// TestRunSetsTheParallelDefault: Run made three tests run at once, as the
// command line gave no -test.parallel.
func TestRunSetsTheParallelDefault(t *testing.T) {
	chosen := false
	flag.Visit(func(f *flag.Flag) { chosen = chosen || f.Name == "test.parallel" })
	if got := flag.Lookup("test.parallel").Value.String(); !chosen && got != "3" {
		t.Errorf("-test.parallel = %s, want 3", got)
	}
}

// TestTempFoldersGoInMemory: where Run chose a memory folder, TMPDIR and
// t.TempDir are in a fresh ossq-test- folder of it.
func TestTempFoldersGoInMemory(t *testing.T) {
	if tempRoot == "" {
		t.Skip("TMPDIR or GOTMPDIR chosen, or no tmpfs with room: the default folder is used")
	}
	tmp, dir := os.Getenv("TMPDIR"), t.TempDir()
	if filepath.Dir(tmp) != tempRoot || !strings.HasPrefix(filepath.Base(tmp), "ossq-test-") ||
		!strings.HasPrefix(dir, tmp+string(filepath.Separator)) {
		t.Errorf("TMPDIR %s, TempDir %s; want both in a new ossq-test- folder of %s", tmp, dir, tempRoot)
	}
}

// TestAChosenTempFolderIsKept: TMPDIR or GOTMPDIR set means the user chose;
// with neither, the memory root is taken exactly when it has room.
func TestAChosenTempFolderIsKept(t *testing.T) {
	for _, env := range []map[string]string{{"TMPDIR": "/var/tmp"}, {"GOTMPDIR": "/var/tmp"}, {"TMPDIR": "/a", "GOTMPDIR": "/b"}} {
		if got := memoryTempRoot(func(k string) string { return env[k] }); got != "" {
			t.Errorf("%v: memoryTempRoot = %q, want \"\"", env, got)
		}
	}
	want := ""
	if roomInMemory(memoryRoot) {
		want = memoryRoot
	}
	if got := memoryTempRoot(func(string) string { return "" }); got != want {
		t.Errorf("nothing chosen: memoryTempRoot = %q, want %q", got, want)
	}
	if roomInMemory(t.TempDir() + "/missing") {
		t.Error("a missing folder has room")
	}
}
