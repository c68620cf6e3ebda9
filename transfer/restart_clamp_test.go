package transfer

import (
	"os"
	"ossq/internal/ossname"
	"path/filepath"
	"testing"
	"time"
)

// TestRestoredParallelIsClamped: an edited queue.json with a huge parallel
// must not open one request per part at once.
func TestRestoredParallelIsClamped(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	rec := queueRecord{ID: "edited", State: StatePaused, Size: -1, Parallel: 100000, Added: time.Now(),
		Spec: Spec{Direction: Download, Bucket: testBucket, Key: "k", LocalPath: filepath.Join(env.dir, "k")}}
	if err := saveQueue(filepath.Join(opts.StateDir, queueFileName), []queueRecord{rec}); err != nil {
		t.Fatal(err)
	}
	e := env.open(opts)
	ts, ok := e.Get("edited")
	if !ok {
		t.Fatal("restored entry missing")
	}
	if ts.Parallel != ossname.MaxParallel {
		t.Errorf("restored parallel %d, want it clamped to %d", ts.Parallel, ossname.MaxParallel)
	}
	// The first release's queue.json is imported once and moved aside.
	if _, err := os.Stat(filepath.Join(opts.StateDir, queueFileName)); !os.IsNotExist(err) {
		t.Errorf("queue.json still in place after the import: %v", err)
	}
	if _, err := os.Stat(filepath.Join(opts.StateDir, queueFileName+".imported")); err != nil {
		t.Errorf("queue.json not kept aside: %v", err)
	}
}
