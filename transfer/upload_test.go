package transfer

import (
	"bytes"
	"hash/crc64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossname"
)

func TestUploadRoundTrip(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	files := map[string][]byte{
		"multi.bin": randomData(2<<20+333, 1),
		"small.bin": randomData(10<<10, 2),
		"empty.bin": nil,
	}
	e := env.open(env.testOptions())
	ids := map[string]ID{}
	for name, data := range files {
		p := filepath.Join(env.dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "u/" + name, LocalPath: p})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = id
	}
	for name, id := range ids {
		ts := mustDone(t, e, id)
		if got := env.srv.Object("u/" + name); string(got) != string(files[name]) {
			t.Errorf("%s: object differs (%d bytes, want %d)", name, len(got), len(files[name]))
		}
		obj, err := env.store.HeadObject(testCtx(t, 10*time.Second), testBucket, "u/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if obj.Size != int64(len(files[name])) {
			t.Errorf("%s: size %d", name, obj.Size)
		}
		if name == "multi.bin" && len(ts.Parts) != partCount(int64(len(files[name])), 128<<10) {
			t.Errorf("multi.bin: %d parts", len(ts.Parts))
		}
	}
	if env.srv.Stats().Requests["InitiateMultipartUpload"] != 1 {
		t.Errorf("initiate count %d, want 1 (only multi.bin is above the threshold)", env.srv.Stats().Requests["InitiateMultipartUpload"])
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("multipart uploads left: %v", u)
	}
}

// Pause and resume an upload: parts the server already holds are reused
// (ListParts reconciliation), not sent again.
func TestUploadResumeReusesParts(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	data := randomData(3<<20, 3)
	src := filepath.Join(env.dir, "src")
	os.WriteFile(src, data, 0o644)
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
	e := env.open(env.testOptions())
	id, _ := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	waitProgress(t, e, id, 1<<20)
	e.Pause(id)
	ts := waitFor(t, e, id)
	if ts.State != StatePaused {
		t.Fatalf("state %s", ts.State)
	}
	cp, err := readCheckpoint(ts.CheckpointPath)
	if err != nil {
		t.Fatal(err)
	}
	var saved int64
	for _, p := range cp.Parts {
		if p.ETag != "" {
			saved += p.Done
		}
	}
	if saved == 0 || cp.UploadID == "" {
		t.Fatalf("checkpoint holds no finished part (saved %d, upload %q)", saved, cp.UploadID)
	}
	env.quiesce()
	env.srv.SetFaults(ossemu.Faults{})
	env.srv.ResetStats()
	e.Resume(id)
	mustDone(t, e, id)
	if got := env.srv.Object("k"); string(got) != string(data) {
		t.Fatal("object differs")
	}
	st := env.srv.Stats()
	if st.Requests["InitiateMultipartUpload"] != 0 {
		t.Errorf("resume started a new multipart upload")
	}
	if st.PutBodyBytes != int64(len(data))-saved {
		t.Errorf("resume sent %d bytes, want exactly %d (size - parts already held)", st.PutBodyBytes, int64(len(data))-saved)
	}
}

// The local file changes while it is being uploaded: the upload restarts
// with the reason shown, and the object ends up equal to the new file.
func TestLocalFileChangedMidUpload(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	src := filepath.Join(env.dir, "src")
	os.WriteFile(src, randomData(2<<20, 4), 0o644)
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	e := env.open(env.testOptions())
	id, _ := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	waitProgress(t, e, id, 300<<10)
	final := randomData(2<<20, 5)
	if err := os.WriteFile(src, final, 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Minute)
	os.Chtimes(src, future, future) // make the change visible even on coarse mtime clocks
	env.srv.SetFaults(ossemu.Faults{})
	ts := mustDone(t, e, id)
	if !strings.Contains(ts.Notice, "local file changed") {
		t.Errorf("notice %q, want the local-file-changed reason", ts.Notice)
	}
	if got := env.srv.Object("k"); string(got) != string(final) {
		t.Fatal("object is not the final file content")
	}
	e.Close()
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("multipart uploads left: %v", u)
	}
}

func TestCancelUploadLeavesNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	src := filepath.Join(env.dir, "src")
	os.WriteFile(src, randomData(2<<20, 6), 0o644)
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	e := env.open(env.testOptions())
	id, _ := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	waitProgress(t, e, id, 300<<10)
	if u := env.openUploads(); len(u) != 1 {
		t.Fatalf("want one open upload mid-transfer, got %v", u)
	}
	if err := e.Cancel(id); err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, id)
	if ts.State != StateCanceled {
		t.Fatalf("state %s", ts.State)
	}
	e.Close() // waits for the background abort
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("multipart uploads left after cancel: %v", u)
	}
	if _, err := os.Stat(ts.CheckpointPath); !os.IsNotExist(err) {
		t.Errorf("checkpoint left after cancel")
	}
	if _, err := env.store.HeadObject(testCtx(t, 5*time.Second), testBucket, "k"); err == nil {
		t.Errorf("object exists after a canceled upload")
	}
}

// A transient ListParts failure keeps the upload ID (the SDK's uploader
// throws it away and starts over).
func TestUploadKeepsUploadIDOnTransientListPartsError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	data := randomData(1<<20, 8)
	src := filepath.Join(env.dir, "src")
	os.WriteFile(src, data, 0o644)
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	opts := env.testOptions()
	opts.Retries = 1
	e := env.open(opts)
	id, _ := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	waitProgress(t, e, id, 300<<10)
	e.Pause(id)
	ts := waitFor(t, e, id)
	cp, err := readCheckpoint(ts.CheckpointPath)
	if err != nil {
		t.Fatal(err)
	}
	env.quiesce()
	// Every request fails with 5xx: ListParts cannot succeed now.
	env.srv.SetFaults(ossemu.Faults{FailRate: 1})
	e.Resume(id)
	ts = waitFor(t, e, id)
	if ts.State != StateFailed {
		t.Fatalf("state %s, want failed while the server errors", ts.State)
	}
	cp2, err := readCheckpoint(ts.CheckpointPath)
	if err != nil || cp2.UploadID != cp.UploadID {
		t.Fatalf("upload ID not kept after a transient error: %v %q vs %q", err, cp2.UploadID, cp.UploadID)
	}
	env.srv.SetFaults(ossemu.Faults{})
	if err := e.Retry(id); err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	if got := env.srv.Object("k"); string(got) != string(data) {
		t.Fatal("object differs")
	}
	if n := env.srv.Stats().Requests["InitiateMultipartUpload"]; n != 1 {
		t.Errorf("%d InitiateMultipartUpload calls, want 1", n)
	}
}

func TestUploadPartSizeLimits(t *testing.T) {
	t.Parallel()
	cases := []struct{ size, want, got int64 }{
		{10 << 20, 8 << 20, 8 << 20},
		{10 << 20, 1, ossname.MinPartSize},
		{100 << 30, 1 << 20, 10739712}, // ceil(100 GiB / 10000) rounded up to 4 KiB
	}
	for _, c := range cases {
		ps := uploadPartSize(c.size, c.want)
		if ps != c.got {
			t.Errorf("uploadPartSize(%d, %d) = %d, want %d", c.size, c.want, ps, c.got)
		}
		if n := partCount(c.size, ps); n > ossname.MaxParts {
			t.Errorf("size %d: %d parts", c.size, n)
		}
	}
}

// Without a checkpoint a paused upload cannot resume, so its multipart
// upload is aborted at once instead of being left on the server; Cancel
// followed by Retry starts cleanly (the cleanup does not block the lock).
func TestNoCheckpointPauseAbortsAndCancelRetry(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	data := randomData(2<<20, 12)
	src := filepath.Join(env.dir, "src")
	os.WriteFile(src, data, 0o644)
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	e := env.open(env.testOptions())
	id, _ := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src, NoCheckpoint: true})
	waitProgress(t, e, id, 300<<10)
	e.Pause(id)
	if ts := waitFor(t, e, id); ts.State != StatePaused {
		t.Fatalf("state %s", ts.State)
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Fatalf("paused NoCheckpoint upload left %v", u)
	}
	e.Resume(id)
	// Nothing resumes without a checkpoint, so the new run shows its own
	// progress, not the aborted run's.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		ts, _ := e.Get(id)
		if ts.State == StateRunning {
			if ts.Done >= 300<<10 {
				t.Fatalf("resumed NoCheckpoint upload shows %d bytes done from the last run", ts.Done)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not running after Resume: %s", ts.State)
		}
	}
	waitProgress(t, e, id, 300<<10)
	e.Cancel(id)
	if ts := waitFor(t, e, id); ts.State != StateCanceled {
		t.Fatalf("state %s", ts.State)
	}
	env.srv.SetFaults(ossemu.Faults{})
	if err := e.Retry(id); err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	if got := env.srv.Object("k"); string(got) != string(data) {
		t.Fatal("object differs")
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("uploads left: %v", u)
	}
}

