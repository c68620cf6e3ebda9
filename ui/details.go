package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"ossq/internal/units"
	"ossq/transfer"
)

const (
	// gridLabelWidth: the "#12345 " label before each grid row.
	gridLabelWidth = 7
	// partRowFixed: cells of a per-part bar row other than the bar itself.
	partRowFixed = 6 + 1 + 21 + 1 + 1 + 21 + 1 + 8
	// partRangeWidth: from this width a part's bar line shows its byte range.
	partRangeWidth = partRowFixed + 20
	// fieldLabelWidth: the "Checkpoint  " column of the key/value lines.
	fieldLabelWidth = 12
	// errorLabelWidth: the "  Request ID " column of the error's fields.
	errorLabelWidth = 13
)

// detailsModel shows one single job, or one item of a tree job: its
// figures, checkpoint, the full error (wrapped, never cut), and its parts
// as one bar each (scrolling over any number) or as a grid of cells (g).
// Only the rows on screen are built, so 10,000 parts cost what 20 do.
type detailsModel struct {
	styles        *Styles
	width, height int

	id    transfer.ID
	seq   uint64 // the item of tree job id; 0 for a single job
	t     transfer.TransferSnapshot
	state string // what the state line says (an item's own state)
	found bool
	grid  bool
	// scroll is the first part row shown (a part in bars, a row in grid).
	scroll int

	body      string
	partRows  int // rows the part section holds
	partTotal int // rows the part section would need
}

func newDetails(styles *Styles) detailsModel { return detailsModel{styles: styles} }

// openJob shows single job j; openItem shows item seq of tree job.
func (d *detailsModel) openJob(j *transfer.JobSnapshot) {
	*d = detailsModel{styles: d.styles, width: d.width, height: d.height, grid: d.grid, id: j.ID, t: j.TransferSnapshot, state: string(j.State), found: true}
	d.build()
}

func (d *detailsModel) openItem(job transfer.ID, x *transfer.ItemSnapshot) {
	*d = detailsModel{styles: d.styles, width: d.width, height: d.height, grid: d.grid, id: job, seq: x.Seq}
	d.takeItem(x)
	d.build()
}

func (d *detailsModel) takeItem(x *transfer.ItemSnapshot) {
	d.t = transfer.TransferSnapshot{ID: x.Job, Key: x.Key, LocalPath: x.LocalPath, Size: x.Size, Done: x.Done,
		Err: x.Reason, ErrInfo: x.ErrInfo, Parts: x.Parts, State: itemJobState(x.State)}
	d.state = string(x.State)
	d.found = true
}

// itemJobState maps an item's state onto the colours of job states.
func itemJobState(s transfer.ItemState) transfer.State {
	switch s {
	case transfer.ItemActive:
		return transfer.StateRunning
	case transfer.ItemDone:
		return transfer.StateDone
	case transfer.ItemFailed:
		return transfer.StateFailed
	case transfer.ItemSkipped:
		return transfer.StateCanceled
	}
	return transfer.StateQueued
}

func (d *detailsModel) SetSize(w, h int) { d.width, d.height = w, h }

// setWindow takes the subject from a new window.
func (d *detailsModel) setWindow(w *transfer.Window) {
	if d.id == "" {
		return
	}
	if d.seq != 0 {
		for i := range w.Items {
			if w.Items[i].Seq == d.seq && w.Items[i].Job == d.id {
				d.takeItem(&w.Items[i])
				return
			}
		}
		return
	}
	for i := range w.Jobs {
		if w.Jobs[i].ID == d.id {
			bucket, dir := d.t.Bucket, d.t.Direction
			d.t, d.state, d.found = w.Jobs[i].TransferSnapshot, string(w.Jobs[i].State), true
			if d.t.Bucket == "" {
				d.t.Bucket, d.t.Direction = bucket, dir
			}
			return
		}
	}
}

func (d *detailsModel) scrollBy(delta int) {
	d.scroll = max(0, min(d.scroll+delta, d.partTotal-d.partRows))
}

