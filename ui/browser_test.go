package ui

import (
	"fmt"
	"ossq/transfer"
	"slices"
	"strings"
	"testing"
	"time"
)

func demoEngine() *fakeEngine {
	eng := newFakeEngine()
	eng.store.buckets = []transfer.Bucket{
		{Name: "photos", Region: "oss-cn-hangzhou", Created: fixedTime},
		{Name: "backups", Region: "oss-eu-central-1", Created: fixedTime.Add(-48 * time.Hour)},
	}
	eng.store.addObject("photos", "2024/a.jpg", 2<<20)
	eng.store.addObject("photos", "2024/b.jpg", 3<<20)
	eng.store.addObject("photos", "big.iso", 5<<30)
	eng.store.addObject("photos", "notes.txt", 1234)
	eng.store.addObject("photos", "zz/deep/x.bin", 10)
	eng.store.addObject("backups", "db.dump", 99)
	return eng
}

func (h *harness) names() []string {
	var out []string
	for _, i := range h.m.browser.visible {
		out = append(out, h.m.browser.entries[i].name)
	}
	return out
}

func TestStartListsBucketsAndOpensOne(t *testing.T) {
	t.Parallel()
	h := newHarness(t, demoEngine(), Deps{}, 80, 24)
	if got := h.names(); !slices.Equal(got, []string{"backups", "photos"}) {
		t.Fatalf("buckets = %v", got)
	}
	h.press("down", "enter")
	if h.m.browser.bucket != "photos" || h.m.browser.prefix != "" {
		t.Fatalf("location = %s", h.m.browser.location())
	}
	// Folders first, then objects by name.
	if got := h.names(); !slices.Equal(got, []string{"2024/", "zz/", "big.iso", "notes.txt"}) {
		t.Fatalf("entries = %v", got)
	}
	h.press("enter")
	if h.m.browser.location() != "oss://photos/2024/" {
		t.Fatalf("location = %s", h.m.browser.location())
	}
	h.press("backspace")
	if h.m.browser.location() != "oss://photos/" {
		t.Fatalf("after up: %s", h.m.browser.location())
	}
	h.press("h")
	if h.m.browser.location() != "oss://" || len(h.m.browser.entries) != 2 {
		t.Fatalf("after up from bucket root: %s %d", h.m.browser.location(), len(h.m.browser.entries))
	}
}

func TestStartBucketAndPrefixOpenStraightThere(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos", StartPrefix: "2024"}, 80, 24)
	if h.m.browser.location() != "oss://photos/2024/" {
		t.Fatalf("location = %s", h.m.browser.location())
	}
	if got := h.names(); !slices.Equal(got, []string{"a.jpg", "b.jpg"}) {
		t.Fatalf("entries = %v", got)
	}
	if !strings.Contains(h.view(), "oss://photos/2024/") {
		t.Fatalf("header lacks the location:\n%s", h.view())
	}
}

func TestListBucketsDeniedAsksForABucketName(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	eng.store.bucketsErr = fmt.Errorf("list buckets: %w", deniedError())
	h := newHarness(t, eng, Deps{}, 80, 24)
	if !h.m.browser.bucketsDenied {
		t.Fatal("AccessDenied not recognised")
	}
	if h.m.prompt == nil || h.m.prompt.kind != promptBucketName {
		t.Fatalf("no bucket prompt: %#v", h.m.prompt)
	}
	if !strings.Contains(h.view(), "denied") {
		t.Fatalf("view does not say it was denied:\n%s", h.view())
	}
	h.typeText("Bad_Name")
	h.press("enter")
	if h.m.prompt == nil || h.m.prompt.err == "" {
		t.Fatal("an invalid bucket name was accepted")
	}
	h.press("ctrl+u")
	h.typeText("oss://photos/2024")
	h.press("enter")
	if h.m.prompt != nil {
		t.Fatalf("prompt still open: %s", h.m.prompt.err)
	}
	if h.m.browser.location() != "oss://photos/2024/" || len(h.m.browser.entries) != 2 {
		t.Fatalf("location %s entries %d", h.m.browser.location(), len(h.m.browser.entries))
	}
	// Going up from the bucket root asks again instead of listing buckets.
	h.press("backspace", "backspace")
	if h.m.prompt == nil || h.m.prompt.kind != promptBucketName {
		t.Fatal("up from the bucket root did not ask for a bucket")
	}
}

