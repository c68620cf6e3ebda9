package ui

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

// handleKey routes a key: the prompt, then the overlay, then the browser's
// filter field, else the binding table of the pane shown.
func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.prompt != nil {
		return m.handlePromptKey(msg)
	}
	if msg.String() == "ctrl+c" {
		return m.requestQuit()
	}
	if m.overlay {
		if s := msg.String(); s == "?" || s == "esc" || s == "q" {
			m.overlay = false
		}
		return nil
	}
	if m.browser.filtering && m.pane == paneBrowser {
		return m.handleFilterKey(msg)
	}
	b := m.table().match(msg)
	switch {
	case b == nil:
		return nil
	case b.why != "" && m.isNavKey(b):
		return nil
	case b.why != "":
		return m.showNotice(b.key.Help().Key+" "+b.key.Help().Desc+": "+b.why, LogInfo)
	}
	return b.run()
}

// isNavKey: a list key that cannot move says nothing (it would be noise).
func (m *Model) isNavKey(b *binding) bool {
	k := &m.keys
	return b.key == &k.Up || b.key == &k.Down || b.key == &k.PageUp || b.key == &k.PageDown || b.key == &k.Top || b.key == &k.Bottom
}

// quitCheckMsg carries the engine's totals at the moment q was pressed.
type quitCheckMsg struct{ active int }

// requestQuit asks the engine (as a command) whether anything runs: the
// last window may predate a resume typed a moment ago.
func (m *Model) requestQuit() tea.Cmd {
	if m.eng == nil {
		m.quitting = true
		return tea.Quit
	}
	eng := m.eng
	return func() tea.Msg {
		t := eng.Window(transfer.WindowRequest{Limit: 1}).Totals
		return quitCheckMsg{active: t.Running + t.Queued}
	}
}

func (m *Model) handleQuitCheck(msg quitCheckMsg) tea.Cmd {
	if msg.active > 0 || len(m.opsRunning) > 0 {
		if m.prompt == nil {
			var body []string
			if msg.active > 0 {
				body = append(body, fmt.Sprintf("%d job(s) are running or queued; they pause now and resume next time.", msg.active))
			}
			for _, id := range slices.Sorted(maps.Keys(m.opsRunning)) {
				body = append(body, "Still "+m.opsRunning[id]+": quitting stops it part-way.")
			}
			m.prompt = newConfirmPrompt(promptConfirmQuit, "Quit ossq?", strings.Join(body, "\n"))
		}
		return nil
	}
	if m.prompt != nil {
		// Something else is being asked meanwhile; it wins.
		return nil
	}
	m.quitting = true
	return tea.Quit
}

