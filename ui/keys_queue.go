package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

func (m *Model) queueTable() bindingTable {
	q := &m.queue
	k := &m.keys
	move := func(d int) { q.move(d) }
	t := m.navTable(q.total, max(1, q.listHeight()/3), move, q.moveTo)
	for i := range t {
		run := t[i].run
		t[i].run = func() tea.Cmd { run(); return m.fetch() }
	}
	tt := m.win.Totals
	pauseAllWhy := ""
	if tt.Running+tt.Queued == 0 && tt.Paused == 0 {
		pauseAllWhy = "nothing running, queued or paused"
	}
	if tt.Running+tt.Queued > 0 {
		k.PauseAll.SetHelp("P", "pause all")
	} else {
		k.PauseAll.SetHelp("P", "resume all")
	}
	clearWhy := ""
	if tt.Done+tt.Canceled == 0 {
		clearWhy = "no done or canceled jobs"
	}
	j := q.current()
	openWhy := ""
	switch {
	case q.total == 0:
		openWhy = "no jobs"
	case j == nil:
		openWhy = "loading…"
	}
	if j != nil && j.Tree {
		k.Details.SetHelp("enter", "items")
	} else {
		k.Details.SetHelp("enter", "details")
	}
	t = append(t,
		onlyIf(&k.Details, true, openWhy, func() tea.Cmd { return m.openJob(j) }),
		on(&k.StateFilter, true, func() tea.Cmd {
			i := slices.Index(queueFilters, q.filter)
			q.filter = queueFilters[(i+1)%len(queueFilters)]
			q.cursor, q.offset, q.rows, q.total, q.selected = 0, 0, nil, 0, ""
			return tea.Batch(m.fetch(), m.showNotice("queue shows "+filterName(q.filter)+" jobs", LogInfo))
		}),
	)
	t = append(t, m.jobTable(j, q.cursor, q.total)...)
	return append(t,
		onlyIf(&k.PauseAll, true, pauseAllWhy, func() tea.Cmd {
			if tt.Running+tt.Queued > 0 {
				return m.action("", "pause all", "paused all jobs", func() error { m.eng.PauseAll(); return nil })
			}
			return m.action("", "resume all", "resumed all jobs", func() error { m.eng.ResumeAll(); return nil })
		}),
		onlyIf(&k.ClearDone, true, clearWhy, m.clearFinished),
		on(&k.Bandwidth, false, func() tea.Cmd {
			cur := "0"
			if m.win.BandwidthLimit > 0 {
				cur = strings.ReplaceAll(units.FormatSize(m.win.BandwidthLimit), " ", "")
			}
			m.prompt = newTextPrompt(promptBandwidth, "Bandwidth limit", "for all jobs, per second (20MiB, 500k; 0 = none):", cur, "0", m.width)
			return m.prompt.input.Focus()
		}),
	)
}

// openJob opens a tree job's items, or a single job's details.
func (m *Model) openJob(j *transfer.JobSnapshot) tea.Cmd {
	if j.Tree {
		m.items.open(j, jobName(j, m.home))
		m.pane = paneItems
		return m.fetch()
	}
	m.backTo = paneQueue
	m.details.openJob(j)
	m.pane = paneDetails
	return m.fetch()
}

// clearFinished removes every done and canceled job: in one engine call
// when the engine has it, else job by job from a window of them.
func (m *Model) clearFinished() tea.Cmd {
	eng := m.eng
	if jc, ok := eng.(jobsControl); ok {
		return func() tea.Msg {
			n := jc.ClearFinished()
			return actionMsg{op: "clear finished", done: fmt.Sprintf("cleared %d finished job(s)", n)}
		}
	}
	return func() tea.Msg {
		var errs []error
		n := 0
		w := eng.Window(transfer.WindowRequest{Limit: 1 << 30})
		for _, j := range w.Jobs {
			if j.State == transfer.StateDone || j.State == transfer.StateCanceled {
				if err := eng.Remove(j.ID); err != nil {
					errs = append(errs, err)
				} else {
					n++
				}
			}
		}
		return actionMsg{op: "clear finished", err: errors.Join(errs...), done: fmt.Sprintf("cleared %d finished job(s)", n)}
	}
}

