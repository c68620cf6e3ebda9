package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
)

func TestDownloadRoundTrip(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	sizes := map[string]int64{"big.bin": 3<<20 + 12345, "small.bin": 50 << 10, "empty.bin": 0, "exact.bin": 256 << 10}
	for key, size := range sizes {
		if err := env.srv.PutGenerated(testBucket, key, size, int64(len(key)), ""); err != nil {
			t.Fatal(err)
		}
	}
	e := env.open(env.testOptions())
	ids := map[string]ID{}
	for key := range sizes {
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: key, LocalPath: filepath.Join(env.dir, "out", key)})
		if err != nil {
			t.Fatal(err)
		}
		ids[key] = id
	}
	for key, id := range ids {
		ts := mustDone(t, e, id)
		assertGenerated(t, filepath.Join(env.dir, "out", key), sizes[key], int64(len(key)))
		if ts.Done != sizes[key] || ts.Size != sizes[key] {
			t.Errorf("%s: done %d size %d, want %d", key, ts.Done, ts.Size, sizes[key])
		}
		if _, err := os.Stat(ts.CheckpointPath); !os.IsNotExist(err) {
			t.Errorf("%s: checkpoint left behind: %v", key, err)
		}
		obj, err := env.store.HeadObject(testCtx(t, 10*time.Second), testBucket, key)
		fi, serr := os.Stat(filepath.Join(env.dir, "out", key))
		if err != nil || serr != nil || !fi.ModTime().Equal(obj.LastModified) {
			t.Errorf("%s: mtime %v, want the object's Last-Modified %v (%v %v)", key, fi.ModTime(), obj.LastModified, err, serr)
		}
	}
	big, _ := e.Get(ids["big.bin"])
	if want := partCount(sizes["big.bin"], 128<<10); len(big.Parts) != want {
		t.Errorf("big.bin: %d parts in snapshot, want %d", len(big.Parts), want)
	}
	small, _ := e.Get(ids["small.bin"])
	if small.Parts != nil {
		t.Errorf("single-request download shows %d parts", len(small.Parts))
	}
	// No temp files remain beside the destinations.
	entries, _ := os.ReadDir(filepath.Join(env.dir, "out"))
	for _, de := range entries {
		if strings.Contains(de.Name(), ".ossq-") {
			t.Errorf("temp file left: %s", de.Name())
		}
	}
}

// A paused download, resumed, fetches exactly the bytes its checkpoint did
// not record.
func TestDownloadResumeFetchesOnlyMissing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const size = 4<<20 + 777
	env.srv.PutGenerated(testBucket, "obj", size, 42, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
	opts := env.testOptions()
	opts.PartSize = 256 << 10
	e := env.open(opts)
	dest := filepath.Join(env.dir, "obj")
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, id, 1<<20)
	if err := e.Pause(id); err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, id)
	if ts.State != StatePaused {
		t.Fatalf("state %s after pause, want paused", ts.State)
	}
	recorded := recordedBytes(t, ts.CheckpointPath)
	if recorded < 1<<20 || recorded >= size {
		t.Fatalf("checkpoint records %d bytes; want a partial download of at least 1 MiB", recorded)
	}
	if ts.Done != recorded {
		t.Errorf("paused snapshot says %d bytes done, checkpoint %d", ts.Done, recorded)
	}
	env.quiesce()
	env.srv.SetFaults(ossemu.Faults{})
	env.srv.ResetStats()
	if err := e.Resume(id); err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	assertGenerated(t, dest, size, 42)
	if got := env.srv.Stats().GetBodyBytes; got != size-recorded {
		t.Errorf("resume fetched %d bytes, want exactly size-recorded = %d", got, size-recorded)
	}
}

// Close mid-transfer and Open again on the same state dir: the transfer
// is back and finishes byte-identical by itself.
func TestCloseAndReopenResumes(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const size = 3 << 20
	env.srv.PutGenerated(testBucket, "obj", size, 7, "")
	up := randomData(2<<20+5, 9)
	src := filepath.Join(env.dir, "src.bin")
	os.WriteFile(src, up, 0o644)
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	opts := env.testOptions()
	e1, err := Open(env.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(env.dir, "obj")
	dl, _ := e1.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	ul, err := e1.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "up/src.bin", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e1, dl, 512<<10)
	waitProgress(t, e1, ul, 512<<10)
	if err := e1.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := e1.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatalf("destination exists before the download finished: %v", err)
	}
	env.srv.SetFaults(ossemu.Faults{})
	e2 := env.open(opts)
	mustDone(t, e2, dl)
	mustDone(t, e2, ul)
	assertGenerated(t, dest, size, 7)
	if got := env.srv.Object("up/src.bin"); string(got) != string(up) {
		t.Fatalf("uploaded object differs (%d bytes, want %d)", len(got), len(up))
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("multipart uploads left: %v", u)
	}
}

