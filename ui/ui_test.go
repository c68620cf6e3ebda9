package ui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"ossq/transfer"
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
	eng := demoEngine()
	eng.store.bucketsErr = fmt.Errorf("list buckets: %w", deniedError{})
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
	h := newHarness(t, demoEngine(), Deps{StartBucket: "photos"}, 80, 24)
	before := len(h.m.browser.entries)
	h.send(pageMsg{seq: h.m.browser.seq - 1, bucket: "photos", page: transfer.Page{Objects: []transfer.Object{{Key: "ghost"}}}})
	h.send(pageMsg{seq: h.m.browser.seq, bucket: "other", page: transfer.Page{Objects: []transfer.Object{{Key: "ghost"}}}})
	if len(h.m.browser.entries) != before {
		t.Fatal("a stale page was applied")
	}
}

func TestDownloadAsksForDestinationThenAdds(t *testing.T) {
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

func TestUploadPickerQueuesFilesAndFolders(t *testing.T) {
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

// queueSnapshot is a deterministic queue with one transfer per state.
func queueSnapshot() transfer.Snapshot {
	parts := make([]transfer.PartSnapshot, 12)
	for i := range parts {
		st := transfer.PartDone
		done := int64(8 << 20)
		switch {
		case i == 5:
			st, done = transfer.PartRetrying, 1<<20
		case i >= 6 && i < 9:
			st, done = transfer.PartActive, int64(i-5)<<20
		case i >= 9:
			st, done = transfer.PartPending, 0
		}
		parts[i] = transfer.PartSnapshot{Number: i + 1, Offset: int64(i) << 23, Size: 8 << 20, Done: done, State: st}
	}
	return transfer.Snapshot{
		Version: 7, Active: 1, Queued: 1, Speed: 12.5 * (1 << 20), BandwidthLimit: 0,
		Transfers: []transfer.TransferSnapshot{
			{ID: "run", Direction: transfer.Download, Bucket: "photos", Key: "big.iso", LocalPath: "/data/big.iso", State: transfer.StateRunning,
				Size: 96 << 20, Done: 47 << 20, Speed: 12.5 * (1 << 20), ETA: 4 * time.Second, Retries: 1, Parallel: 4, PartSize: 8 << 20,
				Parts: parts, CheckpointPath: "/state/cp/run.json", Added: fixedTime},
			{ID: "que", Direction: transfer.Upload, Bucket: "photos", Key: "2024/c.jpg", LocalPath: "/home/u/c.jpg", State: transfer.StateQueued,
				Size: 3 << 20, Parallel: 4, Added: fixedTime},
			{ID: "pau", Direction: transfer.Download, Bucket: "photos", Key: "2024/a.jpg", LocalPath: "/data/a.jpg", State: transfer.StatePaused,
				Size: 2 << 20, Done: 1 << 20, Parallel: 2, Added: fixedTime},
			{ID: "bad", Direction: transfer.Download, Bucket: "photos", Key: "gone.bin", LocalPath: "/data/gone.bin", State: transfer.StateFailed,
				Size: -1, Parallel: 4, Err: "NoSuchKey: The specified key does not exist.",
				ErrInfo: &transfer.ErrorInfo{Op: "HeadObject", Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "5C3D9175B6FC201293AD4890", Status: 404},
				Added:   fixedTime},
			{ID: "ok", Direction: transfer.Upload, Bucket: "photos", Key: "notes.txt", LocalPath: "/home/u/notes.txt", State: transfer.StateDone,
				Size: 1234, Done: 1234, Parallel: 4, Added: fixedTime, Finished: fixedTime},
		},
	}
}

func (h *harness) selectTransfer(id transfer.ID) {
	h.t.Helper()
	for i, r := range h.m.queue.rows {
		if r.job.ID == id {
			h.m.queue.moveTo(h.m.queue.base + i)
			h.m.refreshChrome()
			return
		}
	}
	h.t.Fatalf("no transfer %s", id)
}

func TestQueueKeysCallTheEngineByID(t *testing.T) {
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 120, 40)
	h.press("tab")
	if h.m.pane != paneQueue {
		t.Fatal("tab did not switch to the queue")
	}
	h.selectTransfer("run")
	h.press("p", "+", "-", "J")
	h.selectTransfer("pau")
	h.press("p", "K")
	h.selectTransfer("bad")
	h.press("R", "p") // p: a failed transfer can be retried, not paused
	h.selectTransfer("ok")
	h.press("delete", "R")
	// - counts from the 5 that + asked for, though no snapshot shows it yet.
	want := []string{"pause run", "parallel run 5", "parallel run 4", "move run 1", "resume pau", "move pau -1", "retry bad", "remove ok"}
	if got := eng.Calls(); !slices.Equal(got, want) {
		t.Fatalf("calls = %q\nwant    %q", got, want)
	}
}

func TestCancelAsksFirst(t *testing.T) {
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 120, 40)
	h.press("tab")
	h.selectTransfer("pau")
	h.press("x")
	if h.m.prompt == nil || h.m.prompt.kind != promptConfirmCancel || h.m.prompt.id != "pau" {
		t.Fatalf("prompt = %#v", h.m.prompt)
	}
	h.press("n")
	if len(eng.Calls()) != 0 || h.m.prompt != nil {
		t.Fatalf("n canceled: %v", eng.Calls())
	}
	h.press("x", "y")
	if got := eng.Calls(); !slices.Equal(got, []string{"cancel pau"}) {
		t.Fatalf("calls = %v", got)
	}
	h.selectTransfer("ok")
	h.press("x")
	if h.m.prompt != nil {
		t.Fatal("x offered to cancel a finished transfer")
	}
}

