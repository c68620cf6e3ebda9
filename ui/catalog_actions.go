package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

// The browser's object actions: incomplete uploads, versions, deleted
// objects, delete, share, new folder, copy and move. Each asks first, runs
// as a command, and says what it did in the footer and the log.

// catalogBindings are the browser's rows for the object actions; e is the
// entry under the cursor (nil when none).
func (m *Model) catalogBindings(e *entry) bindingTable {
	b := &m.browser
	k := &m.keys
	noActions := ifStr(m.actions() == nil, noActionsWhy)
	noBucket := first(noActions, ifStr(b.bucket == "", "open a bucket first"))
	isObject := e != nil && e.kind == kindObject
	isFolder := e != nil && e.kind == kindFolder
	objectWhy := first(noBucket, ifStr(!isObject, "put the cursor on an object"))
	entryWhy := first(noBucket, ifStr(!isObject && !isFolder, "put the cursor on an object or a folder"))
	k.ShowDeleted.SetHelp("V", "deleted objects")
	moveWhy := first(entryWhy, ifStr(isFolder, "a folder moves in two steps: copy it (c), then delete it (D)"))
	return bindingTable{
		onlyIf(&k.Uploads, false, noBucket, m.openUploads),
		onlyIf(&k.Versions, false, objectWhy, func() tea.Cmd { return m.openVersions(e.key) }),
		onlyIf(&k.ShowDeleted, false, noBucket, m.openDeleted),
		onlyIf(&k.Delete, false, entryWhy, func() tea.Cmd { return m.planDelete(*e) }),
		onlyIf(&k.Share, false, objectWhy, func() tea.Cmd { return m.openSharePrompt(e.key) }),
		onlyIf(&k.NewFolder, false, noBucket, m.openNewFolderPrompt),
		onlyIf(&k.CopyTo, false, entryWhy, func() tea.Cmd { return m.openCopyPrompt(*e, false) }),
		onlyIf(&k.MoveTo, false, moveWhy, func() tea.Cmd { return m.openCopyPrompt(*e, true) }),
	}
}

// planDelete counts what a delete removes (a folder is listed whole) and
// asks whether the bucket keeps versions, then asks to confirm.
func (m *Model) planDelete(e entry) tea.Cmd {
	a, bucket := m.actions(), m.browser.bucket
	folder := e.kind == kindFolder
	call := func(ctx context.Context) func(*Model) tea.Cmd {
		sum := transfer.PrefixSummary{Objects: 1, Bytes: e.size}
		var err error
		if folder {
			sum, err = a.SummarizePrefix(ctx, bucket, e.key)
		}
		versioning := ""
		if err == nil {
			versioning, err = a.Versioning(ctx, bucket)
		}
		return func(m *Model) tea.Cmd { return m.confirmDelete(bucket, e.key, folder, sum, versioning, err) }
	}
	return tea.Batch(catalogCmd(call), m.setNotice("counting what oss://"+bucket+"/"+e.key+" holds…", false))
}

func (m *Model) confirmDelete(bucket, key string, folder bool, sum transfer.PrefixSummary, versioning string, err error) tea.Cmd {
	name := ossname.Join(bucket, key)
	if err != nil {
		return m.setNotice("delete "+name+": "+shortError(err), true)
	}
	m.notice = ""
	if folder && sum.Objects == 0 {
		return m.setNotice(name+" holds no objects: nothing to delete", false)
	}
	body := name + "\n" + fmt.Sprintf("%s, %s, will go.", plural(sum.Objects, "object"), units.FormatSize(sum.Bytes))
	switch versioning {
	case "Enabled", "Suspended":
		body += "\nThe bucket keeps versions: the delete adds a delete marker and the data stays, billed, as an older version (V shows deleted objects)."
	default:
		body += "\nThe bucket keeps no versions: this cannot be undone."
	}
	title := "Delete this object?"
	if folder {
		title = "Delete this folder and everything under it?"
	}
	m.prompt = newConfirmPrompt(promptAction, title, body)
	m.prompt.confirm = func(m *Model) tea.Cmd { return m.runDelete(bucket, key, folder) }
	return nil
}

