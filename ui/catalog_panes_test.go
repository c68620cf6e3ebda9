package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/transfer"
)

// catalogEngine is the demo data plus two incomplete uploads under 2024/
// and one elsewhere, and three versions of notes.txt (the middle one a
// delete marker) on a versioned photos bucket.
func catalogEngine() *fakeEngine {
	eng := demoEngine()
	eng.store.addUpload("photos", "2024/huge.mov", "0004B9894A22E5B1888A1E29F823", 3, 8<<20)
	eng.store.addUpload("photos", "2024/raw/c.cr2", "0004B9895DBBB6EC98E36A7F4D10", 1, 5<<20)
	eng.store.addUpload("photos", "elsewhere.bin", "0004B99B8E707874FC2D692FA5D7", 2, 1<<20)
	eng.store.setVersioning("photos", "Enabled")
	for _, v := range []transfer.Version{
		{Key: "notes.txt", VersionID: "CAEQNhiBgMDJgZCA0BYiIGNjM2ZhYWQx", IsLatest: true, Size: 1234, LastModified: fixedTime},
		{Key: "notes.txt", VersionID: "CAEQNhiBgICg.marker", DeleteMarker: true, LastModified: fixedTime.Add(-1e9 * 3600)},
		{Key: "notes.txt", VersionID: "CAEQNhiBgIDmgZCA0BYiIDk4ZWNiYTEx", Size: 999, LastModified: fixedTime.Add(-1e9 * 7200)},
		{Key: "gone.txt", VersionID: "CAEQmarkergone", IsLatest: true, DeleteMarker: true, LastModified: fixedTime},
		{Key: "gone.txt", VersionID: "CAEQlastgone", Size: 4321, LastModified: fixedTime.Add(-1e9 * 86400)},
	} {
		eng.store.addVersion("photos", v)
	}
	return eng
}

func TestUploadsPaneListsAbortsOneAndAll(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos", StartPrefix: "2024/"}, 120, 32)
	h.press("M")
	if h.m.pane != paneUploads || len(h.m.uploads.uploads) != 2 {
		t.Fatalf("pane %s, %d uploads; want the 2 under 2024/", h.m.pane, len(h.m.uploads.uploads))
	}
	view := h.view()
	for _, want := range []string{"huge.mov", "raw/c.cr2", "24.0 MiB", "29.0 MiB of parts", "1d02h"} {
		if !strings.Contains(view, want) {
			t.Fatalf("uploads pane lacks %q:\n%s", want, view)
		}
	}
	// x asks, n leaves it.
	h.press("x")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.body, "24.0 MiB") {
		t.Fatalf("abort prompt: %+v", h.m.prompt)
	}
	h.press("n")
	if got := eng.store.catalogState().aborted; len(got) != 0 {
		t.Fatalf("n aborted %v", got)
	}
	h.press("x", "y")
	if got := eng.store.catalogState().aborted; !slices.Equal(got, []string{"0004B9894A22E5B1888A1E29F823"}) {
		t.Fatalf("aborted %v", got)
	}
	if !strings.Contains(h.m.notice, "24.0 MiB freed") || len(h.m.uploads.uploads) != 1 {
		t.Fatalf("after abort: notice %q, %d uploads left", h.m.notice, len(h.m.uploads.uploads))
	}
	// X says how much all of them free.
	h.press("X")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.body, "frees 5.0 MiB") {
		t.Fatalf("abort-all prompt: %+v", h.m.prompt)
	}
	h.press("y")
	if len(h.m.uploads.uploads) != 0 || !strings.Contains(h.m.notice, "5.0 MiB freed") {
		t.Fatalf("after abort all: %d left, notice %q", len(h.m.uploads.uploads), h.m.notice)
	}
	if h.m.keys.AbortAll.Enabled() || h.m.keys.Abort.Enabled() {
		t.Fatal("abort stays enabled with nothing to abort")
	}
	h.press("esc")
	if h.m.pane != paneBrowser {
		t.Fatalf("esc went to %s", h.m.pane)
	}
}

func TestUploadsPaneResumeVerifiesTheFileAndQueuesTheSameUpload(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	data := make([]byte, 250<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	const partSize = 100 << 10
	eng.store.addUploadOf("photos", "video.mp4", "UPLOAD-1", data, partSize, 2)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "video.mp4"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir}}, 120, 32)
	h.press("M", "enter")
	if h.m.prompt == nil || h.m.prompt.input.Value() != filepath.Join(dir, "video.mp4") {
		t.Fatalf("resume prompt: %+v", h.m.prompt)
	}
	h.press("enter")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.body, "2 of 3 parts verify") {
		t.Fatalf("verify result: %+v", h.m.prompt)
	}
	h.press("y")
	if len(eng.added) != 1 {
		t.Fatalf("queued %d", len(eng.added))
	}
	s := eng.added[0]
	if s.Direction != transfer.Upload || s.AdoptUploadID != "UPLOAD-1" || s.PartSize != partSize || s.Key != "video.mp4" {
		t.Fatalf("spec %+v", s)
	}

	// A different file of the same name does not match: nothing queued.
	other := append([]byte(nil), data...)
	other[5] ^= 1
	if err := os.WriteFile(filepath.Join(dir, "video.mp4"), other, 0o600); err != nil {
		t.Fatal(err)
	}
	h.press("M", "enter", "enter")
	if h.m.prompt == nil || h.m.prompt.kind != promptInfo || !strings.Contains(h.m.prompt.body, "part 1") {
		t.Fatalf("mismatch: %+v", h.m.prompt)
	}
	h.press("enter")
	if len(eng.added) != 1 {
		t.Fatal("a file that does not match was queued")
	}
}

