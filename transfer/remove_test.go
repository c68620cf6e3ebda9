package transfer

import (
	"os"
	"path/filepath"
	"testing"

	"ossq/internal/ossemu"
)

// TestRemoveOldRowKeepsNewTransfersCheckpoint: a failed download is added
// again; removing the old failed row must not delete the paused new
// transfer's checkpoint and temp file, which share its target.
func TestRemoveOldRowKeepsNewTransfersCheckpoint(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	e, err := Open(env.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dest := filepath.Join(env.dir, "obj")
	old, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, old); ts.State != StateFailed {
		t.Fatalf("want failed (404), got %s", ts.State)
	}
	env.srv.PutGenerated(testBucket, "obj", 3<<20, 7, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	nw, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, nw, 512<<10)
	if err := e.Pause(nw); err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, nw)
	before := recordedBytes(t, ts.CheckpointPath)
	cp, err := readCheckpoint(ts.CheckpointPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Remove(old); err != nil {
		t.Fatal(err)
	}
	e.Close() // waits for any background cleanup
	if _, err := os.Stat(ts.CheckpointPath); err != nil {
		t.Fatalf("removing the old failed row deleted the new transfer's checkpoint (%d bytes recorded): %v", before, err)
	}
	if _, err := os.Stat(cp.TempPath); err != nil {
		t.Errorf("removing the old failed row deleted the new transfer's temp file: %v", err)
	}
	env.srv.SetFaults(ossemu.Faults{})
	e2 := env.open(opts)
	if err := e2.Resume(nw); err != nil {
		t.Fatal(err)
	}
	mustDone(t, e2, nw)
	assertGenerated(t, dest, 3<<20, 7)
}
