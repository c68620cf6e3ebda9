package ui

import (
	"fmt"
	"strings"

	"ossq/transfer"
)

const (
	// queueChromeHeight: the column-head line.
	queueChromeHeight = 1
	// queueIndent: cells before a transfer's bar / strip lines.
	queueIndent = 4
)

// queue row column widths.
const (
	colState   = 9
	colSpeed   = 11
	colETA     = 6
	colRetries = 4
	colPct     = 4
	colBytes   = 21
	colParts   = 12
)

// queueItem is one transfer's row lines. Heights are known for every
// transfer; lines are built only for the rows on screen, and only again
// when the snapshot version or the width changes.
type queueItem struct {
	id     transfer.ID
	height int
	lines  []string // nil until the row is shown
}

// queueModel shows every transfer in queue order.
type queueModel struct {
	styles        *Styles
	width, height int

	snap    transfer.Snapshot
	builtAt uint64 // snapshot version the items belong to
	builtW  int
	items   []queueItem

	selected transfer.ID // the cursor follows the transfer, not the row
	cursor   int
	offset   int
}

func newQueue(styles *Styles) queueModel { return queueModel{styles: styles, builtAt: ^uint64(0)} }

func (q *queueModel) setSize(w, h int) {
	q.width, q.height = w, h
	q.reset()
}

func (q *queueModel) setSnapshot(s transfer.Snapshot) {
	q.snap = s
	q.reset()
}

// reset drops the row strings when the snapshot or width changed; the
// heights are cheap and always kept current for scrolling.
func (q *queueModel) reset() {
	if q.builtAt != q.snap.Version || q.builtW != q.width || len(q.items) != len(q.snap.Transfers) {
		q.builtAt, q.builtW = q.snap.Version, q.width
		q.items = q.items[:0]
		for i := range q.snap.Transfers {
			t := &q.snap.Transfers[i]
			q.items = append(q.items, queueItem{id: t.ID, height: queueItemHeight(t, q.width-2)})
		}
	}
	q.follow()
}

// prepare builds the lines of the rows on screen; Update calls it so View
// only joins strings.
func (q *queueModel) prepare() {
	h := q.listHeight()
	used := 0
	for i := q.offset; i < len(q.items) && used < h; i++ {
		if q.items[i].lines == nil {
			q.items[i].lines = buildQueueLines(q.styles, &q.snap.Transfers[i], q.width-2)
		}
		used += q.items[i].height
	}
}

// follow puts the cursor back on the selected transfer after a reorder.
func (q *queueModel) follow() {
	if q.selected != "" {
		for i := range q.items {
			if q.items[i].id == q.selected {
				q.cursor = i
				break
			}
		}
	}
	q.clamp()
}

func (q *queueModel) clamp() {
	n := len(q.items)
	q.cursor = max(0, min(q.cursor, n-1))
	if n > 0 {
		q.selected = q.items[q.cursor].id
	} else {
		q.selected = ""
	}
	h := q.listHeight()
	if q.cursor < q.offset {
		q.offset = q.cursor
	}
	// Move the window down until the cursor's item fits entirely.
	for q.offset < q.cursor && q.linesBetween(q.offset, q.cursor) > h {
		q.offset++
	}
	q.offset = max(0, min(q.offset, max(0, n-1)))
}

func (q *queueModel) linesBetween(from, to int) int {
	n := 0
	for i := from; i <= to && i < len(q.items); i++ {
		n += q.items[i].height
	}
	return n
}

func (q *queueModel) listHeight() int { return max(1, q.height-queueChromeHeight) }

func (q *queueModel) move(delta int) {
	q.cursor += delta
	q.selected = ""
	q.clamp()
}

func (q *queueModel) moveTo(i int) {
	q.cursor = i
	q.selected = ""
	q.clamp()
}

// current is the selected transfer's snapshot.
func (q *queueModel) current() *transfer.TransferSnapshot {
	if q.cursor < 0 || q.cursor >= len(q.snap.Transfers) {
		return nil
	}
	return &q.snap.Transfers[q.cursor]
}

func (q *queueModel) View() string {
	s := q.styles
	w := max(20, q.width)
	var out strings.Builder
	out.WriteString(s.ColumnHead.Render(queueHeadLine(w - 2)))
	out.WriteByte('\n')
	h := q.listHeight()
	lines := 0
	if len(q.items) == 0 {
		out.WriteString(s.Faint.Render(truncate("  No transfers yet. In the browser, d downloads and u uploads.", w)))
		out.WriteByte('\n')
		lines++
	}
	for i := q.offset; i < len(q.items) && lines < h; i++ {
		itemLines := q.items[i].lines
		if itemLines == nil { // not prepared: only if View runs before Update
			itemLines = buildQueueLines(s, &q.snap.Transfers[i], q.width-2)
		}
		for j, l := range itemLines {
			if lines >= h {
				break
			}
			marker := "  "
			if i == q.cursor && j == 0 {
				marker = s.Accent.Render("› ")
			} else if i == q.cursor {
				marker = s.Accent.Render("│ ")
			}
			out.WriteString(marker)
			out.WriteString(l)
			out.WriteByte('\n')
			lines++
		}
	}
	for ; lines < h; lines++ {
		out.WriteByte('\n')
	}
	return strings.TrimSuffix(out.String(), "\n")
}

func queueNameWidth(w int) int {
	return max(8, w-2-colState-colSpeed-colETA-colRetries-4)
}

