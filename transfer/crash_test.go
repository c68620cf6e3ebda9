package transfer

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCrashAfterMoveIntoPlaceIsComplete: a crash after the rename but
// before the checkpoint was removed left "temp file is missing" and a full
// re-download. The file in place (size and mtime of the object) is the
// finished download.
func TestCrashAfterMoveIntoPlaceIsComplete(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "crash/restart test")
	env := newTestEnv(t)
	const size = 600 << 10
	data := generated(size, 9)
	env.srv.PutGenerated(testBucket, "obj", size, 9, "")
	opts := env.testOptions()
	obj, err := env.store.HeadObject(testCtx(t, 30*time.Second), testBucket, "obj")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(env.dir, "obj")
	// What the crashed run left: the file in place, the all-done checkpoint.
	if err := os.WriteFile(dest, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(dest, time.Now(), obj.LastModified); err != nil {
		t.Fatal(err)
	}
	cp := &checkpoint{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest, PartSize: opts.PartSize,
		Size: size, ETag: obj.ETag, VersionID: obj.VersionID, LastModified: obj.LastModified.UnixNano(),
		CRC64: obj.CRC64, TempPath: tempPathFor(dest)}
	cp.Parts = make([]cpPart, partCount(size, opts.PartSize))
	for i := range cp.Parts {
		_, n := partRange(size, opts.PartSize, i)
		cp.Parts[i] = cpPart{Number: i + 1, Done: n}
	}
	cpDir := filepath.Join(opts.StateDir, "checkpoints")
	if err := os.MkdirAll(cpDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cpPath := filepath.Join(cpDir, checkpointName(Download, testBucket, "obj", dest))
	if err := writeCheckpoint(cpPath, cp); err != nil {
		t.Fatal(err)
	}
	env.srv.ResetStats()
	e := env.open(opts) // overwrite policy, as a restored transfer would have it
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	ts := mustDone(t, e, id)
	if got := env.srv.Stats().GetBodyBytes; got != 0 {
		t.Errorf("downloaded %d bytes again (notice %q)", got, ts.Notice)
	}
	assertFile(t, dest, data)
	if _, err := os.Stat(cpPath); !os.IsNotExist(err) {
		t.Errorf("checkpoint left: %v", err)
	}
	if ts.Done != size {
		t.Errorf("done %d, want %d", ts.Done, size)
	}
}
