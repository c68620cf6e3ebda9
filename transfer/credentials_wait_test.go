package transfer

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ossq/internal/ossemu"
)

// TestJobsWaitForCredentialsAndGoOn: when the server refuses the keys and
// the source has no better ones, a download and a folder job pause with
// "credentials expired — waiting for new credentials" (not failed), keep
// their progress, and go on by themselves once the source yields new keys,
// ending identical.
func TestJobsWaitForCredentialsAndGoOn(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, time.Hour)
	var mu sync.Mutex
	current := env.temporaryKeys(t)
	store := env.store(t, "test source", func(context.Context) (Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		return current, nil
	})
	const size = 3 << 20
	env.srv.PutGenerated(testBucket, "big.bin", size, 7, "")
	for i := range 40 {
		env.srv.PutBytes(testBucket, fmt.Sprintf("tree/f%02d", i), []byte(fmt.Sprintf("file %d", i)))
	}
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
	dir := t.TempDir()
	e, err := Open(store, Options{StateDir: filepath.Join(dir, "state"), PartSize: 256 << 10, MultipartThreshold: 256 << 10,
		RetryDelay: 5 * time.Millisecond, OnExists: ExistsOverwrite, FileParallel: 2, credentialPoll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	single, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "big.bin", LocalPath: filepath.Join(dir, "big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, single, 512<<10)
	tree, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "tree/", LocalPath: filepath.Join(dir, "tree")})
	if err != nil {
		t.Fatal(err)
	}
	env.srv.ExpireTemporaryCredentials() // every key handed out so far is refused from now on
	for _, id := range []ID{single, tree} {
		ts := waitFor(t, e, id)
		if ts.State != StatePaused || ts.Err != ErrCredentials.Error() {
			t.Fatalf("%s: %s %q, want paused waiting for credentials", ts.Key, ts.State, ts.Err)
		}
	}
	mu.Lock()
	current = env.temporaryKeys(t) // the source recovers
	mu.Unlock()
	for _, id := range []ID{single, tree} {
		for i := 0; ; i++ {
			if ts, _ := e.Get(id); ts.State != StatePaused {
				break
			}
			if i > 1000 {
				t.Fatalf("%s still waits after the source recovered", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	ts := mustDone(t, e, single)
	if ts.Retries > 6 {
		t.Errorf("%d retries: the wait must not spend the retry budget", ts.Retries)
	}
	assertGenerated(t, filepath.Join(dir, "big.bin"), size, 7)
	mustDone(t, e, tree)
	checkTotals(t, e)
	if js := jobOf(t, e, tree); js.Items.Done != 40 || js.Items.Failed != 0 {
		t.Fatalf("folder job after the wait: %+v", js.Items)
	}
}
