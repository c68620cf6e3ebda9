package ui

import (
	"fmt"
	"strings"

	"ossq/internal/ossname"
	"ossq/transfer"
)

const (
	// queueChromeHeight: the column-head line.
	queueChromeHeight = 1
	// queueIndent: cells before a job's bar / strip lines.
	queueIndent = 4
	// maxFollowTries bounds the windows that look for a job just added.
	maxFollowTries = 3
	// guessedRowHeight stands for a job not in the window yet.
	guessedRowHeight = 2
)

// queue row column widths.
const (
	colState   = 9
	colSpeed   = 11
	colETA     = 6
	colRetries = 4
	colPct     = 5
	colBytes   = 21
)

// queueFilters is the order f cycles the queue's filter through.
var queueFilters = []transfer.JobFilter{transfer.FilterAll, transfer.FilterActive, transfer.FilterPaused, transfer.FilterFailed, transfer.FilterDone}

func filterName(f transfer.JobFilter) string {
	if f == "" {
		return "all"
	}
	return string(f)
}

// queueRow is one job's lines, built when the window or the width changes
// and only for the rows on screen.
type queueRow struct {
	job    transfer.JobSnapshot
	height int
	lines  []string
}

// queueModel shows a window of the queue's jobs. cursor and offset are
// positions in the whole (filtered) queue; rows holds the window the
// engine last gave, starting at base.
type queueModel struct {
	styles        *Styles
	width, height int
	home          string
	profile       string // the profile ossq runs under: jobs of others are tagged

	filter transfer.JobFilter
	total  int
	base   int
	rows   []queueRow

	selected transfer.ID // the cursor follows the job, not the row
	// follow, when set, is a job just added: the cursor goes to it (the
	// end of the queue) as soon as a window shows it.
	follow      transfer.ID
	followTries int
	cursor      int
	offset      int
}

func (q *queueModel) SetSize(w, h int) {
	if w != q.width {
		for i := range q.rows {
			q.rows[i].lines = nil
			q.rows[i].height = queueRowHeight(&q.rows[i].job, w-2)
		}
	}
	q.width, q.height = w, h
	q.clamp()
}

func (q *queueModel) listHeight() int { return max(1, q.height-queueChromeHeight) }

// setWindow takes the jobs of a window answering req.
func (q *queueModel) setWindow(req transfer.WindowRequest, w *transfer.Window) {
	if req.Filter != q.filter {
		return
	}
	q.total, q.base = w.JobsTotal, req.Offset
	q.rows = q.rows[:0]
	for i := range w.Jobs {
		q.rows = append(q.rows, queueRow{job: w.Jobs[i], height: queueRowHeight(&w.Jobs[i], q.width-2)})
	}
	if q.follow != "" {
		q.followTries++
		if i := q.indexOf(q.follow); i >= 0 {
			q.cursor, q.follow = i, ""
		} else {
			q.cursor = q.total - 1
		}
		if q.followTries > maxFollowTries {
			// Gone already (finished and cleared): stop looking.
			q.follow = ""
		}
		q.selected = ""
	} else if q.selected != "" {
		if i := q.indexOf(q.selected); i >= 0 {
			q.cursor = i
		}
	}
	q.clamp()
}

func (q *queueModel) indexOf(id transfer.ID) int {
	for i := range q.rows {
		if q.rows[i].job.ID == id {
			return q.base + i
		}
	}
	return -1
}

// row is the window's row at queue position i, or nil outside the window.
func (q *queueModel) row(i int) *queueRow {
	if i < q.base || i >= q.base+len(q.rows) {
		return nil
	}
	return &q.rows[i-q.base]
}

func (q *queueModel) rowHeight(i int) int {
	if r := q.row(i); r != nil {
		return r.height
	}
	return guessedRowHeight
}

func (q *queueModel) clamp() {
	n := q.total
	q.cursor = max(0, min(q.cursor, n-1))
	if r := q.row(q.cursor); r != nil {
		q.selected = r.job.ID
	}
	h := q.listHeight()
	if q.cursor < q.offset {
		q.offset = q.cursor
	}
	// Move the window down until the cursor's job fits entirely.
	for q.offset < q.cursor && q.linesBetween(q.offset, q.cursor) > h {
		q.offset++
	}
	q.offset = max(0, min(q.offset, max(0, n-1)))
}

func (q *queueModel) linesBetween(from, to int) int {
	n := 0
	for i := from; i <= to && i < q.total; i++ {
		n += q.rowHeight(i)
	}
	return n
}

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

// current is the job under the cursor, nil while its window is loading.
func (q *queueModel) current() *transfer.JobSnapshot {
	if r := q.row(q.cursor); r != nil {
		return &r.job
	}
	return nil
}

// partsWanted names the single jobs of a window that draw a part strip:
// those the last window showed as multipart, or not yet known.
func (q *queueModel) partsWanted(offset, limit int) []transfer.ID {
	var ids []transfer.ID
	for i := max(offset, q.base); i < offset+limit && i < q.base+len(q.rows); i++ {
		j := &q.rows[i-q.base].job
		if !j.Tree {
			ids = append(ids, j.ID)
		}
	}
	return ids
}

