package ui

import (
	"fmt"
	"ossq/internal/units"
	"sort"
	"strings"
)

// pickerChromeHeight: the title line, the column-head line, the status line.
const pickerChromeHeight = 3

// pickerModel is the upload picker: a local folder listing with marks.
type pickerModel struct {
	styles        *Styles
	width, height int

	dir     string
	entries []localEntry
	cursor  int
	offset  int
	marked  map[string]localEntry // by path
	target  string                // the oss:// folder the uploads go to
	loading bool
	err     string
}

func newPicker(styles *Styles) pickerModel {
	return pickerModel{styles: styles, marked: map[string]localEntry{}}
}

func (p *pickerModel) SetSize(w, h int) {
	p.width, p.height = w, h
	p.clamp()
}

func (p *pickerModel) open(dir string) {
	p.dir = dir
	p.loading = true
	p.err = ""
}

func (p *pickerModel) apply(msg localDirMsg) {
	p.loading = false
	p.dir = msg.dir
	if msg.err != nil {
		p.err = shortError(msg.err)
		p.entries = nil
		return
	}
	p.err = ""
	p.entries = msg.entries
	p.cursor, p.offset = 0, 0
	p.clamp()
}

func (p *pickerModel) listHeight() int { return max(1, p.height-pickerChromeHeight) }

func (p *pickerModel) clamp() {
	p.cursor, p.offset = clampList(p.cursor, p.offset, len(p.entries), p.listHeight())
}

func (p *pickerModel) move(delta int) {
	p.cursor += delta
	p.clamp()
}

func (p *pickerModel) current() *localEntry {
	if p.cursor < 0 || p.cursor >= len(p.entries) {
		return nil
	}
	return &p.entries[p.cursor]
}

func (p *pickerModel) toggleMark() {
	e := p.current()
	if e == nil {
		return
	}
	if _, ok := p.marked[e.path]; ok {
		delete(p.marked, e.path)
	} else {
		p.marked[e.path] = *e
	}
	p.move(1)
}

// selection is what U uploads: the marks (kept across folders within one
// picker session), or the file under the cursor; nil when there is neither.
func (p *pickerModel) selection() []localEntry {
	if len(p.marked) > 0 {
		out := make([]localEntry, 0, len(p.marked))
		for _, e := range p.marked {
			out = append(out, e)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
		return out
	}
	if e := p.current(); e != nil && !e.dir {
		return []localEntry{*e}
	}
	return nil
}

func (p *pickerModel) View() string {
	target := p.target
	s := p.styles
	w := max(20, p.width)
	var out strings.Builder
	out.WriteString(s.Title.Render(truncateLeft(displayName("Upload from "+p.dir+"  →  "+target), w)))
	out.WriteByte('\n')
	nameW := max(8, w-colMarker-colSize-colModified-2)
	out.WriteString(s.ColumnHead.Render(padRight("  Name", nameW+colMarker) + " " + padLeft("Size", colSize) + " " + padRight("Modified", colModified)))
	out.WriteByte('\n')
	h := p.listHeight()
	lines := 0
	switch {
	case p.err != "":
		out.WriteString(s.Error.Render(truncate(displayName(p.err), w)))
		out.WriteByte('\n')
		lines++
	case p.loading:
		out.WriteString(s.Faint.Render("  reading…"))
		out.WriteByte('\n')
		lines++
	case len(p.entries) == 0:
		out.WriteString(s.Faint.Render("  (empty folder)"))
		out.WriteByte('\n')
		lines++
	}
	for i := p.offset; i < len(p.entries) && lines < h; i++ {
		e := &p.entries[i]
		_, isMarked := p.marked[e.path]
		marker := "  "
		switch {
		case i == p.cursor && isMarked:
			marker = "›*"
		case i == p.cursor:
			marker = "› "
		case isMarked:
			marker = " *"
		}
		name, size := displayName(e.name), units.FormatSize(e.size)
		style := s.Text
		if e.dir {
			name += "/"
			size = "-"
			style = s.Folder
		}
		switch {
		case i == p.cursor:
			style = s.Cursor
		case isMarked:
			style = s.Marked
		}
		line := padRight(name, nameW) + " " + padLeft(size, colSize) + " " + formatTime(e.modTime)
		out.WriteString(s.Accent.Render(marker) + style.Render(line))
		out.WriteByte('\n')
		lines++
	}
	for ; lines < h; lines++ {
		out.WriteByte('\n')
	}
	status := fmt.Sprintf("%d entries", len(p.entries))
	if len(p.marked) > 0 {
		status += fmt.Sprintf(" · %d selected (U uploads them)", len(p.marked))
	}
	out.WriteString(s.Faint.Render(truncate(status, w)))
	return out.String()
}
