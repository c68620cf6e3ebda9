package ui

import (
	"fmt"
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/ossname"
	"ossq/transfer"
)

// navTable is the list keys every list pane shares.
func (m *Model) navTable(n, page int, move func(int), moveTo func(int)) bindingTable {
	k := &m.keys
	k.Top.SetHelp("home/g", "top")
	why := ""
	if n <= 1 {
		why = "nothing to move through"
	}
	step := func(d int) func() tea.Cmd { return func() tea.Cmd { move(d); return nil } }
	return bindingTable{
		onlyIf(&k.Up, false, why, step(-1)),
		onlyIf(&k.Down, false, why, step(1)),
		onlyIf(&k.PageUp, false, why, step(-max(1, page))),
		onlyIf(&k.PageDown, false, why, step(max(1, page))),
		onlyIf(&k.Top, false, why, func() tea.Cmd { moveTo(0); return nil }),
		onlyIf(&k.Bottom, false, why, func() tea.Cmd { moveTo(n - 1); return nil }),
	}
}

// globalTable ends every pane's table: panes, log, help, quit.
func (m *Model) globalTable() bindingTable {
	k := &m.keys
	tabWhy := ""
	if m.pane == panePicker {
		tabWhy = "finish or leave the upload picker first (esc)"
	}
	return bindingTable{
		onlyIf(&k.SwitchPane, true, tabWhy, func() tea.Cmd {
			if m.pane == paneBrowser {
				m.pane = paneQueue
			} else {
				m.pane = paneBrowser
			}
			return m.fetch()
		}),
		on(&k.Log, true, func() tea.Cmd {
			if m.pane == paneLog {
				m.pane = m.backTo
				return nil
			}
			if m.pane != paneDetails {
				m.backTo = m.pane
			}
			m.pane = paneLog
			m.logs.toEnd()
			return nil
		}),
		on(&k.Help, true, func() tea.Cmd { m.overlay = true; return nil }),
		on(&k.Quit, true, m.requestQuit),
	}
}

// table is the binding table of the pane that has the keys now.
func (m *Model) table() bindingTable {
	var t bindingTable
	switch m.pane {
	case paneBrowser:
		t = m.browserTable()
	case paneQueue:
		t = m.queueTable()
	case paneItems:
		t = m.itemsTable()
	case paneDetails:
		t = m.detailsTable()
	case panePicker:
		t = m.pickerTable()
	case paneLog:
		t = m.logTable()
	case paneUploads:
		t = m.uploadsTable()
	case paneVersions:
		t = m.versionsTable()
	case paneDeleted:
		t = m.deletedTable()
	}
	return append(t, m.globalTable()...)
}

func (m *Model) browserTable() bindingTable {
	b := &m.browser
	k := &m.keys
	e := b.current()
	isObject := e != nil && e.kind == kindObject
	if isObject {
		k.Open.SetHelp("enter", "info")
	} else {
		k.Open.SetHelp("enter/l", "open")
	}
	t := m.navTable(len(b.visible), b.listHeight(), func(d int) { b.move(d) }, b.moveTo)
	for i := range t {
		run := t[i].run
		t[i].run = func() tea.Cmd { run(); return tea.Batch(m.maybeLoadMore(), m.followInfo()) }
	}
	noEntry := ""
	if e == nil {
		noEntry = "nothing under the cursor"
	}
	uploadWhy := ""
	switch {
	case m.eng == nil:
		uploadWhy = "no engine"
	case b.bucket == "":
		uploadWhy = "open a bucket first: uploads go into the folder shown"
	}
	downloadWhy := ""
	if len(b.downloadTargets()) == 0 {
		downloadWhy = "nothing under the cursor to download"
	}
	restoreWhy := ""
	if !isObject || !transfer.IsArchiveClass(e.class) {
		restoreWhy = "only an archived object (Archive, ColdArchive…) needs a restore"
	}
	selWhy := noEntry
	if e != nil && e.kind == kindBucket {
		selWhy = "buckets are downloaded one at a time (d)"
	}
	backWhy := ""
	if !b.infoOpen && b.filter == "" {
		backWhy = "no info panel or filter to close"
	}
	k.Download.SetHelp("d", "download")
	t = append(t,
		onlyIf(&k.Open, true, noEntry, m.browserOpen),
		onlyIf(&k.Parent, true, ifStr(b.bucket == "", "already at the bucket list"), m.browserParent),
		onlyIf(&k.Select, true, selWhy, func() tea.Cmd { b.toggleMark(); return m.maybeLoadMore() }),
		onlyIf(&k.Download, true, downloadWhy, m.browserDownload),
		onlyIf(&k.Upload, true, uploadWhy, m.openPicker),
		on(&k.Refresh, false, m.relist),
		onlyIf(&k.Info, true, ifStr(!b.infoOpen && !isObject, "info is for objects"), func() tea.Cmd {
			if b.infoOpen {
				b.infoOpen = false
				b.clampScroll()
				return nil
			}
			return m.openInfo()
		}),
		onlyIf(&k.Restore, false, restoreWhy, func() tea.Cmd { m.openRestorePrompt(b.bucket, e.key); return nil }),
		onlyIf(&k.Filter, true, ifStr(len(b.entries) == 0, "nothing loaded to filter"), func() tea.Cmd {
			b.filtering = true
			b.filterInput.SetValue(b.filter)
			b.filterInput.CursorEnd()
			b.clampScroll()
			return b.filterInput.Focus()
		}),
		onlyIf(&k.Sort, false, ifStr(len(b.entries) < 2, "fewer than two entries"), func() tea.Cmd {
			b.sortBy = (b.sortBy + 1) % 3
			b.rebuildVisible()
			return m.setNotice("sorted by "+b.sortBy.String(), false)
		}),
		on(&k.Bucket, false, func() tea.Cmd { m.openBucketPrompt(); return nil }),
		onlyIf(&k.Back, false, backWhy, func() tea.Cmd {
			switch {
			case b.infoOpen:
				b.infoOpen = false
				b.clampScroll()
			case b.filter != "":
				b.filter = ""
				b.rebuildVisible()
			}
			return nil
		}),
	)
	return append(t, m.catalogBindings(e)...)
}

