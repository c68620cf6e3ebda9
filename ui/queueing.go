package ui

import (
	"fmt"
	"path/filepath"
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/ossname"
	"ossq/transfer"
)

// maxLoggedNames bounds the log lines one batch of queued jobs writes.
const maxLoggedNames = 20

// checkingDestNotice stands while the destination is stat'ed.
const checkingDestNotice = "checking the destination…"

func (m *Model) onExistsPolicy() transfer.OnExists {
	if p := m.deps.Options.OnExists; p != "" {
		return p
	}
	return transfer.ExistsAsk
}

// specFor is the engine spec for one destItem under policy.
func (m *Model) specFor(it destItem, policy transfer.OnExists) transfer.Spec {
	return specForItem(it, policy, m.deps.Options.Parallel)
}

// specForItem is specFor with the parts in flight given (commands call it
// off the event loop, where the model is not theirs to read).
func specForItem(it destItem, policy transfer.OnExists, parallel int) transfer.Spec {
	if it.upload {
		key := it.target.key
		if policy == transfer.ExistsRename && it.renameKey != "" {
			key = it.renameKey
		}
		// The UI checked the key itself (HEAD); the engine overwrites.
		spec := transfer.Spec{Direction: transfer.Upload, Bucket: it.target.bucket, Key: key, LocalPath: it.dest, Parallel: parallel}
		if it.target.folder {
			spec.Filter, spec.Compare = it.tree.filter, it.tree.compare
		}
		return spec
	}
	spec := transfer.Spec{
		Direction: transfer.Download,
		Bucket:    it.target.bucket,
		Key:       it.target.key,
		LocalPath: it.dest,
		OnExists:  policy,
		Parallel:  parallel,
		VersionID: it.target.versionID,
	}
	if it.target.folder {
		spec.Filter, spec.Compare = it.tree.filter, it.tree.compare
	}
	if policy == transfer.ExistsRename && it.renameDest != "" {
		// The whole tree goes to the free folder name the stat found,
		// not renamed file by file inside the existing folder.
		spec.LocalPath = it.renameDest
	}
	return spec
}

// queueItems queues what the policy lets through and asks about the rest.
func (m *Model) queueItems(items []destItem, policy transfer.OnExists) tea.Cmd {
	var specs, trees []transfer.Spec
	var skipped []string
	for _, it := range items {
		if it.exists && policy == transfer.ExistsAsk {
			m.existsQueue = append(m.existsQueue, it)
			continue
		}
		// Only a file is skipped whole; an existing folder goes to the
		// engine, which skips the files in it that exist.
		if it.exists && policy == transfer.ExistsSkip && !it.target.folder {
			skipped = append(skipped, it.name())
			continue
		}
		spec := m.specFor(it, policy)
		if it.target.folder {
			trees = append(trees, spec)
		} else {
			specs = append(specs, spec)
		}
	}
	var cmds []tea.Cmd
	if len(specs)+len(trees) > 0 {
		cmds = append(cmds, addCmd(m.eng, specs, trees))
	}
	if len(skipped) > 0 {
		for _, n := range skipped {
			m.logf(LogWarn, "skipped %s: it exists (on_exists = skip)", n)
		}
		cmds = append(cmds, m.setNotice(fmt.Sprintf("skipped %d: it exists (on_exists = skip)", len(skipped)), false))
	}
	m.nextExistsPrompt()
	return tea.Batch(cmds...)
}

func (m *Model) handleDestCheck(msg destCheckMsg) tea.Cmd {
	if msg.err != nil {
		m.log.Warn("download destination", "err", msg.err)
		return m.setNotice(shortError(msg.err), true)
	}
	m.browser.marked = map[string]bool{}
	if m.notice == checkingDestNotice {
		m.notice = ""
	}
	return m.queueItems(msg.items, m.onExistsPolicy())
}

