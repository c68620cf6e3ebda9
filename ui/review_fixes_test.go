package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"ossq/transfer"
)

// oddKey is demo-odd's key with a tab and a form feed in it.
const oddKey = "tab\tand\x0ccontrol.txt"

// oddEngine has a bucket with demo-odd's names plus more control runes.
func oddEngine() *fakeEngine {
	eng := newFakeEngine()
	eng.store.buckets = []transfer.Bucket{{Name: "demo-odd", Region: "oss-cn-hangzhou", Created: fixedTime}}
	for i, k := range []string{
		"日本語/ファイル.txt", "spaces in name.txt", "a//b", "../escape-attempt.txt", "./dot-slash-start.txt",
		oddKey, "esc\x1b[31mred.txt", "line\u2028sep\nnew\rret.txt", "dir\twith tab/inside.txt",
	} {
		eng.store.addObject("demo-odd", k, int64(100+i*1000))
	}
	return eng
}

// checkFrame fails when the frame is taller than the terminal,
// has a line wider than it, or carries a raw control rune other than the
// line breaks and the colour escapes.
func checkFrame(t *testing.T, h *harness, where string) {
	t.Helper()
	v := h.view()
	lines := strings.Split(v, "\n")
	if len(lines) > h.m.height {
		t.Fatalf("%s: %d lines on a %d-line terminal:\n%s", where, len(lines), h.m.height, v)
	}
	for _, l := range lines {
		plain := ansi.Strip(l)
		if cellWidth(plain) > h.m.width {
			t.Fatalf("%s: line wider than %d: %q", where, h.m.width, plain)
		}
		if strings.ContainsFunc(plain, needsEscape) {
			t.Fatalf("%s: raw control rune drawn: %q", where, plain)
		}
	}
}

func TestDisplayNameEscapesControlRunes(t *testing.T) {
	for in, want := range map[string]string{
		"plain.txt":                 "plain.txt",
		"日本語 🎉":                     "日本語 🎉",
		oddKey:                      `tab\tand\x0ccontrol.txt`,
		"a\nb\rc\x1b[31m\x7f\u0085": `a\nb\rc\x1b[31m\x7f\x85`,
		"l\u2028p\u2029":            `l\u2028p\u2029`,
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestControlCharactersInKeysNeverBreakTheFrame(t *testing.T) {
	eng := oddEngine()
	dir := t.TempDir()
	h := newHarness(t, eng, Deps{StartBucket: "demo-odd", Options: Options{DownloadDir: dir}}, 100, 30)
	checkFrame(t, h, "browser")
	if !strings.Contains(h.view(), `tab\tand\x0ccontrol.txt`) {
		t.Fatalf("the escaped name is not shown:\n%s", h.view())
	}
	// The filter matches what is shown.
	h.press("/")
	h.typeText(`\x0c`)
	h.press("enter")
	if got := h.names(); len(got) != 1 || got[0] != `tab\tand\x0ccontrol.txt` {
		t.Fatalf("filter on the escape shows %q", got)
	}
	h.press("i")
	checkFrame(t, h, "info")
	h.press("esc", "esc")

	// Into a folder whose name holds a tab: the header location.
	h.press("g")
	for range len(h.m.browser.visible) {
		if e := h.m.browser.current(); e == nil || e.key == "dir\twith tab/" {
			break
		}
		h.press("down")
	}
	if e := h.m.browser.current(); e == nil || e.key != "dir\twith tab/" {
		t.Fatalf("folder not found in %q (filter %q)", h.names(), h.m.browser.filter)
	}
	h.press("enter")
	checkFrame(t, h, "folder with a tab")
	if !strings.Contains(h.view(), `oss://demo-odd/dir\twith tab/`) {
		t.Fatalf("header location not escaped:\n%s", h.view())
	}
	h.press("backspace")

	// Download: the prompt shows the escape, the request carries the raw key.
	h.press("/")
	h.typeText("control")
	h.press("enter", "d")
	checkFrame(t, h, "download prompt")
	h.press("enter")
	if len(eng.added) != 1 || eng.added[0].Key != oddKey || eng.added[0].LocalPath != filepath.Join(dir, oddKey) {
		t.Fatalf("added = %+v", eng.added)
	}

	// Queue row, details, event notices and the cancel prompt.
	snap := transfer.Snapshot{Version: 2, Active: 1, Transfers: []transfer.TransferSnapshot{{
		ID: "t1", Direction: transfer.Download, Bucket: "demo-odd", Key: oddKey, LocalPath: filepath.Join(dir, oddKey),
		State: transfer.StateRunning, Size: 100, Done: 50, Parallel: 4,
		Notice: "renamed\tto\x0cx", Err: "",
	}}}
	eng.setSnapshot(snap)
	h.sendSnap(snap)
	h.press("tab")
	checkFrame(t, h, "queue")
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventNotice, ID: "t1", Message: "saved as x\ty"}})
	checkFrame(t, h, "notice")
	h.press("+")
	checkFrame(t, h, "parallel notice")
	h.press("enter")
	checkFrame(t, h, "details")
	h.press("x")
	checkFrame(t, h, "cancel prompt")
	h.press("n")
	h.send(tea.WindowSizeMsg{Width: 40, Height: 12})
	checkFrame(t, h, "details at 40x12")
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

