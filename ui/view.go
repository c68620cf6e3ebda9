package ui

import (
	"fmt"
	"ossq/internal/units"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// fitWidth cuts every line of s to w cells.
func fitWidth(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// sparkWidth is the cells of the header's speed sparkline.
const sparkWidth = 20

func (m Model) headerView() string {
	s := m.styles
	w := m.width
	title := " ossq"
	if m.deps.Profile != "" {
		title += " · " + m.deps.Profile
	}
	if m.deps.Endpoint != "" {
		title += " · " + m.deps.Endpoint
	}
	if m.deps.Credentials != "" {
		title += " · " + m.deps.Credentials
	}
	title = displayName(title)
	tabs := "  " + m.pane.String() + "  "
	line1 := s.Header.Render(padRight(truncate(title, max(1, w-cellWidth(tabs)))+strings.Repeat(" ", max(0, w-cellWidth(title)-cellWidth(tabs)))+tabs, w))

	t := m.win.Totals
	totals := fmt.Sprintf("%d running · %d queued · %d paused · %d failed · %d done · %s",
		t.Running, t.Queued, t.Paused, t.Failed, t.Done, units.FormatSpeed(t.Speed))
	if m.win.BandwidthLimit > 0 {
		totals += " (limit " + units.FormatSpeed(float64(m.win.BandwidthLimit)) + ")"
	}
	switch {
	case w < 72:
		totals = fmt.Sprintf("▶%d …%d ⏸%d ✗%d ✓%d %s", t.Running, t.Queued, t.Paused, t.Failed, t.Done, units.FormatSpeed(t.Speed))
	case w < 120:
		// Only the counts that are not zero (running always), so the
		// location keeps room.
		parts := []string{fmt.Sprintf("%d running", t.Running)}
		for _, c := range []struct {
			n    int
			name string
		}{{t.Queued, "queued"}, {t.Paused, "paused"}, {t.Failed, "failed"}, {t.Done, "done"}} {
			if c.n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", c.n, c.name))
			}
		}
		totals = strings.Join(append(parts, units.FormatSpeed(t.Speed)), " · ")
	}
	spark := ""
	if w >= 80 && m.speeds.moving() {
		spark = m.speeds.render(min(sparkWidth, w/8))
	}
	totalsW := min(cellWidth(totals), max(0, w-12))
	totals = truncate(totals, totalsW)
	sparkW := cellWidth(spark)
	if sparkW > 0 {
		sparkW++
	}
	loc := truncateLeft(m.browser.location(), max(1, w-totalsW-sparkW-1))
	gap := max(1, w-cellWidth(loc)-totalsW-sparkW)
	line2 := s.Location.Render(loc) + strings.Repeat(" ", gap) + s.Faint.Render(totals)
	if spark != "" {
		line2 += " " + s.Active.Render(spark)
	}
	return line1 + "\n" + line2
}

// overlayTwoColumns: from this width a help overlay longer than the body
// is drawn in two columns (the browser's keys no longer fit 24 lines).
const overlayTwoColumns = 80

// overlayView is the help overlay: every key of the pane, the legend.
func (m *Model) overlayView(t bindingTable) string {
	s := m.styles
	lines := t.overlay(s, "Help · "+m.pane.String(), m.width, &m.keys)
	lines = append(lines, s.Faint.Render(truncate("Dimmed: cannot run now, and why · ? or esc closes", m.width)))
	if m.pane == paneQueue || m.pane == paneDetails || m.pane == paneItems {
		for _, l := range wrapLines("Cells: "+partLegend, m.width) {
			lines = append(lines, s.Faint.Render(l))
		}
	}
	// Two columns when they fit, so more keys show on a short screen.
	if len(lines) > m.bodyHeight && m.width >= overlayTwoColumns {
		half := (len(lines) + 1) / 2
		colW := m.width / 2
		out := make([]string, 0, half)
		for i := 0; i < half; i++ {
			left := padRight(ansi.Truncate(lines[i], colW-1, "…"), colW)
			right := ""
			if i+half < len(lines) {
				right = ansi.Truncate(lines[i+half], colW, "…")
			}
			out = append(out, left+right)
		}
		lines = out
	}
	return strings.Join(lines, "\n")
}

// View draws the frame from prebuilt strings; nothing here does I/O.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	body := m.overlayText
	if !m.overlay || m.prompt != nil {
		body = m.components()[m.pane].View()
	}
	var b strings.Builder
	b.WriteString(m.headerView())
	b.WriteByte('\n')
	body = fitLines(body, m.bodyHeight)
	if m.width < narrowWidth || m.overlay {
		// Below narrowWidth the columns' minimum widths no longer fit; cut.
		body = fitWidth(body, m.width)
	}
	b.WriteString(body)
	b.WriteByte('\n')
	if m.prompt != nil {
		b.WriteString(m.prompt.View(m.styles, m.width))
		b.WriteByte('\n')
	}
	notice := ""
	if m.notice != "" {
		style := m.styles.Notice
		if m.noticeErr {
			style = m.styles.NoticeError
		}
		notice = style.Render(truncate(m.notice, m.width))
	}
	b.WriteString(notice)
	if m.footerText != "" {
		b.WriteByte('\n')
		b.WriteString(m.footerText)
	}
	frame := b.String()
	if n := strings.Count(frame, "\n") + 1; n > m.height {
		// A tiny terminal with a prompt open: keep the bottom (the prompt
		// and the footer), drop from the top.
		cut := 0
		for range n - m.height {
			cut += strings.IndexByte(frame[cut:], '\n') + 1
		}
		frame = frame[cut:]
	}
	return frame
}

// fitLines makes s exactly h lines. Widths are the panes' job (every
// cell is padded or truncated where it is built, and the resize test holds
// them to it), which keeps this off the grapheme-measuring path.
func fitLines(s string, h int) string {
	n := strings.Count(s, "\n") + 1
	switch {
	case n > h:
		cut := 0
		for range h {
			cut += strings.IndexByte(s[cut:], '\n') + 1
		}
		return s[:cut-1]
	case n < h:
		return s + strings.Repeat("\n", h-n)
	}
	return s
}
