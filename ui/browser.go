package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"

	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

const (
	// browserChromeHeight: the column-head line and the status line.
	browserChromeHeight = 2
	// infoPanelHeight: the info panel's rule plus its detail lines.
	infoPanelHeight = 10
	// loadAheadRows: fetch the next page when the cursor is this close to
	// the end of what is loaded.
	loadAheadRows = 200
)

type entryKind int

const (
	kindBucket entryKind = iota
	kindFolder
	kindObject
)

// entry is one row of the browser.
type entry struct {
	kind     entryKind
	name     string // what is shown: bucket name, "sub/", or the key's last part
	lower    string // name in lower case, for the filter
	key      string // bucket name, full prefix, or full key
	size     int64
	modified time.Time
	class    string
	region   string
}

type sortMode int

const (
	sortName sortMode = iota
	sortSize
	sortTime
)

func (s sortMode) String() string {
	switch s {
	case sortSize:
		return "size"
	case sortTime:
		return "time"
	default:
		return "name"
	}
}

// infoState is the info panel's content for one object.
type infoState struct {
	bucket, key string
	loading     bool
	obj         transfer.Object
	err         string
}

// browserModel lists buckets, or the folders and objects under a prefix.
type browserModel struct {
	styles        *Styles
	width, height int

	bucket, prefix string // bucket "" means the bucket list

	entries []entry
	visible []int // indexes into entries after filter and sort
	cursor  int   // index into visible
	offset  int
	marked  map[string]bool // by entry key

	sortBy      sortMode
	filter      string
	filtering   bool
	filterInput textinput.Model

	seq       int // listing generation; answers for older ones are dropped
	loading   bool
	nextToken string
	err       string

	bucketsDenied bool
	// focusKey puts the cursor on this entry when a listing brings it
	// (the folder we just came up out of).
	focusKey string
	// stale: an upload landed here while a listing was loading.
	stale bool

	infoOpen bool
	info     infoState
}

func newBrowser(styles *Styles) browserModel {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "filter loaded names"
	ti.CharLimit = 256
	// A steady cursor: no blink timer redrawing the frame twice a second.
	ti.Cursor.SetMode(cursor.CursorStatic)
	return browserModel{styles: styles, marked: map[string]bool{}, filterInput: ti}
}

func (b *browserModel) SetSize(w, h int) {
	b.width, b.height = w, h
	b.filterInput.Width = max(10, w-4)
	b.clampScroll()
}

// location is the oss:// address of what is shown.
func (b *browserModel) location() string {
	if b.bucket == "" {
		return "oss://"
	}
	return displayName(ossname.Join(b.bucket, b.prefix))
}

// reset empties the listing and starts generation seq+1; it returns the new
// generation for the command that will answer it.
func (b *browserModel) reset(bucket, prefix string) int {
	b.bucket, b.prefix = bucket, prefix
	b.entries = b.entries[:0]
	b.visible = b.visible[:0]
	b.cursor, b.offset = 0, 0
	b.marked = map[string]bool{}
	b.nextToken = ""
	b.err = ""
	b.loading = true
	b.infoOpen = false
	b.focusKey = ""
	b.stale = false
	b.seq++
	return b.seq
}

func (b *browserModel) applyBuckets(msg bucketsMsg) {
	if msg.seq != b.seq {
		return
	}
	b.loading = false
	if msg.err != nil {
		b.bucketsDenied = transfer.Code(msg.err) == transfer.CodeAccessDenied
		b.err = displayName("Cannot list buckets: " + shortError(msg.err))
		if b.bucketsDenied {
			b.err = displayName(shortError(msg.err)) + " — press o to type a bucket name (common for RAM users)"
		}
		return
	}
	for _, bk := range msg.buckets {
		name := displayName(bk.Name)
		b.entries = append(b.entries, entry{kind: kindBucket, name: name, lower: strings.ToLower(name), key: bk.Name, region: displayName(bk.Region), modified: bk.Created, class: displayName(bk.StorageClass), size: -1})
	}
	b.rebuildVisible()
}

func (b *browserModel) applyPage(msg pageMsg) {
	if msg.seq != b.seq || msg.bucket != b.bucket || msg.prefix != b.prefix {
		return
	}
	b.loading = false
	if msg.err != nil {
		b.err = displayName("Cannot list " + b.location() + ": " + shortError(msg.err))
		return
	}
	for _, p := range msg.page.Prefixes {
		name := displayName(strings.TrimPrefix(p, b.prefix))
		if name == "" {
			continue
		}
		b.entries = append(b.entries, entry{kind: kindFolder, name: name, lower: strings.ToLower(name), key: p, size: -1})
	}
	for _, o := range msg.page.Objects {
		name := displayName(strings.TrimPrefix(o.Key, b.prefix))
		if name == "" { // the folder's own marker object
			continue
		}
		b.entries = append(b.entries, entry{kind: kindObject, name: name, lower: strings.ToLower(name), key: o.Key, size: o.Size, modified: o.LastModified, class: displayName(o.StorageClass)})
	}
	b.nextToken = msg.page.NextToken
	b.rebuildVisible()
}

