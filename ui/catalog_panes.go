package ui

import (
	"fmt"
	"strings"
	"time"

	"ossq/internal/units"
	"ossq/transfer"
)

const (
	// catalogChromeHeight: the title, the column-head and the status lines.
	catalogChromeHeight = 3
	// catalogListTop: the body line of the first row (after title and head).
	catalogListTop = 2
)

// listBox is the cursor, scroll and frame the catalog panes (incomplete
// uploads, versions, deleted objects) share; each pane supplies its rows.
type listBox struct {
	styles        *Styles
	width, height int
	cursor        int
	offset        int
	n             int
	loading       bool
	err           string
}

func (l *listBox) SetSize(w, h int) { l.width, l.height = w, h; l.clamp() }

func (l *listBox) rows() int { return max(1, l.height-catalogChromeHeight) }

func (l *listBox) clamp() { l.cursor, l.offset = clampList(l.cursor, l.offset, l.n, l.rows()) }

func (l *listBox) move(d int)    { l.cursor += d; l.clamp() }
func (l *listBox) moveTo(i int)  { l.cursor = i; l.clamp() }
func (l *listBox) setLen(n int)  { l.n = n; l.clamp() }
func (l *listBox) selected() int { return ifInt(l.cursor < l.n, l.cursor, -1) }

func ifInt(c bool, a, b int) int {
	if c {
		return a
	}
	return b
}

// frame draws title, head, the rows on screen (row(i, w) builds one) and
// the status line.
func (l *listBox) frame(title, head, empty, status string, row func(i, w int) string) string {
	s := l.styles
	w := max(20, l.width)
	var out strings.Builder
	out.WriteString(s.Title.Render(truncateLeft(displayName(title), w)))
	out.WriteByte('\n')
	out.WriteString(s.ColumnHead.Render(truncate(head, w)))
	out.WriteByte('\n')
	h := l.rows()
	lines := 0
	switch {
	case l.err != "":
		out.WriteString(s.Error.Render(truncate(displayName(l.err), w)) + "\n")
		lines++
	case l.loading:
		out.WriteString(s.Faint.Render("  loading…") + "\n")
		lines++
	case l.n == 0:
		out.WriteString(s.Faint.Render(truncate("  "+empty, w)) + "\n")
		lines++
	}
	for i := l.offset; i < l.n && lines < h && l.err == "" && !l.loading; i++ {
		marker, style := "  ", s.Text
		if i == l.cursor {
			marker, style = "› ", s.Cursor
		}
		out.WriteString(s.Accent.Render(marker) + style.Render(strings.TrimRight(row(i, w-colMarker), " ")) + "\n")
		lines++
	}
	for ; lines < h; lines++ {
		out.WriteByte('\n')
	}
	out.WriteString(s.Faint.Render(truncate(status, w)))
	return out.String()
}

// formatAge renders how long ago t was: "45s", "3h10m", "1d02h", "12d".
func formatAge(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	days := int(d / (24 * time.Hour))
	switch {
	case days >= 10:
		return fmt.Sprintf("%dd", days)
	case days >= 1:
		return fmt.Sprintf("%dd%02dh", days, int(d%(24*time.Hour)/time.Hour))
	}
	return units.FormatETA(max(d, time.Second))
}

// uploadsModel lists the incomplete multipart uploads of a bucket or prefix.
type uploadsModel struct {
	listBox
	bucket, prefix string
	uploads        []transfer.IncompleteUpload
	now            time.Time
}

func (u *uploadsModel) open(bucket, prefix string, now time.Time) {
	*u = uploadsModel{listBox: listBox{styles: u.styles, width: u.width, height: u.height, loading: true}, bucket: bucket, prefix: prefix, now: now}
}

func (u *uploadsModel) apply(ups []transfer.IncompleteUpload, err error) {
	u.loading = false
	u.err = ""
	if err != nil {
		u.err = "Cannot list incomplete uploads: " + shortError(err)
	}
	u.uploads = ups
	u.setLen(len(ups))
}

func (u *uploadsModel) current() *transfer.IncompleteUpload {
	if i := u.selected(); i >= 0 {
		return &u.uploads[i]
	}
	return nil
}

// totalBytes is the storage all the uploads' parts take.
func (u *uploadsModel) totalBytes() int64 {
	var n int64
	for _, x := range u.uploads {
		n += x.Bytes
	}
	return n
}

// column widths of the catalog panes.
const (
	colAge      = 7
	colParts    = 7
	colUploadID = 12
	colVersion  = 22
	colFlags    = 14
	// maxVersionIDWidth: OSS version IDs are about 32 characters.
	maxVersionIDWidth = 40
)