// prepare builds the lines of the rows on screen; Update calls it so View
// only joins strings.
func (q *queueModel) prepare() {
	h := q.listHeight()
	used := 0
	for i := q.offset; i < q.total && used < h; i++ {
		r := q.row(i)
		if r == nil {
			used += guessedRowHeight
			continue
		}
		if r.lines == nil {
			r.lines = buildJobLines(q.styles, &r.job, q.width-2, q.home, q.profile)
		}
		used += r.height
	}
}

func (q *queueModel) View() string {
	s := q.styles
	w := max(20, q.width)
	var out strings.Builder
	out.WriteString(s.ColumnHead.Render(queueHeadLine(w-2, q.filter, q.total)))
	out.WriteByte('\n')
	h := q.listHeight()
	lines := 0
	if q.total == 0 {
		msg := "  No jobs yet. In the browser, d downloads and u uploads."
		if q.filter != transfer.FilterAll {
			msg = "  No " + filterName(q.filter) + " jobs · f changes the filter."
		}
		out.WriteString(s.Faint.Render(truncate(msg, w)))
		out.WriteByte('\n')
		lines++
	}
	for i := q.offset; i < q.total && lines < h; i++ {
		r := q.row(i)
		var rowLines []string
		if r == nil {
			rowLines = []string{s.Faint.Render("  …")}
		} else {
			rowLines = r.lines
			if rowLines == nil { // not prepared: only if View runs before Update
				rowLines = buildJobLines(s, &r.job, q.width-2, q.home, q.profile)
			}
		}
		for j, l := range rowLines {
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

func queueHeadLine(w int, f transfer.JobFilter, total int) string {
	title := fmt.Sprintf("  Jobs (%d", total)
	if f != transfer.FilterAll {
		title += ", " + filterName(f)
	}
	title += ")"
	if w >= wideQueueWidth {
		nameW, barW := wideQueueWidths(w)
		return "  " + padRight(title, nameW+2) + " " + padRight("State", colState) + " " +
			padRight("Progress", barW+1+colPct) + " " + padRight("Bytes", colBytes) + " " +
			padLeft("Speed", colSpeed) + " " + padLeft("ETA", colETA) + " " + padLeft("Rtry", colRetries)
	}
	return "  " + padRight(title, queueNameWidth(w)+2) + " " + padRight("State", colState) + " " +
		padLeft("Speed", colSpeed) + " " + padLeft("ETA", colETA) + " " + padLeft("Rtry", colRetries)
}

func directionGlyph(d transfer.Direction) string {
	if d == transfer.Upload {
		return "↑"
	}
	return "↓"
}

// transferName is what a single row shows: the key for downloads, the
// local path for uploads (with where it goes).
func transferName(t *transfer.TransferSnapshot) string {
	if t.Direction == transfer.Upload {
		return displayName(t.LocalPath + " → oss://" + t.Bucket + "/" + t.Key)
	}
	return displayName(ossname.Join(t.Bucket, t.Key))
}

// jobName is a row's name: a tree shows both ends, "oss://b/logs/ → ~/dl/logs/".
func jobName(j *transfer.JobSnapshot, home string) string {
	from, to := jobEnds(j, home)
	if to == "" {
		return from
	}
	return from + " → " + to
}

// fitJobName is jobName in w cells: each end keeps its tail (the folder
// names that tell two jobs apart), the source end at most half the width.
func fitJobName(j *transfer.JobSnapshot, home string, w int) string {
	from, to := jobEnds(j, home)
	if to == "" || cellWidth(from)+cellWidth(to)+3 <= w {
		return truncateLeft(jobName(j, home), w)
	}
	fromW := min(cellWidth(from), max(1, w/2))
	return truncateLeft(from, fromW) + " → " + truncateLeft(to, max(1, w-fromW-3))
}

// jobEnds are a job's two ends as drawn, source first; a single job has
// its one name in from.
func jobEnds(j *transfer.JobSnapshot, home string) (from, to string) {
	if !j.Tree {
		return transferName(&j.TransferSnapshot), ""
	}
	local := j.LocalPath
	if home != "" && (local == home || strings.HasPrefix(local, home+"/")) {
		local = "~" + strings.TrimPrefix(local, home)
	}
	if !strings.HasSuffix(local, "/") {
		local += "/"
	}
	remote := displayName(ossname.Join(j.Bucket, j.Key))
	if j.Direction == transfer.Upload {
		return displayName(local), remote
	}
	return remote, displayName(local)
}

// wideQueueWidth: from this many cells a job's bar shares its summary
// line, so a wide screen shows more jobs.
const wideQueueWidth = 140

// wideQueueFixed: the cells of a wide summary line other than name and bar.
const wideQueueFixed = 2 + 1 + colState + 1 + 1 + colPct + 1 + colBytes + 1 + colSpeed + 1 + colETA + 1 + colRetries

func wideQueueWidths(w int) (nameW, barW int) {
	rest := w - wideQueueFixed
	nameW = max(30, rest*55/100)
	return nameW, max(4, rest-nameW)
}