func TestBandwidthPrompt(t *testing.T) {
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 80, 24)
	h.press("tab", "b")
	if h.m.prompt == nil || h.m.prompt.kind != promptBandwidth {
		t.Fatalf("prompt = %#v", h.m.prompt)
	}
	h.press("ctrl+u")
	h.typeText("fast")
	h.press("enter")
	if h.m.prompt == nil || h.m.prompt.err == "" {
		t.Fatal("junk was accepted as a bandwidth")
	}
	h.press("ctrl+u")
	h.typeText("20MiB")
	h.press("enter")
	if h.m.prompt != nil || eng.bandwidth != 20<<20 {
		t.Fatalf("bandwidth = %d", eng.bandwidth)
	}
	h.press("b", "ctrl+u")
	h.typeText("0")
	h.press("enter")
	if eng.bandwidth != 0 || !slices.Contains(eng.Calls(), "bandwidth 0") {
		t.Fatalf("calls = %v", eng.Calls())
	}
}

func TestPauseAllTogglesWithState(t *testing.T) {
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 80, 24)
	h.press("tab", "P")
	paused := queueSnapshot()
	paused.Version++
	for i := range paused.Transfers {
		if paused.Transfers[i].State.Active() {
			paused.Transfers[i].State = transfer.StatePaused
		}
	}
	paused.Active, paused.Queued = 0, 0
	h.sendSnap(paused)
	h.press("P")
	if got := eng.Calls(); !slices.Equal(got, []string{"pauseall", "resumeall"}) {
		t.Fatalf("calls = %v", got)
	}
}

