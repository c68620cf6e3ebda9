package transfer

import (
	"os"
	"path/filepath"
	"testing"

	"ossq/internal/ossemu"
)

// TestPauseThenCloseStaysPaused: quitting right after Pause must not save the
// transfer as running (it would start again on the next Open).
func TestPauseThenCloseStaysPaused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", 3<<20, 7, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	opts := env.testOptions()
	e1, err := Open(env.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e1.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: filepath.Join(env.dir, "obj")})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e1, id, 256<<10)
	if err := e1.Pause(id); err != nil {
		t.Fatal(err)
	}
	e1.Close()
	if ts, _ := e1.Get(id); ts.State != StatePaused {
		t.Errorf("after Pause+Close: state %s, want paused", ts.State)
	}
	env.srv.SetFaults(ossemu.Faults{})
	e2 := env.open(opts) // ResumeOnStart: a transfer saved as running would start
	if ts, _ := e2.Get(id); ts.State != StatePaused {
		t.Errorf("after reopen: state %s, want paused", ts.State)
	}
}

// TestCancelThenCloseCleansUp: quitting right after Cancel must still abort
// the multipart upload and leave the transfer canceled.
func TestCancelThenCloseCleansUp(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	src := filepath.Join(env.dir, "src")
	if err := os.WriteFile(src, randomData(2<<20, 6), 0o644); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	opts := env.testOptions()
	e1, err := Open(env.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e1.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e1, id, 300<<10)
	if err := e1.Cancel(id); err != nil {
		t.Fatal(err)
	}
	e1.Close()
	ts, _ := e1.Get(id)
	if ts.State != StateCanceled {
		t.Errorf("after Cancel+Close: state %s, want canceled", ts.State)
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("multipart uploads left after Cancel+Close: %v", u)
	}
	if _, err := os.Stat(ts.CheckpointPath); !os.IsNotExist(err) {
		t.Errorf("checkpoint left after Cancel+Close: %v", err)
	}
	e2 := env.open(opts)
	if ts, _ := e2.Get(id); ts.State != StateCanceled {
		t.Errorf("after reopen: state %s, want canceled", ts.State)
	}
}