// jobTable is the keys that act on one job (queue, items, details).
func (m *Model) jobTable(j *transfer.JobSnapshot, pos, total int) bindingTable {
	k := &m.keys
	none := ifStr(j == nil, "no job under the cursor")
	if j == nil {
		j = &transfer.JobSnapshot{}
	}
	id := j.ID
	eng := m.eng
	name := displayName(ossname.Base(j.Key))
	if name == "" {
		name = displayName(j.Bucket)
	}
	pauseWhy := none
	switch {
	case none != "":
	case j.State == transfer.StatePaused:
		k.PauseResume.SetHelp("p", "resume")
	case j.State.Active():
		k.PauseResume.SetHelp("p", "pause")
	default:
		pauseWhy = "the job is " + string(j.State)
	}
	finished := j.State.Finished()
	cancelWhy := first(none, ifStr(finished, "the job is already "+string(j.State)))
	retryWhy := none
	switch {
	case none != "" || j.State == transfer.StateFailed || j.State == transfer.StateCanceled:
	case j.Tree && j.Items.Failed > 0:
		// The engine retries a job's failed files once the job has ended.
		retryWhy = "the job is " + string(j.State) + ": R retries its failed files when it ends"
	default:
		retryWhy = "nothing failed or canceled to retry"
	}
	removeWhy := first(none, ifStr(!finished, "only finished jobs are removed; x cancels one"))
	cur := j.Parallel
	if j.Tree {
		cur = j.FileParallel
	}
	if p, ok := m.pendingParallel[id]; ok {
		cur = p
	}
	moreWhy := first(none, ifStr(finished, "the job is finished"), ifStr(cur >= ossname.MaxParallel, fmt.Sprintf("already at the most (%d)", ossname.MaxParallel)))
	lessWhy := first(none, ifStr(finished, "the job is finished"), ifStr(cur <= 1, "already at one"))
	_, canFiles := eng.(jobsControl)
	if j.Tree && !canFiles {
		moreWhy = first(moreWhy, "this engine cannot change files in flight yet")
		lessWhy = first(lessWhy, "this engine cannot change files in flight yet")
	}
	unit := "parts"
	if j.Tree {
		unit = "files"
	}
	setParallel := func(delta int) func() tea.Cmd {
		return func() tea.Cmd {
			n := ossname.ClampParallel(cur + delta)
			if m.pendingParallel == nil {
				m.pendingParallel = map[transfer.ID]int{}
			}
			m.pendingParallel[id] = n
			call := func() error { return eng.SetParallel(id, n) }
			if j.Tree {
				jc := eng.(jobsControl)
				call = func() error { return jc.SetFileParallel(id, n) }
			}
			return tea.Batch(m.action(id, "parallel", "", call),
				m.setNotice(fmt.Sprintf("%d %s at once for %s", n, unit, name), false))
		}
	}
	return bindingTable{
		onlyIf(&k.PauseResume, true, pauseWhy, func() tea.Cmd {
			if m.burstToggled != nil {
				if m.burstToggled[id] {
					return nil
				}
				m.burstToggled[id] = true
			}
			if j.State == transfer.StatePaused {
				return m.action(id, "resume", "resumed "+name, func() error { return eng.Resume(id) })
			}
			return m.action(id, "pause", "paused "+name, func() error { return eng.Pause(id) })
		}),
		onlyIf(&k.Cancel, true, cancelWhy, func() tea.Cmd {
			m.prompt = newConfirmPrompt(promptConfirmCancel, "Cancel this job?",
				jobName(j, m.home)+"\nIts partial data and checkpoints are deleted.")
			m.prompt.id, m.prompt.name = id, name
			return nil
		}),
		onlyIf(&k.Retry, true, retryWhy, func() tea.Cmd {
			what := "retrying " + name
			if j.Tree && j.Items.Failed > 0 {
				what = fmt.Sprintf("retrying %d failed file(s) of %s", j.Items.Failed, name)
			}
			return tea.Batch(m.action(id, "retry", "", func() error { return eng.Retry(id) }), m.setNotice(what, false))
		}),
		onlyIf(&k.Remove, true, removeWhy, func() tea.Cmd {
			return m.action(id, "remove", "removed "+name, func() error { return eng.Remove(id) })
		}),
		onlyIf(&k.MoveUp, false, first(none, ifStr(pos <= 0, "already first")), func() tea.Cmd {
			m.queue.selected = id
			return m.action(id, "move", "", func() error { return eng.Move(id, -1) })
		}),
		onlyIf(&k.MoveDown, false, first(none, ifStr(pos >= total-1, "already last")), func() tea.Cmd {
			m.queue.selected = id
			return m.action(id, "move", "", func() error { return eng.Move(id, 1) })
		}),
		onlyIf(&k.MoreParallel, false, moreWhy, setParallel(1)),
		onlyIf(&k.LessParallel, false, lessWhy, setParallel(-1)),
	}
}