// C removes every done and canceled transfer (a folder download leaves
// hundreds of them); failed ones stay so they can be retried.
func TestClearFinishedRemovesDoneAndCanceledOnly(t *testing.T) {
	eng := demoEngine()
	snap := queueSnapshot()
	snap.Transfers = append(snap.Transfers, transfer.TransferSnapshot{ID: "gone", Direction: transfer.Download,
		Bucket: "photos", Key: "x.bin", LocalPath: "/data/x.bin", State: transfer.StateCanceled})
	eng.setSnapshot(snap)
	h := newHarness(t, eng, Deps{}, 120, 40)
	h.press("tab")
	if !h.m.keys.ClearDone.Enabled() {
		t.Fatal("clear finished not offered with done and canceled transfers")
	}
	h.press("C")
	if got := eng.Calls(); !slices.Equal(got, []string{"remove ok", "remove gone"}) {
		t.Fatalf("calls = %q", got)
	}

	// Nothing finished and nothing to pause or resume: neither C nor P is offered.
	failedOnly := transfer.Snapshot{Version: 99, Transfers: []transfer.TransferSnapshot{snap.Transfers[3]}}
	h.sendSnap(failedOnly)
	if h.m.keys.ClearDone.Enabled() || h.m.keys.PauseAll.Enabled() {
		t.Fatalf("with only a failed transfer: clear=%v pauseall=%v", h.m.keys.ClearDone.Enabled(), h.m.keys.PauseAll.Enabled())
	}
}

func TestQuitAsksWhileTransfersRun(t *testing.T) {
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 80, 24)
	h.press("q")
	if h.m.prompt == nil || h.m.prompt.kind != promptConfirmQuit || h.m.quitting {
		t.Fatalf("q did not ask: %#v", h.m.prompt)
	}
	h.press("n")
	if h.m.prompt != nil || h.m.quitting {
		t.Fatal("n did not keep running")
	}
	h.press("ctrl+c")
	if h.m.prompt == nil {
		t.Fatal("ctrl+c did not ask")
	}
	_, cmd := h.m.Update(keyMsg("y"))
	if cmd == nil {
		t.Fatal("y returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("y did not quit")
	}
}

func TestQuitIsImmediateWhenIdle(t *testing.T) {
	h := newHarness(t, demoEngine(), Deps{}, 80, 24)
	_, cmd := h.m.Update(keyMsg("q"))
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not quit when idle")
	}
}

func TestEnabledBindingsFollowState(t *testing.T) {
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 160, 40)
	k := &h.m.keys
	if !k.Download.Enabled() || k.Upload.Enabled() || k.Parent.Enabled() || !k.Open.Enabled() {
		t.Fatal("bucket list bindings wrong")
	}
	h.press("tab")
	h.selectTransfer("bad")
	// A failed transfer is finished: it can be retried or removed.
	if !k.Retry.Enabled() || k.PauseResume.Enabled() || !k.Remove.Enabled() || k.Cancel.Enabled() {
		t.Fatalf("failed transfer: retry=%v pause=%v remove=%v cancel=%v", k.Retry.Enabled(), k.PauseResume.Enabled(), k.Remove.Enabled(), k.Cancel.Enabled())
	}
	help := h.m.footerText
	if !strings.Contains(help, "R retry") || !strings.Contains(help, "del/⌫ remove") || strings.Contains(help, "x cancel") ||
		strings.Contains(help, "p pause •") || strings.Contains(help, "p resume") {
		t.Fatalf("help for a failed transfer: %s", help)
	}
	h.selectTransfer("pau")
	if !k.PauseResume.Enabled() || k.PauseResume.Help().Desc != "resume" || k.Retry.Enabled() {
		t.Fatal("paused transfer bindings wrong")
	}
	h.selectTransfer("ok")
	if !k.Remove.Enabled() || k.Cancel.Enabled() || k.PauseResume.Enabled() {
		t.Fatal("finished transfer bindings wrong")
	}
	h.press("?")
	if !h.m.overlay || !strings.Contains(h.view(), "move up") {
		t.Fatalf("? did not open full help:\n%s", h.view())
	}
	// The overlay takes the keys until ? or esc closes it.
	h.press("b")
	if h.m.prompt != nil || !h.m.overlay {
		t.Fatal("a key under the overlay acted")
	}
	h.press("esc")
	if h.m.overlay {
		t.Fatal("esc did not close the overlay")
	}
	h.press("?", "?")
	if h.m.overlay {
		t.Fatal("? did not close the overlay")
	}
	// A prompt takes every key: the help line gives way to its own hint.
	h.press("b")
	if k.Quit.Enabled() || k.SwitchPane.Enabled() {
		t.Fatal("pane bindings stayed on under a prompt")
	}
}