func (m *Model) handleUploadCheck(msg uploadCheckMsg) tea.Cmd {
	if msg.err != nil {
		m.log.Warn("upload check", "err", msg.err)
		return m.setNotice(shortError(msg.err), true)
	}
	return m.queueItems(msg.items, m.onExistsPolicy())
}

// nextExistsPrompt asks about the next item whose destination exists.
func (m *Model) nextExistsPrompt() {
	if m.prompt != nil || len(m.existsQueue) == 0 {
		return
	}
	if m.notice == checkingDestNotice {
		// The check is over: the question is the answer.
		m.notice, m.noticeErr = "", false
	}
	it := m.existsQueue[0]
	m.existsQueue = m.existsQueue[1:]
	what := "File"
	switch {
	case it.upload:
		what = "Object"
	case it.target.folder:
		what = "Folder"
	}
	body := it.dest
	switch {
	case it.upload:
		body = ossname.Join(it.target.bucket, it.target.key)
		if it.renameKey != "" {
			body += "\nr uploads it as: " + ossname.Base(it.renameKey)
		}
	case it.renameDest != "":
		// Only the new name: the full path is on the line above, and a
		// long one would cut off the part that matters.
		body += "\nr downloads into a new folder: " + filepath.Base(it.renameDest)
	}
	if n := len(m.existsQueue); n > 0 {
		body += fmt.Sprintf("\n(%d more waiting)", n)
	}
	m.prompt = newConfirmPrompt(promptOnExists, what+" exists: overwrite, skip or rename?", body)
	m.prompt.item = it
	m.prompt.more = len(m.existsQueue) > 0
}

func (m *Model) handleExistsKey(msg tea.KeyMsg) tea.Cmd {
	it := m.prompt.item
	more := m.prompt.more
	var choice transfer.OnExists
	all := false
	switch msg.String() {
	case "o":
		choice = transfer.ExistsOverwrite
	case "s":
		choice = transfer.ExistsSkip
	case "r":
		choice = transfer.ExistsRename
	case "O", "S", "R":
		if !more {
			return nil
		}
		choice, all = map[string]transfer.OnExists{"O": transfer.ExistsOverwrite, "S": transfer.ExistsSkip, "R": transfer.ExistsRename}[msg.String()], true
	case "esc":
		choice, all = transfer.ExistsSkip, true
	case "ctrl+c":
		m.prompt = nil
		m.existsQueue = nil
		return m.requestQuit()
	default:
		return nil
	}
	m.prompt = nil
	items := []destItem{it}
	if all {
		items = append(items, m.existsQueue...)
		m.existsQueue = nil
	}
	if choice == transfer.ExistsSkip {
		for _, x := range items {
			m.logf(LogWarn, "skipped %s: it exists (you chose skip)", x.name())
		}
		cmd := m.setNotice(fmt.Sprintf("skipped %d", len(items)), false)
		m.nextExistsPrompt()
		return cmd
	}
	for i := range items {
		items[i].exists = false
	}
	var specs, trees []transfer.Spec
	for _, x := range items {
		spec := m.specFor(x, choice)
		if x.target.folder {
			trees = append(trees, spec)
		} else {
			specs = append(specs, spec)
		}
	}
	m.nextExistsPrompt()
	return addCmd(m.eng, specs, trees)
}

// uploadSelection asks about folders first (the upload plan prompt: a
// filter, a compare mode, the plan); files alone go at once.
func (m *Model) uploadSelection(sel []localEntry) tea.Cmd {
	if slices.ContainsFunc(sel, func(e localEntry) bool { return e.dir }) {
		return m.openUploadPlanPrompt(sel)
	}
	return m.uploadSelectionWith(sel, nil)
}

