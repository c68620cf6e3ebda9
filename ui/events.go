package ui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/ossname"
	"ossq/transfer"
)

// namedEventMsg is an event with its job, looked up off the event loop
// when the job is not in the window.
type namedEventMsg struct {
	ev    transfer.Event
	job   transfer.JobSnapshot
	known bool
}

// handleEvent re-arms the wait and names the event's job: from the window
// when it is on screen, else with a Get as a command.
func (m *Model) handleEvent(ev transfer.Event) tea.Cmd {
	m.log.Info("job event", "kind", ev.Kind, "id", ev.ID, "msg", ev.Message)
	if m.eventsLogged && m.pane == paneLog {
		m.logs.build() // the engine logged it before sending it
	}
	if j, ok := m.lookup(ev.ID); ok {
		return tea.Batch(waitEventCmd(m.events), m.handleNamedEvent(namedEventMsg{ev: ev, job: *j, known: true}))
	}
	eng := m.eng
	return tea.Batch(waitEventCmd(m.events), func() tea.Msg {
		t, ok := eng.Get(ev.ID)
		return namedEventMsg{ev: ev, job: transfer.JobSnapshot{TransferSnapshot: t}, known: ok}
	})
}

// handleNamedEvent turns one lifecycle event into a notice, a log entry
// and, for a job that ended, a notification.
func (m *Model) handleNamedEvent(msg namedEventMsg) tea.Cmd {
	ev := msg.ev
	cmds := []tea.Cmd{m.fetch()}
	name := string(ev.ID)
	j, known := &msg.job, msg.known
	if known {
		name = jobName(j, m.home)
	}
	// The engine's log records its events itself; another log gets them here.
	notice, logf := m.eventNotice, m.logf
	if m.eventsLogged {
		logf = func(LogLevel, string, ...any) {}
	}
	notify := func(title string) {
		if m.deps.Options.Notify {
			cmds = append(cmds, notifyCmd(m.term, "ossq: "+title, name))
		}
	}
	switch ev.Kind {
	case transfer.EventFailed:
		text := "failed: " + name
		if ev.Message != "" {
			text += ": " + ev.Message
		}
		cmds = append(cmds, notice(text, LogError))
		notify("failed")
	case transfer.EventDone:
		cmds = append(cmds, notice("done: "+name, LogInfo))
		notify("done")
		if known && j.Direction == transfer.Upload {
			cmds = append(cmds, m.refreshAfterUpload(j.Bucket, j.Key))
		}
	case transfer.EventNotice:
		cmds = append(cmds, notice(name+": "+ev.Message, LogWarn))
	case transfer.EventRetrying:
		if ev.Message != "" {
			cmds = append(cmds, notice("retrying "+name+": "+ev.Message, LogWarn))
		}
	case transfer.EventCanceled:
		logf(LogInfo, "canceled: %s", name)
	case transfer.EventPaused:
		logf(LogInfo, "paused: %s", name)
	case transfer.EventRemoved:
		delete(m.progress, ev.ID)
	}
	return tea.Batch(cmds...)
}

// handleHead fills the info panel, or goes on with a download of an
// archived object: restored, it downloads; not yet, it offers a restore.
func (m *Model) handleHead(msg headMsg) tea.Cmd {
	if msg.forDownload {
		if msg.err != nil {
			return m.setNotice("checking "+displayName(msg.key)+": "+shortError(msg.err), true)
		}
		m.notice = ""
		if transfer.NeedsRestore(msg.obj) {
			m.openRestorePrompt(msg.bucket, msg.key)
			m.prompt.title = "Archived: restore before downloading? " + displayName(ossname.Base(msg.key))
			if restoreHint(msg.obj) != "" && msg.obj.Restore != "" {
				return m.setNotice("a restore is under way: "+restoreHint(msg.obj), false)
			}
			return m.prompt.input.Focus()
		}
		m.openDownloadPrompt([]downloadTarget{{bucket: msg.bucket, key: msg.key}})
		return m.prompt.input.Focus()
	}
	b := &m.browser
	if b.info.bucket == msg.bucket && b.info.key == msg.key {
		b.info.loading = false
		if msg.err != nil {
			b.info.err = shortError(msg.err)
			m.log.Warn("head object", "bucket", msg.bucket, "key", msg.key, "err", msg.err)
		} else {
			b.info.obj = msg.obj
		}
	}
	return nil
}

// handleRestore reports how a restore request went and starts the slow
// poll that says when it finished.
func (m *Model) handleRestore(msg restoreMsg) tea.Cmd {
	var cmds []tea.Cmd
	name := displayName(ossname.Base(msg.key))
	switch {
	case msg.err == nil:
		cmds = append(cmds, m.setNotice("restore requested: "+name+
			" · ossq says when it can be downloaded (minutes to hours)", false))
	case transfer.Code(msg.err) == transfer.CodeRestoreAlreadyInProgress:
		cmds = append(cmds, m.setNotice(transfer.KindSummary(transfer.CodeRestoreAlreadyInProgress)+": "+name+" · ossq says when it is done", false))
	default:
		m.log.Warn("restore object", "bucket", msg.bucket, "key", msg.key, "err", msg.err)
		return m.setNotice("restore: "+displayName(shortError(msg.err)), true)
	}
	id := msg.bucket + "/" + msg.key
	if !m.restoring[id] && !m.manualTime {
		cmds = append(cmds, restorePollCmd(m.catalog, msg.bucket, msg.key, restorePollInterval))
	}
	m.restoring[id] = true
	if m.browser.infoOpen && m.browser.info.bucket == msg.bucket && m.browser.info.key == msg.key {
		cmds = append(cmds, headCmd(m.catalog, msg.bucket, msg.key, false))
	}
	return tea.Batch(cmds...)
}

// handleRestorePoll goes on polling until the object reads as restored,
// then says so and offers the download.
func (m *Model) handleRestorePoll(msg restorePollMsg) tea.Cmd {
	id := msg.bucket + "/" + msg.key
	if !m.restoring[id] {
		return nil
	}
	if msg.err != nil || transfer.NeedsRestore(msg.obj) {
		if msg.err != nil {
			m.logf(LogWarn, "restore poll oss://%s: %s", id, shortError(msg.err))
		}
		if m.manualTime {
			return nil
		}
		return restorePollCmd(m.catalog, msg.bucket, msg.key, restorePollInterval)
	}
	delete(m.restoring, id)
	cmd := m.setNotice(fmt.Sprintf("restore finished: oss://%s can be downloaded now", displayName(id)), false)
	if m.prompt == nil {
		m.prompt = newConfirmPrompt(promptRestoreDone, "Restore finished: "+displayName(ossname.Base(msg.key)),
			"oss://"+id+" can be downloaded now. Download it?")
		m.prompt.targets = []downloadTarget{{bucket: msg.bucket, key: msg.key}}
	}
	if m.deps.Options.Notify {
		cmd = tea.Batch(cmd, notifyCmd(m.term, "ossq: restore finished", id))
	}
	return cmd
}
