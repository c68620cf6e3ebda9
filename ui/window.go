package ui

import (
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/transfer"
)

// windowMsg answers one WindowRequest; seq orders the answers, so an older
// one arriving late never replaces a newer one.
type windowMsg struct {
	seq      uint64
	req      transfer.WindowRequest
	win      transfer.Window
	at       time.Time
	fromTick bool
}

// windowCmd asks for one window; now stamps it for the speed sparkline.
func windowCmd(eng EngineAPI, req transfer.WindowRequest, seq uint64, now func() time.Time) tea.Cmd {
	return func() tea.Msg {
		return windowMsg{seq: seq, req: req, win: eng.Window(req), at: now()}
	}
}

func tickCmd(eng EngineAPI, req transfer.WindowRequest, seq uint64) tea.Cmd {
	return tea.Tick(tickInterval, func(at time.Time) tea.Msg {
		return windowMsg{seq: seq, req: req, win: eng.Window(req), at: at, fromTick: true}
	})
}

// windowRequest asks for what is on screen: the queue rows around the
// cursor (with the parts of those that draw a strip and of the job in
// detail), and the items of the open tree job around its cursor.
func (m *Model) windowRequest() transfer.WindowRequest {
	q := &m.queue
	rows := q.listHeight()
	req := transfer.WindowRequest{
		Offset: windowStart(min(q.cursor, q.offset), rows),
		Limit:  3*rows + 1,
		Filter: q.filter,
	}
	req.PartsFor = q.partsWanted(req.Offset, req.Limit)
	if m.pane == paneDetails && m.details.id != "" && m.details.seq == 0 && !slices.Contains(req.PartsFor, m.details.id) {
		req.PartsFor = append(req.PartsFor, m.details.id)
	}
	if m.items.job != "" {
		ih := m.items.listHeight()
		ir := &transfer.ItemsRequest{
			Job:    m.items.job,
			State:  m.items.filter,
			Offset: windowStart(min(m.items.cursor, m.items.offset), ih),
			Limit:  3*ih + 1,
		}
		if m.pane == paneDetails && m.details.seq != 0 {
			ir.Detail = m.details.seq
		}
		req.Items = ir
	}
	if f := m.planFor(); f != nil {
		req.Plans = f.ids
	}
	return req
}

// windowStart is where a window of 3 screens around first begins: a
// multiple of a screen, a screen before it, so scrolling within the
// window asks for nothing new.
func windowStart(first, rows int) int {
	return max(0, (first/rows-1)*rows)
}

// fetch asks the engine for a new window.
func (m *Model) fetch() tea.Cmd {
	if m.eng == nil {
		return nil
	}
	m.winSeq++
	return windowCmd(m.eng, m.windowRequest(), m.winSeq, m.now)
}

func (m *Model) applyWindow(msg windowMsg) tea.Cmd {
	if msg.fromTick {
		m.ticking = false
	}
	if msg.seq >= m.winGot {
		m.winGot = msg.seq
		m.win = msg.win
		for i := range m.win.Jobs {
			m.progress.apply(&m.win.Jobs[i])
		}
		m.speeds.add(msg.at, m.win.Totals.Speed)
		m.settlePendingParallel()
		m.queue.setWindow(msg.req, &m.win)
		m.items.setWindow(msg.req, &m.win)
		m.details.setWindow(&m.win)
		m.applyPlans(msg)
		// The cursor or the rows shown moved since this was asked (or the
		// job just added is now known): ask again for what is on screen.
		if msg.seq == m.winSeq && !sameRequest(msg.req, m.windowRequest()) {
			return tea.Batch(m.fetch(), m.maybeTick())
		}
	}
	return m.maybeTick()
}

// maybeTick arms the progress tick while anything is active.
func (m *Model) maybeTick() tea.Cmd {
	if !m.anyActive() || m.ticking || m.eng == nil {
		return nil
	}
	m.ticking = true
	if m.manualTime {
		return nil
	}
	m.winSeq++
	return tickCmd(m.eng, m.windowRequest(), m.winSeq)
}

func (m *Model) anyActive() bool {
	if f := m.planFor(); f != nil && f.running() {
		return true
	}
	t := m.win.Totals
	if t.Running > 0 || t.Queued > 0 {
		return true
	}
	for i := range m.win.Jobs {
		if m.win.Jobs[i].State.Active() {
			return true
		}
	}
	return false
}

func sameRequest(a, b transfer.WindowRequest) bool {
	if a.Offset != b.Offset || a.Limit != b.Limit || a.Filter != b.Filter || !slices.Equal(a.PartsFor, b.PartsFor) || !slices.Equal(a.Plans, b.Plans) {
		return false
	}
	if (a.Items == nil) != (b.Items == nil) {
		return false
	}
	return a.Items == nil || *a.Items == *b.Items
}

// settlePendingParallel forgets a pending parallelism once the window
// shows it, or once its job is finished.
func (m *Model) settlePendingParallel() {
	for id, want := range m.pendingParallel {
		j, ok := m.lookup(id)
		if ok && (j.State.Finished() || j.Parallel == want || (j.Tree && j.FileParallel == want)) {
			delete(m.pendingParallel, id)
		}
	}
}

// lookup finds a job in the current window.
func (m *Model) lookup(id transfer.ID) (*transfer.JobSnapshot, bool) {
	for i := range m.win.Jobs {
		if m.win.Jobs[i].ID == id {
			return &m.win.Jobs[i], true
		}
	}
	return nil, false
}

// progressClamp keeps each job's bytes from going backwards on screen: a
// resumed transfer may report less than it showed before its checkpoint
// was read back. A new size (the object changed) starts afresh.
type progressClamp map[transfer.ID][2]int64

func (p progressClamp) apply(j *transfer.JobSnapshot) {
	seen, ok := p[j.ID]
	if ok && seen[1] == j.Size && j.Done < seen[0] {
		j.Done = seen[0]
		return
	}
	p[j.ID] = [2]int64{j.Done, j.Size}
}

// sparkline keeps one speed sample per second for the last minute.
type sparkline struct {
	samples []float64
	last    int64 // unix second of the newest sample
}

const sparkSeconds = 60

func (s *sparkline) add(at time.Time, v float64) {
	sec := at.Unix()
	switch {
	case len(s.samples) > 0 && sec == s.last:
		s.samples[len(s.samples)-1] = v
		return
	case len(s.samples) > 0 && sec > s.last:
		// Seconds without a sample (idle, no tick) read as no transfer.
		for gap := min(sec-s.last-1, sparkSeconds); gap > 0; gap-- {
			s.samples = append(s.samples, 0)
		}
	}
	s.samples = append(s.samples, v)
	s.last = sec
	if n := len(s.samples); n > sparkSeconds {
		s.samples = slices.Delete(s.samples, 0, n-sparkSeconds)
	}
}

var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// moving reports whether any sample of the last minute moved bytes.
func (s *sparkline) moving() bool {
	for _, v := range s.samples {
		if v > 0 {
			return true
		}
	}
	return false
}

// render draws the last w samples, scaled to the highest.
func (s *sparkline) render(w int) string {
	if w <= 0 || len(s.samples) == 0 {
		return ""
	}
	from := max(0, len(s.samples)-w)
	top := 0.0
	for _, v := range s.samples[from:] {
		top = max(top, v)
	}
	out := make([]rune, 0, w)
	for _, v := range s.samples[from:] {
		i := 0
		if top > 0 {
			i = int(v / top * float64(len(sparkLevels)-1))
		}
		out = append(out, sparkLevels[max(0, min(len(sparkLevels)-1, i))])
	}
	return string(out)
}