// rebuildVisible applies the filter and sort, keeping the cursor on the
// same entry when it is still visible.
func (b *browserModel) rebuildVisible() {
	keep := b.focusKey
	if e := b.current(); e != nil && keep == "" {
		keep = e.key
	}
	needle := strings.ToLower(b.filter)
	b.visible = b.visible[:0]
	es := b.entries
	// Listings arrive in key order, so sorting by name is folders first in
	// arrival order: O(n) per page instead of a sort of everything loaded
	// (a 100,000-object prefix appends a page at a time).
	inOrder := b.sortBy == sortName
	for pass := 0; pass < 2 && inOrder; pass++ {
		wantFolder := pass == 0
		last := ""
		for i := range es {
			if (es[i].kind == kindFolder) != wantFolder {
				continue
			}
			if es[i].name < last {
				inOrder = false // not in key order after all: sort below
				break
			}
			last = es[i].name
			if needle == "" || strings.Contains(es[i].lower, needle) {
				b.visible = append(b.visible, i)
			}
		}
	}
	if !inOrder {
		b.visible = b.visible[:0]
		for i := range es {
			if needle == "" || strings.Contains(es[i].lower, needle) {
				b.visible = append(b.visible, i)
			}
		}
		sort.SliceStable(b.visible, func(x, y int) bool {
			a, c := &es[b.visible[x]], &es[b.visible[y]]
			if (a.kind == kindFolder) != (c.kind == kindFolder) {
				return a.kind == kindFolder
			}
			switch b.sortBy {
			case sortSize:
				if a.size != c.size {
					return a.size > c.size
				}
			case sortTime:
				if !a.modified.Equal(c.modified) {
					return a.modified.After(c.modified)
				}
			}
			return a.name < c.name
		})
	}
	if keep != "" {
		for i, idx := range b.visible {
			if es[idx].key == keep {
				b.cursor = i
				if keep == b.focusKey {
					b.focusKey = ""
				}
				break
			}
		}
	}
	b.clampScroll()
}

func (b *browserModel) current() *entry {
	if b.cursor < 0 || b.cursor >= len(b.visible) {
		return nil
	}
	return &b.entries[b.visible[b.cursor]]
}

func (b *browserModel) listHeight() int {
	h := b.height - browserChromeHeight
	if b.infoOpen {
		h -= infoPanelHeight
	}
	if b.filtering {
		h--
	}
	return max(1, h)
}

func (b *browserModel) move(delta int) {
	b.cursor += delta
	b.clampScroll()
}

func (b *browserModel) moveTo(i int) {
	b.cursor = i
	b.clampScroll()
}

func (b *browserModel) clampScroll() {
	b.cursor, b.offset = clampList(b.cursor, b.offset, len(b.visible), b.listHeight())
}

// clampList keeps a cursor inside n rows and scrolls a window of h rows,
// starting at offset, just enough to show it.
func clampList(cursor, offset, n, h int) (int, int) {
	cursor = max(0, min(cursor, n-1))
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	return cursor, max(0, min(offset, n-h))
}

// wantMore reports whether the next page should be fetched now.
func (b *browserModel) wantMore() bool {
	return b.bucket != "" && b.nextToken != "" && !b.loading && b.err == "" &&
		b.cursor >= len(b.visible)-max(loadAheadRows, 2*b.listHeight())
}

func (b *browserModel) toggleMark() {
	e := b.current()
	if e == nil || e.kind == kindBucket {
		return
	}
	if b.marked[e.key] {
		delete(b.marked, e.key)
	} else {
		b.marked[e.key] = true
	}
	b.move(1)
}

// downloadTargets is the marked entries, or the one under the cursor.
func (b *browserModel) downloadTargets() []downloadTarget {
	var out []downloadTarget
	if len(b.marked) > 0 {
		for _, e := range b.entries {
			if b.marked[e.key] {
				out = append(out, downloadTarget{bucket: b.bucket, key: e.key, folder: e.kind == kindFolder})
			}
		}
		return out
	}
	e := b.current()
	switch {
	case e == nil:
	case e.kind == kindBucket:
		// A bucket downloads whole, into a folder named after it.
		out = append(out, downloadTarget{bucket: e.key, key: "", folder: true})
	default:
		out = append(out, downloadTarget{bucket: b.bucket, key: e.key, folder: e.kind == kindFolder})
	}
	return out
}

