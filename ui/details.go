package ui

import (
	"fmt"
	"strings"

	"ossq/transfer"
)

const (
	// gridLabelWidth: the "#12345 " label before each grid row.
	gridLabelWidth = 7
	// partRowFixed: cells of a per-part bar row other than the bar itself.
	partRowFixed = 6 + 1 + 21 + 1 + 1 + 21 + 1 + 8
)

// detailsModel shows one transfer: its figures, checkpoint, full error and
// a bar per part (or a grid when parts outnumber the rows).
type detailsModel struct {
	styles        *Styles
	width, height int

	id     transfer.ID
	t      transfer.TransferSnapshot
	found  bool
	scroll int // first part row shown

	builtAt     uint64
	builtW      int
	builtH      int
	builtScroll int
	body        string
	partRows    int // rows the part section holds, for scroll clamping
	partTotal   int // rows the part section would need
}

func newDetails(styles *Styles) detailsModel {
	return detailsModel{styles: styles, builtAt: ^uint64(0)}
}

func (d *detailsModel) open(id transfer.ID) {
	d.id = id
	d.scroll = 0
	d.builtAt = ^uint64(0)
}

func (d *detailsModel) setSize(w, h int) {
	d.width, d.height = w, h
}

// update takes the transfer from a snapshot and rebuilds when needed.
func (d *detailsModel) update(snap *transfer.Snapshot) {
	d.found = false
	for i := range snap.Transfers {
		if snap.Transfers[i].ID == d.id {
			d.t = snap.Transfers[i]
			d.found = true
			break
		}
	}
	if d.builtAt == snap.Version && d.builtW == d.width && d.builtH == d.height && d.builtScroll == d.scroll {
		return
	}
	d.builtAt, d.builtW, d.builtH, d.builtScroll = snap.Version, d.width, d.height, d.scroll
	d.body = d.build()
}

func (d *detailsModel) scrollBy(delta int) {
	d.scroll = max(0, min(d.scroll+delta, d.partTotal-d.partRows))
}

func (d *detailsModel) View() string { return d.body }

