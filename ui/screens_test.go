package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"ossq/transfer"
)

// goldenSizes are the terminal sizes every screen is checked at.
var goldenSizes = []struct{ w, h int }{{60, 24}, {80, 24}, {120, 32}, {160, 40}}

// gridSnapshot is queueSnapshot with the running transfer split into
// 10,000 parts in every state, for the details grid.
func gridSnapshot() transfer.Snapshot {
	s := queueSnapshot()
	parts := make([]transfer.PartSnapshot, 10_000)
	for i := range parts {
		p := transfer.PartSnapshot{Number: i + 1, Offset: int64(i) << 20, Size: 1 << 20}
		switch {
		case i < 4000:
			p.State, p.Done = transfer.PartDone, p.Size
		case i < 4008:
			p.State, p.Done = transfer.PartActive, int64(i-3999)*(1<<17)
		case i == 4010:
			p.State, p.Done = transfer.PartRetrying, 1<<18
		case i == 4011:
			p.State = transfer.PartFailed
		default:
			p.State = transfer.PartPending
		}
		parts[i] = p
	}
	s.Transfers[0].Parts = parts
	s.Transfers[0].Size = 10_000 << 20
	s.Transfers[0].Done = 4000<<20 + 36<<17
	return s
}

// treeEngine is the demo queue plus a tree job of 1,000,000 items.
func treeEngine() *fakeEngine {
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	eng.addTreeJob(&fakeTree{
		job: transfer.JobSnapshot{TransferSnapshot: transfer.TransferSnapshot{ID: "tree", Direction: transfer.Download, Bucket: "photos",
			Key: "logs/2026/", LocalPath: "/data/dl/2026", State: transfer.StateRunning, Size: 3 << 30, Done: 1 << 30,
			Speed: 40 << 20, ETA: 51 * time.Second, Added: fixedTime},
			Items: transfer.ItemCounts{Total: 1_000_000}, Listing: true, FileParallel: 8},
		done: 400_000, active: 8, failed: 1200, skipped: 300,
	})
	return eng
}

func TestGolden(t *testing.T) {
	t.Parallel()
	screens := []struct {
		name  string
		deps  Deps
		eng   func() *fakeEngine
		snap  func() transfer.Snapshot
		setup func(h *harness)
	}{
		{name: "buckets"},
		{name: "objects_info", deps: Deps{StartBucket: "photos"}, setup: func(h *harness) { h.press("G", "up", "i") }},
		{name: "bucket_denied", setup: func(h *harness) {}},
		{name: "queue", snap: queueSnapshot, setup: func(h *harness) { h.press("tab") }},
		{name: "details_bars", snap: queueSnapshot, setup: func(h *harness) { h.press("tab", "enter") }},
		{name: "details_error", snap: queueSnapshot, setup: func(h *harness) {
			h.press("tab")
			h.selectTransfer("bad")
			h.press("enter")
		}},
		{name: "details_grid", snap: gridSnapshot, setup: func(h *harness) { h.press("tab", "enter", "g", "down") }},
		{name: "details_bars_10k", snap: gridSnapshot, setup: func(h *harness) { h.press("tab", "enter", "down") }},
		{name: "queue_tree", eng: treeEngine, setup: func(h *harness) { h.press("tab", "G") }},
		{name: "items", eng: treeEngine, setup: func(h *harness) { h.press("tab", "G", "enter", "down") }},
		{name: "items_failed", eng: treeEngine, setup: func(h *harness) { h.press("tab", "G", "enter", "f", "f") }},
		{name: "item_details", eng: treeEngine, setup: func(h *harness) { h.press("tab", "G", "enter", "f", "f", "enter") }},
		{name: "log", eng: treeEngine, setup: func(h *harness) {
			h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventFailed, ID: "bad", Message: "NoSuchKey: The specified key does not exist."}})
			h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventNotice, ID: "run", Message: "checkpoint discarded: the object changed since it was written"}})
			h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventDone, ID: "ok"}})
			h.press("L")
		}},
		{name: "items_help", eng: treeEngine, setup: func(h *harness) { h.press("tab", "G", "enter", "?") }},
		{name: "download_prompt", deps: Deps{StartBucket: "photos", Options: Options{DownloadDir: "/home/u/Downloads"}}, setup: func(h *harness) { h.press("d") }},
		{name: "picker", deps: Deps{StartBucket: "photos", StartPrefix: "2024/"}, setup: func(h *harness) {
			h.m.pane = panePicker
			h.m.picker.target = "oss://photos/2024/"
			h.send(localDirMsg{dir: "/home/u/pictures", entries: []localEntry{
				{name: "album", path: "/home/u/pictures/album", dir: true, modTime: fixedTime},
				{name: "cat.jpg", path: "/home/u/pictures/cat.jpg", size: 2 << 20, modTime: fixedTime},
				{name: "dog.jpg", path: "/home/u/pictures/dog.jpg", size: 3<<20 + 12345, modTime: fixedTime.Add(time.Hour)},
			}})
			h.press(" ")
		}},
		{name: "queue_full_help", snap: queueSnapshot, setup: func(h *harness) { h.press("tab", "?") }},
		{name: "odd_names", deps: Deps{StartBucket: "demo-odd"}, eng: oddEngine},
	}
	for _, sc := range screens {
		for _, size := range goldenSizes {
			t.Run(fmt.Sprintf("%s/%d", sc.name, size.w), func(t *testing.T) {
				eng := demoEngine()
				if sc.eng != nil {
					eng = sc.eng()
				}
				if sc.name == "bucket_denied" {
					eng.store.bucketsErr = deniedError()
				}
				if sc.snap != nil {
					eng.setSnapshot(sc.snap())
				}
				h := newHarness(t, eng, sc.deps, size.w, size.h)
				if sc.setup != nil {
					sc.setup(h)
				}
				golden.RequireEqual(t, []byte(ansi.Strip(h.view())+"\n"))
			})
		}
	}
}
