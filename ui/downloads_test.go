package ui

import (
	"os"
	"ossq/transfer"
	"path/filepath"
	"strings"
	"testing"
)

func TestDownloadAsksForDestinationThenAdds(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	dir := t.TempDir()
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir, Parallel: 3}}, 80, 24)
	h.press("G", "d")
	if h.m.prompt == nil || h.m.prompt.kind != promptDownloadDest || h.m.prompt.input.Value() != dir {
		t.Fatalf("prompt = %#v", h.m.prompt)
	}
	h.press("enter")
	if len(eng.added) != 1 {
		t.Fatalf("added = %v", eng.Calls())
	}
	got := eng.added[0]
	want := transfer.Spec{Direction: transfer.Download, Bucket: "photos", Key: "notes.txt", LocalPath: filepath.Join(dir, "notes.txt"), OnExists: transfer.ExistsAsk, Parallel: 3}
	if got != want {
		t.Fatalf("spec = %+v, want %+v", got, want)
	}
	if !strings.Contains(h.m.notice, "queued 1") {
		t.Fatalf("notice = %q", h.m.notice)
	}
}

func TestDownloadSelectionWithFolderUsesAddTree(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	dir := t.TempDir()
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir}}, 80, 24)
	h.press(" ", "down", " ", "d", "enter") // 2024/, skip zz/, big.iso
	if len(eng.treeSpecs) != 1 || eng.treeSpecs[0].Key != "2024/" || eng.treeSpecs[0].LocalPath != filepath.Join(dir, "2024") {
		t.Fatalf("trees = %+v", eng.treeSpecs)
	}
	if len(eng.added) != 1 || eng.added[0].Key != "big.iso" {
		t.Fatalf("added = %+v", eng.added)
	}
	if len(h.m.browser.marked) != 0 {
		t.Fatal("the selection survived the download")
	}
}

func TestDownloadExistingDestinationAsksOverwriteSkipRename(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	dir := t.TempDir()
	for _, name := range []string{"big.iso", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir}}, 80, 24)
	h.press("G", " ", "up", " ") // notes.txt and big.iso selected
	h.press("d", "enter")
	if h.m.prompt == nil || h.m.prompt.kind != promptOnExists {
		t.Fatalf("no exists prompt: %#v", h.m.prompt)
	}
	if len(eng.added) != 0 {
		t.Fatal("added before the user answered")
	}
	h.press("x") // not an answer
	if h.m.prompt == nil {
		t.Fatal("an unrelated key closed the prompt")
	}
	h.press("r")
	if len(eng.added) != 1 || eng.added[0].OnExists != transfer.ExistsRename || eng.added[0].Key != "big.iso" {
		t.Fatalf("after r: %+v", eng.added)
	}
	if h.m.prompt == nil || h.m.prompt.kind != promptOnExists || h.m.prompt.item.target.key != "notes.txt" {
		t.Fatalf("second question missing: %#v", h.m.prompt)
	}
	h.press("s")
	if len(eng.added) != 1 || h.m.prompt != nil {
		t.Fatalf("skip added something or left a prompt: %+v", eng.added)
	}
}

func TestDownloadPolicyFromOptionsSkipsTheQuestion(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir, OnExists: transfer.ExistsOverwrite}}, 80, 24)
	h.press("G", "d", "enter")
	if h.m.prompt != nil || len(eng.added) != 1 || eng.added[0].OnExists != transfer.ExistsOverwrite {
		t.Fatalf("prompt %#v added %+v", h.m.prompt, eng.added)
	}
}

func TestDestinationAppearingBeforeAddIsAskedAbout(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	eng.refuseExisting = true
	dir := t.TempDir()
	dest := filepath.Join(dir, "notes.txt")
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir}}, 80, 24)
	if err := os.WriteFile(dest, []byte("raced"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The UI looked before the file appeared; the engine refuses the Add.
	h.send(destCheckMsg{items: []destItem{{target: downloadTarget{bucket: "photos", key: "notes.txt"}, dest: dest, exists: false}}})
	if h.m.prompt == nil || h.m.prompt.kind != promptOnExists || h.m.prompt.item.dest != dest {
		t.Fatalf("no exists prompt after the engine refused: %#v (calls %v)", h.m.prompt, eng.Calls())
	}
	h.press("o")
	if len(eng.added) != 1 || eng.added[0].OnExists != transfer.ExistsOverwrite || eng.added[0].LocalPath != dest {
		t.Fatalf("added = %+v", eng.added)
	}
}

func TestOnExistsSkipSkipsFilesButHandsFoldersToTheEngine(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "2024"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir, OnExists: transfer.ExistsSkip}}, 100, 30)
	h.press("d", "enter") // 2024/ exists locally
	if len(eng.treeSpecs) != 1 || eng.treeSpecs[0].Key != "2024/" || eng.treeSpecs[0].OnExists != transfer.ExistsSkip {
		t.Fatalf("existing folder not handed to AddTree with skip: %+v", eng.treeSpecs)
	}
	h.press("G", "d", "enter") // notes.txt exists locally
	if len(eng.added) != 0 || h.m.prompt != nil {
		t.Fatalf("existing file queued: %+v", eng.added)
	}
	if h.m.notice != "skipped 1: it exists (on_exists = skip)" {
		t.Fatalf("notice = %q", h.m.notice)
	}
}

func TestRenameOnAnExistingFolderUsesAFreeFolderName(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	dir := t.TempDir()
	for _, d := range []string{"2024", "2024 (1)"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir}}, 100, 30)
	h.press("d", "enter")
	if h.m.prompt == nil || h.m.prompt.kind != promptOnExists {
		t.Fatalf("no exists prompt: %#v", h.m.prompt)
	}
	want := filepath.Join(dir, "2024 (2)")
	if !strings.Contains(h.view(), "r downloads into a new folder: 2024 (2)") {
		t.Fatalf("prompt does not say where rename goes:\n%s", h.view())
	}
	h.press("r")
	if len(eng.treeSpecs) != 1 || eng.treeSpecs[0].Key != "2024/" || eng.treeSpecs[0].LocalPath != want {
		t.Fatalf("trees = %+v, want LocalPath %s", eng.treeSpecs, want)
	}
}
