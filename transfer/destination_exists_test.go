package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ossq/internal/ossemu"
)

// TestDestinationAppearingMidDownloadFollowsOnExists: OnExists was applied
// only at Add, so a file created at the destination while the download ran
// was silently replaced.
func TestDestinationAppearingMidDownloadFollowsOnExists(t *testing.T) {
	t.Parallel()
	const size = 2 << 20
	for _, policy := range []OnExists{ExistsAsk, ExistsSkip, ExistsRename, ExistsOverwrite} {
		t.Run(string(policy), func(t *testing.T) {
			env := newTestEnv(t)
			env.srv.PutGenerated(testBucket, "obj", size, 7, "")
			env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
			opts := env.testOptions()
			opts.OnExists = policy
			e := env.open(opts)
			dest := filepath.Join(env.dir, "obj")
			id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
			if err != nil {
				t.Fatal(err)
			}
			waitProgress(t, e, id, 256<<10)
			users := []byte("user's own file written meanwhile")
			if err := os.WriteFile(dest, users, 0o644); err != nil {
				t.Fatal(err)
			}
			ts := waitFor(t, e, id)
			switch policy {
			case ExistsOverwrite:
				if ts.State != StateDone {
					t.Fatalf("state %s %q", ts.State, ts.Err)
				}
				assertGenerated(t, dest, size, 7)
				return
			case ExistsAsk:
				if ts.State != StateFailed || ts.ErrInfo == nil {
					t.Fatalf("state %s %q, want failed with destination exists", ts.State, ts.Err)
				}
				if _, err := readCheckpoint(ts.CheckpointPath); err != nil {
					t.Errorf("checkpoint should stay for a later overwrite: %v", err)
				}
			case ExistsSkip:
				if ts.State != StateDone || ts.Notice != "skipped: destination exists" {
					t.Fatalf("state %s notice %q, want done + skipped", ts.State, ts.Notice)
				}
			case ExistsRename:
				if ts.State != StateDone {
					t.Fatalf("state %s %q", ts.State, ts.Err)
				}
				want := filepath.Join(env.dir, "obj (1)")
				if ts.LocalPath != want {
					t.Errorf("LocalPath %s, want %s", ts.LocalPath, want)
				}
				assertGenerated(t, want, size, 7)
			}
			assertFile(t, dest, users)
		})
	}
}

// TestDestinationExistsErrorIsRecognisable: the ask case keeps the sentinel
// so front ends can offer their overwrite prompt.
func TestDestinationExistsErrorIsRecognisable(t *testing.T) {
	t.Parallel()
	e := &Engine{log: discardLogger{}, events: newEventQueue(), changed: make(chan struct{}), persistReq: make(chan struct{}, 1)}
	defer e.events.close()
	dir := t.TempDir()
	temp, dest := filepath.Join(dir, "f.ossq-0123456789ab.part"), filepath.Join(dir, "f")
	for _, p := range []string{temp, dest} {
		if err := os.WriteFile(p, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tr := &transfer{spec: Spec{Direction: Download, LocalPath: dest, OnExists: ExistsAsk}}
	if _, err := e.moveIntoPlace(tr, openTestTemp(t, temp), filepath.Base(dest)); !errors.Is(err, ErrDestinationExists) {
		t.Fatalf("moveIntoPlace onto an existing file with ask: %v, want ErrDestinationExists", err)
	}
	assertFile(t, dest, []byte(dest))
	assertFile(t, temp, []byte(temp))
}

// TestDestinationFolderClashSaysSo: OSS may hold both "a/b" and "a/b/c";
// when the folder from the second is in the way of the first, the error
// says a folder is there, not that a file appeared.
func TestDestinationFolderClashSaysSo(t *testing.T) {
	t.Parallel()
	e := &Engine{log: discardLogger{}, events: newEventQueue(), changed: make(chan struct{}), persistReq: make(chan struct{}, 1)}
	defer e.events.close()
	dir := t.TempDir()
	temp, dest := filepath.Join(dir, "b.ossq-0123456789ab.part"), filepath.Join(dir, "b")
	if err := os.WriteFile(temp, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	tr := &transfer{spec: Spec{Direction: Download, LocalPath: dest, OnExists: ExistsAsk}}
	_, err := e.moveIntoPlace(tr, openTestTemp(t, temp), filepath.Base(dest))
	if !errors.Is(err, ErrDestinationExists) || !strings.Contains(err.Error(), "is a folder") {
		t.Fatalf("moveIntoPlace onto a folder: %v, want ErrDestinationExists naming the folder", err)
	}
}

// openTestTemp opens an existing file as a download's temp file.
func openTestTemp(t *testing.T, path string) *tempHandle {
	t.Helper()
	d, err := openDestDir(filepath.Dir(path), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.close)
	h, err := reopenTemp(d, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.close() })
	return h
}
