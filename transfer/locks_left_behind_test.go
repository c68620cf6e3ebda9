package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoLockFilesLeftBehind: once transfers are done, canceled, or failed
// with nothing to resume (and removed), no lock file stays in the
// checkpoint folder or beside the destinations.
func TestNoLockFilesLeftBehind(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "small", []byte("small object"))
	env.srv.PutGenerated(testBucket, "big", 600<<10, 4, "")
	opts := env.testOptions()
	e := env.open(opts)
	cpDir := filepath.Join(opts.StateDir, "checkpoints")
	locks := func() []string {
		var out []string
		for _, dir := range []string{cpDir, env.dir} { // uploads' locks, downloads' locks
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, de := range ents {
				if strings.HasSuffix(de.Name(), ".lock") || looksLikeLockName(de.Name()) {
					out = append(out, de.Name())
				}
			}
		}
		return out
	}
	for _, key := range []string{"small", "big"} {
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: key, LocalPath: filepath.Join(env.dir, key)})
		if err != nil {
			t.Fatal(err)
		}
		mustDone(t, e, id)
		if err := e.Remove(id); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(env.dir, "src")
	if err := os.WriteFile(src, randomData(700<<10, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "up", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	if l := locks(); len(l) != 0 {
		t.Errorf("lock files left after done/remove: %v", l)
	}
	missing, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "missing", LocalPath: filepath.Join(env.dir, "m")})
	if err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, missing); ts.State != StateFailed {
		t.Fatalf("download of a missing object: %s", ts.State)
	}
	if l := locks(); len(l) != 0 {
		t.Errorf("lock files left after a failure with nothing to resume: %v", l)
	}
	paused, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "big", LocalPath: filepath.Join(env.dir, "big2")})
	if err != nil {
		t.Fatal(err)
	}
	e.Pause(paused)
	waitFor(t, e, paused)
	if err := e.Cancel(paused); err != nil && !strings.Contains(err.Error(), "done") {
		t.Fatal(err)
	}
	e.Close() // waits for the cancel's cleanup
	if l := locks(); len(l) != 0 {
		t.Errorf("lock files left after cancel: %v", l)
	}
}
