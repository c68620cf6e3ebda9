package transfer

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"ossq/internal/ossemu"
)

// TestCancelWhileWaitingForLockCleansUp: Cancel while the run waits for a
// destination lock held elsewhere (e.g. a CLI transfer) ended "canceled"
// with the multipart upload and checkpoint left behind.
func TestCancelWhileWaitingForLockCleansUp(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	src := filepath.Join(env.dir, "src")
	if err := os.WriteFile(src, randomData(2<<20, 6), 0o644); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	e, err := Open(env.store, env.testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, id, 300<<10)
	if err := e.Pause(id); err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, id)
	if u := env.openUploads(); len(u) != 1 {
		t.Fatalf("want one open upload after pause, got %v", u)
	}
	e.mu.Lock()
	lockPath := e.byID[id].lockPath
	e.mu.Unlock()
	other, ok, err := tryLockFile(lockPath) // as another process would hold it
	if err != nil || !ok {
		t.Fatalf("take lock: %v %v", ok, err)
	}
	if err := e.Resume(id); err != nil {
		t.Fatal(err)
	}
	if err := e.Cancel(id); err != nil {
		t.Fatal(err)
	}
	ts = waitFor(t, e, id)
	other.unlock()
	e.Close() // waits for the background cleanup
	if ts.State != StateCanceled {
		t.Fatalf("state %s, want canceled", ts.State)
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("canceled, but multipart upload left: %v", u)
	}
	if _, err := os.Stat(ts.CheckpointPath); !os.IsNotExist(err) {
		t.Errorf("canceled, but checkpoint left: %v", err)
	}
}

// failPartThreeStore fails part 3 permanently.
type failPartThreeStore struct{ Store }

func (s failPartThreeStore) UploadPart(ctx context.Context, b, k, id string, n int, body io.ReadSeeker, size int64) (string, string, error) {
	if n == 3 {
		return "", "", errors.New("permanent failure")
	}
	return s.Store.UploadPart(ctx, b, k, id, n, body, size)
}

// TestCancelAfterRunDecidedCleansUp: a Cancel landing after the run read
// its intent (and so decided not to clean up) but before finish must still
// clean up, since the transfer ends canceled.
func TestCancelAfterRunDecidedCleansUp(t *testing.T) {
	env := newTestEnv(t)
	src := filepath.Join(env.dir, "src")
	if err := os.WriteFile(src, randomData(2<<20, 6), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := env.testOptions()
	opts.Parallel = 1
	e, err := Open(failPartThreeStore{env.store}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	idCh := make(chan ID, 1)
	testHookAfterIntent = func() {
		if err := e.Cancel(<-idCh); err != nil {
			t.Errorf("Cancel in the window: %v", err)
		}
	}
	t.Cleanup(func() { testHookAfterIntent = nil })
	id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	idCh <- id
	ts := waitFor(t, e, id)
	e.Close() // waits for the background cleanup
	if ts.State != StateCanceled {
		t.Fatalf("state %s (%q), want canceled", ts.State, ts.Err)
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("canceled, but multipart upload left: %v", u)
	}
	if _, err := os.Stat(ts.CheckpointPath); !os.IsNotExist(err) {
		t.Errorf("canceled, but checkpoint left: %v", err)
	}
}
