package transfer

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDownloadedFileModeFollowsUmask: finished downloads kept the temp
// file's 0600; they must get 0666 minus the umask, like any new file, while
// checkpoints stay 0600.
func TestDownloadedFileModeFollowsUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	t.Cleanup(func() { syscall.Umask(old) })
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "small", []byte("small object"))
	env.srv.PutGenerated(testBucket, "big", 600<<10, 4, "")
	opts := env.testOptions()
	e := env.open(opts)
	for _, key := range []string{"small", "big"} {
		dest := filepath.Join(env.dir, key)
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: key, LocalPath: dest})
		if err != nil {
			t.Fatal(err)
		}
		mustDone(t, e, id)
		fi, err := os.Stat(dest)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o640 {
			t.Errorf("%s: mode %o, want 640 (0666 with umask 027)", key, got)
		}
	}
	if got := probeFileMode(env.dir); got != 0o640 {
		t.Errorf("probeFileMode: %o, want 640", got)
	}
	// A paused download's checkpoint and the queue stay private.
	env.srv.PutGenerated(testBucket, "paused", 600<<10, 5, "")
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "paused", LocalPath: filepath.Join(env.dir, "paused")})
	if err != nil {
		t.Fatal(err)
	}
	e.Pause(id)
	ts := waitFor(t, e, id)
	e.Close()
	for _, p := range []string{ts.CheckpointPath, filepath.Join(opts.StateDir, queueDBName)} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %o, want 600", p, fi.Mode().Perm())
		}
	}
}
