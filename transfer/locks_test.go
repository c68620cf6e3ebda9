package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ossq/internal/ossemu"
)

// TestDestinationLockIsBesideTheDestination: two engines with different
// state and checkpoint folders, one reaching the folder through a
// symbolic link, collide on one destination: the second is refused with
// ErrBusy, the first finishes intact, and no lock file stays behind.
func TestDestinationLockIsBesideTheDestination(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "a", 2<<20, 1, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	real := filepath.Join(env.dir, "real")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(env.dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	opts1 := env.testOptions()
	e1 := env.open(opts1)
	id, err := e1.Add(Spec{Direction: Download, Bucket: testBucket, Key: "a", LocalPath: filepath.Join(real, "same")})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e1, id, 100<<10)

	opts2 := env.testOptions()
	opts2.StateDir = filepath.Join(env.dir, "state2")
	opts2.CheckpointDir = filepath.Join(env.dir, "elsewhere-checkpoints")
	e2 := env.open(opts2)
	for _, dest := range []string{filepath.Join(real, "same"), filepath.Join(link, "same")} {
		_, err := e2.Add(Spec{Direction: Download, Bucket: testBucket, Key: "a", LocalPath: dest})
		if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "another ossq process") {
			t.Errorf("second engine, %s: %v, want ErrBusy held by another ossq process", dest, err)
		}
	}
	env.srv.SetFaults(ossemu.Faults{})
	mustDone(t, e1, id)
	assertGenerated(t, filepath.Join(real, "same"), 2<<20, 1)
	ents, err := os.ReadDir(real)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		var names []string
		for _, de := range ents {
			names = append(names, de.Name())
		}
		t.Errorf("destination folder holds %v, want only the file", names)
	}
	// Free again: the second engine may now write it.
	id2, err := e2.Add(Spec{Direction: Download, Bucket: testBucket, Key: "a", LocalPath: filepath.Join(link, "same")})
	if err != nil {
		t.Fatalf("Add after the first finished: %v", err)
	}
	mustDone(t, e2, id2)
}

// TestDestLockNames: the lock name fits a file name, is recognised, and
// keys that would collide with it are refused.
func TestDestLockNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 127) // 254 bytes
	for _, base := range []string{"f", long} {
		name := destLockName(base)
		if len(name) > maxNameBytes || !looksLikeLockName(name) {
			t.Errorf("destLockName(%d bytes) = %d bytes, recognised %v", len(base), len(name), looksLikeLockName(name))
		}
	}
	if destLockName(long+"a") == destLockName(long+"b") {
		t.Error("long names that differ at the end share a lock name")
	}
	if _, err := LocalPathForKey("/d", "p/.x.ossq-lock", "p/"); err == nil {
		t.Error("a key with a lock's name was accepted")
	}
}

// TestLockProbeCreatesNothing: probing a destination's lock when a
// download is queued makes neither its folder nor a lock file; only the
// run does, and it removes the file when done.
func TestLockProbeCreatesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, dest := range []string{filepath.Join(dir, "f"), filepath.Join(dir, "sub", "f")} {
		tr := &transfer{spec: Spec{Direction: Download, LocalPath: dest}, lockPath: destLockPath(dest)}
		if err := probeLock(tr); err != nil || tr.probedHeld {
			t.Fatalf("probe %s: %v, held %v", dest, err, tr.probedHeld)
		}
		if _, err := os.Lstat(filepath.Dir(tr.lockPath)); filepath.Dir(dest) != dir && !os.IsNotExist(err) {
			t.Errorf("probe made the folder of %s (%v)", dest, err)
		}
		if _, err := os.Lstat(tr.lockPath); !os.IsNotExist(err) {
			t.Errorf("probe made the lock file %s (%v)", tr.lockPath, err)
		}
		l, ok, err := tryLockTarget(tr, true)
		if err != nil || !ok {
			t.Fatalf("lock %s: %v %v", dest, ok, err)
		}
		if err := probeLock(tr); err != nil || !tr.probedHeld {
			t.Errorf("probe of a held lock %s: %v, held %v", dest, err, tr.probedHeld)
		}
		l.removeAndUnlock()
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "sub" { // made by the real lock, not the probe
		t.Errorf("folder holds %v, want only sub/", ents)
	}
	if sub, _ := os.ReadDir(filepath.Join(dir, "sub")); len(sub) != 0 {
		t.Errorf("sub/ holds %v, want nothing", sub)
	}
}