func (m *Model) handlePromptKey(msg tea.KeyMsg) tea.Cmd {
	p := m.prompt
	switch p.kind {
	case promptConfirmQuit:
		switch msg.String() {
		case "y", "Y", "ctrl+c":
			m.prompt = nil
			m.quitting = true
			return tea.Quit
		case "n", "N", "esc", "q":
			m.prompt = nil
		}
		return nil
	case promptConfirmCancel:
		switch msg.String() {
		case "y", "Y":
			id, name := p.id, p.name
			m.prompt = nil
			return m.action(id, "cancel", "canceled "+name, func() error { return m.eng.Cancel(id) })
		case "n", "N", "esc":
			m.prompt = nil
			return m.showNotice("not canceled", LogInfo)
		case "ctrl+c":
			m.prompt = nil
			return m.requestQuit()
		}
		return nil
	case promptRestoreDone:
		switch msg.String() {
		case "y", "Y", "d":
			targets := p.targets
			m.prompt = nil
			m.openDownloadPrompt(targets)
			return m.prompt.input.Focus()
		case "n", "N", "esc":
			m.prompt = nil
		case "ctrl+c":
			m.prompt = nil
			return m.requestQuit()
		}
		return nil
	case promptOnExists:
		return m.handleExistsKey(msg)
	case promptAction:
		switch msg.String() {
		case "y", "Y":
			m.prompt = nil
			return p.confirm(m)
		case "n", "N", "esc":
			m.prompt = nil
			return m.setNotice("nothing done", false)
		case "ctrl+c":
			m.prompt = nil
			return m.requestQuit()
		}
		return nil
	case promptInfo:
		switch msg.String() {
		case "enter", "esc", "q", "y":
			m.prompt = nil
		case "ctrl+c":
			m.prompt = nil
			return m.requestQuit()
		}
		return nil
	}
	// text prompts
	switch msg.Type {
	case tea.KeyEsc:
		m.prompt = nil
		return m.closePlan(p)
	case tea.KeyCtrlC:
		m.prompt = nil
		return m.quitAfter(m.closePlan(p))
	case tea.KeyEnter:
		return m.submitPrompt()
	}
	if p.plan != nil {
		if cmd, ok := m.handlePlanKey(msg); ok {
			return cmd
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.err = ""
	return cmd
}

// maxRestoreDays is OSS's limit for how long a restored copy stays.
const maxRestoreDays = 365

func (m *Model) submitPrompt() tea.Cmd {
	p := m.prompt
	value := strings.TrimSpace(p.input.Value())
	switch p.kind {
	case promptDownloadDest:
		if p.plan != nil && p.plan.filterErr != "" {
			p.err = "fix the filter line first (or clear it)"
			return nil
		}
		m.prompt = nil
		var tree treeOptions
		if p.plan != nil {
			tree = p.plan.tree()
		}
		// The plan goes first: the real job takes the same destination.
		return tea.Batch(closeThen(m.eng, p.plan, checkDestCmd(p.targets, value, tree)), m.setNotice(checkingDestNotice, false))
	case promptUploadPlan:
		if p.plan.filterErr != "" {
			p.err = "fix the filter line first (or clear it)"
			return nil
		}
		m.prompt = nil
		return m.uploadSelectionWith(p.upload, p.plan)
	case promptRestoreDays:
		days, err := strconv.Atoi(value)
		if err != nil || days < 1 || days > maxRestoreDays {
			p.err = fmt.Sprintf("days: a whole number from 1 to %d", maxRestoreDays)
			return nil
		}
		m.prompt = nil
		t := p.targets[0]
		return tea.Batch(restoreCmd(m.catalog, t.bucket, t.key, days),
			m.setNotice(fmt.Sprintf("asking OSS to restore %s for %d day(s)…", displayName(ossname.Base(t.key)), days), false))
	case promptBandwidth:
		bps, err := parseSize(value)
		if err != nil {
			p.err = err.Error()
			return nil
		}
		m.prompt = nil
		text := "bandwidth limit: none"
		if bps > 0 {
			text = "bandwidth limit: " + units.FormatSpeed(float64(bps))
		}
		return m.action("", "bandwidth", text, func() error { m.eng.SetBandwidthLimit(bps); return nil })
	case promptActionText:
		m.prompt = nil
		cmd, err := p.submit(m, value)
		if err != nil {
			m.prompt = p
			p.err = err.Error()
			return nil
		}
		return cmd
	case promptBucketName:
		at, err := ossname.ParseLocation(value)
		if err != nil {
			p.err = err.Error()
			return nil
		}
		m.prompt = nil
		at = at.AsPrefix()
		return m.openLocation(at.Bucket, at.Key)
	}
	m.prompt = nil
	return nil
}

// openRestorePrompt asks how long the restored copy should stay.
func (m *Model) openRestorePrompt(bucket, key string) {
	m.prompt = newTextPrompt(promptRestoreDays, "Restore oss://"+displayName(bucket+"/"+key),
		"It is archived: OSS must restore it before it can be downloaded (minutes to hours).\nDays the restored copy stays readable:",
		strconv.Itoa(restoreDays), "1", m.width)
	m.prompt.targets = []downloadTarget{{bucket: bucket, key: key}}
}

// quitAfter runs first (removing a prompt's plan jobs), then asks to quit,
// so the quit check does not count what is being removed.
func (m *Model) quitAfter(first tea.Cmd) tea.Cmd {
	quit := m.requestQuit()
	if first == nil {
		return quit
	}
	return func() tea.Msg {
		first()
		return quit()
	}
}