// first is the first non-empty reason.
func first(reasons ...string) string {
	for _, r := range reasons {
		if r != "" {
			return r
		}
	}
	return ""
}

func (m *Model) itemsTable() bindingTable {
	it := &m.items
	k := &m.keys
	t := m.navTable(int(min(it.total, 1<<40)), it.listHeight(), func(d int) { it.move(d) }, it.moveTo)
	for i := range t {
		run := t[i].run
		t[i].run = func() tea.Cmd { run(); return m.fetch() }
	}
	x := it.current()
	k.Details.SetHelp("enter", "details")
	j, _ := m.lookup(it.job)
	t = append(t,
		onlyIf(&k.Details, true, ifStr(x == nil, "no item under the cursor"), func() tea.Cmd {
			m.backTo = paneItems
			m.details.openItem(it.job, x)
			m.pane = paneDetails
			return m.fetch()
		}),
		on(&k.StateFilter, true, func() tea.Cmd {
			i := slices.Index(itemFilters, it.filter)
			it.setFilter(itemFilters[(i+1)%len(itemFilters)])
			return tea.Batch(m.fetch(), m.showNotice("items: "+itemFilterName(it.filter), LogInfo))
		}),
		on(&k.Back, true, func() tea.Cmd { it.close(); m.pane = paneQueue; return m.fetch() }),
	)
	if j == nil {
		// The job scrolled out of the queue's window: its keys wait.
		return t
	}
	jt := m.jobTable(j, -1, 0)
	return append(t, slices.Delete(jt, 4, 6)...) // no reordering from here
}