func TestQueueCursorFollowsTheTransferNotTheRow(t *testing.T) {
	eng := demoEngine()
	snap := queueSnapshot()
	eng.setSnapshot(snap)
	h := newHarness(t, eng, Deps{}, 80, 24)
	h.press("tab")
	h.selectTransfer("pau")
	moved := queueSnapshot()
	moved.Version = snap.Version + 1
	moved.Transfers[1], moved.Transfers[2] = moved.Transfers[2], moved.Transfers[1]
	h.sendSnap(moved)
	if cur := h.m.queue.current(); cur == nil || cur.ID != "pau" || h.m.queue.cursor != 1 {
		t.Fatalf("cursor on %v at %d", cur, h.m.queue.cursor)
	}
	// An older window arriving late never steps the view back.
	eng.setSnapshot(snap)
	h.send(windowMsg{seq: 1, req: h.m.windowRequest(), win: eng.Window(h.m.windowRequest())})
	if h.m.win.Version != moved.Version {
		t.Fatal("an older snapshot replaced a newer one")
	}
}

func TestTickRunsOnlyWhileActive(t *testing.T) {
	eng := demoEngine()
	h := newHarness(t, eng, Deps{}, 80, 24)
	if h.m.ticking {
		t.Fatal("ticking with an empty queue")
	}
	active := queueSnapshot()
	h.sendSnap(active)
	if !h.m.ticking {
		t.Fatal("not ticking with active transfers")
	}
	idle := queueSnapshot()
	idle.Version++
	idle.Active, idle.Queued = 0, 0
	for i := range idle.Transfers {
		if idle.Transfers[i].State.Active() {
			idle.Transfers[i].State = transfer.StatePaused
		}
	}
	eng.setSnapshot(idle)
	h.m.winSeq++
	h.send(windowMsg{seq: h.m.winSeq, req: h.m.windowRequest(), win: eng.Window(h.m.windowRequest()), fromTick: true})
	if h.m.ticking {
		t.Fatal("the tick re-armed with nothing active")
	}
}

func TestEventsBecomeNotices(t *testing.T) {
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 80, 24)
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventFailed, ID: "bad", Message: "NoSuchKey"}})
	if !h.m.noticeErr || !strings.Contains(h.m.notice, "gone.bin") || !strings.Contains(h.m.notice, "NoSuchKey") {
		t.Fatalf("notice = %q err=%v", h.m.notice, h.m.noticeErr)
	}
	if !strings.Contains(h.view(), "failed: oss://photos/gone.bin") {
		t.Fatal("the notice is not on screen")
	}
	seq := h.m.noticeSeq
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventDone, ID: "ok"}})
	h.send(noticeExpiredMsg{seq: seq})
	if h.m.notice == "" {
		t.Fatal("an old expiry cleared a newer notice")
	}
	h.send(noticeExpiredMsg{seq: h.m.noticeSeq})
	if h.m.notice != "" {
		t.Fatal("the notice did not expire")
	}
}

