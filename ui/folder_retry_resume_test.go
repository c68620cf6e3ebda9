package ui

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"ossq/internal/ossemu"
	"ossq/transfer"
)

// The folder of the resume flow: many small generated objects (held in the
// server's memory) and a few archived ones that fail until restored. The
// archived keys sort first, so they fail before most of the folder is in.
// 1,100 objects still list in two pages and the first program still quits
// with most of them to go (it was 2,000; under 100 were in at the quit).
const (
	resumeFlowFiles    = 1100
	resumeFlowSize     = 512
	resumeFlowArchived = 3
	// resumeFlowLatency slows every answer of the first program, so the
	// folder needs many seconds there and the quit lands in the middle.
	resumeFlowLatency = 100 * time.Millisecond
)

func resumeFlowKey(i int) string { return fmt.Sprintf("tree/f%08d", i) }

// archivedSize is an archived object's size (seed 9000 + its index).
const archivedSize = 700

func archivedKey(i int) string { return fmt.Sprintf("tree/cold-%d.bin", i) }

// waitJob polls the engine for the one job until cond holds, bounded.
func waitJob(t *testing.T, eng *transfer.Engine, what string, cond func(j *transfer.JobSnapshot) bool) transfer.JobSnapshot {
	t.Helper()
	deadline := time.Now().Add(flowWait)
	for {
		w := eng.Window(transfer.WindowRequest{Limit: 1})
		if len(w.Jobs) == 1 && cond(&w.Jobs[0]) {
			return w.Jobs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine: %s not reached in %s; jobs %+v", what, flowWait, w.Jobs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkFolder compares every file under the download with its object and
// returns the keys found: complete files only (never a partial one at a
// destination), and all of them when all is set.
func (f *flowEnv) checkFolder(t *testing.T, all bool) map[string]bool {
	t.Helper()
	expected := map[string]int64{} // key → seed
	for i := range resumeFlowFiles {
		expected[resumeFlowKey(i)] = int64(i)
	}
	for i := range resumeFlowArchived {
		expected[archivedKey(i)] = int64(9000 + i)
	}
	found := map[string]bool{}
	root := filepath.Join(f.dlDir, "tree")
	if _, err := os.Stat(root); err != nil && !all {
		return found
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(f.dlDir, path)
		key := filepath.ToSlash(rel)
		seed, ok := expected[key]
		if !ok {
			return fmt.Errorf("unexpected file %s in the destination", key)
		}
		size := int64(resumeFlowSize)
		if strings.Contains(key, "cold-") {
			size = archivedSize
		}
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		body := ossemu.GeneratedBytes(size, seed)
		if !bytes.Equal(got, body) {
			return fmt.Errorf("%s differs from its object (%d vs %d bytes)", key, len(got), len(body))
		}
		found[key] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if all && len(found) != len(expected) {
		t.Fatalf("%d of %d files downloaded", len(found), len(expected))
	}
	return found
}

// TestFlowFolderFailRetryQuitResume drives the real program, engine and
// embedded server through a 2,000-object folder downloaded as one job:
// open its items, filter the failed (archived) ones, quit in the middle,
// restore them, start a new program on the same state dir, let it resume
// and finish, retry the failed files with R, and every file is identical.
func TestFlowFolderFailRetryQuitResume(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "quit/restart flow")
	f := newFlowEnv(t)
	if err := f.srv.GenerateObjects("flow", "tree/f", resumeFlowFiles, resumeFlowSize); err != nil {
		t.Fatal(err)
	}
	for i := range resumeFlowArchived {
		if err := f.srv.PutGenerated("flow", archivedKey(i), archivedSize, int64(9000+i), "Archive"); err != nil {
			t.Fatal(err)
		}
	}
	f.srv.SetFaults(ossemu.Faults{Latency: resumeFlowLatency})

	eng1 := f.openEngine()
	closed1 := false
	t.Cleanup(func() {
		if !closed1 {
			eng1.Close()
		}
	})
	tm := f.program(eng1)
	waitScreen(t, tm, "flow", "cn-hangzhou")
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "data/", "tree/")
	tm.Type("j")
	tm.Type("d")
	waitScreen(t, tm, "Download oss://flow/tree/")
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "queued 1 job")

	// The queue has one row for the folder; enter opens its items and f
	// goes to the failed ones, which say why.
	tm.Send(keyOf(tea.KeyTab))
	waitScreen(t, tm, "oss://flow/tree/")
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "all items:")
	tm.Type("f")
	waitScreen(t, tm, "active items:")
	tm.Type("f")
	waitJob(t, eng1, "the archived items failed", func(j *transfer.JobSnapshot) bool { return j.Items.Failed == resumeFlowArchived })
	tm.Type("f") // skipped, then back to failed, so the window is asked for again
	waitScreen(t, tm, "skipped items:")
	for range len(itemFilters) - 1 {
		tm.Type("f")
	}
	waitScreen(t, tm, "failed items: 3", "cold-0.bin", "cold-2.bin", "restore it")

	// Quit in the middle: asked first; the new program goes on from here.
	tm.Type("q")
	waitScreen(t, tm, "Quit ossq?")
	tm.Type("y")
	tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	if err := eng1.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	closed1 = true
	doneBefore := f.checkFolder(t, false)
	if len(doneBefore) >= resumeFlowFiles {
		t.Fatalf("the first program finished the folder (%d files); the flow needs it stopped part-way", len(doneBefore))
	}
	t.Logf("first program: %d of %d files in when it quit", len(doneBefore), resumeFlowFiles)

	// Restore the archived objects, then a new program on the same state.
	restorer, ok := f.store.(transfer.Restorer)
	if !ok {
		t.Fatal("the store cannot restore")
	}
	for i := range resumeFlowArchived {
		if err := restorer.RestoreObject(context.Background(), "flow", archivedKey(i), 1); err != nil {
			t.Fatal(err)
		}
	}
	f.srv.SetFaults(ossemu.Faults{})
	getsBefore := f.srv.Stats().GetsByKey
	eng2 := f.openEngine()
	t.Cleanup(func() { eng2.Close() })
	tm2 := f.program(eng2)
	ended := waitJob(t, eng2, "the folder ended", func(j *transfer.JobSnapshot) bool { return j.State.Finished() })
	if ended.State != transfer.StateFailed || ended.Items.Failed != resumeFlowArchived || ended.Items.Done != resumeFlowFiles {
		t.Fatalf("resumed folder ended %s with %+v: %s", ended.State, ended.Items, ended.Err)
	}
	// Resumed, not restarted: no file already in was fetched again.
	getsAfter := f.srv.Stats().GetsByKey
	for key := range doneBefore {
		if getsAfter["flow/"+key] != getsBefore["flow/"+key] {
			t.Fatalf("%s was in before the restart and fetched again", key)
		}
	}

	// Open the job, filter the failed files, R retries them.
	tm2.Send(keyOf(tea.KeyTab))
	waitScreen(t, tm2, "oss://flow/tree/")
	tm2.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm2, "all items:")
	// Each filter is waited for: the renderer skips a line that did not
	// change, and the archived rows lead the unfiltered list too.
	tm2.Type("f")
	waitScreen(t, tm2, "No active items")
	tm2.Type("f")
	waitScreen(t, tm2, "failed items: 3", "cold-1.bin")
	tm2.Type("R")
	// One wait: the confirmation and the end may come within one frame.
	waitScreen(t, tm2, "failed items: 0", "done: oss://flow/tree/")
	done := waitJob(t, eng2, "the retried folder is done", func(j *transfer.JobSnapshot) bool { return j.State.Finished() })
	if done.State != transfer.StateDone || done.Items.Done != resumeFlowFiles+resumeFlowArchived {
		t.Fatalf("retried folder ended %s with %+v: %s", done.State, done.Items, done.Err)
	}
	// R confirmed what it did; the log (the engine's, kept in the store)
	// has that and both programs' story.
	entries, _ := eng2.LogWindow(0, transfer.LogKeep)
	var story []string
	for _, e := range entries {
		story = append(story, e.Text)
	}
	all := strings.Join(story, "\n")
	for _, want := range []string{"queued: oss://flow/tree/", "failed; first: tree/cold-",
		"failed: oss://flow/tree/", "closing: 1 running job(s) paused", fmt.Sprintf("%d of %d items failed", resumeFlowArchived, resumeFlowFiles+resumeFlowArchived), "retrying 3 failed file(s) of tree", "done: oss://flow/tree/"} {
		if !strings.Contains(all, want) {
			t.Fatalf("log lacks %q:\n%s", want, all)
		}
	}
	tm2.Type("q")
	tm2.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	f.checkFolder(t, true)
	if strings.Contains(done.Err, "failed") {
		t.Fatalf("a done job still reports %q", done.Err)
	}
}