// The object is replaced while being downloaded: the ETag precondition
// fails, the download restarts and ends with the new content, never a mix.
func TestObjectReplacedMidDownload(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const size = 2 << 20
	env.srv.PutGenerated(testBucket, "obj", size, 1, "")
	env.srv.SetFaults(ossemu.Faults{ReplaceAfter: map[string]int64{testBucket + "/obj": 700 << 10}, Seed: 3})
	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "obj")
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	ts := mustDone(t, e, id)
	if !strings.Contains(ts.Notice, "restarted: object changed") {
		t.Errorf("notice %q, want a restart notice", ts.Notice)
	}
	now := env.srv.Object("obj")
	if string(now) == string(generated(size, 1)) {
		t.Fatal("the emulator did not replace the object; test is not testing anything")
	}
	assertFile(t, dest, now)
}

func TestArchiveNotRestoredFailsClearly(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "cold.tar", 1<<20, 5, "Archive")
	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "cold.tar")
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "cold.tar", LocalPath: dest})
	ts := waitFor(t, e, id)
	if ts.State != StateFailed || !strings.Contains(ts.Err, "object is in Archive storage; restore it first") {
		t.Fatalf("state %s err %q, want failed with the archive message", ts.State, ts.Err)
	}
	if env.srv.Stats().Requests["GetObject"] != 0 {
		t.Errorf("GET was attempted on an archived object")
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("destination created: %v", err)
	}
	// Through AddTree small objects are fetched GET-first; a cold one must
	// still fail with the storage class named.
	env.srv.PutGenerated(testBucket, "tree/cold.bin", 10<<10, 6, "ColdArchive")
	tid, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "tree/", LocalPath: filepath.Join(env.dir, "tree")})
	if err != nil {
		t.Fatalf("AddTree: %v", err)
	}
	if ts = waitFor(t, e, tid); ts.State != StateFailed {
		t.Fatalf("tree: state %s err %q, want failed", ts.State, ts.Err)
	}
	failed := treeItems(t, e, tid, ItemFailed)
	if len(failed) != 1 || !strings.Contains(failed[0].Reason, "object is in ColdArchive storage; restore it first") {
		t.Fatalf("failed items %+v, want the cold object with its storage class named", failed)
	}
	if failed[0].ErrInfo == nil || failed[0].ErrInfo.Code != "InvalidObjectState" {
		t.Errorf("ErrInfo %+v, want code InvalidObjectState", failed[0].ErrInfo)
	}
	// Once restored through the store's Restorer (x-oss-restore:
	// ongoing-request="false") it downloads.
	restorer, ok := env.store.(Restorer)
	if !ok {
		t.Fatal("the OSS store does not implement Restorer")
	}
	if err := restorer.RestoreObject(testCtx(t, 10*time.Second), testBucket, "cold.tar", 1); err != nil {
		t.Fatalf("RestoreObject: %v", err)
	}
	if obj, err := env.store.HeadObject(testCtx(t, 10*time.Second), testBucket, "cold.tar"); err != nil || NeedsRestore(obj) {
		t.Fatalf("after restore: %+v %v, want readable", obj, err)
	}
	if err := e.Retry(id); err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	assertGenerated(t, dest, 1<<20, 5)
}

// A server that always truncates bodies never produces a "done" file.
func TestTruncatingServerNeverPasses(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", 1<<20, 2, "")
	env.srv.SetFaults(ossemu.Faults{TruncateRate: 1, OnlyMethods: []string{"GET"}})
	opts := env.testOptions()
	opts.Retries = 2
	e := env.open(opts)
	dest := filepath.Join(env.dir, "obj")
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	ts := waitFor(t, e, id)
	if ts.State != StateFailed {
		t.Fatalf("state %s, want failed", ts.State)
	}
	if ts.Retries == 0 {
		t.Errorf("no retries recorded for transient truncations")
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatalf("destination exists after a truncated download: %v", err)
	}
	// A failed transfer keeps its checkpoint for Retry; removing it removes
	// what it left (temp file, checkpoint).
	if _, err := os.Stat(ts.CheckpointPath); err != nil {
		t.Fatalf("failed transfer has no checkpoint to retry from: %v", err)
	}
	if err := e.Remove(id); err != nil {
		t.Fatal(err)
	}
	e.Close() // waits for the cleanup
	entries, _ := os.ReadDir(env.dir)
	for _, de := range entries {
		if strings.Contains(de.Name(), ".ossq-") {
			t.Errorf("temp file left after Remove: %s", de.Name())
		}
	}
	if _, err := os.Stat(ts.CheckpointPath); !os.IsNotExist(err) {
		t.Errorf("checkpoint left after Remove: %v", err)
	}
}
