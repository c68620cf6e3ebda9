package ui

import (
	"fmt"
	"strings"

	"ossq/internal/units"
	"ossq/transfer"
)

// itemsChromeHeight: the job's title line and the column-head line.
const itemsChromeHeight = 2

// itemFilters is the order f cycles a job's item filter through.
var itemFilters = []transfer.ItemState{"", transfer.ItemActive, transfer.ItemFailed, transfer.ItemSkipped, transfer.ItemDone}

func itemFilterName(s transfer.ItemState) string {
	if s == "" {
		return "all"
	}
	return string(s)
}

// itemsModel is one tree job's items: a window of them, so a million
// scroll as smoothly as ten (only the rows on screen are asked for).
type itemsModel struct {
	styles        *Styles
	width, height int

	job    transfer.ID
	title  string
	filter transfer.ItemState
	total  int64
	base   int
	rows   []transfer.ItemSnapshot
	cursor int
	offset int
	body   string
}

func newItems(s *Styles) itemsModel { return itemsModel{styles: s} }

func (it *itemsModel) SetSize(w, h int) {
	it.width, it.height = w, h
	it.clamp()
}

func (it *itemsModel) listHeight() int { return max(1, it.height-itemsChromeHeight) }

// open shows job's items from the top, with no filter.
func (it *itemsModel) open(j *transfer.JobSnapshot, title string) {
	*it = itemsModel{styles: it.styles, width: it.width, height: it.height, job: j.ID, title: title, total: j.Items.Total}
}

func (it *itemsModel) close() { it.job = "" }

func (it *itemsModel) setWindow(req transfer.WindowRequest, w *transfer.Window) {
	if req.Items == nil || req.Items.Job != it.job || req.Items.State != it.filter || it.job == "" {
		return
	}
	it.total, it.base = w.ItemsTotal, req.Items.Offset
	it.rows = append(it.rows[:0], w.Items...)
	it.clamp()
}

func (it *itemsModel) clamp() {
	n := int(min(it.total, 1<<40))
	it.cursor, it.offset = clampList(it.cursor, it.offset, n, it.listHeight())
}

func (it *itemsModel) move(delta int) { it.cursor += delta; it.clamp() }
func (it *itemsModel) moveTo(i int)   { it.cursor = i; it.clamp() }

func (it *itemsModel) setFilter(f transfer.ItemState) {
	it.filter, it.cursor, it.offset, it.rows, it.total = f, 0, 0, nil, 0
}

// current is the item under the cursor, nil while its window loads.
func (it *itemsModel) current() *transfer.ItemSnapshot {
	i := it.cursor - it.base
	if i < 0 || i >= len(it.rows) {
		return nil
	}
	return &it.rows[i]
}

// item columns
const (
	colItemState = 8
	colItemSize  = 10
	colItemPct   = 5
)

// build renders the rows on screen; View only returns the string.
func (it *itemsModel) build() {
	s := it.styles
	w := max(20, it.width)
	var b strings.Builder
	head := fmt.Sprintf("%s · %s items: %s · f filter · R retry failed", it.title, itemFilterName(it.filter), formatCount(it.total))
	b.WriteString(s.Title.Render(truncateLeft(head, w)))
	b.WriteByte('\n')
	nameW := max(8, w-2-colItemState-colItemSize-colItemPct-3)
	b.WriteString(s.ColumnHead.Render(padRight("  "+padRight("Item", nameW)+" "+padRight("State", colItemState)+" "+padLeft("Size", colItemSize)+" "+padLeft("Done", colItemPct), w)))
	h := it.listHeight()
	if it.total == 0 {
		b.WriteString("\n" + s.Faint.Render(truncate("  No "+itemFilterName(it.filter)+" items · f changes the filter.", w)))
	}
	for r := 0; r < h && it.offset+r < int(min(it.total, 1<<40)); r++ {
		i := it.offset + r
		b.WriteByte('\n')
		marker := "  "
		if i == it.cursor {
			marker = s.Accent.Render("› ")
		}
		j := i - it.base
		if j < 0 || j >= len(it.rows) {
			b.WriteString(marker + s.Faint.Render("…"))
			continue
		}
		b.WriteString(marker + itemLine(s, &it.rows[j], nameW))
	}
	it.body = b.String()
}

// itemLine: the key, its state, size and percentage; a failed or skipped
// item says why on the rest of the line.
func itemLine(s *Styles, x *transfer.ItemSnapshot, nameW int) string {
	frac := fraction(x.Done, x.Size)
	if x.State == transfer.ItemDone {
		frac = 1
	}
	st := string(x.State)
	style := s.faintWrap
	switch x.State {
	case transfer.ItemFailed:
		st, style = "✗ failed", s.errorWrap
	case transfer.ItemSkipped:
		style = s.warningWrap
	case transfer.ItemActive:
		style = s.stateWrap[transfer.StateRunning]
	case transfer.ItemDone:
		style = s.stateWrap[transfer.StateDone]
	}
	name := displayName(x.Key)
	cause := x.Reason
	if x.ErrInfo != nil {
		cause = x.ErrInfo.Summary()
	}
	if cause != "" && (x.State == transfer.ItemFailed || x.State == transfer.ItemSkipped) {
		name += "  — " + displayName(cause)
	}
	line := s.textWrap.render(padRight(truncate(name, nameW), nameW)) + " " + style.render(padRight(st, colItemState)) + " " +
		s.faintWrap.render(padLeft(units.FormatSize(x.Size), colItemSize)) + " " + s.textWrap.render(padLeft(fmt.Sprintf("%3.0f%%", frac*100), colItemPct))
	return line
}

func (it *itemsModel) View() string { return it.body }