func TestOnExistsSkipSkipsFilesButHandsFoldersToTheEngine(t *testing.T) {
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

func TestRemoveKeysAndParallelCapMatchTheHelp(t *testing.T) {
	eng := demoEngine()
	snap := queueSnapshot()
	snap.Transfers[0].Parallel = 64
	eng.setSnapshot(snap)
	h := newHarness(t, eng, Deps{}, 160, 40)
	h.press("tab")
	h.selectTransfer("run")
	h.press("+")
	h.selectTransfer("ok")
	h.press("backspace") // a Mac's ⌫
	if h.m.pane != paneQueue {
		t.Fatalf("backspace left the queue: pane %d", h.m.pane)
	}
	h.selectTransfer("bad")
	h.press("enter")
	if v := h.view(); !strings.Contains(v, "remove") {
		t.Fatalf("details help does not list remove:\n%s", v)
	}
	h.press("backspace")
	want := []string{"parallel run 65", "remove ok", "remove bad"}
	if got := eng.Calls(); !slices.Equal(got, want) {
		t.Fatalf("calls = %q\nwant    %q", got, want)
	}
	// In the browser backspace is still "up a level".
	h.press("esc", "tab", "enter", "backspace")
	if h.m.pane != paneBrowser || h.m.browser.bucket != "" {
		t.Fatalf("backspace in the browser: pane %d bucket %q", h.m.pane, h.m.browser.bucket)
	}
}

func TestSmallTerminalFilterHintPromptResizeAndCheckingNotice(t *testing.T) {
	eng := demoEngine()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir}}, 30, 12)
	h.press("/")
	checkFrame(t, h, "filter hint at 30 columns")
	if !strings.Contains(h.view(), "type to filter") {
		t.Fatalf("filter hint missing:\n%s", h.view())
	}
	h.press("esc")

	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.press("G", "d")
	h.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	if got, want := h.m.prompt.input.Width, promptInputWidth(40); got != want {
		t.Fatalf("prompt input width after resize = %d, want %d", got, want)
	}
	checkFrame(t, h, "prompt after resize")
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.press("enter") // notes.txt exists: the exists prompt opens
	if h.m.prompt == nil || h.m.prompt.kind != promptOnExists {
		t.Fatalf("no exists prompt: %#v", h.m.prompt)
	}
	if h.m.notice != "" {
		t.Fatalf("notice under the exists prompt = %q", h.m.notice)
	}
}

func TestRefreshKeepsTheCursorOnTheSameEntry(t *testing.T) {
	eng := demoEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 100, 30)
	h.press("G", "up") // big.iso
	if e := h.m.browser.current(); e == nil || e.key != "big.iso" {
		t.Fatalf("cursor on %+v", e)
	}
	eng.store.addObject("photos", "aaa.txt", 5) // sorts before big.iso
	h.press("r")
	if e := h.m.browser.current(); e == nil || e.key != "big.iso" {
		t.Fatalf("after r the cursor is on %+v, names %q", e, h.names())
	}
}

