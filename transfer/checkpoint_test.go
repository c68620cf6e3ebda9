package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ossq/internal/ossemu"
)

func TestCheckpointEncodeDecode(t *testing.T) {
	t.Parallel()
	cp := &checkpoint{Direction: Download, Bucket: "b", Key: "k", LocalPath: "/x", PartSize: 100, Size: 250,
		ETag: `"E"`, TempPath: "/x.ossq-1.part", Parts: []cpPart{{Number: 1, Done: 100, CRC: 7}, {Number: 2, Done: 3, CRC: 9}, {Number: 3}}}
	data, err := encodeCheckpoint(cp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Parts[1].Done != 3 || got.Parts[1].CRC != 9 || got.ETag != `"E"` {
		t.Fatalf("round trip lost data: %+v", got)
	}
	bad := map[string][]byte{
		"empty":     nil,
		"truncated": data[:len(data)-5],
		"flipped":   bytes.Replace(data, []byte(`"done":3`), []byte(`"done":4`), 1),
		"magic":     append([]byte("XX"), data...),
		"version":   bytes.Replace(data, []byte(checkpointMagic+" 1"), []byte(checkpointMagic+" 9"), 1),
	}
	for name, b := range bad {
		if _, err := decodeCheckpoint(b); err == nil {
			t.Errorf("%s: corrupted checkpoint accepted", name)
		}
	}
	// A checksummed but impossible part list is refused too.
	cp.Parts[1].Done = 1000
	data, _ = encodeCheckpoint(cp)
	if _, err := decodeCheckpoint(data); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("out-of-range part accepted: %v", err)
	}
}

func TestCheckpointFileIsPrivateAndHasNoSecrets(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", 2<<20, 1, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	e := env.open(env.testOptions())
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: filepath.Join(env.dir, "obj")})
	waitProgress(t, e, id, 300<<10)
	e.Pause(id)
	ts := waitFor(t, e, id)
	fi, err := os.Stat(ts.CheckpointPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("checkpoint mode %v, want 0600", fi.Mode().Perm())
	}
	e.Close()
	q, err := os.Stat(filepath.Join(env.testOptions().StateDir, queueDBName))
	if err != nil {
		t.Fatal(err)
	}
	if q.Mode().Perm() != 0o600 {
		t.Errorf("queue file mode %v, want 0600", q.Mode().Perm())
	}
	for _, p := range []string{ts.CheckpointPath, filepath.Join(env.testOptions().StateDir, queueDBName)} {
		b, _ := os.ReadFile(p)
		for _, secret := range []string{"secret", "AccessKey", env.endpoint} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s contains %q", p, secret)
			}
		}
	}
}

// Corrupted, truncated or edited checkpoints make the download start over
// with a notice, and it still ends byte-identical.
func TestBadCheckpointStartsOver(t *testing.T) {
	t.Parallel()
	damage := map[string]func([]byte) []byte{
		"corrupted": func(b []byte) []byte { b[len(b)/2] ^= 0x55; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)/3] },
		"edited": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"done":`), []byte(`"done":1`), 1) // claims bytes, hash no longer matches
		},
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t)
			const size = 2 << 20
			env.srv.PutGenerated(testBucket, "obj", size, 11, "")
			env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
			e := env.open(env.testOptions())
			dest := filepath.Join(env.dir, "obj")
			id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
			waitProgress(t, e, id, 400<<10)
			e.Pause(id)
			ts := waitFor(t, e, id)
			b, err := os.ReadFile(ts.CheckpointPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ts.CheckpointPath, f(b), 0o600); err != nil {
				t.Fatal(err)
			}
			env.quiesce()
			env.srv.SetFaults(ossemu.Faults{})
			env.srv.ResetStats()
			e.Resume(id)
			ts = mustDone(t, e, id)
			if !strings.Contains(ts.Notice, "started over") || !strings.Contains(ts.Notice, "checkpoint") {
				t.Errorf("notice %q, want started over because of the checkpoint", ts.Notice)
			}
			assertGenerated(t, dest, size, 11)
			if got := env.srv.Stats().GetBodyBytes; got != size {
				t.Errorf("fetched %d bytes after discarding the checkpoint, want the whole %d", got, size)
			}
			entries, _ := os.ReadDir(env.dir)
			for _, de := range entries {
				if strings.Contains(de.Name(), ".ossq-") {
					t.Errorf("stale temp file left: %s", de.Name())
				}
			}
		})
	}
}

// The object changes between pause and resume: the checkpoint is pinned to
// the old ETag, so the download starts over instead of mixing contents.
func TestObjectChangedBetweenRunsStartsOver(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", 2<<20, 1, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "obj")
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	waitProgress(t, e, id, 400<<10)
	e.Pause(id)
	waitFor(t, e, id)
	newData := randomData(1<<20+99, 77)
	if err := env.srv.ReplaceObject(testBucket, "obj", newData); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{})
	e.Resume(id)
	ts := mustDone(t, e, id)
	if !strings.Contains(ts.Notice, "object changed since the checkpoint") {
		t.Errorf("notice %q", ts.Notice)
	}
	assertFile(t, dest, newData)
}

// Events carry the notice too, not only the snapshot.
func TestNoticeEventOnDiscardedCheckpoint(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", 1<<20, 1, "")
	opts := env.testOptions()
	e := env.open(opts)
	dest := filepath.Join(env.dir, "obj")
	cpPath := filepath.Join(opts.StateDir, "checkpoints", checkpointName(Download, testBucket, "obj", dest))
	os.MkdirAll(filepath.Dir(cpPath), 0o700)
	os.WriteFile(cpPath, []byte("garbage"), 0o600)
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	mustDone(t, e, id)
	e.Close()
	var kinds []EventKind
	for ev := range e.Events() {
		if ev.ID == id {
			kinds = append(kinds, ev.Kind)
		}
	}
	found := false
	for _, k := range kinds {
		found = found || k == EventNotice
	}
	if !found {
		t.Errorf("events %v: no notice for the discarded checkpoint", kinds)
	}
}
