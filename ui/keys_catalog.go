package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

// The binding tables of the catalog panes: incomplete uploads (M),
// versions (v) and deleted objects (V), all opened from the browser.

// backToBrowser is esc in a catalog pane.
func (m *Model) backToBrowser() binding {
	return on(&m.keys.Back, true, func() tea.Cmd { m.pane = paneBrowser; return nil })
}

func (m *Model) uploadsTable() bindingTable {
	u := &m.uploads
	k := &m.keys
	t := m.navTable(u.n, u.rows(), u.move, u.moveTo)
	x := u.current()
	none := ifStr(x == nil, "no incomplete upload under the cursor")
	resumeWhy := first(none, ifStr(m.eng == nil, "no engine"))
	allWhy := ifStr(len(u.uploads) == 0, "no incomplete uploads here")
	return append(t,
		onlyIf(&k.ResumeUpload, true, resumeWhy, func() tea.Cmd { return m.openResumePrompt(*x) }),
		onlyIf(&k.Abort, true, none, func() tea.Cmd {
			up := *x
			m.prompt = newConfirmPrompt(promptAction, "Abort this incomplete upload?",
				fmt.Sprintf("oss://%s/%s\nupload %s · %s in %s are deleted; the upload cannot be resumed after.",
					up.Bucket, up.Key, up.UploadID, units.FormatSize(up.Bytes), plural(up.Parts, "part")))
			m.prompt.confirm = func(m *Model) tea.Cmd { return m.abortUploads([]transfer.IncompleteUpload{up}) }
			return nil
		}),
		onlyIf(&k.AbortAll, true, allWhy, func() tea.Cmd {
			ups := append([]transfer.IncompleteUpload(nil), u.uploads...)
			title := fmt.Sprintf("Abort all %d incomplete uploads?", len(ups))
			if len(ups) == 1 {
				title = "Abort the one incomplete upload here?"
			}
			m.prompt = newConfirmPrompt(promptAction, title,
				fmt.Sprintf("oss://%s/%s\nThis frees %s of billed parts; none of them can be resumed after.", u.bucket, u.prefix, units.FormatSize(u.totalBytes())))
			m.prompt.confirm = func(m *Model) tea.Cmd { return m.abortUploads(ups) }
			return nil
		}),
		m.backToBrowser(),
	)
}

// openUploads shows the incomplete uploads of the folder shown.
func (m *Model) openUploads() tea.Cmd {
	m.uploads.open(m.browser.bucket, m.browser.prefix, m.now())
	m.pane = paneUploads
	return m.loadUploads()
}

func (m *Model) loadUploads() tea.Cmd {
	a, bucket, prefix := m.actions(), m.uploads.bucket, m.uploads.prefix
	m.uploads.loading = len(m.uploads.uploads) == 0
	return catalogCmd(func(ctx context.Context) func(*Model) tea.Cmd {
		ups, err := a.AllUploads(ctx, bucket, prefix)
		return func(m *Model) tea.Cmd {
			if m.uploads.bucket == bucket && m.uploads.prefix == prefix {
				m.uploads.now = m.now()
				m.uploads.apply(ups, err)
			}
			return nil
		}
	})
}

// abortUploads aborts ups one by one, saying how much storage it freed.
func (m *Model) abortUploads(ups []transfer.IncompleteUpload) tea.Cmd {
	a := m.actions()
	what := "aborting " + plural(len(ups), "incomplete upload")
	return m.startOp(what, "", func(ctx context.Context, report func(string)) (string, error) {
		var freed int64
		for i, u := range ups {
			if err := a.AbortUpload(ctx, u.Bucket, u.Key, u.UploadID); err != nil {
				return fmt.Sprintf("aborted %d of %d (%s freed)", i, len(ups), units.FormatSize(freed)), fmt.Errorf("oss://%s/%s: %w", u.Bucket, u.Key, err)
			}
			freed += u.Bytes
			report(fmt.Sprintf("aborted %d of %d incomplete uploads…", i+1, len(ups)))
		}
		if len(ups) == 1 {
			return fmt.Sprintf("aborted the upload of oss://%s/%s: %s freed", ups[0].Bucket, ups[0].Key, units.FormatSize(freed)), nil
		}
		return fmt.Sprintf("aborted %s: %s freed", plural(len(ups), "incomplete upload"), units.FormatSize(freed)), nil
	})
}

// openResumePrompt asks for the local file an incomplete upload was of.
func (m *Model) openResumePrompt(up transfer.IncompleteUpload) tea.Cmd {
	dir := m.deps.Options.DownloadDir
	if dir == "" {
		dir = "."
	}
	m.prompt = newTextPrompt(promptActionText, "Resume the upload of oss://"+up.Bucket+"/"+up.Key,
		"The local file it was uploading (each uploaded part is checked against it):", filepath.Join(dir, ossname.Base(up.Key)), "local file", m.width)
	m.prompt.submit = func(m *Model, value string) (tea.Cmd, error) {
		if value == "" {
			return nil, errors.New("name the local file")
		}
		return tea.Batch(m.verifyUploadCmd(up, expandHome(value)), m.setNotice("checking the uploaded parts against "+value+"…", false)), nil
	}
	return m.prompt.input.Focus()
}

// verifyUploadCmd reads the local file's parts (CRC64, MD5) off the event
// loop; a large file takes a while, so it is bounded by opTimeout.
func (m *Model) verifyUploadCmd(up transfer.IncompleteUpload, path string) tea.Cmd {
	a := m.actions()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		abs, err := filepath.Abs(path)
		var check transfer.UploadCheck
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err == nil {
			check, err = a.VerifyUpload(ctx, up.Bucket, up.Key, up.UploadID, abs)
		}
		return catalogMsg{apply: func(m *Model) tea.Cmd { return m.offerResume(up, abs, check, err) }}
	}
}