func TestDetailsOpenScrollAndBack(t *testing.T) {
	eng := demoEngine()
	snap := queueSnapshot()
	many := make([]transfer.PartSnapshot, 5000)
	for i := range many {
		many[i] = transfer.PartSnapshot{Number: i + 1, Offset: int64(i) << 20, Size: 1 << 20, State: transfer.PartPending}
	}
	snap.Transfers[0].Parts = many
	eng.setSnapshot(snap)
	h := newHarness(t, eng, Deps{}, 80, 24)
	h.press("tab")
	h.selectTransfer("run")
	h.press("enter")
	if h.m.pane != paneDetails || h.m.details.id != "run" {
		t.Fatalf("pane %d id %s", h.m.pane, h.m.details.id)
	}
	if !strings.Contains(h.view(), "#1 ") || !strings.Contains(h.view(), "/state/cp/run.json") {
		t.Fatalf("details:\n%s", h.view())
	}
	h.press("down", "down")
	if h.m.details.scroll != 2 {
		t.Fatalf("scroll = %d", h.m.details.scroll)
	}
	h.press("G")
	if h.m.details.scroll != h.m.details.partTotal-h.m.details.partRows {
		t.Fatalf("scroll at end = %d (total %d rows %d)", h.m.details.scroll, h.m.details.partTotal, h.m.details.partRows)
	}
	if !strings.Contains(h.view(), "#5000 ") {
		t.Fatalf("last part bar missing:\n%s", h.view())
	}
	// g switches to the grid of cells, a row of them per line.
	h.press("g", "G")
	if !h.m.details.grid || !strings.Contains(h.view(), "#4965") {
		t.Fatalf("last grid row missing:\n%s", h.view())
	}
	h.press("p")
	if got := eng.Calls(); !slices.Equal(got, []string{"pause run"}) {
		t.Fatalf("calls = %v", got)
	}
	h.press("esc")
	if h.m.pane != paneQueue {
		t.Fatal("esc did not go back to the queue")
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	eng := newFakeEngine()
	for i := range 50 {
		eng.store.addObject("b", fmt.Sprintf("k%02d", i), int64(i))
	}
	h := newHarness(t, eng, Deps{StartBucket: "b"}, 80, 24)
	h.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if h.m.browser.cursor != wheelStep {
		t.Fatalf("cursor = %d", h.m.browser.cursor)
	}
}

func TestTinyAndResizedWindowsNeverOverflow(t *testing.T) {
	eng := demoEngine()
	eng.setSnapshot(gridSnapshot())
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 80, 24)
	check := func(where string) {
		t.Helper()
		v := h.view()
		lines := strings.Split(v, "\n")
		w, ht := h.m.width, h.m.height
		if len(lines) > ht {
			t.Fatalf("%s %dx%d: %d lines", where, w, ht, len(lines))
		}
		for _, l := range lines {
			if cellWidth(l) > w {
				t.Fatalf("%s %dx%d: line wider than the screen: %q", where, w, ht, l)
			}
		}
	}
	for _, size := range [][2]int{{80, 24}, {20, 5}, {200, 60}, {33, 10}, {60, 20}, {64, 24}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		check("browser")
		h.press("i")
		check("info")
		h.press("esc", "tab")
		check("queue")
		h.press("enter")
		check("details")
		h.press("esc", "tab", "d")
		check("prompt")
		h.press("esc")
	}
}

