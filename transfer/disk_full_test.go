package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// fullDisk wraps a real temp file and fails writes with ENOSPC, as a full
// file system does, once its byte budget is spent.
type fullDisk struct {
	*os.File
	budget *atomic.Int64
}

func (f fullDisk) WriteAt(p []byte, off int64) (int, error) {
	if f.budget.Add(-int64(len(p))) < 0 {
		return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.WriteAt(p, off)
}

// A full disk pauses the transfer with a "disk full" error instead of
// failing it; after space is freed, Resume finishes it byte-identical and
// fetches only what the checkpoint did not hold.
//
// The full disk is simulated below the engine (the temp file's writes fail
// with a real ENOSPC error) because making a real file system full needs
// mount privileges the CI does not have.
func TestDiskFullPausesAndResumes(t *testing.T) {
	env := newTestEnv(t)
	const size = 3 << 20
	env.srv.PutGenerated(testBucket, "obj", size, 21, "")
	var budget atomic.Int64
	budget.Store(1 << 20)
	orig := wrapTempFile
	wrapTempFile = func(f *os.File) tempFile { return fullDisk{File: f, budget: &budget} }
	t.Cleanup(func() { wrapTempFile = orig })

	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "obj")
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	ts := waitFor(t, e, id)
	if ts.State != StatePaused || !strings.HasPrefix(ts.Err, "disk full: ") {
		t.Fatalf("state %s err %q, want paused with a disk-full error", ts.State, ts.Err)
	}
	recorded := recordedBytes(t, ts.CheckpointPath)
	if recorded > 1<<20 {
		t.Fatalf("checkpoint claims %d bytes, more than could be written (1 MiB)", recorded)
	}
	budget.Store(1 << 40) // space freed
	env.quiesce()
	env.srv.ResetStats()
	if err := e.Resume(id); err != nil {
		t.Fatal(err)
	}
	ts = mustDone(t, e, id)
	if ts.Err != "" {
		t.Errorf("error %q kept after success", ts.Err)
	}
	assertGenerated(t, dest, size, 21)
	if got := env.srv.Stats().GetBodyBytes; got != size-recorded {
		t.Errorf("resume fetched %d, want %d", got, size-recorded)
	}
}