func TestInfoPanelSaysArchivedObjectsMustBeRestored(t *testing.T) {
	for _, c := range []struct {
		class, restore, want string
	}{
		{"Archive", "", "not restored: press R to restore it"},
		{"ColdArchive", `ongoing-request="true"`, "restore in progress"},
		{"DeepColdArchive", `ongoing-request="false", expiry-date="Sun, 16 Apr 2027 08:12:33 GMT"`, "restored, can be downloaded"},
		{"Standard", "", ""},
	} {
		eng := demoEngine()
		eng.store.mu.Lock()
		for i := range eng.store.objects["photos"] {
			if eng.store.objects["photos"][i].Key == "notes.txt" {
				eng.store.objects["photos"][i].StorageClass = c.class
				eng.store.objects["photos"][i].Restore = c.restore
			}
		}
		eng.store.mu.Unlock()
		h := newHarness(t, eng, Deps{StartBucket: "photos"}, 160, 30)
		h.press("G", "i")
		v := h.view()
		if c.want == "" {
			if strings.Contains(v, "Restore") {
				t.Fatalf("%s: a restore line for a class that needs none:\n%s", c.class, v)
			}
			continue
		}
		if !strings.Contains(v, c.want) {
			t.Fatalf("%s %q: info panel lacks %q:\n%s", c.class, c.restore, c.want, v)
		}
	}
}

func TestKeysTypedInOneBurstEachCount(t *testing.T) {
	eng := demoEngine()
	snap := queueSnapshot()
	snap.Transfers[0].Parallel = 10
	eng.setSnapshot(snap)
	h := newHarness(t, eng, Deps{}, 160, 40)
	h.press("tab")
	h.selectTransfer("run")
	h.press("enter") // details, like the review's repro
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("+++")})
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("pp")})
	want := []string{"parallel run 11", "parallel run 12", "parallel run 13", "pause run"}
	if got := eng.Calls(); !slices.Equal(got, want) {
		t.Fatalf("calls = %q\nwant    %q", got, want)
	}
	// Once a snapshot shows the new value, it is the base again.
	snap.Version++
	snap.Transfers[0].Parallel = 13
	eng.setSnapshot(snap)
	h.sendSnap(snap)
	if len(h.m.pendingParallel) != 0 {
		t.Fatalf("pending kept after the snapshot caught up: %v", h.m.pendingParallel)
	}
	h.press("-")
	if got := eng.Calls(); got[len(got)-1] != "parallel run 12" {
		t.Fatalf("calls = %q", got)
	}
}

// R restores the archived object under the cursor (through the store's
// RestoreObject), says what happens next, and is only offered for archive
// storage classes; a second R reports the restore already running.
func TestRestoreArchivedObject(t *testing.T) {
	eng := demoEngine()
	eng.store.mu.Lock()
	for i := range eng.store.objects["photos"] {
		if eng.store.objects["photos"][i].Key == "notes.txt" {
			eng.store.objects["photos"][i].StorageClass = "Archive"
		}
	}
	eng.store.mu.Unlock()
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 160, 30)
	h.press("g")
	if h.m.keys.Restore.Enabled() {
		t.Fatal("restore offered for an object that is not archived")
	}
	h.press("G")
	if !h.m.keys.Restore.Enabled() {
		t.Fatal("restore not offered for an Archive object")
	}
	// R asks first (how many days), then restores.
	h.press("R")
	if h.m.prompt == nil || h.m.prompt.kind != promptRestoreDays || len(eng.store.restored) != 0 {
		t.Fatalf("R did not ask first: prompt %+v, restored %q", h.m.prompt, eng.store.restored)
	}
	h.press("enter")
	if got := eng.store.restored; len(got) != 1 || got[0] != "photos/notes.txt" {
		t.Fatalf("RestoreObject calls %q, want photos/notes.txt", got)
	}
	if !strings.Contains(h.m.notice, "restore requested: notes.txt") || h.m.noticeErr {
		t.Fatalf("notice %q (error %v)", h.m.notice, h.m.noticeErr)
	}
	h.press("R", "enter")
	if !strings.Contains(h.m.notice, "restore already in progress") || h.m.noticeErr {
		t.Fatalf("second R: notice %q (error %v)", h.m.notice, h.m.noticeErr)
	}
}
