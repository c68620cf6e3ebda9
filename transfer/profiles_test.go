package transfer

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestJobsKeepTheirProfileAcrossRestarts: jobs queued under two profiles
// (two servers, each with a bucket of the same name) each go to their own
// server after a restart under the other profile; a job whose profile is
// gone waits, saying so.
func TestJobsKeepTheirProfileAcrossRestarts(t *testing.T) {
	t.Parallel()
	a, b := newTestEnv(t), newTestEnv(t)
	a.srv.PutBytes(testBucket, "k", []byte("from server a"))
	b.srv.PutBytes(testBucket, "k", []byte("from server b"))
	b.srv.PutBytes(testBucket, "dir/f", []byte("tree file on b"))
	stores := map[string]Store{"a": a.store, "b": b.store}
	storeFor := func(name string) (Store, error) {
		if s := stores[name]; s != nil {
			return s, nil
		}
		return nil, errors.New(`profile "` + name + `" not found`)
	}
	opts := a.testOptions()
	opts.ResumeOnStart = false
	opts.Profile, opts.Endpoint, opts.StoreFor = "a", a.endpoint, storeFor
	e1, err := Open(a.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	dir := a.dir
	add := func(spec Spec) ID {
		id, err := e1.Add(spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := e1.Pause(id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	onA := add(Spec{Direction: Download, Bucket: testBucket, Key: "k", LocalPath: filepath.Join(dir, "a.txt")})
	onB := add(Spec{Direction: Download, Bucket: testBucket, Key: "k", LocalPath: filepath.Join(dir, "b.txt"), Profile: "b"})
	gone := add(Spec{Direction: Download, Bucket: testBucket, Key: "k", LocalPath: filepath.Join(dir, "c.txt"), Profile: "c"})
	tree, err := e1.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "dir/", LocalPath: filepath.Join(dir, "tree"), Profile: "b"})
	if err != nil {
		t.Fatal(err)
	}
	e1.Pause(tree)
	for _, id := range []ID{onA, onB, gone, tree} {
		waitFor(t, e1, id)
	}
	if ts, _ := e1.Get(onA); ts.Profile != "a" {
		t.Errorf("a job queued without a profile records %q, want the engine's \"a\"", ts.Profile)
	}
	e1.Close()

	opts.Profile, opts.Endpoint = "b", b.endpoint
	e2, err := Open(b.store, opts) // started under the other profile
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e2.Close() })
	e2.ResumeAll()
	mustDone(t, e2, onA)
	mustDone(t, e2, onB)
	mustDone(t, e2, tree)
	assertFile(t, filepath.Join(dir, "a.txt"), []byte("from server a"))
	assertFile(t, filepath.Join(dir, "b.txt"), []byte("from server b"))
	assertFile(t, filepath.Join(dir, "tree", "f"), []byte("tree file on b"))
	ts := waitFor(t, e2, gone)
	if ts.State != StatePaused || !strings.Contains(ts.Err, `queued under profile "c"`) {
		t.Errorf("job of a missing profile: %s %q, want paused naming the profile", ts.State, ts.Err)
	}
}
