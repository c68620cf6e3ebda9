package ui

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"ossq/transfer"
)

// programAt is the flow program opened on bucket/prefix.
func (f *flowEnv) programAt(eng *transfer.Engine, bucket, prefix string) *teatest.TestModel {
	f.t.Helper()
	m := New(Deps{Engine: eng, Catalog: StoreCatalog(f.store), Profile: "flow", Endpoint: "127.0.0.1", NoColor: true,
		Terminal: io.Discard, StartBucket: bucket, StartPrefix: prefix, Options: Options{DownloadDir: f.dlDir}})
	return teatest.NewTestModel(f.t, m, teatest.WithInitialTermSize(120, 40))
}

// TestFlowAbortAnOrphanedUpload: an upload started and never finished (as a
// killed put leaves it) shows in the M pane with its parts; x, y aborts it
// and ListMultipartUploads is empty afterwards.
func TestFlowAbortAnOrphanedUpload(t *testing.T) {
	t.Parallel()
	f := newFlowEnv(t)
	ctx := context.Background()
	id, err := f.store.InitiateMultipart(ctx, "flow", "data/orphan.bin")
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		part := f.data[(n-1)*flowPartSize : n*flowPartSize]
		if _, _, err := f.store.UploadPart(ctx, "flow", "data/orphan.bin", id, n, bytes.NewReader(part), int64(len(part))); err != nil {
			t.Fatal(err)
		}
	}
	eng := f.openEngine()
	t.Cleanup(func() { eng.Close() })
	tm := f.programAt(eng, "flow", "data/")
	waitScreen(t, tm, "big.bin")
	tm.Type("M")
	waitScreen(t, tm, "Incomplete uploads under oss://flow/data/", "orphan.bin", "512 KiB", "1 incomplete upload")
	tm.Type("x")
	waitScreen(t, tm, "Abort this incomplete upload?")
	tm.Type("y")
	waitScreen(t, tm, "aborted the upload of oss://flow/data/orphan.bin: 512 KiB freed")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))

	cat, err := transfer.NewCatalog(f.store)
	if err != nil {
		t.Fatal(err)
	}
	left, err := cat.AllUploads(ctx, "flow", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Fatalf("ListMultipartUploads still lists %+v", left)
	}
}

// TestFlowDownloadAnOlderVersion: on a versioned bucket, v lists the
// object's versions; d on the older one downloads exactly its bytes, not
// the latest's.
func TestFlowDownloadAnOlderVersion(t *testing.T) {
	t.Parallel()
	f := newFlowEnv(t)
	if err := f.srv.SetVersioning("flow", "Enabled"); err != nil {
		t.Fatal(err)
	}
	older := f.data[:flowSize/2]
	newer := bytes.Repeat([]byte("latest "), 1000)
	for _, body := range [][]byte{older, newer} {
		if err := f.srv.PutBytes("flow", "ver/doc.bin", body); err != nil {
			t.Fatal(err)
		}
	}
	eng := f.openEngine()
	t.Cleanup(func() { eng.Close() })
	tm := f.programAt(eng, "flow", "ver/")
	waitScreen(t, tm, "doc.bin")
	tm.Type("v")
	waitScreen(t, tm, "Versions of oss://flow/ver/doc.bin", "2 versions", "latest", "2.0 MiB")
	tm.Send(keyOf(tea.KeyDown))
	tm.Type("d")
	waitScreen(t, tm, "Download doc.bin at version")
	tm.Send(keyOf(tea.KeyEnter))
	done := waitEngine(t, eng, "done", func(s transfer.TransferSnapshot) bool { return s.State.Finished() })
	if done.State != transfer.StateDone {
		t.Fatalf("version download ended %s: %s", done.State, done.Err)
	}
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	got, err := os.ReadFile(filepath.Join(f.dlDir, "doc.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, older) {
		t.Fatalf("downloaded %d bytes, not the older version's %d (latest has %d)", len(got), len(older), len(newer))
	}
}

// TestFlowResumeAnOrphanedUpload: the M pane resumes an orphaned upload
// from its local file: the uploaded parts verify, the same upload ID is
// completed with only the missing parts sent, and the object is the file.
func TestFlowResumeAnOrphanedUpload(t *testing.T) {
	t.Parallel()
	f := newFlowEnv(t)
	ctx := context.Background()
	const key = "data/resumed.bin"
	id, err := f.store.InitiateMultipart(ctx, "flow", key)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		part := f.data[(n-1)*flowPartSize : n*flowPartSize]
		if _, _, err := f.store.UploadPart(ctx, "flow", key, id, n, bytes.NewReader(part), int64(len(part))); err != nil {
			t.Fatal(err)
		}
	}
	local := filepath.Join(f.dlDir, "resumed.bin")
	if err := os.WriteFile(local, f.data, 0o600); err != nil {
		t.Fatal(err)
	}
	eng := f.openEngine()
	t.Cleanup(func() { eng.Close() })
	tm := f.programAt(eng, "flow", "data/")
	waitScreen(t, tm, "big.bin")
	f.srv.ResetStats()
	tm.Type("M")
	waitScreen(t, tm, "resumed.bin", "1 incomplete upload")
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "Resume the upload of oss://flow/data/resumed.bin", local)
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "Continue this upload?", "2 of 16 parts verify")
	tm.Type("y")
	done := waitEngine(t, eng, "done", func(s transfer.TransferSnapshot) bool { return s.State.Finished() })
	if done.State != transfer.StateDone {
		t.Fatalf("resumed upload ended %s: %s", done.State, done.Err)
	}
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))

	if sent, limit := f.srv.Stats().PutBodyBytes, int64(flowSize-2*flowPartSize); sent != limit {
		t.Fatalf("sent %d bytes; only the %d missing should go", sent, limit)
	}
	body, err := f.store.GetRange(ctx, "flow", key, 0, flowSize, "")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, f.data) {
		t.Fatalf("the completed object differs from the file (%d vs %d bytes)", len(got), len(f.data))
	}
	cat, err := transfer.NewCatalog(f.store)
	if err != nil {
		t.Fatal(err)
	}
	if left, err := cat.AllUploads(ctx, "flow", ""); err != nil || len(left) != 0 {
		t.Fatalf("uploads left: %+v %v", left, err)
	}
}
