package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// doubleClick is the longest gap between two clicks on a row that opens it.
const doubleClick = 400 * time.Millisecond

type clickAt struct {
	pane pane
	row  int
	at   time.Time
}

// handleMouse: the wheel scrolls, a click selects a row, a second click
// on it soon after opens it.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if msg.Action != tea.MouseActionPress || m.prompt != nil || m.overlay {
		return nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return m.scroll(-wheelStep)
	case tea.MouseButtonWheelDown:
		return m.scroll(wheelStep)
	case tea.MouseButtonLeft:
		return m.click(msg.Y - headerHeight)
	}
	return nil
}

func (m *Model) scroll(delta int) tea.Cmd {
	switch m.pane {
	case paneBrowser:
		m.browser.move(delta)
		return tea.Batch(m.maybeLoadMore(), m.followInfo())
	case paneQueue:
		m.queue.move(delta)
		return m.fetch()
	case paneItems:
		m.items.move(delta)
		return m.fetch()
	case paneDetails:
		m.details.scrollBy(delta)
		m.details.build()
	case panePicker:
		m.picker.move(delta)
	case paneLog:
		m.logs.scrollBy(delta)
		m.logs.build()
	case paneUploads:
		m.uploads.move(delta)
	case paneVersions:
		m.versions.move(delta)
	case paneDeleted:
		m.deleted.move(delta)
	}
	return nil
}

// click selects the row at body line y; the same row clicked again
// within doubleClick opens it (enter).
func (m *Model) click(y int) tea.Cmd {
	row := -1
	switch m.pane {
	case paneBrowser:
		if i := m.browser.offset + y - 1; y >= 1 && i < len(m.browser.visible) {
			row = i
			m.browser.cursor = i
			m.browser.clampScroll()
		}
	case paneUploads, paneVersions, paneDeleted:
		l := map[pane]*listBox{paneUploads: &m.uploads.listBox, paneVersions: &m.versions.listBox, paneDeleted: &m.deleted.listBox}[m.pane]
		if i := l.offset + y - catalogListTop; y >= catalogListTop && i < l.n {
			row = i
			l.moveTo(i)
		}
	case panePicker:
		if i := m.picker.offset + y - 2; y >= 2 && i < len(m.picker.entries) {
			row = i
			m.picker.cursor = i
			m.picker.clamp()
		}
	case paneItems:
		if i := m.items.offset + y - itemsChromeHeight; y >= itemsChromeHeight && int64(i) < m.items.total {
			row = i
			m.items.moveTo(i)
		}
	case paneQueue:
		q := &m.queue
		line := y - queueChromeHeight
		for i := q.offset; i < q.total && line >= 0; i++ {
			if line < q.rowHeight(i) {
				row = i
				q.moveTo(i)
				break
			}
			line -= q.rowHeight(i)
		}
	}
	if row < 0 {
		return nil
	}
	now := m.now()
	double := m.lastClick.pane == m.pane && m.lastClick.row == row && now.Sub(m.lastClick.at) <= doubleClick
	m.lastClick = clickAt{pane: m.pane, row: row, at: now}
	var cmds []tea.Cmd
	if m.pane == paneBrowser {
		cmds = append(cmds, m.followInfo())
	}
	if m.pane == paneQueue || m.pane == paneItems {
		cmds = append(cmds, m.fetch())
	}
	if double {
		m.lastClick = clickAt{}
		if b := m.table().match(tea.KeyMsg{Type: tea.KeyEnter}); b != nil && b.why == "" {
			cmds = append(cmds, b.run())
		}
	}
	return tea.Batch(cmds...)
}
