package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ossq/internal/ossemu"
)

// pausedDownload starts a slow download of a fresh object and pauses it
// with at least 1 MiB on disk and recorded; it returns the engine, the
// transfer, its destination and the checkpoint as saved.
func pausedDownload(t *testing.T, env *testEnv, size, seed int64) (*Engine, ID, string, *checkpoint) {
	t.Helper()
	env.srv.PutGenerated(testBucket, "obj", size, seed, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "obj")
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, id, 1<<20)
	if err := e.Pause(id); err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, id)
	if ts.State != StatePaused {
		t.Fatalf("state %s after pause, want paused", ts.State)
	}
	cp, err := readCheckpoint(ts.CheckpointPath)
	if err != nil {
		t.Fatal(err)
	}
	env.quiesce()
	env.srv.SetFaults(ossemu.Faults{})
	env.srv.ResetStats()
	return e, id, dest, cp
}

// victimFile is a file outside the download's folder that an attacker
// wants ossq to write, chmod or move.
func victimFile(t *testing.T, env *testEnv, size int) (string, []byte) {
	t.Helper()
	dir := filepath.Join(env.dir, "elsewhere")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "victim")
	data := bytes.Repeat([]byte("V"), size)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func assertUntouched(t *testing.T, path string, data []byte) {
	t.Helper()
	assertFile(t, path, data)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode changed to %v", path, fi.Mode().Perm())
	}
}

func assertRegular(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() {
		t.Fatalf("%s is %v, want a regular file", path, fi.Mode())
	}
}

// TestTempSwappedForSymlinkBeforeResume: the temp file replaced by a link
// to a file elsewhere (same size, so it looks resumable) is refused on
// resume; the download starts over and the file elsewhere is untouched.
func TestTempSwappedForSymlinkBeforeResume(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const size = 3 << 20
	e, id, dest, cp := pausedDownload(t, env, size, 5)
	victim, data := victimFile(t, env, size)
	if err := os.Remove(cp.TempPath); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, cp.TempPath); err != nil {
		t.Fatal(err)
	}
	if err := e.Resume(id); err != nil {
		t.Fatal(err)
	}
	ts := mustDone(t, e, id)
	assertGenerated(t, dest, size, 5)
	assertRegular(t, dest)
	assertUntouched(t, victim, data)
	if got := env.srv.Stats().GetBodyBytes; got != size {
		t.Errorf("fetched %d bytes after refusing the temp, want all %d", got, size)
	}
	if !strings.Contains(ts.Notice, "not a regular file") || !strings.Contains(ts.Notice, "symbolic link") {
		t.Errorf("notice %q does not say the temp file was refused", ts.Notice)
	}
	if _, err := os.Lstat(cp.TempPath); !os.IsNotExist(err) {
		t.Errorf("the planted link %s is still there (%v)", cp.TempPath, err)
	}
}

// TestTempSwappedForSymlinkDuringDownload: the temp file replaced by a
// link just before ossq finishes it is neither chmodded through nor moved
// into place; the download starts again and ends with the object.
func TestTempSwappedForSymlinkDuringDownload(t *testing.T) {
	env := newTestEnv(t)
	const size = 600 << 10
	env.srv.PutGenerated(testBucket, "obj", size, 6, "")
	victim, data := victimFile(t, env, size)
	swaps := 0
	testHookBeforeMove = func(temp string) {
		if swaps++; swaps > 1 {
			return
		}
		if err := os.Remove(temp); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(victim, temp); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { testHookBeforeMove = nil })
	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "obj")
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	ts := mustDone(t, e, id)
	if swaps != 2 {
		t.Fatalf("hook ran %d times, want 2 (the swap, then the fresh run)", swaps)
	}
	assertGenerated(t, dest, size, 6)
	assertRegular(t, dest)
	assertUntouched(t, victim, data)
	if !strings.Contains(ts.Notice, "temp file was replaced") {
		t.Errorf("notice %q does not say the temp file was replaced", ts.Notice)
	}
}