func TestLargePrefixLoadsPagesLazily(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	const total = 100_000
	objs := make([]transfer.Object, total)
	for i := range objs {
		objs[i] = transfer.Object{Key: fmt.Sprintf("many/obj-%06d", i), Size: int64(i), LastModified: fixedTime}
	}
	eng.store.objects["big"] = objs
	h := newHarness(t, eng, Deps{StartBucket: "big", StartPrefix: "many/"}, 80, 24)
	if n := len(h.m.browser.entries); n != listPageSize {
		t.Fatalf("opened with %d entries, want one page (%d)", n, listPageSize)
	}
	if eng.store.listCalls != 1 {
		t.Fatalf("list calls = %d", eng.store.listCalls)
	}
	// Near the end of the loaded rows, the next page comes.
	for i := 0; i < 10 && len(h.m.browser.entries) < 3*listPageSize; i++ {
		h.press("G")
	}
	if n := len(h.m.browser.entries); n < 3*listPageSize {
		t.Fatalf("after jumping to the end %d entries", n)
	}
	if n := len(h.m.browser.entries); n > total {
		t.Fatalf("duplicate rows: %d", n)
	}
	if got := h.m.browser.current().name; !strings.HasPrefix(got, "obj-") {
		t.Fatalf("cursor on %q", got)
	}
}

func TestFilterAndSort(t *testing.T) {
	t.Parallel()
	h := newHarness(t, demoEngine(), Deps{StartBucket: "photos"}, 80, 24)
	h.press("/")
	if !h.m.browser.filtering {
		t.Fatal("/ did not open the filter")
	}
	h.typeText("TX")
	if got := h.names(); !slices.Equal(got, []string{"notes.txt"}) {
		t.Fatalf("filtered = %v", got)
	}
	// q types into the filter instead of quitting.
	h.typeText("q")
	if h.m.quitting || h.m.prompt != nil {
		t.Fatal("q in the filter acted as quit")
	}
	h.press("backspace", "enter")
	if h.m.browser.filtering || h.m.browser.filter != "TX" {
		t.Fatalf("filtering=%v filter=%q", h.m.browser.filtering, h.m.browser.filter)
	}
	h.press("esc")
	if h.m.browser.filter != "" || len(h.names()) != 4 {
		t.Fatalf("esc did not clear the filter: %v", h.names())
	}
	h.press("s")
	if got := h.names(); !slices.Equal(got, []string{"2024/", "zz/", "big.iso", "notes.txt"}) || h.m.browser.sortBy != sortSize {
		t.Fatalf("by size = %v", got)
	}
	h.press("s")
	if h.m.browser.sortBy != sortTime {
		t.Fatal("sort did not cycle to time")
	}
	h.press("s")
	if h.m.browser.sortBy != sortName {
		t.Fatal("sort did not cycle back to name")
	}
}

func TestInfoPanelShowsHeadObject(t *testing.T) {
	t.Parallel()
	h := newHarness(t, demoEngine(), Deps{StartBucket: "photos"}, 80, 30)
	h.press("G", "i")
	if !h.m.browser.infoOpen || h.m.browser.info.key != "notes.txt" || h.m.browser.info.loading {
		t.Fatalf("info = %+v", h.m.browser.info)
	}
	v := h.view()
	for _, want := range []string{"0123456789ABCDEF", "1234567890123456789", "application/octet-stream", "1234 bytes"} {
		if !strings.Contains(v, want) {
			t.Fatalf("info lacks %q:\n%s", want, v)
		}
	}
	// The panel follows the cursor; an answer for another key is dropped.
	h.press("up")
	if h.m.browser.info.key != "big.iso" {
		t.Fatalf("info follows %q", h.m.browser.info.key)
	}
	h.send(headMsg{bucket: "photos", key: "notes.txt", obj: transfer.Object{Key: "notes.txt", ETag: "stale"}})
	if h.m.browser.info.obj.ETag == "stale" {
		t.Fatal("a HEAD answer for another key replaced the panel")
	}
	h.press("esc")
	if h.m.browser.infoOpen {
		t.Fatal("esc did not close the info panel")
	}
}