// uploadSelectionWith HEADs each file's key first (on_exists applies to
// uploads too); folders go to the engine as trees with the plan prompt's
// filter and compare mode (plan, nil without one), once its plan jobs
// are removed.
func (m *Model) uploadSelectionWith(sel []localEntry, plan *planForm) tea.Cmd {
	bucket, prefix := m.browser.bucket, m.browser.prefix
	var tree treeOptions
	if plan != nil {
		tree = plan.tree()
	}
	var items []destItem
	for _, e := range sel {
		items = append(items, uploadItem(bucket, prefix, e, tree))
	}
	m.picker.marked = map[string]localEntry{}
	m.pane = paneBrowser
	return tea.Batch(closeThen(m.eng, plan, checkUploadCmd(m.catalog, items)),
		m.setNotice(fmt.Sprintf("checking %d upload(s) to oss://%s/%s…", len(sel), bucket, prefix), false))
}

// uploadItem is one picked entry as an upload under bucket/prefix.
func uploadItem(bucket, prefix string, e localEntry, tree treeOptions) destItem {
	it := destItem{upload: true, dest: e.path, target: downloadTarget{bucket: bucket, key: prefix + filepath.Base(e.path), folder: e.dir}}
	if e.dir {
		it.target.key += "/"
		it.tree = tree
	}
	return it
}

// openUploadPlanPrompt asks how to upload a selection with folders.
func (m *Model) openUploadPlanPrompt(sel []localEntry) tea.Cmd {
	bucket, prefix := m.browser.bucket, m.browser.prefix
	what, to := sel[0].path, "to oss://"+bucket+"/"+prefix
	if len(sel) > 1 {
		what = fmt.Sprintf("%d selected items", len(sel))
	} else {
		to = "to oss://" + bucket + "/" + uploadItem(bucket, prefix, sel[0], treeOptions{}).target.key
	}
	m.prompt = newConfirmPrompt(promptUploadPlan, "Upload "+displayName(what), to)
	m.prompt.text = true
	m.prompt.upload = sel
	f := newPlanForm(m.deps.Options.Filters, m.deps.Options.Compare, false, m.width)
	for _, e := range sel {
		if !e.dir {
			f.singles++
		}
	}
	parallel := m.deps.Options.Parallel
	f.specs = func(_ string, tree treeOptions) ([]transfer.Spec, error) {
		var specs []transfer.Spec
		for _, e := range sel {
			if e.dir {
				specs = append(specs, specForItem(uploadItem(bucket, prefix, e, tree), transfer.ExistsOverwrite, parallel))
			}
		}
		return specs, nil
	}
	m.prompt.plan = f
	return m.schedulePlan()
}

func (m *Model) handleAdded(msg addedMsg) tea.Cmd {
	cmds := []tea.Cmd{m.fetch()}
	for _, s := range msg.existing {
		m.existsQueue = append(m.existsQueue, destItem{target: downloadTarget{bucket: s.Bucket, key: s.Key, versionID: s.VersionID}, dest: s.LocalPath, exists: true})
	}
	m.nextExistsPrompt()
	for _, err := range msg.errs {
		m.log.Warn("queue job", "err", err)
	}
	if len(msg.ids) > 0 {
		// The cursor goes to the job just added (the end of the queue).
		m.queue.follow, m.queue.followTries = msg.ids[len(msg.ids)-1], 0
		m.queue.filter = transfer.FilterAll
	}
	switch {
	case len(msg.errs) > 0:
		text := shortError(msg.errs[0])
		if len(msg.errs) > 1 {
			text = fmt.Sprintf("%d not queued; first: %s", len(msg.errs), text)
		}
		if len(msg.ids) > 0 {
			text = fmt.Sprintf("queued %d; ", len(msg.ids)) + text
		}
		cmds = append(cmds, m.setNotice(text, true))
	case len(msg.ids) > 0:
		// The log names what was queued (the engine's log has each add);
		// the footer only says how many.
		for i, n := range msg.names {
			if m.eventsLogged {
				break
			}
			if i == maxLoggedNames {
				m.logf(LogInfo, "queued … and %d more", len(msg.names)-i)
				break
			}
			m.logf(LogInfo, "queued %s", n)
		}
		cmds = append(cmds, m.showNotice(fmt.Sprintf("queued %s · tab shows the queue", plural(len(msg.ids), "job")), LogInfo))
	}
	return tea.Batch(cmds...)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