func ifStr(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

func (m *Model) browserOpen() tea.Cmd {
	b := &m.browser
	e := b.current()
	switch e.kind {
	case kindBucket:
		return m.openLocation(e.key, "")
	case kindFolder:
		return m.openLocation(b.bucket, e.key)
	}
	return m.openInfo()
}

func (m *Model) browserParent() tea.Cmd {
	b := &m.browser
	bucket, prefix := b.parent()
	if bucket == "" && b.bucketsDenied {
		m.openBucketPrompt()
		return nil
	}
	// Land on the folder (or bucket) we came out of.
	from := b.prefix
	if from == "" {
		from = b.bucket
	}
	cmd := m.openLocation(bucket, prefix)
	b.focusKey = from
	return cmd
}

// browserDownload asks where to; an archived object is HEADed first, and
// offered a restore instead when it cannot be read yet.
func (m *Model) browserDownload() tea.Cmd {
	b := &m.browser
	targets := b.downloadTargets()
	if e := b.current(); len(b.marked) == 0 && e != nil && e.kind == kindObject && transfer.IsArchiveClass(e.class) {
		return tea.Batch(headCmd(m.catalog, b.bucket, e.key, true), m.setNotice("checking whether "+displayName(e.name)+" is restored…", false))
	}
	return tea.Batch(m.openDownloadPrompt(targets), m.prompt.input.Focus())
}

// openDownloadPrompt asks where to; with a folder among the targets it
// also has the filter line, the compare choice and the plan.
func (m *Model) openDownloadPrompt(targets []downloadTarget) tea.Cmd {
	what := ossname.Join(targets[0].bucket, targets[0].key)
	if len(targets) > 1 {
		what = fmt.Sprintf("%d selected items", len(targets))
	}
	dir := m.deps.Options.DownloadDir
	if dir == "" {
		dir = "."
	}
	m.prompt = newTextPrompt(promptDownloadDest, "Download "+displayName(what), "to the folder:", dir, "destination folder", m.width)
	m.prompt.targets = targets
	if !slices.ContainsFunc(targets, func(t downloadTarget) bool { return t.folder }) {
		return nil
	}
	f := newPlanForm(m.deps.Options.Filters, m.deps.Options.Compare, true, m.width)
	for _, t := range targets {
		if !t.folder {
			f.singles++
		}
	}
	policy, parallel := m.onExistsPolicy(), m.deps.Options.Parallel
	f.specs = func(dir string, tree treeOptions) ([]transfer.Spec, error) {
		abs, err := destFolder(dir)
		if err != nil {
			return nil, err
		}
		var specs []transfer.Spec
		for _, t := range targets {
			if t.folder {
				it := destItem{target: t, dest: targetDest(abs, t), tree: tree}
				specs = append(specs, specForItem(it, policy, parallel))
			}
		}
		return specs, nil
	}
	m.prompt.plan = f
	return m.schedulePlan()
}

func (m *Model) openPicker() tea.Cmd {
	m.pane = panePicker
	// A new picker session: marks from an earlier one (maybe made for
	// another folder) must not ride along into this upload.
	m.picker.marked = map[string]localEntry{}
	dir := m.picker.dir
	if dir == "" {
		dir = m.deps.Options.DownloadDir
	}
	m.picker.open(dir)
	m.picker.target = ossname.Join(m.browser.bucket, m.browser.prefix)
	return readDirCmd(dir)
}

// openLocation lists bucket/prefix (bucket "" lists the buckets).
func (m *Model) openLocation(bucket, prefix string) tea.Cmd {
	b := &m.browser
	b.filter = ""
	b.filtering = false
	seq := b.reset(bucket, prefix)
	if bucket == "" {
		return listBucketsCmd(m.catalog, seq)
	}
	return listPageCmd(m.catalog, seq, bucket, prefix, "")
}

func (m *Model) maybeLoadMore() tea.Cmd {
	b := &m.browser
	if !b.wantMore() {
		return nil
	}
	b.loading = true
	return listPageCmd(m.catalog, b.seq, b.bucket, b.prefix, b.nextToken)
}

func (m *Model) openInfo() tea.Cmd {
	b := &m.browser
	e := b.current()
	if e == nil || e.kind != kindObject {
		return nil
	}
	b.infoOpen = true
	b.info = infoState{bucket: b.bucket, key: e.key, loading: true}
	b.clampScroll()
	return headCmd(m.catalog, b.bucket, e.key, false)
}

// followInfo keeps an open info panel on the object under the cursor.
func (m *Model) followInfo() tea.Cmd {
	b := &m.browser
	if !b.infoOpen {
		return nil
	}
	e := b.current()
	if e == nil || e.kind != kindObject {
		b.info = infoState{bucket: b.bucket, key: "", err: "not an object"}
		return nil
	}
	if e.key == b.info.key && b.bucket == b.info.bucket {
		return nil
	}
	return m.openInfo()
}

func (m *Model) openBucketPrompt() {
	body := "Type a bucket name, optionally with a prefix (bucket/dir/)."
	if m.browser.bucketsDenied {
		body = "Cannot list buckets: " + transfer.KindSummary(transfer.CodeAccessDenied) + ".\n" + body
	}
	m.prompt = newTextPrompt(promptBucketName, "Open bucket", body, m.browser.bucket, "my-bucket", m.width)
}

func (m *Model) handleFilterKey(msg tea.KeyMsg) tea.Cmd {
	b := &m.browser
	switch msg.Type {
	case tea.KeyEsc:
		b.filtering = false
		b.filter = ""
		b.filterInput.Blur()
		b.rebuildVisible()
		return nil
	case tea.KeyEnter:
		b.filtering = false
		b.filterInput.Blur()
		b.clampScroll()
		return m.maybeLoadMore()
	case tea.KeyCtrlC:
		return m.requestQuit()
	case tea.KeyUp, tea.KeyDown:
		if msg.Type == tea.KeyUp {
			b.move(-1)
		} else {
			b.move(1)
		}
		return m.maybeLoadMore()
	}
	var cmd tea.Cmd
	b.filterInput, cmd = b.filterInput.Update(msg)
	if v := b.filterInput.Value(); v != b.filter {
		b.filter = v
		b.cursor = 0
		b.rebuildVisible()
	}
	return cmd
}

// refreshAfterUpload relists the browser when an upload landed in the
// folder it shows, keeping the cursor where it was. Only a listing that is
// loaded whole is relisted (a long one would lose its loaded pages); one
// refresh at a time, and one more if uploads finished meanwhile.
func (m *Model) refreshAfterUpload(bucket, key string) tea.Cmd {
	b := &m.browser
	if b.bucket != bucket || !startsWith(key, b.prefix) || b.nextToken != "" || b.filtering {
		return nil
	}
	if b.loading {
		b.stale = true
		return nil
	}
	return m.relist()
}

// relist loads the folder shown again, keeping the cursor on the same entry
// and the filter.
func (m *Model) relist() tea.Cmd {
	b := &m.browser
	focus := ""
	if e := b.current(); e != nil {
		focus = e.key
	}
	filter := b.filter
	cmd := m.openLocation(b.bucket, b.prefix)
	b.focusKey = focus
	b.filter = filter
	return cmd
}

func startsWith(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }
