package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"ossq/internal/ossemu"
)

// leftovers lists temp files under dir and the checkpoints in cpDir.
func leftovers(t *testing.T, dir, cpDir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && looksLikeTempName(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	ents, _ := os.ReadDir(cpDir)
	for _, de := range ents {
		if strings.HasSuffix(de.Name(), ".cp") {
			out = append(out, filepath.Join(cpDir, de.Name()))
		}
	}
	return out
}

func assertFailedAndClean(t *testing.T, env *testEnv, ts TransferSnapshot, errHas string) {
	t.Helper()
	if ts.State != StateFailed || !strings.Contains(ts.Err, errHas) {
		t.Fatalf("state %s err %q; want failed with %q", ts.State, ts.Err, errHas)
	}
	if l := leftovers(t, env.dir, filepath.Join(env.dir, "state", "checkpoints")); len(l) != 0 {
		t.Errorf("left behind after a failure that cannot be resumed: %v", l)
	}
}

// TestPermanentFailuresRemoveTheirTempFile: a failure no rerun can finish
// from leaves no temp file or checkpoint, and the notice says it removed
// them.
func TestPermanentFailuresRemoveTheirTempFile(t *testing.T) {
	t.Parallel()
	t.Run("object deleted while paused", func(t *testing.T) {
		env := newTestEnv(t)
		e, id, _, cp := pausedDownload(t, env, 3<<20, 12)
		if _, err := env.client.DeleteObject(testCtx(t, 30e9), &oss.DeleteObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("obj")}); err != nil {
			t.Fatal(err)
		}
		if err := e.Resume(id); err != nil {
			t.Fatal(err)
		}
		ts := waitFor(t, e, id)
		assertFailedAndClean(t, env, ts, "NoSuchKey")
		if !strings.Contains(ts.Notice, "removed the partial download "+cp.TempPath) {
			t.Errorf("notice %q does not say the temp file was removed", ts.Notice)
		}
	})
	t.Run("dangling symlink at the destination", func(t *testing.T) {
		env := newTestEnv(t)
		e, id, dest, _ := pausedDownload(t, env, 3<<20, 13)
		if err := os.Symlink(filepath.Join(env.dir, "nowhere"), dest); err != nil {
			t.Fatal(err)
		}
		if err := e.Resume(id); err != nil {
			t.Fatal(err)
		}
		ts := waitFor(t, e, id)
		assertFailedAndClean(t, env, ts, "destination is a symbolic link")
		if !strings.Contains(ts.Notice, "removed the partial download") {
			t.Errorf("notice %q does not say the temp file was removed", ts.Notice)
		}
	})
	t.Run("key colliding with a prefix", func(t *testing.T) {
		env := newTestEnv(t)
		env.srv.PutGenerated(testBucket, "p/dir", 1<<20, 14, "")
		env.srv.PutBytes(testBucket, "p/dir/file", []byte("inside"))
		env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10, OnlyMethods: []string{"GET"}})
		e := env.open(env.testOptions())
		id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "p/", LocalPath: filepath.Join(env.dir, "out")})
		if err != nil {
			t.Fatal(err)
		}
		// dir/file (small) lands first and makes "dir" a folder; the big
		// "dir" then finds a folder where its file should go.
		waitFor(t, e, id)
		failed := treeItems(t, e, id, ItemFailed)
		if len(failed) != 1 || failed[0].Key != "p/dir" || !strings.Contains(failed[0].Reason, "is a folder") {
			t.Fatalf("failed items %+v, want p/dir: is a folder", failed)
		}
		if l := leftovers(t, env.dir, filepath.Join(env.dir, "state", "checkpoints")); len(l) != 0 {
			t.Errorf("left behind after a failure that cannot be resumed: %v", l)
		}
	})
	t.Run("object larger than the file system", func(t *testing.T) {
		env := newTestEnv(t)
		capacity, ok := fsCapacity(env.dir)
		if !ok {
			t.Fatalf("capacity of the file system of %s unknown", env.dir)
		}
		// Just over the capacity: the server's cost of a generated object
		// grows with its size.
		if err := env.srv.PutGenerated(testBucket, "huge", capacity+1<<30, 1, ""); err != nil {
			t.Fatal(err)
		}
		e := env.open(env.testOptions())
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "huge", LocalPath: filepath.Join(env.dir, "huge")})
		if err != nil {
			t.Fatal(err)
		}
		assertFailedAndClean(t, env, waitFor(t, e, id), "larger than the file system")
	})
}

// TestDiskFullPauseSaysWhatItKeeps: a disk-full pause keeps the temp file
// and names it with the space it takes.
func TestDiskFullPauseSaysWhatItKeeps(t *testing.T) {
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", 3<<20, 15, "")
	var budget atomic.Int64
	budget.Store(1 << 20)
	orig := wrapTempFile
	wrapTempFile = func(f *os.File) tempFile { return fullDisk{File: f, budget: &budget} }
	t.Cleanup(func() { wrapTempFile = orig })
	e := env.open(env.testOptions())
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: filepath.Join(env.dir, "obj")})
	if err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, id)
	cp, err := readCheckpoint(ts.CheckpointPath)
	if err != nil {
		t.Fatal(err)
	}
	// The write error names the temp file; the detail says it is kept there
	// and how much it holds, all within the summary's length.
	if ts.State != StatePaused || strings.Count(ts.Err, cp.TempPath) != 1 || !strings.Contains(ts.Err, "kept there") ||
		!strings.Contains(ts.Err, "of the 3.0 MiB file): free space and resume, or cancel to delete it") {
		t.Fatalf("state %s err %q; want paused, naming %s and its size", ts.State, ts.Err, cp.TempPath)
	}
	if _, err := os.Stat(cp.TempPath); err != nil {
		t.Errorf("temp file not kept: %v", err)
	}
}