func (d *detailsModel) View() string { return d.body }

// errorText is the full error as copied by y: the engine's detail form.
func (d *detailsModel) errorText() string {
	if d.t.ErrInfo == nil {
		return d.t.Err
	}
	return d.t.ErrInfo.Detail()
}

// build renders the frame's body; Update calls it, View returns it.
func (d *detailsModel) build() {
	s := d.styles
	w := max(20, d.width)
	if !d.found {
		d.body = s.Error.Render("Job "+string(d.id)+" is no longer in the queue.") + "\n" + s.Faint.Render("esc goes back")
		return
	}
	t := &d.t
	lines := make([]string, 0, d.height)
	kv := func(k, v string) {
		for i, l := range wrapLines(displayName(v), max(1, w-fieldLabelWidth)) {
			label := k
			if i > 0 {
				label = ""
			}
			lines = append(lines, s.Faint.Render(padRight(label, fieldLabelWidth))+s.Text.Render(l))
		}
	}
	title := directionGlyph(t.Direction) + " " + string(t.Direction) + "  " + transferName(t)
	if d.seq != 0 {
		title = fmt.Sprintf("item #%d  %s", d.seq, displayName(t.Key))
	}
	lines = append(lines, s.Title.Render(truncateLeft(title, w)))
	if t.LocalPath != "" {
		kv("Local", t.LocalPath)
	}
	failed := t.State == transfer.StateFailed
	frac := jobFraction(t)
	status := fmt.Sprintf("%s · %s · %s / %s", d.state, strings.TrimSpace(pctText(frac, failed)), units.FormatSize(t.Done), units.FormatSize(t.Size))
	if t.State.Active() && d.seq == 0 {
		status += " · " + units.FormatSpeed(t.Speed) + " · ETA " + units.FormatETA(t.ETA)
	}
	lines = append(lines, s.stateStyle(t.State).Render(truncate(status, w)))
	if d.seq == 0 {
		partSize := "-"
		if t.PartSize > 0 {
			partSize = units.FormatSize(t.PartSize)
		}
		kv("Settings", fmt.Sprintf("parallel %d · part size %s · retries so far %d", t.Parallel, partSize, t.Retries))
		cp := t.CheckpointPath
		if cp == "" {
			cp = "(none)"
		}
		kv("Checkpoint", cp)
	}
	if t.Notice != "" {
		for _, l := range wrapLines(displayName("! "+t.Notice), w) {
			lines = append(lines, s.Warning.Render(l))
		}
	}
	if t.ErrInfo != nil || t.Err != "" {
		lines = append(lines, d.errorLines(w)...)
	}
	lines = append(lines, "")

	if len(t.Parts) == 0 {
		what := "single request (no parts)"
		if t.Size < 0 {
			what = "size not known yet (no parts planned)"
		}
		lines = append(lines, s.Faint.Render(what))
		lines = append(lines, renderBar(s, frac, max(4, w-7), failed)+s.Text.Render(pctText(frac, failed)))
		d.partRows, d.partTotal = 0, 0
		d.body = strings.Join(lines, "\n")
		return
	}
	c := partCounts(t.Parts)
	view := "bars"
	if d.grid {
		view = "grid"
	}
	head := fmt.Sprintf("Parts (%d) · %s (g switches)", len(t.Parts), view)
	counts := fmt.Sprintf("  done %d · active %d · retrying %d · failed %d · pending %d", c.done, c.active, c.retrying, c.failed, c.pending)
	if cellWidth(head)+cellWidth(counts) <= w {
		lines = append(lines, s.Title.Render(head)+s.Faint.Render(counts))
	} else {
		lines = append(lines, s.Title.Render(truncate(head, w)), s.Faint.Render(truncate(strings.TrimSpace(counts), w)))
	}
	for _, l := range wrapLines(partLegend, w) {
		lines = append(lines, s.Faint.Render(l))
	}
	// One line at the bottom says where the scroll is.
	avail := max(1, d.height-len(lines)-1)
	d.partRows = avail
	if d.grid {
		lines = append(lines, d.gridLines(w, avail)...)
	} else {
		d.partTotal = len(t.Parts)
		d.scroll = max(0, min(d.scroll, d.partTotal-avail))
		for i := d.scroll; i < len(t.Parts) && i < d.scroll+avail; i++ {
			lines = append(lines, partBarLine(s, &t.Parts[i], w))
		}
	}
	if d.partTotal > avail {
		unit := "parts"
		if d.grid {
			unit = "rows"
		}
		lines = append(lines, s.Faint.Render(truncate(fmt.Sprintf("%s %d–%d of %d · ↑/↓ pgup/pgdn scroll",
			unit, d.scroll+1, min(d.partTotal, d.scroll+avail), d.partTotal), w)))
	}
	d.body = strings.Join(lines, "\n")
}

