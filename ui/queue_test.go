package ui

import (
	"ossq/transfer"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	h := newHarness(t, demoEngine(), Deps{}, 80, 24)
	h.press("q")
	if !h.m.quitting || h.m.prompt != nil {
		t.Fatal("q did not quit when idle")
	}
}

func TestQueueCursorFollowsTheTransferNotTheRow(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

func TestRemoveKeysAndParallelCapMatchTheHelp(t *testing.T) {
	t.Parallel()
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

func TestKeysTypedInOneBurstEachCount(t *testing.T) {
	t.Parallel()
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

func TestFastTypedKeysActOneByOne(t *testing.T) {
	t.Parallel()
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

// q asks the engine itself: a window from before a resume must not let
// ossq quit without asking.
func TestQuitAsksTheEngineNotTheLastWindow(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	h := newHarness(t, eng, Deps{}, 80, 24)
	eng.setSnapshot(queueSnapshot()) // running now; the UI has not seen it
	h.press("q")
	if h.m.quitting || h.m.prompt == nil || h.m.prompt.kind != promptConfirmQuit {
		t.Fatalf("quit without asking: quitting %v prompt %+v", h.m.quitting, h.m.prompt)
	}
}
