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
	assertFile(t, filepath.Join(real, "same"), generated(2<<20, 1))
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