// gridLines draws the parts as cells, a row of cells per line.
func (d *detailsModel) gridLines(w, avail int) []string {
	s := d.styles
	parts := d.t.Parts
	cols := max(1, w-gridLabelWidth)
	d.partTotal = (len(parts) + cols - 1) / cols
	d.scroll = max(0, min(d.scroll, d.partTotal-avail))
	var out []string
	for r := d.scroll; r < d.partTotal && r < d.scroll+avail; r++ {
		lo := r * cols
		hi := min(len(parts), lo+cols)
		runs := styledRuns{styles: s}
		for i := lo; i < hi; i++ {
			runs.add(shownPartState(&parts[i]), partCell(&parts[i]))
		}
		out = append(out, s.Faint.Render(padLeft(fmt.Sprintf("#%d", lo+1), gridLabelWidth-1))+" "+runs.String())
	}
	return out
}

// errorLines is the full error, every field wrapped to the width.
func (d *detailsModel) errorLines(w int) []string {
	s := d.styles
	t := &d.t
	e := t.ErrInfo
	if e == nil {
		var out []string
		for _, l := range wrapLines(displayName("Error: "+t.Err), w) {
			out = append(out, s.Error.Render(l))
		}
		return out
	}
	out := []string{s.NoticeError.Render(truncate("✗ "+displayName(e.Summary())+" · y copies it", w))}
	for _, f := range e.Fields() {
		for i, l := range wrapLines(displayName(f.Value), max(1, w-errorLabelWidth)) {
			label := "  " + f.Label
			if i > 0 {
				label = ""
			}
			out = append(out, s.Faint.Render(padRight(label, errorLabelWidth))+s.Error.Render(l))
		}
	}
	return out
}

// wrapLines wraps s to w cells, breaking long words too.
func wrapLines(s string, w int) []string {
	if cellWidth(s) <= w {
		return []string{s}
	}
	return strings.Split(ansi.Wrap(s, w, " /-_."), "\n")
}

// partBarLine: "   #3 16.0 MiB–24.0 MiB  ████░░ 4.0 MiB / 8.0 MiB  active".
// Below partRangeWidth cells the byte range is left out.
func partBarLine(s *Styles, p *transfer.PartSnapshot, w int) string {
	fixed := partRowFixed
	rng := ""
	if w >= partRangeWidth {
		rng = s.Faint.Render(padRight(units.FormatSize(p.Offset)+"–"+units.FormatSize(p.Offset+p.Size), 21)) + " "
	} else {
		fixed -= 22
	}
	barW := max(4, w-fixed)
	st := shownPartState(p)
	bytes := units.FormatSize(p.Done) + " / " + units.FormatSize(p.Size)
	label := string(st)
	if st == transfer.PartFailed {
		label = "✗ failed"
	}
	return s.Faint.Render(padLeft(fmt.Sprintf("#%d", p.Number), 6)) + " " + rng +
		renderBar(s, fraction(p.Done, p.Size), barW, st == transfer.PartFailed) + " " +
		s.Text.Render(padRight(bytes, 21)) + " " +
		s.partStyle(st).Render(padRight(label, 8))
}