// offerResume says how many parts verify and, when the file matches,
// asks to queue the upload continuing the same UploadId.
func (m *Model) offerResume(up transfer.IncompleteUpload, path string, check transfer.UploadCheck, err error) tea.Cmd {
	if err != nil {
		return m.setNotice("resume upload: "+shortError(err), true)
	}
	total := check.Reusable + check.Missing
	verified := fmt.Sprintf("%d of %d parts verify (%s); %d to send", check.Reusable, total, units.FormatSize(check.ReusableBytes), check.Missing)
	if !check.Matches {
		m.logf(LogWarn, "cannot resume oss://%s/%s from %s: %s", up.Bucket, up.Key, path, check.Reason)
		m.prompt = newConfirmPrompt(promptInfo, "This file does not match the upload",
			path+"\n"+check.Reason+"\n"+verified+". Upload it anew (u in the browser), or abort this upload (x).")
		return m.setNotice("the file does not match the upload: "+check.Reason, true)
	}
	m.logf(LogInfo, "oss://%s/%s from %s: %s", up.Bucket, up.Key, path, verified)
	m.prompt = newConfirmPrompt(promptAction, "Continue this upload?",
		path+"\noss://"+up.Bucket+"/"+up.Key+"\n"+verified+" · part size "+units.FormatSize(check.PartSize)+".")
	m.prompt.confirm = func(m *Model) tea.Cmd {
		spec := transfer.Spec{Direction: transfer.Upload, Bucket: up.Bucket, Key: up.Key, LocalPath: path,
			AdoptUploadID: up.UploadID, PartSize: check.PartSize, Parallel: m.deps.Options.Parallel}
		return addCmd(m.eng, []transfer.Spec{spec}, nil)
	}
	return nil
}

func (m *Model) versionsTable() bindingTable {
	v := &m.versions
	k := &m.keys
	t := m.navTable(v.n, v.rows(), v.move, v.moveTo)
	x := v.current()
	k.Download.SetHelp("d", "download this version")
	why := first(ifStr(x == nil, "no version under the cursor"), ifStr(x != nil && x.DeleteMarker, "a delete marker has no data"),
		ifStr(m.eng == nil, "no engine"))
	return append(t,
		onlyIf(&k.Download, true, why, func() tea.Cmd {
			m.openDownloadPrompt([]downloadTarget{{bucket: v.bucket, key: v.key, versionID: x.VersionID}})
			m.prompt.title = "Download " + ossname.Base(v.key) + " at version " + x.VersionID
			return m.prompt.input.Focus()
		}),
		m.backToBrowser(),
	)
}

// openVersions lists the versions of the object under the cursor.
func (m *Model) openVersions(key string) tea.Cmd {
	a, bucket := m.actions(), m.browser.bucket
	m.versions.open(bucket, key)
	m.pane = paneVersions
	return catalogCmd(func(ctx context.Context) func(*Model) tea.Cmd {
		vs, err := a.KeyVersions(ctx, bucket, key)
		return func(m *Model) tea.Cmd {
			if m.versions.bucket == bucket && m.versions.key == key {
				m.versions.apply(vs, err)
			}
			return nil
		}
	})
}

func (m *Model) deletedTable() bindingTable {
	d := &m.deleted
	k := &m.keys
	t := m.navTable(d.n, d.rows(), d.move, d.moveTo)
	x := d.current()
	k.ShowDeleted.SetHelp("V", "back to the objects")
	why := first(ifStr(x == nil, "no deleted object under the cursor"), ifStr(x != nil && x.Last.VersionID == "", "only delete markers remain: no data to bring back"))
	return append(t,
		onlyIf(&k.Undelete, true, why, func() tea.Cmd {
			obj := *x
			m.prompt = newConfirmPrompt(promptAction, "Restore this deleted object?",
				fmt.Sprintf("oss://%s/%s\nIts last version %s (%s) is copied back as the latest.", d.bucket, obj.Key, obj.Last.VersionID, units.FormatSize(obj.Last.Size)))
			m.prompt.confirm = func(m *Model) tea.Cmd { return m.restoreDeleted(d.bucket, obj) }
			return nil
		}),
		on(&k.ShowDeleted, true, func() tea.Cmd { m.pane = paneBrowser; return nil }),
		m.backToBrowser(),
	)
}

// openDeleted lists the deleted objects of the folder shown.
func (m *Model) openDeleted() tea.Cmd {
	m.deleted.open(m.browser.bucket, m.browser.prefix)
	m.pane = paneDeleted
	return m.loadDeleted()
}

func (m *Model) loadDeleted() tea.Cmd {
	a, bucket, prefix := m.actions(), m.deleted.bucket, m.deleted.prefix
	return catalogCmd(func(ctx context.Context) func(*Model) tea.Cmd {
		objs, err := a.DeletedObjects(ctx, bucket, prefix)
		return func(m *Model) tea.Cmd {
			if m.deleted.bucket == bucket && m.deleted.prefix == prefix {
				m.deleted.apply(objs, err)
			}
			return nil
		}
	})
}

// restoreDeleted copies obj's last version back onto its key.
func (m *Model) restoreDeleted(bucket string, obj transfer.DeletedObject) tea.Cmd {
	a := m.actions()
	name := ossname.Join(bucket, obj.Key)
	return tea.Batch(m.startOp("restoring "+name, bucket, func(ctx context.Context, _ func(string)) (string, error) {
		id, err := a.RestoreVersion(ctx, bucket, obj.Key, obj.Last.VersionID)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("restored %s from version %s (new version %s)", name, obj.Last.VersionID, id), nil
	}))
}