func (m *Model) runDelete(bucket, key string, folder bool) tea.Cmd {
	a := m.actions()
	name := ossname.Join(bucket, key)
	return m.startOp("deleting "+name, bucket, func(ctx context.Context, report func(string)) (string, error) {
		progress := func(s transfer.DeleteSummary) {
			report(fmt.Sprintf("deleting %s: %s (%s) gone…", name, plural(s.Objects, "object"), units.FormatSize(s.Bytes)))
		}
		var sum transfer.DeleteSummary
		var err error
		if folder {
			sum, err = a.DeletePrefix(ctx, bucket, key, progress)
		} else {
			sum, err = a.DeleteObjects(ctx, bucket, []transfer.ObjectRef{{Bucket: bucket, Key: key}}, progress)
		}
		text := fmt.Sprintf("deleted %s: %s in %s", name, plural(sum.Objects, "object"), plural(sum.Batches, "request"))
		if folder {
			text = fmt.Sprintf("deleted %s: %s, %s, in %s", name, plural(sum.Objects, "object"), units.FormatSize(sum.Bytes), plural(sum.Batches, "request"))
		}
		if sum.Markers > 0 {
			text += fmt.Sprintf(" · %s added (the data stays as older versions)", plural(sum.Markers, "delete marker"))
		}
		if err != nil && sum.Objects == 0 {
			text = ""
		}
		return text, err
	})
}

// shareDefault is the expiry proposed for a share link.
const shareDefault = "1h"

// maxShare is how long a presigned URL may live (OSS's limit for V4).
const maxShare = 7 * 24 * time.Hour

func (m *Model) openSharePrompt(key string) tea.Cmd {
	a, bucket := m.actions(), m.browser.bucket
	m.prompt = newTextPrompt(promptActionText, "Share oss://"+bucket+"/"+key,
		"A link anyone can download it with, valid for (30m, 12h, 7d; at most 7d):", shareDefault, shareDefault, m.width)
	m.prompt.submit = func(m *Model, value string) (tea.Cmd, error) {
		d, err := parseExpiry(value)
		if err != nil {
			return nil, err
		}
		return catalogCmd(func(ctx context.Context) func(*Model) tea.Cmd {
			p, err := a.Presign(ctx, transfer.ObjectRef{Bucket: bucket, Key: key}, d)
			return func(m *Model) tea.Cmd { return m.showShare(bucket, key, value, p, err) }
		}), nil
	}
	return m.prompt.input.Focus()
}

// showShare copies the link to the clipboard (OSC 52) and shows it. The
// log says it was shared, never the link: it is a key to the object.
func (m *Model) showShare(bucket, key, expiry string, p transfer.Presigned, err error) tea.Cmd {
	name := ossname.Join(bucket, key)
	if err != nil {
		return m.setNotice("share "+name+": "+shortError(err), true)
	}
	until := p.Expires.Local().Format("2006-01-02 15:04")
	m.prompt = newConfirmPrompt(promptInfo, "Share link for "+name+" (copied to the clipboard)",
		p.URL+"\nValid for "+expiry+", until "+until+". Anyone with the link can download the object.")
	return tea.Batch(copyCmd(m.term, p.URL), m.setNotice("share link for "+name+" copied (valid until "+until+")", false))
}

// parseExpiry reads a Go duration ("30m", "12h") or whole days ("7d"),
// more than zero and at most 7 days.
func parseExpiry(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("expiry %q: want a duration such as 30m, 12h or 7d", s)
		}
		if n < 1 || n > 7 { // before multiplying, which could overflow
			return 0, fmt.Errorf("expiry %s: more than 0 and at most 7d", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("expiry %q: want a duration such as 30m, 12h or 7d", s)
		}
	}
	if d <= 0 || d > maxShare {
		return 0, fmt.Errorf("expiry %s: more than 0 and at most 7d", s)
	}
	return d, nil
}