func queueHeadLine(w int) string {
	if w >= wideQueueWidth {
		nameW, barW := wideQueueWidths(w)
		return "  " + padRight("  Transfer", nameW+2) + " " + padRight("State", colState) + " " +
			padRight("Progress", barW+1+colPct) + " " + padRight("Bytes", colBytes) + " " +
			padLeft("Speed", colSpeed) + " " + padLeft("ETA", colETA) + " " + padLeft("Rtry", colRetries)
	}
	return "  " + padRight("  Transfer", queueNameWidth(w)+2) + " " + padRight("State", colState) + " " +
		padLeft("Speed", colSpeed) + " " + padLeft("ETA", colETA) + " " + padLeft("Rtry", colRetries)
}

func directionGlyph(d transfer.Direction) string {
	if d == transfer.Upload {
		return "↑"
	}
	return "↓"
}

// transferName is what a row shows: the key for downloads, the local path
// for uploads (with where it goes).
func transferName(t *transfer.TransferSnapshot) string {
	if t.Direction == transfer.Upload {
		return displayName(t.LocalPath + " → oss://" + t.Bucket + "/" + t.Key)
	}
	return displayName("oss://" + t.Bucket + "/" + t.Key)
}

// wideQueueWidth: from this many cells a transfer's bar shares its
// summary line, so a wide screen shows more transfers.
const wideQueueWidth = 140

// wideQueueFixed: the cells of a wide summary line other than name and bar.
const wideQueueFixed = 2 + 1 + colState + 1 + 1 + colPct + 1 + colBytes + 1 + colSpeed + 1 + colETA + 1 + colRetries

func wideQueueWidths(w int) (nameW, barW int) {
	rest := w - wideQueueFixed
	nameW = max(30, rest*55/100)
	return nameW, max(4, rest-nameW)
}

// queueItemHeight is len(buildQueueLines(t, w)) without building them.
func queueItemHeight(t *transfer.TransferSnapshot, w int) int {
	h := 2
	if w >= wideQueueWidth {
		h = 1
	}
	if len(t.Parts) > 0 {
		h++
	}
	if queueShowsError(t) || t.Notice != "" {
		h++
	}
	return h
}

func queueShowsError(t *transfer.TransferSnapshot) bool {
	return t.Err != "" && (t.State == transfer.StateFailed || t.State == transfer.StateRetrying)
}

// buildQueueLines renders one transfer in w cells: the summary line, the
// bar line, the part strip for multipart transfers, and the cause of a
// failure or a notice.
func buildQueueLines(s *Styles, t *transfer.TransferSnapshot, w int) []string {
	w = max(20, w)
	lines := make([]string, 0, 4)

	nameW := queueNameWidth(w)
	eta, speed := "", ""
	if t.State == transfer.StateRunning || t.State == transfer.StateVerifying || t.State == transfer.StateRetrying {
		speed, eta = formatSpeed(t.Speed), formatETA(t.ETA)
	}
	retries := ""
	if t.Retries > 0 {
		retries = fmt.Sprintf("↻%d", t.Retries)
	}
	frac := fraction(t.Done, t.Size)
	if t.State == transfer.StateDone {
		frac = 1
	}
	bytes := formatSize(t.Done) + " / " + formatSize(t.Size)
	if w >= wideQueueWidth {
		nameW, barW := wideQueueWidths(w)
		lines = append(lines, directionGlyph(t.Direction)+" "+s.textWrap.render(padRight(truncateLeft(transferName(t), nameW), nameW))+" "+
			s.stateWrap[t.State].render(padRight(string(t.State), colState))+" "+
			renderBar(s, frac, barW)+" "+s.textWrap.render(fmt.Sprintf("%3.0f%%", frac*100))+" "+
			s.faintWrap.render(padRight(bytes, colBytes))+" "+
			s.textWrap.render(padLeft(speed, colSpeed)+" "+padLeft(eta, colETA))+" "+
			s.warningWrap.render(padLeft(retries, colRetries)))
		return appendQueueDetailLines(s, t, w, lines)
	}
	line := directionGlyph(t.Direction) + " " + s.textWrap.render(padRight(truncateLeft(transferName(t), nameW), nameW)) + " " +
		s.stateWrap[t.State].render(padRight(string(t.State), colState)) + " " +
		s.textWrap.render(padLeft(speed, colSpeed)+" "+padLeft(eta, colETA)) + " " +
		s.warningWrap.render(padLeft(retries, colRetries))
	lines = append(lines, line)

	barW := max(4, w-queueIndent+2-colPct-colBytes-3)
	lines = append(lines, strings.Repeat(" ", queueIndent-2)+renderBar(s, frac, barW)+" "+
		s.textWrap.render(fmt.Sprintf("%3.0f%%", frac*100))+"  "+s.faintWrap.render(padRight(bytes, colBytes)))
	return appendQueueDetailLines(s, t, w, lines)
}

// appendQueueDetailLines adds the part strip of a multipart transfer and the
// cause of a failure or a notice.
func appendQueueDetailLines(s *Styles, t *transfer.TransferSnapshot, w int, lines []string) []string {
	if len(t.Parts) > 0 {
		stripW := max(4, w-queueIndent+2-colParts-1)
		done := partCounts(t.Parts).done
		label := fmt.Sprintf("%d/%d parts", done, len(t.Parts))
		lines = append(lines, strings.Repeat(" ", queueIndent-2)+partStrip(s, t.Parts, stripW)+" "+s.faintWrap.render(truncate(label, colParts)))
	}
	switch {
	case queueShowsError(t):
		lines = append(lines, strings.Repeat(" ", queueIndent-2)+s.errorWrap.render("✗ "+truncate(displayName(t.Err), w-queueIndent)))
	case t.Notice != "":
		lines = append(lines, strings.Repeat(" ", queueIndent-2)+s.warningWrap.render("! "+truncate(displayName(t.Notice), w-queueIndent)))
	}
	return lines
}