func (u *uploadsModel) View() string {
	w := max(20, u.width) - colMarker
	keyW := max(8, w-colAge-colParts-colSize-colUploadID-4)
	head := "  " + padRight("Key", keyW) + " " + padLeft("Age", colAge) + " " + padLeft("Parts", colParts) + " " + padLeft("Size", colSize) + " " + "Upload ID"
	status := fmt.Sprintf("%s · %s of parts (billed until completed or aborted)", plural(len(u.uploads), "incomplete upload"), units.FormatSize(u.totalBytes()))
	return u.frame("Incomplete uploads under oss://"+u.bucket+"/"+u.prefix, head,
		"no incomplete multipart uploads here", status, func(i, w int) string {
			x := &u.uploads[i]
			return padRight(displayName(strings.TrimPrefix(x.Key, u.prefix)), keyW) + " " + padLeft(formatAge(u.now, x.Initiated), colAge) + " " +
				padLeft(fmt.Sprint(x.Parts), colParts) + " " + padLeft(units.FormatSize(x.Bytes), colSize) + " " + truncate(x.UploadID, colUploadID)
		})
}

// versionsModel lists the versions of one object, newest first.
type versionsModel struct {
	listBox
	bucket, key string
	versions    []transfer.Version
}

func (v *versionsModel) open(bucket, key string) {
	*v = versionsModel{listBox: listBox{styles: v.styles, width: v.width, height: v.height, loading: true}, bucket: bucket, key: key}
}

func (v *versionsModel) apply(vs []transfer.Version, err error) {
	v.loading = false
	v.err = ""
	if err != nil {
		v.err = "Cannot list versions: " + shortError(err)
	}
	v.versions = vs
	v.setLen(len(vs))
}

func (v *versionsModel) current() *transfer.Version {
	if i := v.selected(); i >= 0 {
		return &v.versions[i]
	}
	return nil
}

func versionFlags(x *transfer.Version) string {
	var f []string
	if x.IsLatest {
		f = append(f, "latest")
	}
	if x.DeleteMarker {
		f = append(f, "delete marker")
	}
	return strings.Join(f, " · ")
}

func (v *versionsModel) View() string {
	w := max(20, v.width) - colMarker
	idW := max(8, min(w-colSize-colModified-colFlags-3, maxVersionIDWidth))
	head := "  " + padRight("Version ID", idW) + " " + padLeft("Size", colSize) + " " + padRight("Modified", colModified) + " " + "State"
	status := plural(len(v.versions), "version") + " · d downloads the one under the cursor"
	return v.frame("Versions of oss://"+v.bucket+"/"+v.key, head, "no versions (the object is gone, or the bucket was never versioned)", status,
		func(i, w int) string {
			x := &v.versions[i]
			size := units.FormatSize(x.Size)
			if x.DeleteMarker {
				size = "-"
			}
			return padRight(x.VersionID, idW) + " " + padLeft(size, colSize) + " " + padRight(formatTime(x.LastModified), colModified) + " " + versionFlags(x)
		})
}

// deletedModel lists the objects under a prefix hidden by a delete marker.
type deletedModel struct {
	listBox
	bucket, prefix string
	objects        []transfer.DeletedObject
}

func (d *deletedModel) open(bucket, prefix string) {
	*d = deletedModel{listBox: listBox{styles: d.styles, width: d.width, height: d.height, loading: true}, bucket: bucket, prefix: prefix}
}

func (d *deletedModel) apply(objs []transfer.DeletedObject, err error) {
	d.loading = false
	d.err = ""
	if err != nil {
		d.err = "Cannot list deleted objects: " + shortError(err)
	}
	d.objects = objs
	d.setLen(len(objs))
}

func (d *deletedModel) current() *transfer.DeletedObject {
	if i := d.selected(); i >= 0 {
		return &d.objects[i]
	}
	return nil
}

func (d *deletedModel) View() string {
	w := max(20, d.width) - colMarker
	nameW := max(8, w-colModified-colSize-colVersion-3)
	head := "  " + padRight("Name", nameW) + " " + padRight("Deleted", colModified) + " " + padLeft("Size", colSize) + " " + "Last version"
	status := plural(len(d.objects), "deleted object") + " · u restores the last version · V back to the objects"
	return d.frame("Deleted objects under oss://"+d.bucket+"/"+d.prefix, head, "nothing deleted here (no delete markers)", status,
		func(i, w int) string {
			x := &d.objects[i]
			size, ver := "-", "(only markers)"
			if x.Last.VersionID != "" {
				size, ver = units.FormatSize(x.Last.Size), x.Last.VersionID
			}
			return padRight(displayName(strings.TrimPrefix(x.Key, d.prefix)), nameW) + " " + padRight(formatTime(x.DeletedAt), colModified) + " " +
				padLeft(size, colSize) + " " + truncate(ver, colVersion)
		})
}
