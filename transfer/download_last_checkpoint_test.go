package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
)

// TestDestinationTakenAtTheEndKeepsAllDoneCheckpoint: a completed download
// writes no last checkpoint of its own, so when the file cannot be moved
// into place (ask, and a file appeared there) the download saves one that
// claims every part: a later overwrite fetches nothing again.
func TestDestinationTakenAtTheEndKeepsAllDoneCheckpoint(t *testing.T) {
	const size = 1 << 20
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", size, 21, "")
	dest := filepath.Join(env.dir, "obj")
	users := []byte("appeared while the download ran")
	testHookBeforeMove = func(string) {
		if err := os.WriteFile(dest, users, 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { testHookBeforeMove = nil })
	opts := env.testOptions()
	opts.OnExists = ExistsAsk
	e := env.open(opts)
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, id)
	if ts.State != StateFailed {
		t.Fatalf("state %s %q, want failed: destination exists", ts.State, ts.Err)
	}
	testHookBeforeMove = nil
	cp, err := readCheckpoint(ts.CheckpointPath)
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	for i, p := range cp.Parts {
		if _, n := partRange(cp.Size, cp.PartSize, i); p.Done != n {
			t.Errorf("part %d: checkpoint claims %d of %d bytes", p.Number, p.Done, n)
		}
	}
	e.Close()

	env.quiesce()
	env.srv.ResetStats()
	opts.OnExists = ExistsOverwrite
	e = env.open(opts)
	id, err = e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	if got := env.srv.Stats().GetBodyBytes; got != 0 {
		t.Errorf("the overwrite fetched %d bytes again", got)
	}
	assertGenerated(t, dest, size, 21)
}

// TestCrashAfterMoveIntoPlaceIsComplete: a crash after the rename but
// before the checkpoint was removed leaves the file in place (the object's
// size and time) and the temp file gone: that is the finished download, not
// a re-download. The checkpoint may claim every part, or lag its last parts
// (no last write once every part is in); a lagging one is trusted only when
// the rename changed the file after it — a file of the same size and time
// that was there before it (an older, damaged copy) is fetched again.
func TestCrashAfterMoveIntoPlaceIsComplete(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		claimsAll   bool // the checkpoint claims every part (else the first only)
		placedAfter bool // the file was renamed into place after the checkpoint
	}{
		{"every part claimed", true, false},
		{"lagging, placed after the checkpoint", false, true},
		{"lagging, there before the checkpoint", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			const size = 600 << 10
			data := generated(size, 23)
			env.srv.PutGenerated(testBucket, "obj", size, 23, "")
			opts := env.testOptions()
			obj, err := env.store.HeadObject(testCtx(t, 30*time.Second), testBucket, "obj")
			if err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(env.dir, "obj")
			side := filepath.Join(env.dir, "side")
			trusted := tc.claimsAll || tc.placedAfter
			onDisk := data
			if !trusted {
				onDisk = generated(size, 99) // same size and time, other bytes
			}
			if err := os.WriteFile(side, onDisk, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(side, time.Now(), obj.LastModified); err != nil {
				t.Fatal(err)
			}
			if !tc.placedAfter {
				if err := os.Rename(side, dest); err != nil {
					t.Fatal(err)
				}
			}
			cp := &checkpoint{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest, PartSize: opts.PartSize,
				Size: size, ETag: obj.ETag, VersionID: obj.VersionID, LastModified: obj.LastModified.UnixNano(),
				CRC64: obj.CRC64, TempPath: tempPathFor(dest)}
			cp.Parts = make([]cpPart, partCount(size, opts.PartSize))
			for i := range cp.Parts {
				cp.Parts[i] = cpPart{Number: i + 1}
			}
			for i := range cp.Parts {
				if _, n := partRange(size, opts.PartSize, i); tc.claimsAll || i == 0 {
					cp.Parts[i].Done = n // else the last batch saw only the first part
				}
			}
			cpDir := filepath.Join(opts.StateDir, "checkpoints")
			if err := os.MkdirAll(cpDir, 0o700); err != nil {
				t.Fatal(err)
			}
			cpPath := filepath.Join(cpDir, checkpointName(Download, testBucket, "obj", dest))
			if err := writeCheckpoint(cpPath, cp); err != nil {
				t.Fatal(err)
			}
			if tc.placedAfter {
				if err := os.Rename(side, dest); err != nil { // the move into place, then the crash
					t.Fatal(err)
				}
			} else if !tc.claimsAll {
				// File timestamps are coarse (a clock tick): make "written
				// after the file" unmistakable.
				later := time.Now().Add(time.Second)
				if err := os.Chtimes(cpPath, later, later); err != nil {
					t.Fatal(err)
				}
			}
			env.srv.ResetStats()
			e := env.open(opts)
			id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest, OnExists: ExistsOverwrite})
			if err != nil {
				t.Fatal(err)
			}
			ts := mustDone(t, e, id)
			got := env.srv.Stats().GetBodyBytes
			if trusted && got != 0 {
				t.Errorf("downloaded %d bytes again (notice %q)", got, ts.Notice)
			}
			if !trusted && got < size {
				t.Errorf("an older file of the same size and time was trusted: %d bytes fetched", got)
			}
			if ts.Done != size {
				t.Errorf("done %d, want %d", ts.Done, size)
			}
			assertFile(t, dest, data)
			if _, err := os.Stat(cpPath); !os.IsNotExist(err) {
				t.Errorf("checkpoint left: %v", err)
			}
		})
	}
}

// TestFirstCheckpointNamesTempWhileFetching: the first checkpoint is
// written beside the running workers, not before them; it still names the
// temp file while the download runs, so a crash leaves nothing unknown.
func TestFirstCheckpointNamesTempWhileFetching(t *testing.T) {
	const size = 2 << 20
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", size, 25, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "obj")
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, id, 64<<10)
	ts, _ := e.Get(id)
	var cp *checkpoint
	for i := 0; i < 500 && cp == nil; i++ { // the owner writes it within moments; bounded
		cp, _ = readCheckpoint(ts.CheckpointPath)
		if cp == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if cp == nil {
		t.Fatalf("no checkpoint at %s while the download runs", ts.CheckpointPath)
	}
	if !isOurTemp(cp.TempPath, dest) {
		t.Errorf("checkpoint names temp %q, not one of %s", cp.TempPath, dest)
	}
	if _, err := os.Stat(cp.TempPath); err != nil {
		t.Errorf("the temp file the checkpoint names: %v", err)
	}
	env.srv.SetFaults(ossemu.Faults{})
	mustDone(t, e, id)
	assertGenerated(t, dest, size, 25)
}

// TestFirstCheckpointFailureStopsDownload: with the first checkpoint
// written beside the workers, a state folder that cannot take it still
// stops the download with that error instead of running unrecorded.
func TestFirstCheckpointFailureStopsDownload(t *testing.T) {
	const size = 2 << 20
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", size, 27, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	opts := env.testOptions()
	e := env.open(opts)
	cpDir := filepath.Join(opts.StateDir, "checkpoints")
	if err := os.RemoveAll(cpDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cpDir, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(env.dir, "obj")
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, id)
	if ts.State != StateFailed || !strings.Contains(ts.Err, "checkpoint") {
		t.Fatalf("state %s err %q, want failed with the checkpoint error", ts.State, ts.Err)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("destination exists after the failure: %v", err)
	}
}