func TestStaleListingAnswersAreDropped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, demoEngine(), Deps{StartBucket: "photos"}, 80, 24)
	before := len(h.m.browser.entries)
	h.send(pageMsg{seq: h.m.browser.seq - 1, bucket: "photos", page: transfer.Page{Objects: []transfer.Object{{Key: "ghost"}}}})
	h.send(pageMsg{seq: h.m.browser.seq, bucket: "other", page: transfer.Page{Objects: []transfer.Object{{Key: "ghost"}}}})
	if len(h.m.browser.entries) != before {
		t.Fatal("a stale page was applied")
	}
}

func TestUpLandsOnTheFolderWeLeft(t *testing.T) {
	t.Parallel()
	h := newHarness(t, demoEngine(), Deps{StartBucket: "photos"}, 80, 24)
	h.press("j", "enter") // zz/
	if h.m.browser.location() != "oss://photos/zz/" {
		t.Fatalf("location %s", h.m.browser.location())
	}
	h.press("h")
	if e := h.m.browser.current(); e == nil || e.key != "zz/" {
		t.Fatalf("cursor on %+v", e)
	}
	h.press("h")
	if e := h.m.browser.current(); e == nil || e.key != "photos" {
		t.Fatalf("cursor on %+v", e)
	}
}

func TestRefreshKeepsTheCursorOnTheSameEntry(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// R restores the archived object under the cursor (through the store's
// RestoreObject), says what happens next, and is only offered for archive
// storage classes; a second R reports the restore already running.
func TestRestoreArchivedObject(t *testing.T) {
	t.Parallel()
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

// d on an archived object offers a restore instead of a download that can
// only fail; when the slow poll sees it restored, ossq says so and offers
// the download.
func TestDownloadOfAnArchivedObjectOffersARestore(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	eng.store.mu.Lock()
	for i := range eng.store.objects["photos"] {
		if eng.store.objects["photos"][i].Key == "notes.txt" {
			eng.store.objects["photos"][i].StorageClass = "Archive"
		}
	}
	eng.store.mu.Unlock()
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 100, 30)
	h.press("G", "d")
	if h.m.prompt == nil || h.m.prompt.kind != promptRestoreDays {
		t.Fatalf("d on an archived object: prompt %+v", h.m.prompt)
	}
	h.m.prompt.input.SetValue("400")
	h.press("enter")
	if h.m.prompt == nil || !strings.Contains(h.m.prompt.err, "1 to 365") {
		t.Fatalf("400 days accepted: %+v", h.m.prompt)
	}
	h.m.prompt.input.SetValue("3")
	h.press("enter")
	if len(eng.store.restored) != 1 || !h.m.restoring["photos/notes.txt"] {
		t.Fatalf("restored %q, polling %v", eng.store.restored, h.m.restoring)
	}
	restored := transfer.Object{Key: "notes.txt", StorageClass: "Archive", Restore: `ongoing-request="false", expiry-date="Sun, 16 Apr 2026 08:12:33 GMT"`}
	h.send(restorePollMsg{bucket: "photos", key: "notes.txt", obj: restored})
	if h.m.prompt == nil || h.m.prompt.kind != promptRestoreDone || !strings.Contains(h.m.notice, "restore finished") {
		t.Fatalf("no word of the finished restore: prompt %+v notice %q", h.m.prompt, h.m.notice)
	}
	h.press("y")
	if h.m.prompt == nil || h.m.prompt.kind != promptDownloadDest || h.m.prompt.targets[0].key != "notes.txt" {
		t.Fatalf("y did not offer the download: %+v", h.m.prompt)
	}
}