// parent is the location one level up: ("", "") is the bucket list.
func (b *browserModel) parent() (bucket, prefix string) {
	if b.prefix == "" {
		return "", ""
	}
	p := strings.TrimSuffix(b.prefix, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return b.bucket, p[:i+1]
	}
	return b.bucket, ""
}

func (b *browserModel) statusLine() string {
	var parts []string
	switch {
	case b.bucket == "":
		parts = append(parts, fmt.Sprintf("%d buckets", len(b.entries)))
	default:
		s := fmt.Sprintf("%d loaded", len(b.entries))
		if b.nextToken != "" {
			s += ", more on scroll"
		}
		parts = append(parts, s)
	}
	if b.filter != "" {
		parts = append(parts, fmt.Sprintf("filter %q: %d shown", b.filter, len(b.visible)))
	}
	parts = append(parts, "sort: "+b.sortBy.String())
	if len(b.marked) > 0 {
		parts = append(parts, fmt.Sprintf("%d selected", len(b.marked)))
	}
	if b.loading {
		parts = append(parts, "loading…")
	}
	return strings.Join(parts, " · ")
}

// column widths of the browser rows.
const (
	colMarker   = 2 // cursor glyph + selection glyph
	colSize     = 9
	colModified = 16
	colClass    = 11
	colRegion   = 18
)

func (b *browserModel) View() string {
	s := b.styles
	w := max(20, b.width)
	var out strings.Builder

	if b.bucket == "" {
		nameW := max(8, w-colMarker-colRegion-colModified-2)
		out.WriteString(s.ColumnHead.Render(padRight("  Bucket", nameW+colMarker) + " " + padRight("Region", colRegion) + " " + padRight("Created", colModified)))
	} else {
		nameW := max(8, w-colMarker-colSize-colModified-colClass-3)
		out.WriteString(s.ColumnHead.Render(padRight("  Name", nameW+colMarker) + " " + padLeft("Size", colSize) + " " + padRight("Modified", colModified) + " " + padRight("Class", colClass)))
	}
	out.WriteByte('\n')

	h := b.listHeight()
	lines := 0
	switch {
	case b.err != "" && len(b.visible) == 0:
		out.WriteString(s.Error.Render(truncate(b.err, w)))
		out.WriteByte('\n')
		lines++
	case len(b.visible) == 0 && b.loading:
		out.WriteString(s.Faint.Render("  loading " + b.location() + " …"))
		out.WriteByte('\n')
		lines++
	case len(b.visible) == 0:
		msg := "  (empty)"
		if b.filter != "" {
			msg = "  nothing loaded matches the filter"
		}
		out.WriteString(s.Faint.Render(msg))
		out.WriteByte('\n')
		lines++
	}
	for i := b.offset; i < len(b.visible) && lines < h; i++ {
		out.WriteString(b.row(i, w))
		out.WriteByte('\n')
		lines++
	}
	for ; lines < h; lines++ {
		out.WriteByte('\n')
	}
	if b.filtering {
		out.WriteString(b.filterInput.View())
		out.WriteByte('\n')
	}
	status := b.statusLine()
	if b.err != "" && len(b.visible) > 0 {
		out.WriteString(s.Error.Render(truncate(b.err, w)))
	} else {
		out.WriteString(s.Faint.Render(truncate(status, w)))
	}
	if b.infoOpen {
		out.WriteByte('\n')
		out.WriteString(b.infoView(w))
	}
	return out.String()
}

func (b *browserModel) row(i, w int) string {
	s := b.styles
	e := &b.entries[b.visible[i]]
	cursor := i == b.cursor
	marker := "  "
	switch {
	case cursor && b.marked[e.key]:
		marker = "›*"
	case cursor:
		marker = "› "
	case b.marked[e.key]:
		marker = " *"
	}
	var line string
	switch e.kind {
	case kindBucket:
		nameW := max(8, w-colMarker-colRegion-colModified-2)
		line = padRight(e.name, nameW) + " " + padRight(e.region, colRegion) + " " + padRight(formatTime(e.modified), colModified)
	case kindFolder:
		nameW := max(8, w-colMarker-colSize-colModified-colClass-3)
		line = padRight(e.name, nameW) + " " + padLeft("-", colSize) + " " + padRight("", colModified) + " " + padRight("", colClass)
	default:
		nameW := max(8, w-colMarker-colSize-colModified-colClass-3)
		line = padRight(e.name, nameW) + " " + padLeft(units.FormatSize(e.size), colSize) + " " + padRight(formatTime(e.modified), colModified) + " " + padRight(e.class, colClass)
	}
	line = strings.TrimRight(line, " ")
	style := s.Text
	switch {
	case cursor:
		style = s.Cursor
	case b.marked[e.key]:
		style = s.Marked
	case e.kind == kindFolder || e.kind == kindBucket:
		style = s.Folder
	}
	return s.Accent.Render(marker) + style.Render(line)
}