func TestVersionsPaneDownloadsTheChosenVersion(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	dir := t.TempDir()
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir}}, 120, 32)
	h.press("G") // notes.txt is last
	h.press("v")
	if h.m.pane != paneVersions || len(h.m.versions.versions) != 3 {
		t.Fatalf("pane %s with %d versions", h.m.pane, len(h.m.versions.versions))
	}
	if v := h.view(); !strings.Contains(v, "latest") || !strings.Contains(v, "delete marker") {
		t.Fatalf("versions view:\n%s", v)
	}
	h.press("down")
	if h.m.keys.Download.Enabled() {
		t.Fatal("d is on for a delete marker")
	}
	h.press("d")
	if h.m.prompt != nil {
		t.Fatal("d on a delete marker opened a prompt")
	}
	h.press("down", "d")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.title, "CAEQNhiBgIDmgZCA0BYiIDk4ZWNiYTEx") {
		t.Fatalf("prompt %+v", h.m.prompt)
	}
	h.press("enter")
	if len(eng.added) != 1 || eng.added[0].VersionID != "CAEQNhiBgIDmgZCA0BYiIDk4ZWNiYTEx" || eng.added[0].Key != "notes.txt" {
		t.Fatalf("added %+v", eng.added)
	}
}

func TestDeletedObjectsToggleAndRestore(t *testing.T) {
	t.Parallel()
	eng := catalogEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 120, 32)
	h.press("V")
	if h.m.pane != paneDeleted || len(h.m.deleted.objects) != 1 || h.m.deleted.objects[0].Key != "gone.txt" {
		t.Fatalf("pane %s, deleted %+v", h.m.pane, h.m.deleted.objects)
	}
	h.press("u")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.body, "CAEQlastgone") {
		t.Fatalf("restore prompt %+v", h.m.prompt)
	}
	h.press("y")
	if got := eng.store.catalogState().copies; !slices.Equal(got, []string{"photos/gone.txt@CAEQlastgone -> photos/gone.txt"}) {
		t.Fatalf("copies %v", got)
	}
	if !strings.Contains(h.m.notice, "restored oss://photos/gone.txt") {
		t.Fatalf("notice %q", h.m.notice)
	}
	h.press("V")
	if h.m.pane != paneBrowser {
		t.Fatalf("V went to %s", h.m.pane)
	}
}

func TestCatalogKeysSayWhyWithoutABucketOrObject(t *testing.T) {
	t.Parallel()
	h := newHarness(t, catalogEngine(), Deps{}, 120, 32)
	h.press("M")
	if h.m.pane != paneBrowser || !strings.Contains(h.m.notice, "open a bucket first") {
		t.Fatalf("M on the bucket list: pane %s, notice %q", h.m.pane, h.m.notice)
	}
	h2 := newHarness(t, catalogEngine(), Deps{StartBucket: "photos"}, 120, 32)
	h2.press("v") // the cursor is on the 2024/ folder
	if h2.m.pane != paneBrowser || !strings.Contains(h2.m.notice, "put the cursor on an object") {
		t.Fatalf("v on a folder: pane %s, notice %q", h2.m.pane, h2.m.notice)
	}
	h2.press("m")
	if !strings.Contains(h2.m.notice, "copy it (c), then delete it (D)") {
		t.Fatalf("m on a folder: %q", h2.m.notice)
	}
}

func TestCatalogPanesScrollAndClickWithTheMouse(t *testing.T) {
	t.Parallel()
	h := newHarness(t, catalogEngine(), Deps{StartBucket: "photos"}, 120, 32)
	h.press("M")
	h.send(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress, Y: 10})
	if h.m.uploads.cursor != 2 {
		t.Fatalf("wheel: cursor %d, want the last of 3", h.m.uploads.cursor)
	}
	h.send(tea.MouseMsg{Button: tea.MouseButtonLeft, Action: tea.MouseActionPress, Y: headerHeight + catalogListTop + 1})
	if h.m.uploads.cursor != 1 {
		t.Fatalf("click: cursor %d, want 1", h.m.uploads.cursor)
	}
}