func (d *detailsModel) build() string {
	s := d.styles
	w := max(20, d.width)
	if !d.found {
		return s.Error.Render("Transfer "+string(d.id)+" is no longer in the queue.") + "\n" + s.Faint.Render("esc goes back")
	}
	t := &d.t
	lines := make([]string, 0, d.height)
	kv := func(k, v string) {
		lines = append(lines, s.Faint.Render(padRight(k, 12))+s.Text.Render(truncate(displayName(v), max(1, w-12))))
	}
	lines = append(lines, s.Title.Render(truncateLeft(directionGlyph(t.Direction)+" "+string(t.Direction)+"  "+transferName(t), w)))
	if t.Direction == transfer.Download {
		kv("To", t.LocalPath)
	}
	frac := fraction(t.Done, t.Size)
	if t.State == transfer.StateDone {
		frac = 1
	}
	status := fmt.Sprintf("%s · %.0f%% · %s / %s", t.State, frac*100, formatSize(t.Done), formatSize(t.Size))
	if t.State.Active() {
		status += " · " + formatSpeed(t.Speed) + " · ETA " + formatETA(t.ETA)
	}
	lines = append(lines, s.stateStyle(t.State).Render(truncate(status, w)))
	partSize := "-"
	if t.PartSize > 0 {
		partSize = formatSize(t.PartSize)
	}
	kv("Settings", fmt.Sprintf("parallel %d · part size %s · retry count %d", t.Parallel, partSize, t.Retries))
	cp := t.CheckpointPath
	if cp == "" {
		cp = "(none)"
	}
	kv("Checkpoint", cp)
	if t.Notice != "" {
		lines = append(lines, s.Warning.Render(truncate(displayName("! "+t.Notice), w)))
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
		lines = append(lines, renderBar(s, frac, max(4, w-6))+" "+fmt.Sprintf("%3.0f%%", frac*100))
		d.partRows, d.partTotal = 0, 0
		return strings.Join(lines, "\n")
	}

	c := partCounts(t.Parts)
	title := fmt.Sprintf("Parts (%d)", len(t.Parts))
	counts := fmt.Sprintf("  done %d · active %d · retrying %d · failed %d · pending %d",
		c.done, c.active, c.retrying, c.failed, c.pending)
	lines = append(lines, s.Title.Render(truncate(title, w))+s.Faint.Render(truncate(counts, max(0, w-cellWidth(title)))))
	avail := max(1, d.height-len(lines))
	d.partRows = avail
	if len(t.Parts) <= avail {
		d.partTotal = len(t.Parts)
		d.scroll = 0
		for i := range t.Parts {
			lines = append(lines, partBarLine(s, &t.Parts[i], w))
		}
		return strings.Join(lines, "\n")
	}
	// Too many parts for a bar each: a grid of cells, a row per line.
	cols := max(1, w-gridLabelWidth)
	d.partTotal = (len(t.Parts) + cols - 1) / cols
	gridRows := avail
	if d.partTotal > avail {
		gridRows = max(1, avail-1) // one line tells where we are
		d.partRows = gridRows
		d.scroll = max(0, min(d.scroll, d.partTotal-gridRows))
	}
	for r := d.scroll; r < d.partTotal && r < d.scroll+gridRows; r++ {
		lo := r * cols
		hi := min(len(t.Parts), lo+cols)
		runs := styledRuns{styles: s}
		for i := lo; i < hi; i++ {
			runs.add(t.Parts[i].State, partCell(&t.Parts[i]))
		}
		lines = append(lines, s.Faint.Render(padLeft(fmt.Sprintf("#%d", lo+1), gridLabelWidth-1))+" "+runs.String())
	}
	if d.partTotal > avail {
		lines = append(lines, s.Faint.Render(truncate(fmt.Sprintf("rows %d–%d of %d · ↑/↓ scroll · %d parts per row",
			d.scroll+1, min(d.partTotal, d.scroll+gridRows), d.partTotal, cols), w)))
	}
	return strings.Join(lines, "\n")
}

func (d *detailsModel) errorLines(w int) []string {
	s := d.styles
	t := &d.t
	var out []string
	e := t.ErrInfo
	if e == nil {
		return []string{s.Error.Render(truncate(displayName("Error: "+t.Err), w))}
	}
	head := "Error"
	if e.Op != "" {
		head += " in " + e.Op
	}
	out = append(out, s.NoticeError.Render(truncate(head, w)))
	field := func(k, v string) {
		if v != "" {
			out = append(out, s.Faint.Render(padRight("  "+k, 12))+s.Error.Render(truncate(displayName(v), max(1, w-12))))
		}
	}
	status := ""
	if e.Status != 0 {
		status = fmt.Sprint(e.Status)
	}
	field("Code", e.Code)
	field("Status", status)
	field("Message", e.Message)
	field("RequestID", e.RequestID)
	field("HostID", e.HostID)
	if e.Text != "" && e.Code == "" {
		field("Detail", e.Text)
	}
	return out
}

// partBarLine: "   #3 16.0 MiB–24.0 MiB  ████░░ 4.0 MiB / 8.0 MiB  active".
func partBarLine(s *Styles, p *transfer.PartSnapshot, w int) string {
	barW := max(4, w-partRowFixed)
	rng := formatSize(p.Offset) + "–" + formatSize(p.Offset+p.Size)
	bytes := formatSize(p.Done) + " / " + formatSize(p.Size)
	return s.Faint.Render(padLeft(fmt.Sprintf("#%d", p.Number), 6)) + " " +
		s.Faint.Render(padRight(rng, 21)) + " " +
		renderBar(s, fraction(p.Done, p.Size), barW) + " " +
		s.Text.Render(padRight(bytes, 21)) + " " +
		s.partStyle(p.State).Render(padRight(string(p.State), 8))
}
