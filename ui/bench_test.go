package ui

import (
	"fmt"
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

func benchModel(b *testing.B, w, h int, details bool) Model {
	b.Helper()
	eng := newFakeEngine()
	eng.setSnapshot(benchSnapshot(1))
	m := New(Deps{Engine: eng, NoColor: true, Profile: "bench", Endpoint: "http://127.0.0.1:9000"})
	m.manualTime = true
	// Measure with colour: a test's stdout is no terminal, so force the
	// escape codes a real terminal gets (every child shares this *Styles).
	r := newRenderer(false)
	r.SetColorProfile(termenv.TrueColor)
	*m.styles = *NewStyles(DefaultTheme(), r)
	step := func(msg tea.Msg) {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	step(tea.WindowSizeMsg{Width: w, Height: h})
	step(snapshotMsg{snap: benchSnapshot(1)})
	step(tea.KeyMsg{Type: tea.KeyTab})
	if details {
		step(tea.KeyMsg{Type: tea.KeyEnter})
		if m.pane != paneDetails {
			b.Fatal("details did not open")
		}
	}
	return m
}

// BenchmarkView is one frame with nothing changed: what the renderer asks
// for between ticks.
func BenchmarkView(b *testing.B) {
	for _, c := range []struct {
		name    string
		details bool
	}{{"queue", false}, {"details10k", true}} {
		b.Run(c.name, func(b *testing.B) {
			m := benchModel(b, 160, 50, c.details)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkTickFrame is the worst frame: a new snapshot version arrives
// (every row and the selected transfer's 10,000 parts are rebuilt), then
// View.
func BenchmarkTickFrame(b *testing.B) {
	for _, c := range []struct {
		name    string
		details bool
	}{{"queue", false}, {"details10k", true}} {
		b.Run(c.name, func(b *testing.B) {
			m := benchModel(b, 160, 50, c.details)
			snaps := []transfer.Snapshot{benchSnapshot(2), benchSnapshot(3)}
			version := uint64(3)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				version++
				s := snaps[i%2]
				s.Version = version
				next, _ := m.Update(snapshotMsg{snap: s})
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
		br.setSize(120, 40)
		seq := br.reset("big", "many/")
		br.applyPage(pageMsg{seq: seq, bucket: "big", prefix: "many/", page: transfer.Page{Objects: objs[:99_000], NextToken: "x"}})
		br.loading = true
		b.StartTimer()
		br.applyPage(pageMsg{seq: seq, bucket: "big", prefix: "many/", page: transfer.Page{Objects: objs[99_000:]}})
	}
}