// A checkpointed part is reused only when the server lists it with the same
// ETag and size (and CRC64 when both have one).
func TestReconcileParts(t *testing.T) {
	t.Parallel()
	cp := &checkpoint{Size: 350, PartSize: 100, Parts: []cpPart{
		{Number: 1, Done: 100, ETag: `"A"`, CRC: 1},
		{Number: 2, Done: 100, ETag: `"B"`, CRC: 2},
		{Number: 3, Done: 100, ETag: `"C"`, CRC: 3},
		{Number: 4, Done: 50, ETag: `"D"`, CRC: 4},
	}}
	reconcileParts(cp, []UploadedPart{
		{Number: 1, ETag: `"a"`, Size: 100, CRC64: "1"}, // same ETag (case and quotes aside): kept
		{Number: 2, ETag: `"X"`, Size: 100},             // different ETag: upload again
		{Number: 3, ETag: `"C"`, Size: 99},              // different size: upload again
		{Number: 4, ETag: `"D"`, Size: 50, CRC64: "5"},  // CRC64 disagrees: upload again
	})
	want := []bool{true, false, false, false}
	for i, p := range cp.Parts {
		if kept := p.ETag != ""; kept != want[i] {
			t.Errorf("part %d kept=%v, want %v", i+1, kept, want[i])
		}
	}
	cp.Parts[0] = cpPart{Number: 1, Done: 100, ETag: `"A"`}
	reconcileParts(cp, nil) // the server lists nothing: nothing is reused
	if cp.Parts[0].ETag != "" {
		t.Error("part reused although the server does not hold it")
	}
}

// CompleteMultipartUpload succeeded but the answer was lost before the
// checkpoint was removed: the next run finds NoSuchUpload, sees the object
// on the server matches the checkpoint's parts (size and CRC64), and is
// done without uploading anything again.
func TestLostCompleteAnswerIsRecognised(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	data := randomData(600<<10, 13)
	src := filepath.Join(env.dir, "src")
	os.WriteFile(src, data, 0o644)
	opts := env.testOptions()
	e := env.open(opts)
	ctx := testCtx(t, 30*time.Second)
	stamp, err := statStamp(src)
	if err != nil {
		t.Fatal(err)
	}
	partSize := uploadPartSize(stamp.size, opts.PartSize)
	id, err := env.store.InitiateMultipart(ctx, testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	cp := &checkpoint{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src, PartSize: partSize,
		Size: stamp.size, FileMTime: stamp.mtime, UploadID: id}
	var done []UploadedPart
	for i := 0; i < partCount(stamp.size, partSize); i++ {
		off, n := partRange(stamp.size, partSize, i)
		etag, _, err := env.store.UploadPart(ctx, testBucket, "k", id, i+1, bytes.NewReader(data[off:off+n]), n)
		if err != nil {
			t.Fatal(err)
		}
		cp.Parts = append(cp.Parts, cpPart{Number: i + 1, Done: n, ETag: etag, CRC: crc64.Checksum(data[off:off+n], crcTable)})
		done = append(done, UploadedPart{Number: i + 1, ETag: etag})
	}
	if _, err := env.store.CompleteMultipart(ctx, testBucket, "k", id, done); err != nil {
		t.Fatal(err)
	}
	cpPath := filepath.Join(opts.StateDir, "checkpoints", checkpointName(Upload, testBucket, "k", src))
	if err := writeCheckpoint(cpPath, cp); err != nil {
		t.Fatal(err)
	}
	env.srv.ResetStats()
	tid, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	ts := mustDone(t, e, tid)
	if !strings.Contains(ts.Notice, "already complete") {
		t.Errorf("notice %q", ts.Notice)
	}
	st := env.srv.Stats()
	if st.Requests["UploadPart"] != 0 || st.Requests["PutObject"] != 0 || st.Requests["InitiateMultipartUpload"] != 0 {
		t.Errorf("data sent again: %v", st.Requests)
	}
	if got := env.srv.Object("k"); string(got) != string(data) {
		t.Fatal("object differs")
	}
}
