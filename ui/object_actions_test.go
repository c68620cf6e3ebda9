package ui

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"
)

// cursorTo puts the browser's cursor on the entry named name.
func (h *harness) cursorTo(name string) {
	h.t.Helper()
	for i, idx := range h.m.browser.visible {
		if h.m.browser.entries[idx].name == name {
			h.m.browser.moveTo(i)
			h.send(nil)
			return
		}
	}
	h.t.Fatalf("no entry %q in %v", name, h.names())
}

func TestDeleteAFolderSaysWhatGoesAndThatAMarkerIsAdded(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 120, 32)
	h.cursorTo("2024/")
	h.press("D")
	p := h.m.prompt
	if p == nil || !strings.Contains(p.body, "2 objects, 5.0 MiB") || !strings.Contains(p.body, "adds a delete marker") {
		t.Fatalf("delete prompt: %+v", p)
	}
	h.press("y")
	dels := eng.store.catalogState().deletes
	if len(dels) != 1 || len(dels[0]) != 2 {
		t.Fatalf("delete batches %v", dels)
	}
	if !strings.Contains(h.m.notice, "deleted oss://photos/2024/: 2 objects, 5.0 MiB, in 1 request · 2 delete markers added") {
		t.Fatalf("notice %q", h.m.notice)
	}
	if slices.Contains(h.names(), "2024/") {
		t.Fatalf("the browser was not relisted: %v", h.names())
	}
	if n := h.m.deps.Log.Len(); n == 0 || !strings.Contains(h.m.deps.Log.Slice(n-1, 1)[0].Text, "deleted oss://photos/2024/") {
		t.Fatal("the summary is not in the log")
	}
}

func TestDeleteAnObjectOnAnUnversionedBucketSaysItCannotBeUndone(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	h := newHarness(t, eng, Deps{StartBucket: "backups"}, 120, 32)
	h.press("D")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.body, "1 object, 99 B") || !strings.Contains(h.m.prompt.body, "cannot be undone") {
		t.Fatalf("prompt %+v", h.m.prompt)
	}
	h.press("esc")
	if len(eng.store.catalogState().deletes) != 0 {
		t.Fatal("esc deleted")
	}
	h.press("D", "y")
	if d := eng.store.catalogState().deletes; len(d) != 1 || d[0][0].Key != "db.dump" {
		t.Fatalf("deletes %v", d)
	}
}

func TestShareCopiesAPresignedLinkWithTheChosenExpiry(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	var term bytes.Buffer
	h := newHarness(t, eng, Deps{StartBucket: "photos", Terminal: &term}, 120, 32)
	h.cursorTo("notes.txt")
	h.press("S")
	if h.m.prompt == nil || h.m.prompt.input.Value() != "1h" {
		t.Fatalf("share prompt %+v", h.m.prompt)
	}
	h.press("ctrl+u")
	h.typeText("8d")
	h.press("enter")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.err, "at most 7d") {
		t.Fatalf("8d accepted: %+v", h.m.prompt)
	}
	h.press("ctrl+u")
	h.typeText("2d")
	h.press("enter")
	if got := eng.store.catalogState().presigned; !slices.Equal(got, []time.Duration{48 * time.Hour}) {
		t.Fatalf("presigned %v", got)
	}
	url := "http://127.0.0.1:9000/photos/notes.txt?x-oss-signature=abc"
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.body, url) {
		t.Fatalf("link not shown: %+v", h.m.prompt)
	}
	if want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(url)) + "\x07"; !strings.Contains(term.String(), want) {
		t.Fatalf("OSC 52 not written: %q", term.String())
	}
	for _, e := range h.m.deps.Log.Slice(0, h.m.deps.Log.Len()) {
		if strings.Contains(e.Text, "signature") {
			t.Fatalf("the link went to the log: %s", e.Text)
		}
	}
	h.press("esc")
	if h.m.prompt != nil {
		t.Fatal("esc did not close the link")
	}
}

func TestNewFolderPutsAFolderMarker(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos", StartPrefix: "2024/"}, 120, 32)
	h.press("N")
	h.typeText("albums")
	h.press("enter")
	if got := eng.store.catalogState().folders; !slices.Equal(got, []string{"photos/2024/albums/"}) {
		t.Fatalf("folders %v", got)
	}
	if !slices.Contains(h.names(), "albums/") || !strings.Contains(h.m.notice, "made the folder oss://photos/2024/albums/") {
		t.Fatalf("names %v, notice %q", h.names(), h.m.notice)
	}
	h.press("N", "enter")
	if h.m.prompt == nil || h.m.prompt.err == "" {
		t.Fatal("an empty folder name was accepted")
	}
}

func TestCopyAndMoveAnObjectToAnotherBucket(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 120, 32)
	h.cursorTo("notes.txt")
	h.press("c")
	if h.m.prompt == nil || h.m.prompt.input.Value() != "oss://photos/notes.txt" {
		t.Fatalf("copy prompt %+v", h.m.prompt)
	}
	h.press("enter")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.err, "where it is") {
		t.Fatal("a copy onto itself was accepted")
	}
	h.press("ctrl+u")
	h.typeText("oss://backups/")
	h.press("enter")
	if got := eng.store.catalogState().copies; !slices.Equal(got, []string{"photos/notes.txt@ -> backups/notes.txt"}) {
		t.Fatalf("copies %v", got)
	}
	if !strings.Contains(h.m.notice, "copied oss://photos/notes.txt to oss://backups/notes.txt") {
		t.Fatalf("notice %q", h.m.notice)
	}
	h.cursorTo("notes.txt")
	h.press("m")
	h.press("ctrl+u")
	h.typeText("oss://backups/txt/notes.txt")
	h.press("enter")
	if slices.Contains(h.names(), "notes.txt") || !strings.Contains(h.m.notice, "moved oss://photos/notes.txt to oss://backups/txt/notes.txt") {
		t.Fatalf("after move: %v, notice %q", h.names(), h.m.notice)
	}
}

func TestCopyAFolderCopiesEveryObjectUnderIt(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 120, 32)
	h.cursorTo("2024/")
	h.press("c", "ctrl+u")
	h.typeText("oss://backups/2024-copy")
	h.press("enter")
	got := eng.store.catalogState().copies
	if !slices.Equal(got, []string{"photos/2024/a.jpg@ -> backups/2024-copy/a.jpg", "photos/2024/b.jpg@ -> backups/2024-copy/b.jpg"}) {
		t.Fatalf("copies %v", got)
	}
	if !strings.Contains(h.m.notice, "2 objects, 5.0 MiB") {
		t.Fatalf("notice %q", h.m.notice)
	}
}

func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"1h", "7d", "8d", "0", "-1h", "30m", "d", "99999999999999d", " 2h "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseExpiry(s)
		if err == nil && (d <= 0 || d > maxShare) {
			t.Fatalf("%q → %v accepted", s, d)
		}
	})
}

func TestQuitAsksWhileAServerOperationRuns(t *testing.T) {
	t.Parallel()
	h := newHarness(t, catalogEngine(), Deps{StartBucket: "photos"}, 120, 32)
	h.m.opsRunning = map[int]string{1: "deleting oss://photos/2024/"}
	h.press("q")
	if h.m.prompt == nil || h.m.prompt.kind != promptConfirmQuit || !strings.Contains(h.m.prompt.body, "deleting oss://photos/2024/: quitting stops it part-way") {
		t.Fatalf("quit prompt %+v", h.m.prompt)
	}
}