func (m *Model) detailsTable() bindingTable {
	d := &m.details
	k := &m.keys
	scroll := func(delta int) func() tea.Cmd {
		return func() tea.Cmd { d.scrollBy(delta); d.build(); return nil }
	}
	page := max(1, d.partRows-1)
	navWhy := ifStr(d.partTotal <= d.partRows, "all parts fit on the screen")
	k.Top.SetHelp("home", "top") // g switches the view here
	hasParts := len(d.t.Parts) > 0
	t := bindingTable{
		on(&k.Back, true, func() tea.Cmd {
			m.pane = m.backTo
			if m.pane != paneItems {
				m.pane = paneQueue
			}
			d.id, d.seq = "", 0
			return m.fetch()
		}),
		onlyIf(&k.Grid, true, ifStr(!hasParts, "no parts: a single request"), func() tea.Cmd {
			d.grid = !d.grid
			d.scroll = 0
			d.build()
			return nil
		}),
		onlyIf(&k.Up, false, navWhy, scroll(-1)),
		onlyIf(&k.Down, false, navWhy, scroll(1)),
		onlyIf(&k.PageUp, false, navWhy, scroll(-page)),
		onlyIf(&k.PageDown, false, navWhy, scroll(page)),
		onlyIf(&k.Top, false, navWhy, scroll(-d.partTotal)),
		onlyIf(&k.Bottom, false, navWhy, scroll(d.partTotal)),
		onlyIf(&k.Copy, true, ifStr(d.t.Err == "" && d.t.ErrInfo == nil, "no error to copy"), func() tea.Cmd {
			return tea.Batch(copyCmd(m.term, d.errorText()), m.showNotice("copied the error to the clipboard (OSC 52)", LogInfo))
		}),
	}
	if d.seq != 0 {
		// One item of a tree: retry just it, when the engine can.
		jc, ok := m.eng.(jobsControl)
		why := first(ifStr(d.state != string(transfer.ItemFailed), "only a failed item is retried"),
			ifStr(!ok, "this engine cannot retry one item yet; R in the items retries them all"))
		job, seq := d.id, d.seq
		return append(t, onlyIf(&k.Retry, true, why, func() tea.Cmd {
			return m.action(job, "retry", fmt.Sprintf("retrying item #%d", seq), func() error { return jc.RetryItem(job, seq) })
		}))
	}
	if !d.found {
		return t
	}
	j := &transfer.JobSnapshot{TransferSnapshot: d.t}
	if w, ok := m.lookup(d.id); ok {
		j = w
	}
	jt := m.jobTable(j, -1, 0)
	return append(t, slices.Delete(jt, 4, 6)...) // no reordering from here
}

func (m *Model) logTable() bindingTable {
	l := &m.logs
	k := &m.keys
	n := l.src.Len()
	t := m.navTable(n, l.rows(), func(d int) { l.scrollBy(d); l.build() }, func(i int) {
		if i == 0 {
			l.toStart()
		} else {
			l.toEnd()
		}
	})
	return append(t, on(&k.Back, true, func() tea.Cmd {
		m.pane = m.backTo
		if m.pane == paneLog || m.pane == paneDetails {
			m.pane = paneQueue
		}
		return m.fetch()
	}))
}

func (m *Model) pickerTable() bindingTable {
	p := &m.picker
	k := &m.keys
	e := p.current()
	t := m.navTable(len(p.entries), p.listHeight(), func(d int) { p.move(d) }, func(i int) { p.cursor = i; p.clamp() })
	k.Open.SetHelp("enter/l", "open folder")
	uploadWhy := ifStr(p.selection() == nil, "nothing selected (space marks)")
	return append(t,
		onlyIf(&k.Open, true, ifStr(e == nil || !e.dir, "enter opens folders; U uploads"), func() tea.Cmd {
			p.open(e.path)
			return readDirCmd(e.path)
		}),
		onlyIf(&k.Parent, true, ifStr(p.dir == "" || filepath.Dir(p.dir) == p.dir, "at the top"), func() tea.Cmd {
			parent := filepath.Dir(p.dir)
			p.open(parent)
			return readDirCmd(parent)
		}),
		onlyIf(&k.Select, true, ifStr(e == nil, "nothing under the cursor"), func() tea.Cmd { p.toggleMark(); return nil }),
		onlyIf(&k.PickerUpload, true, uploadWhy, func() tea.Cmd { return m.uploadSelection(p.selection()) }),
		on(&k.Back, true, func() tea.Cmd {
			p.marked = map[string]localEntry{}
			m.pane = paneBrowser
			return nil
		}),
	)
}

// action runs one engine call for job id off the event loop; done, when
// set, confirms it on screen once the engine took it.
func (m *Model) action(id transfer.ID, op, done string, fn func() error) tea.Cmd {
	return func() tea.Msg { return actionMsg{id: id, op: op, done: done, err: fn()} }
}
