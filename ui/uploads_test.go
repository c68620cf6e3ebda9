package ui

import (
	"os"
	"ossq/transfer"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestUploadPickerQueuesFilesAndFolders(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	local := t.TempDir()
	if err := os.Mkdir(filepath.Join(local, "album"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.txt", "b.txt", filepath.Join("album", "c.txt")} {
		if err := os.WriteFile(filepath.Join(local, name), []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", StartPrefix: "2024/", Options: Options{DownloadDir: local}}, 80, 24)
	h.press("u")
	if h.m.pane != panePicker || len(h.m.picker.entries) != 3 || h.m.picker.entries[0].name != "album" {
		t.Fatalf("picker pane=%d entries=%+v", h.m.pane, h.m.picker.entries)
	}
	// enter on a folder without a selection opens it; backspace goes back.
	h.press("enter")
	if h.m.picker.dir != filepath.Join(local, "album") {
		t.Fatalf("picker dir = %s", h.m.picker.dir)
	}
	h.press("backspace")
	if h.m.picker.dir != local {
		t.Fatalf("picker dir = %s", h.m.picker.dir)
	}
	h.press(" ", " ", "U") // album/ and a.txt
	// A folder among them: the upload prompt (filter, compare, plan) first.
	if h.m.prompt == nil || h.m.prompt.kind != promptUploadPlan || len(eng.planSpecs) != 1 || !eng.planSpecs[0].DryRun {
		t.Fatalf("U with a folder: prompt %+v, plans %+v", h.m.prompt, eng.planSpecs)
	}
	h.press("enter")
	if h.m.pane != paneBrowser {
		t.Fatal("the picker stayed open after uploading")
	}
	if len(eng.treeSpecs) != 1 || eng.treeSpecs[0].Key != "2024/album/" || eng.treeSpecs[0].LocalPath != filepath.Join(local, "album") || eng.treeSpecs[0].Direction != transfer.Upload {
		t.Fatalf("trees = %+v", eng.treeSpecs)
	}
	if len(eng.added) != 1 || eng.added[0].Key != "2024/a.txt" || eng.added[0].Direction != transfer.Upload {
		t.Fatalf("added = %+v", eng.added)
	}
}

func TestUploadDisabledOnBucketList(t *testing.T) {
	t.Parallel()
	h := newHarness(t, demoEngine(), Deps{}, 80, 24)
	h.press("u")
	if h.m.pane != paneBrowser || h.m.prompt != nil {
		t.Fatal("u acted on the bucket list")
	}
	if !strings.Contains(h.m.notice, "open a bucket first") {
		t.Fatalf("u did not say why: notice %q", h.m.notice)
	}
	// d on a bucket downloads the whole bucket.
	h.press("d")
	if h.m.prompt == nil || h.m.prompt.kind != promptDownloadDest || len(h.m.prompt.targets) != 1 ||
		h.m.prompt.targets[0].bucket != "backups" || h.m.prompt.targets[0].key != "" || !h.m.prompt.targets[0].folder {
		t.Fatalf("d on a bucket: prompt %+v", h.m.prompt)
	}
	h.press("esc")
	if v := h.m.footerText; strings.Contains(v, "upload") {
		t.Fatalf("help offers what cannot be done:\n%s", v)
	}
}

// pickerTree makes local/{sub/, one.txt, two.txt} for the picker tests.
func pickerTree(t *testing.T) string {
	t.Helper()
	local := t.TempDir()
	if err := os.Mkdir(filepath.Join(local, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"one.txt", "two.txt"} {
		if err := os.WriteFile(filepath.Join(local, name), []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return local
}

func TestPickerMarksDoNotSurviveEscAndEnterOpensFolders(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	local := pickerTree(t)
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: local}}, 100, 30)
	h.press("u", "down", " ") // marks one.txt
	if len(h.m.picker.marked) != 1 {
		t.Fatalf("marked = %v", h.m.picker.marked)
	}
	h.press("esc")
	if len(h.m.picker.marked) != 0 {
		t.Fatalf("esc kept the marks: %v", h.m.picker.marked)
	}
	// esc is the only way back to the browser; to check that u clears
	// the marks on its own, leave the picker without it.
	h.press("u", "down", " ")
	h.m.pane = paneBrowser
	h.press("g", "enter") // into 2024/
	h.press("u")
	if len(h.m.picker.marked) != 0 {
		t.Fatalf("u kept the marks of an earlier session: %v", h.m.picker.marked)
	}

	// Within one session marks are kept, and enter on a folder opens it.
	h.press("down", " ", "g") // one.txt marked, cursor back on sub/
	if v := h.view(); strings.Contains(v, "enter upload") || !strings.Contains(v, "U upload selection") {
		t.Fatalf("help offers enter for two things or not U:\n%s", v)
	}
	h.press("enter")
	if h.m.pane != panePicker || h.m.picker.dir != filepath.Join(local, "sub") || len(eng.added)+len(eng.treeSpecs) != 0 {
		t.Fatalf("enter on a folder did not open it: pane %d dir %s added %+v", h.m.pane, h.m.picker.dir, eng.added)
	}
	h.press("U")
	if len(eng.added) != 1 || eng.added[0].Key != "2024/one.txt" || eng.added[0].LocalPath != filepath.Join(local, "one.txt") {
		t.Fatalf("U uploaded %+v", eng.added)
	}
}

func TestFinishedUploadRefreshesTheFolderShown(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos", StartPrefix: "2024/"}, 80, 24)
	h.press("j") // on b.jpg
	eng.store.addObject("photos", "2024/new.jpg", 42)
	snap := transfer.Snapshot{Version: 1, Transfers: []transfer.TransferSnapshot{
		{ID: "up", Direction: transfer.Upload, Bucket: "photos", Key: "2024/new.jpg", LocalPath: "/tmp/new.jpg", State: transfer.StateDone, Size: 42, Done: 42},
	}}
	eng.setSnapshot(snap)
	h.sendSnap(snap)
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventDone, ID: "up"}})
	if got := h.names(); !slices.Equal(got, []string{"a.jpg", "b.jpg", "new.jpg"}) {
		t.Fatalf("entries after the upload: %v", got)
	}
	if e := h.m.browser.current(); e == nil || e.key != "2024/b.jpg" {
		t.Fatalf("cursor moved to %+v", e)
	}
}

// Uploads follow on_exists too: the key is HEADed first; one existing
// object is asked about without "same for all"; rename picks a free
// "name (1).ext" key.
func TestUploadOntoAnExistingKeyAsksAndRenames(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	eng.store.addObject("photos", "notes (1).txt", 3)
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "notes.txt"), []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: local}}, 100, 30)
	h.press("u", " ", "U")
	p := h.m.prompt
	if p == nil || p.kind != promptOnExists || !strings.Contains(p.title, "Object exists") {
		t.Fatalf("no exists prompt: %+v", p)
	}
	if strings.Contains(p.hint(), "same for all") || !strings.Contains(p.body, "notes (2).txt") {
		t.Fatalf("single prompt: hint %q body %q", p.hint(), p.body)
	}
	h.press("R") // "same for all" is not offered, so it does nothing
	if h.m.prompt == nil {
		t.Fatal("R answered a single-item prompt")
	}
	h.press("r")
	if len(eng.added) != 1 || eng.added[0].Key != "notes (2).txt" || eng.added[0].Direction != transfer.Upload {
		t.Fatalf("added = %+v", eng.added)
	}
}

// With on_exists = skip an existing key is skipped, and the log says why.
func TestUploadSkipIsLogged(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "notes.txt"), []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := NewMemLog()
	h := newHarness(t, eng, Deps{Log: src, StartBucket: "photos", Options: Options{DownloadDir: local, OnExists: transfer.ExistsSkip}}, 100, 30)
	h.press("u", " ", "U")
	if len(eng.added) != 0 || h.m.prompt != nil {
		t.Fatalf("skip queued %+v", eng.added)
	}
	found := false
	for _, e := range src.Slice(0, src.Len()) {
		found = found || strings.Contains(e.Text, "skipped oss://photos/notes.txt: it exists")
	}
	if !found {
		t.Fatal("the skip is not in the log")
	}
}