func (m *Model) openNewFolderPrompt() tea.Cmd {
	a, bucket, prefix := m.actions(), m.browser.bucket, m.browser.prefix
	m.prompt = newTextPrompt(promptActionText, "New folder in oss://"+bucket+"/"+prefix, "Name (a/b makes both):", "", "folder name", m.width)
	m.prompt.submit = func(m *Model, value string) (tea.Cmd, error) {
		name := strings.Trim(value, "/")
		if name == "" || strings.Contains(name, "//") || name == "." || name == ".." {
			return nil, fmt.Errorf("folder name %q: want a name such as photos or a/b", value)
		}
		key := prefix + name + "/"
		m.browser.focusKey = key
		return m.startOp("making oss://"+bucket+"/"+key, bucket, func(ctx context.Context, _ func(string)) (string, error) {
			if err := a.PutFolder(ctx, bucket, key); err != nil {
				return "", err
			}
			return "made the folder oss://" + bucket + "/" + key, nil
		}), nil
	}
	return m.prompt.input.Focus()
}

// openCopyPrompt asks where an object or folder goes (move: objects only).
func (m *Model) openCopyPrompt(e entry, move bool) tea.Cmd {
	bucket := m.browser.bucket
	verb := "Copy"
	if move {
		verb = "Move"
	}
	src := ossname.Join(bucket, e.key)
	body := "To oss://bucket/key (ending in / keeps the name):"
	switch {
	case e.kind == kindFolder:
		body = "To oss://bucket/prefix/ (every object under it is copied):"
	case move:
		body = "To oss://bucket/key (ending in / keeps the name); the source is deleted once the copy is in:"
	}
	m.prompt = newTextPrompt(promptActionText, verb+" "+src, body, src, "oss://bucket/key", m.width)
	m.prompt.submit = func(m *Model, value string) (tea.Cmd, error) {
		dst, err := ossname.ParseLocation(value)
		if err != nil {
			return nil, err
		}
		switch {
		case e.kind == kindFolder:
			dst = dst.AsPrefix()
		case dst.IsPrefix():
			dst.Key += ossname.Base(e.key) // into a folder: keep the name
		}
		dstBucket, dstKey := dst.Bucket, dst.Key
		if dstBucket == bucket && dstKey == e.key {
			return nil, errors.New("that is where it is: name another key or bucket")
		}
		return m.runCopy(bucket, e, dstBucket, dstKey, move), nil
	}
	return m.prompt.input.Focus()
}

func (m *Model) runCopy(bucket string, e entry, dstBucket, dstKey string, move bool) tea.Cmd {
	a := m.actions()
	src, dst := ossname.Join(bucket, e.key), ossname.Join(dstBucket, dstKey)
	verb, done := "copying", "copied"
	if move {
		verb, done = "moving", "moved"
	}
	return m.startOp(verb+" "+src+" to "+dst, bucket, func(ctx context.Context, report func(string)) (string, error) {
		if e.kind == kindFolder {
			sum, err := a.CopyPrefix(ctx, bucket, e.key, dstBucket, dstKey, func(s transfer.CopySummary) {
				report(fmt.Sprintf("%s %s: %s (%s) so far…", verb, src, plural(s.Objects, "object"), units.FormatSize(s.Bytes)))
			})
			text := fmt.Sprintf("%s %s to %s: %s, %s", done, src, dst, plural(sum.Objects, "object"), units.FormatSize(sum.Bytes))
			return text, err
		}
		progress := func(doneBytes, total int64) {
			report(fmt.Sprintf("%s %s: %s of %s…", verb, src, units.FormatSize(doneBytes), units.FormatSize(total)))
		}
		s, d := transfer.ObjectRef{Bucket: bucket, Key: e.key}, transfer.ObjectRef{Bucket: dstBucket, Key: dstKey}
		var res transfer.CopyResult
		var err error
		if move {
			res, err = a.MoveObject(ctx, s, d, progress)
		} else {
			res, err = a.CopyObject(ctx, s, d, progress)
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %s to %s (%s)", done, src, dst, units.FormatSize(res.Bytes)), nil
	})
}
