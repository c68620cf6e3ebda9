package ui

import (
	"fmt"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"ossq/transfer"
)

// benchSnapshot is 200 transfers in mixed states, each multipart one with
// 64 parts, and the first with 10,000 parts.
func benchSnapshot(version uint64) transfer.Snapshot {
	s := transfer.Snapshot{Version: version, Active: 8, Queued: 150, Speed: 80 << 20}
	states := []transfer.State{transfer.StateRunning, transfer.StateQueued, transfer.StatePaused, transfer.StateFailed, transfer.StateDone}
	for i := range 200 {
		n := 64
		if i == 0 {
			n = 10_000
		}
		parts := make([]transfer.PartSnapshot, n)
		for j := range parts {
			p := transfer.PartSnapshot{Number: j + 1, Offset: int64(j) << 20, Size: 1 << 20}
			switch {
			case j < n*4/10:
				p.State, p.Done = transfer.PartDone, p.Size
			case j < n*4/10+4:
				p.State, p.Done = transfer.PartActive, int64(version%8)<<17
			default:
				p.State = transfer.PartPending
			}
			parts[j] = p
		}
		st := states[i%len(states)]
		t := transfer.TransferSnapshot{
			ID: transfer.ID(fmt.Sprintf("t%03d", i)), Direction: transfer.Download, Bucket: "bench",
			Key: fmt.Sprintf("dir/object-%03d.bin", i), LocalPath: fmt.Sprintf("/data/object-%03d.bin", i),
			State: st, Size: int64(n) << 20, Done: int64(n) << 20 * 4 / 10, Speed: 10 << 20, ETA: time.Minute,
			Parallel: 4, PartSize: 1 << 20, Parts: parts, Added: fixedTime,
		}
		if st == transfer.StateFailed {
			t.Err = "InternalError: We encountered an internal error. Please try again."
		}
		s.Transfers = append(s.Transfers, t)
	}
	return s
}

// benchEngine is benchSnapshot's 200 jobs with the last one a tree of
// 1,000,000 items (its items are computed per window, as the engine's are
// read from its store).
func benchEngine(version uint64) *fakeEngine {
	eng := newFakeEngine()
	s := benchSnapshot(version)
	s.Transfers = s.Transfers[:199]
	eng.setSnapshot(s)
	eng.addTreeJob(&fakeTree{
		job: transfer.JobSnapshot{TransferSnapshot: transfer.TransferSnapshot{ID: "tree", Direction: transfer.Download, Bucket: "bench",
			Key: "logs/2026/", LocalPath: "/data/logs/2026", State: transfer.StateRunning, Size: 1 << 40, Done: 1 << 39, Speed: 80 << 20, Added: fixedTime},
			Items: transfer.ItemCounts{Total: 1_000_000}},
		done: 400_000, active: 8, failed: 1200, skipped: 300,
	})
	return eng
}

// benchModel opens a screen of benchEngine: the queue, the tree's items
// (scrolled to the middle of its million), or the 10,000-part job's details.
func benchModel(b *testing.B, w, h int, screen string) (Model, *fakeEngine) {
	b.Helper()
	eng := benchEngine(1)
	m := New(Deps{Engine: eng, NoColor: true, Profile: "bench", Endpoint: "http://127.0.0.1:9000", Terminal: io.Discard})
	m.manualTime = true
	// Measure with colour: a test's stdout is no terminal, so force the
	// escape codes a real terminal gets (every child shares this *Styles).
	r := newRenderer(false)
	r.SetColorProfile(termenv.TrueColor)
	*m.styles = *NewStyles(DefaultTheme(), r)
	step := func(msg tea.Msg) {
		next, cmd := m.Update(msg)
		m = next.(Model)
		// Answer the windows the UI asks for, as the program would.
		for range 4 {
			if cmd == nil {
				return
			}
			msg := cmd()
			if batch, ok := msg.(tea.BatchMsg); ok {
				cmd = nil
				for _, c := range batch {
					if c != nil {
						if wm, ok := c().(windowMsg); ok {
							next, cmd = m.Update(wm)
							m = next.(Model)
						}
					}
				}
				continue
			}
			wm, ok := msg.(windowMsg)
			if !ok {
				return
			}
			next, cmd = m.Update(wm)
			m = next.(Model)
		}
	}
	step(tea.WindowSizeMsg{Width: w, Height: h})
	step(tea.KeyMsg{Type: tea.KeyTab})
	switch screen {
	case "details10k":
		step(tea.KeyMsg{Type: tea.KeyEnter})
		if m.pane != paneDetails || len(m.details.t.Parts) != 10_000 {
			b.Fatalf("details did not open on the 10,000 parts: pane %v, %d parts", m.pane, len(m.details.t.Parts))
		}
	case "items1M":
		step(tea.KeyMsg{Type: tea.KeyEnd})
		step(tea.KeyMsg{Type: tea.KeyEnter})
		m.items.moveTo(500_000)
		step(tea.KeyMsg{Type: tea.KeyDown})
		if m.pane != paneItems || m.items.total != 1_000_000 || m.items.current() == nil {
			b.Fatalf("items did not open on the million: pane %v, total %d", m.pane, m.items.total)
		}
	}
	return m, eng
}

var benchScreens = []string{"queue", "items1M", "details10k"}

// BenchmarkView is one frame with nothing changed: what the renderer asks
// for between ticks.
func BenchmarkView(b *testing.B) {
	for _, screen := range benchScreens {
		b.Run(screen, func(b *testing.B) {
			m, _ := benchModel(b, 160, 50, screen)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkTickFrame is the worst frame: a new window arrives (every row
// on screen, the item rows and the selected job's 10,000 parts are
// rebuilt), then View. The windows are made before the clock runs: the
// engine's cost is the engine's benchmark.
func BenchmarkTickFrame(b *testing.B) {
	for _, screen := range benchScreens {
		b.Run(screen, func(b *testing.B) {
			m, _ := benchModel(b, 160, 50, screen)
			var msgs []windowMsg
			for v := range uint64(2) {
				eng := benchEngine(v + 2)
				req := m.windowRequest()
				msgs = append(msgs, windowMsg{req: req, win: eng.Window(req), at: fixedTime})
			}
			version := uint64(3)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				version++
				msg := msgs[i%2]
				msg.win.Version = version
				m.winSeq++
				msg.seq = m.winSeq
				next, _ := m.Update(msg)
				m = next.(Model)
				_ = m.View()
			}
		})
	}
}

// BenchmarkBrowserPage is the Update cost of one more 1,000-object page
// arriving in a prefix that already shows 99,000 objects.
func BenchmarkBrowserPage(b *testing.B) {
	styles := NewStyles(DefaultTheme(), newRenderer(true))
	objs := make([]transfer.Object, 100_000)
	for i := range objs {
		objs[i] = transfer.Object{Key: fmt.Sprintf("many/obj-%06d", i), Size: int64(i), LastModified: fixedTime}
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		br := newBrowser(styles)
		br.SetSize(120, 40)
		seq := br.reset("big", "many/")
		br.applyPage(pageMsg{seq: seq, bucket: "big", prefix: "many/", page: transfer.Page{Objects: objs[:99_000], NextToken: "x"}})
		br.loading = true
		b.StartTimer()
		br.applyPage(pageMsg{seq: seq, bucket: "big", prefix: "many/", page: transfer.Page{Objects: objs[99_000:]}})
	}
}
