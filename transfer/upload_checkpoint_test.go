package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ossq/internal/ossemu"
)

// TestUnusableUploadCheckpointAbortsItsUpload: a paused upload whose
// checkpoint is then damaged (edited, or cut short) starts over, and the
// multipart upload the damaged file recorded is aborted, not orphaned.
func TestUnusableUploadCheckpointAbortsItsUpload(t *testing.T) {
	t.Parallel()
	damages := map[string]func([]byte) []byte{
		"edited": func(b []byte) []byte { return bytes.Replace(b, []byte(`"n":1`), []byte(`"n":7`), 1) },
		"truncated": func(b []byte) []byte {
			i := bytes.Index(b, []byte(`"parts"`))
			return b[:i+12]
		},
		"checksummed but impossible": func(b []byte) []byte {
			cp, err := decodeCheckpoint(b)
			if err != nil {
				panic(err)
			}
			cp.Parts[len(cp.Parts)-1].Done = 1 // an upload part is all or nothing
			out, err := encodeCheckpoint(cp)
			if err != nil {
				panic(err)
			}
			return out
		},
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t)
			data := randomData(3<<20, 11)
			src := filepath.Join(env.dir, "src")
			if err := os.WriteFile(src, data, 0o644); err != nil {
				t.Fatal(err)
			}
			env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
			e := env.open(env.testOptions())
			id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
			if err != nil {
				t.Fatal(err)
			}
			waitProgress(t, e, id, 512<<10)
			e.Pause(id)
			ts := waitFor(t, e, id)
			if ts.State != StatePaused {
				t.Fatalf("state %s", ts.State)
			}
			if u := env.openUploads(); len(u) != 1 {
				t.Fatalf("open uploads before: %v, want the paused one", u)
			}
			b, err := os.ReadFile(ts.CheckpointPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ts.CheckpointPath, damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			env.srv.SetFaults(ossemu.Faults{})
			if err := e.Resume(id); err != nil {
				t.Fatal(err)
			}
			ts = mustDone(t, e, id)
			if got := env.srv.Object("k"); !bytes.Equal(got, data) {
				t.Fatal("object differs from the file")
			}
			if !strings.Contains(ts.Notice, "started over") {
				t.Errorf("notice %q does not say it started over", ts.Notice)
			}
			if u := env.openUploads(); len(u) != 0 {
				t.Errorf("orphaned multipart uploads: %v", u)
			}
		})
	}
}
