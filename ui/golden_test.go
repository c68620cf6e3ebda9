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
var goldenSizes = []struct{ w, h int }{{80, 24}, {120, 32}, {160, 40}}

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

func TestGolden(t *testing.T) {
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
		{name: "details_grid", snap: gridSnapshot, setup: func(h *harness) { h.press("tab", "enter", "down") }},
		{name: "download_prompt", deps: Deps{StartBucket: "photos", Options: Options{DownloadDir: "/home/u/Downloads"}}, setup: func(h *harness) { h.press("d") }},
		{name: "picker", deps: Deps{StartBucket: "photos", StartPrefix: "2024/"}, setup: func(h *harness) {
			h.m.pane = panePicker
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
					eng.store.bucketsErr = deniedError{}
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