func TestFormatAndParse(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{-1, "?"}, {0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {5 << 30, "5.0 GiB"}, {200 << 20, "200 MiB"}} {
		if got := formatSize(c.n); got != c.want {
			t.Errorf("formatSize(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want int64
	}{{"0", 0}, {"none", 0}, {"20MiB", 20 << 20}, {"500k", 500 << 10}, {"1.5G", 3 << 29}, {"20MiB/s", 20 << 20}} {
		got, err := parseSize(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"fast", "-3M", "12 parsecs"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted junk", bad)
		}
	}
	if got := formatETA(3*time.Minute + 5*time.Second); got != "3m05s" {
		t.Errorf("formatETA = %q", got)
	}
	if got := truncateLeft("/very/long/path/file.bin", 10); got != "…/file.bin" {
		t.Errorf("truncateLeft = %q", got)
	}
}

func TestPartStripGroupsWhenPartsOutnumberCells(t *testing.T) {
	s := NewStyles(DefaultTheme(), newRenderer(true))
	parts := make([]transfer.PartSnapshot, 100)
	for i := range parts {
		parts[i].State = transfer.PartDone
	}
	parts[55].State = transfer.PartFailed
	parts[99].State = transfer.PartPending
	strip := partStrip(s, parts, 10)
	if got := []rune(strip); len(got) != 10 || got[5] != '✗' || got[9] != '░' || got[0] != '█' {
		t.Fatalf("strip = %q", strip)
	}
	// Fewer parts than cells: each part spreads, the strip keeps its width.
	if got := []rune(partStrip(s, parts[:3], 10)); len(got) != 10 {
		t.Fatalf("few parts: %q", string(got))
	}
}

func TestQueueItemHeightMatchesItsLines(t *testing.T) {
	s := NewStyles(DefaultTheme(), newRenderer(true))
	snap := queueSnapshot()
	snap.Transfers[2].Notice = "restarted: object changed since checkpoint"
	for i := range snap.Transfers {
		tr := &transfer.JobSnapshot{TransferSnapshot: snap.Transfers[i]}
		for _, w := range []int{78, wideQueueWidth - 1, wideQueueWidth, 200} {
			if got, want := len(buildJobLines(s, tr, w, "")), queueRowHeight(tr, w); got != want {
				t.Errorf("%s at %d: %d lines, height says %d", tr.ID, w, got, want)
			}
		}
	}
}

func TestStyleWrapMatchesRender(t *testing.T) {
	r := newRenderer(false)
	r.SetColorProfile(termenv.TrueColor)
	s := NewStyles(DefaultTheme(), r)
	for st, style := range s.Part {
		var b strings.Builder
		s.partWrapFor(st).wrap(&b, "▓▓░░")
		if got, want := b.String(), style.Render("▓▓░░"); got != want {
			t.Errorf("%s: wrap %q, Render %q", st, got, want)
		}
	}
	for st, style := range s.State {
		if got, want := s.stateWrap[st].render("running"), style.Render("running"); got != want {
			t.Errorf("%s: wrap %q, Render %q", st, got, want)
		}
	}
	if got, want := s.textWrap.render("a b"), s.Text.Render("a b"); got != want {
		t.Errorf("text: wrap %q, Render %q", got, want)
	}
	if got, want := s.errorWrap.render("✗ x"), s.Error.Render("✗ x"); got != want {
		t.Errorf("error: wrap %q, Render %q", got, want)
	}
}

func TestUpLandsOnTheFolderWeLeft(t *testing.T) {
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

func TestFastTypedKeysActOneByOne(t *testing.T) {
	h := newHarness(t, demoEngine(), Deps{StartBucket: "photos"}, 80, 24)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	if h.m.browser.cursor != 3 {
		t.Fatalf("cursor %d after jjj", h.m.browser.cursor)
	}
	// In a text field they stay text.
	h.press("/")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jpg")})
	if h.m.browser.filter != "jpg" {
		t.Fatalf("filter %q", h.m.browser.filter)
	}
}

func TestFinishedUploadRefreshesTheFolderShown(t *testing.T) {
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

func TestNoColorEmitsNoColourCodes(t *testing.T) {
	colourful := func() *lipgloss.Renderer {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.TrueColor)
		return r
	}
	hasColour := func(r *lipgloss.Renderer) bool {
		s := NewStyles(DefaultTheme(), r)
		return strings.Contains(s.Error.Render("x")+s.partStyle(transfer.PartDone).Render("█"), "\x1b[38;")
	}
	t.Setenv("NO_COLOR", "")
	r := colourful()
	applyNoColor(r, false)
	if !hasColour(r) {
		t.Fatal("control: a colour terminal got no colour")
	}
	r = colourful()
	applyNoColor(r, true)
	if hasColour(r) {
		t.Fatal("NoColor still colours")
	}
	t.Setenv("NO_COLOR", "1")
	r = colourful()
	applyNoColor(r, false)
	if hasColour(r) {
		t.Fatal("NO_COLOR still colours")
	}
}

func TestDestinationAppearingBeforeAddIsAskedAbout(t *testing.T) {
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
