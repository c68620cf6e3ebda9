package ui

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"ossq/transfer"
)

// pane is what the body shows; it routes keys.
type pane int

const (
	paneBrowser pane = iota
	paneQueue
	paneDetails
	panePicker
)

const (
	// headerHeight: the title bar and the location/totals line.
	headerHeight = 2
	// noticeHeight: the transient notice line above the help.
	noticeHeight = 1
	// minBodyHeight keeps something visible on tiny terminals.
	minBodyHeight = 3
	// maxParallel caps + in the queue; the engine and the CLI allow 1–100.
	maxParallel = 100
	// wheelStep is rows per mouse-wheel notch.
	wheelStep = 3
	// narrowWidth: below it the body's columns are cut to the screen.
	narrowWidth = 60
	// defaultWidth, defaultHeight: the size assumed before WindowSizeMsg.
	defaultWidth  = 80
	defaultHeight = 24
)

// Model is the root: it owns the engine handle, the sizes and the child
// models, and routes every message to its owner.
type Model struct {
	deps   Deps
	eng    EngineAPI
	events <-chan transfer.Event
	log    *slog.Logger
	styles *Styles
	keys   KeyMap
	help   help.Model

	width, height int
	bodyHeight    int
	pane          pane
	helpText      string // built in Update from the enabled bindings

	browser browserModel
	queue   queueModel
	details detailsModel
	picker  pickerModel

	prompt      *promptModel
	existsQueue []destItem // downloads waiting for overwrite / skip / rename

	snap    transfer.Snapshot
	ticking bool

	// pendingParallel is the parallelism asked for per transfer until a
	// snapshot shows it, so "+++" typed in one burst adds 3, not 1.
	pendingParallel map[transfer.ID]int
	// burstToggled, set only while one burst of keys is handled, makes
	// "pp" one pause/resume per transfer, not two from the same snapshot.
	burstToggled map[transfer.ID]bool

	notice    string
	noticeErr bool
	noticeSeq int

	quitting bool

	// manualTime: tests deliver ticks and notice expiry themselves, so no
	// command sleeps and every other command can be run to completion.
	manualTime bool
}

// New builds the root model; nothing runs until Init.
func New(deps Deps) Model {
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	styles := NewStyles(DefaultTheme(), newRenderer(deps.NoColor))
	h := help.New()
	h.Styles.ShortKey, h.Styles.FullKey = styles.HelpKey, styles.HelpKey
	h.Styles.ShortDesc, h.Styles.FullDesc = styles.HelpDesc, styles.HelpDesc
	h.Styles.ShortSeparator, h.Styles.FullSeparator, h.Styles.Ellipsis = styles.HelpSep, styles.HelpSep, styles.HelpSep
	m := Model{
		deps:    deps,
		eng:     deps.Engine,
		log:     log,
		styles:  styles,
		keys:    DefaultKeyMap(),
		help:    h,
		width:   defaultWidth,
		height:  defaultHeight,
		browser: newBrowser(styles),
		queue:   newQueue(styles),
		details: newDetails(styles),
		picker:  newPicker(styles),
	}
	if m.eng != nil {
		m.events = m.eng.Events()
	}
	// The first listing generation is set here because Init has a value
	// receiver and cannot store it.
	prefix := strings.TrimPrefix(deps.StartPrefix, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if deps.StartBucket == "" {
		prefix = ""
	}
	m.browser.reset(deps.StartBucket, prefix)
	m.updateKeybindings()
	m.helpText = m.helpView()
	m.layout()
	return m
}

// Init opens the start location, reads the queue and waits for events.
func (m Model) Init() tea.Cmd {
	if m.eng == nil {
		return nil
	}
	return tea.Batch(snapshotCmd(m.eng), waitEventCmd(m.events), m.startCmd())
}

// startCmd is the first listing: the start bucket/prefix, else the buckets.
func (m Model) startCmd() tea.Cmd {
	if m.browser.bucket != "" {
		return listPageCmd(m.eng, m.browser.seq, m.browser.bucket, m.browser.prefix, "")
	}
	return listBucketsCmd(m.eng, m.browser.seq)
}

// Run starts the program on the terminal and returns when the user quits.
// The caller closes the engine afterwards (which pauses and checkpoints).
func Run(deps Deps) error {
	if deps.Engine == nil {
		return fmt.Errorf("ui: no engine")
	}
	p := tea.NewProgram(New(deps), tea.WithAltScreen(), tea.WithMouseCellMotion())
	_, err := p.Run()
	return err
}

// Update routes one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.layout()
	m.updateKeybindings()
	// The help depends on the bindings just set; lay out again only if
	// its height changed.
	before := lipgloss.Height(m.helpText)
	m.helpText = m.helpView()
	if lipgloss.Height(m.helpText) != before {
		m.layout()
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(20, msg.Width), max(headerHeight+noticeHeight+minBodyHeight+1, msg.Height)
		return nil
	case tea.KeyMsg:
		// Keys typed faster than one read arrive as one message ("jjj");
		// outside a text field each is its own command.
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && m.prompt == nil && !m.browser.filtering {
			var cmds []tea.Cmd
			m.burstToggled = map[transfer.ID]bool{}
			for _, r := range msg.Runes {
				cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
				m.updateKeybindings()
			}
			m.burstToggled = nil
			return tea.Batch(cmds...)
		}
		return m.handleKey(msg)
	case tea.MouseMsg:
		return m.handleMouse(msg)
	case snapshotMsg:
		return m.applySnapshot(msg)
	case engineEventMsg:
		return m.handleEvent(msg.ev)
	case eventsClosedMsg:
		m.log.Info("engine event channel closed")
		return nil
	case bucketsMsg:
		m.browser.applyBuckets(msg)
		if msg.err != nil {
			m.log.Warn("list buckets", "err", msg.err)
		}
		if m.browser.bucketsDenied && msg.seq == m.browser.seq && m.prompt == nil {
			m.openBucketPrompt()
		}
		return nil
	case pageMsg:
		m.browser.applyPage(msg)
		if msg.err != nil {
			m.log.Warn("list objects", "bucket", msg.bucket, "prefix", msg.prefix, "err", msg.err)
		}
		if m.browser.stale && !m.browser.loading {
			m.browser.stale = false
			return m.refreshAfterUpload(m.browser.bucket, m.browser.prefix)
		}
		return m.maybeLoadMore()
	case restoreMsg:
		return m.handleRestore(msg)
	case headMsg:
		if m.browser.info.bucket == msg.bucket && m.browser.info.key == msg.key {
			m.browser.info.loading = false
			if msg.err != nil {
				m.browser.info.err = shortError(msg.err)
				m.log.Warn("head object", "bucket", msg.bucket, "key", msg.key, "err", msg.err)
			} else {
				m.browser.info.obj = msg.obj
			}
		}
		return nil
	case destCheckMsg:
		return m.handleDestCheck(msg)
	case addedMsg:
		return m.handleAdded(msg)
	case actionMsg:
		if msg.op == "parallel" && msg.err != nil {
			delete(m.pendingParallel, msg.id)
		}
		if msg.err != nil {
			m.log.Warn("engine action", "op", msg.op, "id", msg.id, "err", msg.err)
			return tea.Batch(m.setNotice(msg.op+": "+shortError(msg.err), true), snapshotCmd(m.eng))
		}
		return snapshotCmd(m.eng)
	case localDirMsg:
		m.picker.apply(msg)
		return nil
	case noticeExpiredMsg:
		if msg.seq == m.noticeSeq {
			m.notice, m.noticeErr = "", false
		}
		return nil
	}
	// Anything else (cursor blink) belongs to the focused text input.
	var cmd tea.Cmd
	switch {
	case m.prompt != nil && m.prompt.text:
		m.prompt.input, cmd = m.prompt.input.Update(msg)
	case m.browser.filtering:
		m.browser.filterInput, cmd = m.browser.filterInput.Update(msg)
	}
	return cmd
}

func (m *Model) applySnapshot(msg snapshotMsg) tea.Cmd {
	if msg.fromTick {
		m.ticking = false
	}
	// An older snapshot can arrive after a newer one (they come from
	// separate commands); never step back.
	if msg.snap.Version >= m.snap.Version || msg.snap.Version == 0 {
		m.snap = msg.snap
		m.settlePendingParallel()
		m.queue.setSnapshot(m.snap)
		if m.pane == paneDetails {
			m.details.update(&m.snap)
		}
	}
	if hasActive(&m.snap) && !m.ticking {
		m.ticking = true
		if m.manualTime {
			return nil
		}
		return tickCmd(m.eng)
	}
	return nil
}

// settlePendingParallel forgets a pending parallelism once the snapshot
// shows it, or once its transfer is finished or gone.
func (m *Model) settlePendingParallel() {
	for id, want := range m.pendingParallel {
		t, ok := m.lookup(id)
		if !ok || t.State.Finished() || t.Parallel == want {
			delete(m.pendingParallel, id)
		}
	}
}

func hasActive(s *transfer.Snapshot) bool {
	if s.Active > 0 || s.Queued > 0 {
		return true
	}
	for i := range s.Transfers {
		if s.Transfers[i].State.Active() {
			return true
		}
	}
	return false
}

func (m *Model) handleEvent(ev transfer.Event) tea.Cmd {
	m.log.Info("transfer event", "kind", ev.Kind, "id", ev.ID, "msg", ev.Message)
	cmds := []tea.Cmd{waitEventCmd(m.events), snapshotCmd(m.eng)}
	name := string(ev.ID)
	if t, ok := m.lookup(ev.ID); ok {
		name = localName(t.Key)
	}
	switch ev.Kind {
	case transfer.EventFailed:
		text := "failed: " + name
		if ev.Message != "" {
			text += ": " + ev.Message
		}
		cmds = append(cmds, m.setNotice(text, true))
	case transfer.EventDone:
		cmds = append(cmds, m.setNotice("done: "+name, false))
		if t, ok := m.lookup(ev.ID); ok && t.Direction == transfer.Upload {
			cmds = append(cmds, m.refreshAfterUpload(t.Bucket, t.Key))
		}
	case transfer.EventNotice:
		cmds = append(cmds, m.setNotice(name+": "+ev.Message, false))
	case transfer.EventRetrying:
		if ev.Message != "" {
			cmds = append(cmds, m.setNotice("retrying "+name+": "+ev.Message, false))
		}
	}
	return tea.Batch(cmds...)
}

// refreshAfterUpload relists the browser when an upload landed in the
// folder it shows, keeping the cursor where it was. Only a listing that is
// loaded whole is relisted (a long one would lose its loaded pages); one
// refresh at a time, and one more if uploads finished meanwhile.
func (m *Model) refreshAfterUpload(bucket, key string) tea.Cmd {
	b := &m.browser
	if b.bucket != bucket || !strings.HasPrefix(key, b.prefix) || b.nextToken != "" || b.filtering {
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

// handleRestore reports how a restore request went and, when the info
// panel shows that object, reloads it to show the new state.
func (m *Model) handleRestore(msg restoreMsg) tea.Cmd {
	var notice tea.Cmd
	var oe *transfer.OSSError
	switch {
	case msg.err == nil:
		notice = m.setNotice("restore requested: "+displayName(localName(msg.key))+
			" becomes downloadable when OSS finishes (minutes to hours; i shows the state)", false)
	case errors.As(msg.err, &oe) && oe.Info.Code == "RestoreAlreadyInProgress":
		notice = m.setNotice("restore already in progress: "+displayName(localName(msg.key)), false)
	default:
		m.log.Warn("restore object", "bucket", msg.bucket, "key", msg.key, "err", msg.err)
		notice = m.setNotice("restore: "+displayName(shortError(msg.err)), true)
	}
	if m.browser.infoOpen && m.browser.info.bucket == msg.bucket && m.browser.info.key == msg.key {
		return tea.Batch(notice, headCmd(m.eng, msg.bucket, msg.key))
	}
	return notice
}

func (m *Model) lookup(id transfer.ID) (*transfer.TransferSnapshot, bool) {
	for i := range m.snap.Transfers {
		if m.snap.Transfers[i].ID == id {
			return &m.snap.Transfers[i], true
		}
	}
	return nil, false
}

func (m *Model) setNotice(text string, isErr bool) tea.Cmd {
	m.noticeSeq++
	m.notice, m.noticeErr = displayName(text), isErr
	if m.manualTime {
		return nil
	}
	return noticeExpireCmd(m.noticeSeq)
}

// layout hands each child its size; the body is what the header, the
// notice, an open prompt and the help leave.
func (m *Model) layout() {
	m.help.Width = m.width
	if m.prompt != nil && m.prompt.text {
		// The input was sized when the prompt opened; follow a resize.
		m.prompt.input.Width = promptInputWidth(m.width)
	}
	used := headerHeight + noticeHeight + lipgloss.Height(m.helpText)
	if m.prompt != nil {
		used += lipgloss.Height(m.prompt.View(m.styles, m.width))
	}
	m.bodyHeight = max(minBodyHeight, m.height-used)
	m.browser.setSize(m.width, m.bodyHeight)
	m.queue.setSize(m.width, m.bodyHeight)
	m.details.setSize(m.width, m.bodyHeight)
	if m.pane == paneDetails {
		m.details.update(&m.snap)
	}
	m.picker.setSize(m.width, m.bodyHeight)
	if m.pane == paneQueue {
		m.queue.prepare()
	}
}

// ---- keys ----

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.prompt != nil {
		return m.handlePromptKey(msg)
	}
	if m.browser.filtering && m.pane == paneBrowser {
		return m.handleFilterKey(msg)
	}
	k := &m.keys
	switch {
	case key.Matches(msg, k.ForceQuit, k.Quit):
		return m.requestQuit()
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		return nil
	case key.Matches(msg, k.SwitchPane):
		if m.pane == paneBrowser {
			m.pane = paneQueue
		} else {
			m.pane = paneBrowser
		}
		return nil
	}
	switch m.pane {
	case paneBrowser:
		return m.browserKey(msg)
	case paneQueue:
		return m.queueKey(msg)
	case paneDetails:
		return m.detailsKey(msg)
	case panePicker:
		return m.pickerKey(msg)
	}
	return nil
}

func (m *Model) requestQuit() tea.Cmd {
	if hasActive(&m.snap) {
		n := 0
		for i := range m.snap.Transfers {
			if m.snap.Transfers[i].State.Active() {
				n++
			}
		}
		m.prompt = newConfirmPrompt(promptConfirmQuit, "Quit ossq?",
			fmt.Sprintf("%d transfer(s) are running or queued; they pause now and resume next time.", n))
		return nil
	}
	m.quitting = true
	return tea.Quit
}

// listMove applies the shared list keys; it reports whether one matched.
func (m *Model) listMove(msg tea.KeyMsg, move func(int), moveTo func(int), page, n int) bool {
	k := &m.keys
	switch {
	case key.Matches(msg, k.Up):
		move(-1)
	case key.Matches(msg, k.Down):
		move(1)
	case key.Matches(msg, k.PageUp):
		move(-max(1, page))
	case key.Matches(msg, k.PageDown):
		move(max(1, page))
	case key.Matches(msg, k.Top):
		moveTo(0)
	case key.Matches(msg, k.Bottom):
		moveTo(n - 1)
	default:
		return false
	}
	return true
}

func (m *Model) browserKey(msg tea.KeyMsg) tea.Cmd {
	b := &m.browser
	k := &m.keys
	if m.listMove(msg, b.move, b.moveTo, b.listHeight(), len(b.visible)) {
		return tea.Batch(m.maybeLoadMore(), m.followInfo())
	}
	switch {
	case key.Matches(msg, k.Open):
		e := b.current()
		if e == nil {
			return nil
		}
		switch e.kind {
		case kindBucket:
			return m.openLocation(e.key, "")
		case kindFolder:
			return m.openLocation(b.bucket, e.key)
		default:
			return m.openInfo()
		}
	case key.Matches(msg, k.Parent):
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
	case key.Matches(msg, k.Select):
		b.toggleMark()
		return m.maybeLoadMore()
	case key.Matches(msg, k.Download):
		targets := b.downloadTargets()
		if len(targets) == 0 {
			return nil
		}
		what := "oss://" + targets[0].bucket + "/" + targets[0].key
		if len(targets) > 1 {
			what = fmt.Sprintf("%d selected items", len(targets))
		}
		dir := m.deps.Options.DownloadDir
		if dir == "" {
			dir = "."
		}
		m.prompt = newTextPrompt(promptDownloadDest, "Download "+what, "to the folder:", dir, "destination folder", m.width)
		m.prompt.targets = targets
		return m.prompt.input.Focus()
	case key.Matches(msg, k.Upload):
		m.pane = panePicker
		// A new picker session: marks from an earlier one (maybe made for
		// another folder) must not ride along into this upload.
		m.picker.marked = map[string]localEntry{}
		dir := m.picker.dir
		if dir == "" {
			dir = m.deps.Options.DownloadDir
		}
		m.picker.open(dir)
		return readDirCmd(dir)
	case key.Matches(msg, k.Refresh):
		return m.relist()
	case key.Matches(msg, k.Restore):
		if e := b.current(); e != nil {
			return tea.Batch(restoreCmd(m.eng, b.bucket, e.key), m.setNotice("asking OSS to restore "+displayName(e.name)+"…", false))
		}
		return nil
	case key.Matches(msg, k.Info):
		if b.infoOpen {
			b.infoOpen = false
			b.clampScroll()
			return nil
		}
		return m.openInfo()
	case key.Matches(msg, k.Filter):
		b.filtering = true
		b.filterInput.SetValue(b.filter)
		b.filterInput.CursorEnd()
		b.clampScroll()
		return b.filterInput.Focus()
	case key.Matches(msg, k.Sort):
		b.sortBy = (b.sortBy + 1) % 3
		b.rebuildVisible()
		return nil
	case key.Matches(msg, k.Bucket):
		m.openBucketPrompt()
		return nil
	case key.Matches(msg, k.Back):
		switch {
		case b.infoOpen:
			b.infoOpen = false
			b.clampScroll()
		case b.filter != "":
			b.filter = ""
			b.rebuildVisible()
		}
		return nil
	}
	return nil
}

// openLocation lists bucket/prefix (bucket "" lists the buckets).
func (m *Model) openLocation(bucket, prefix string) tea.Cmd {
	b := &m.browser
	b.filter = ""
	b.filtering = false
	seq := b.reset(bucket, prefix)
	if bucket == "" {
		return listBucketsCmd(m.eng, seq)
	}
	return listPageCmd(m.eng, seq, bucket, prefix, "")
}

func (m *Model) maybeLoadMore() tea.Cmd {
	b := &m.browser
	if !b.wantMore() {
		return nil
	}
	b.loading = true
	return listPageCmd(m.eng, b.seq, b.bucket, b.prefix, b.nextToken)
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
	return headCmd(m.eng, b.bucket, e.key)
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
		body = "Listing buckets was denied (AccessDenied).\n" + body
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

func (m *Model) queueKey(msg tea.KeyMsg) tea.Cmd {
	q := &m.queue
	k := &m.keys
	if m.listMove(msg, q.move, q.moveTo, max(1, q.listHeight()/3), len(q.items)) {
		return nil
	}
	if key.Matches(msg, k.PauseAll) {
		if hasRunning(&m.snap) {
			return actionCmd("", "pause all", func() error { m.eng.PauseAll(); return nil })
		}
		return actionCmd("", "resume all", func() error { m.eng.ResumeAll(); return nil })
	}
	if key.Matches(msg, k.ClearDone) {
		var done []transfer.ID
		for _, t := range m.snap.Transfers {
			if t.State == transfer.StateDone || t.State == transfer.StateCanceled {
				done = append(done, t.ID)
			}
		}
		eng := m.eng
		return actionCmd("", "clear finished", func() error {
			var errs []error
			for _, id := range done {
				errs = append(errs, eng.Remove(id))
			}
			return errors.Join(errs...)
		})
	}
	if key.Matches(msg, k.Bandwidth) {
		cur := "0"
		if m.snap.BandwidthLimit > 0 {
			cur = strings.ReplaceAll(formatSize(m.snap.BandwidthLimit), " ", "")
		}
		m.prompt = newTextPrompt(promptBandwidth, "Bandwidth limit", "for all transfers, per second (20MiB, 500k; 0 = none):", cur, "0", m.width)
		return m.prompt.input.Focus()
	}
	t := q.current()
	if t == nil {
		return nil
	}
	if key.Matches(msg, k.Details) {
		m.details.open(t.ID)
		m.pane = paneDetails
		m.details.setSize(m.width, m.bodyHeight)
		m.details.update(&m.snap)
		return nil
	}
	return m.transferKey(msg, t)
}

// transferKey handles the keys that act on one transfer (queue or details).
func (m *Model) transferKey(msg tea.KeyMsg, t *transfer.TransferSnapshot) tea.Cmd {
	k := &m.keys
	id := t.ID
	eng := m.eng
	switch {
	case key.Matches(msg, k.PauseResume):
		if m.burstToggled != nil {
			if m.burstToggled[id] {
				return nil
			}
			m.burstToggled[id] = true
		}
		if t.State == transfer.StatePaused {
			return actionCmd(id, "resume", func() error { return eng.Resume(id) })
		}
		return actionCmd(id, "pause", func() error { return eng.Pause(id) })
	case key.Matches(msg, k.Cancel):
		m.prompt = newConfirmPrompt(promptConfirmCancel, "Cancel this transfer?",
			transferName(t)+"\nIts partial data and checkpoint are deleted.")
		m.prompt.id = id
		return nil
	case key.Matches(msg, k.Retry):
		return actionCmd(id, "retry", func() error { return eng.Retry(id) })
	case key.Matches(msg, k.Remove):
		return actionCmd(id, "remove", func() error { return eng.Remove(id) })
	case key.Matches(msg, k.MoveUp):
		return actionCmd(id, "move", func() error { return eng.Move(id, -1) })
	case key.Matches(msg, k.MoveDown):
		return actionCmd(id, "move", func() error { return eng.Move(id, 1) })
	case key.Matches(msg, k.MoreParallel, k.LessParallel):
		cur := t.Parallel
		if p, ok := m.pendingParallel[id]; ok {
			cur = p
		}
		n := cur + 1
		if key.Matches(msg, k.LessParallel) {
			n = cur - 1
		}
		n = max(1, min(maxParallel, n))
		if m.pendingParallel == nil {
			m.pendingParallel = map[transfer.ID]int{}
		}
		m.pendingParallel[id] = n
		return tea.Batch(actionCmd(id, "parallel", func() error { return eng.SetParallel(id, n) }),
			m.setNotice(fmt.Sprintf("parallel %d for %s", n, localName(t.Key)), false))
	}
	return nil
}

func hasState(s *transfer.Snapshot, st transfer.State) bool {
	for i := range s.Transfers {
		if s.Transfers[i].State == st {
			return true
		}
	}
	return false
}

func hasRunning(s *transfer.Snapshot) bool {
	for i := range s.Transfers {
		if s.Transfers[i].State.Active() {
			return true
		}
	}
	return false
}

func (m *Model) detailsKey(msg tea.KeyMsg) tea.Cmd {
	d := &m.details
	k := &m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.pane = paneQueue
		return nil
	case key.Matches(msg, k.Up):
		d.scrollBy(-1)
	case key.Matches(msg, k.Down):
		d.scrollBy(1)
	case key.Matches(msg, k.PageUp):
		d.scrollBy(-max(1, d.partRows-1))
	case key.Matches(msg, k.PageDown):
		d.scrollBy(max(1, d.partRows-1))
	case key.Matches(msg, k.Top):
		d.scrollBy(-d.partTotal)
	case key.Matches(msg, k.Bottom):
		d.scrollBy(d.partTotal)
	default:
		if !d.found {
			return nil
		}
		t := d.t
		return m.transferKey(msg, &t)
	}
	d.update(&m.snap)
	return nil
}

func (m *Model) pickerKey(msg tea.KeyMsg) tea.Cmd {
	p := &m.picker
	k := &m.keys
	if m.listMove(msg, p.move, func(i int) { p.cursor = i; p.clamp() }, p.listHeight(), len(p.entries)) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		m.picker.marked = map[string]localEntry{}
		m.pane = paneBrowser
		return nil
	case key.Matches(msg, k.Open):
		// enter only ever opens a folder; uploading has its own key.
		if e := p.current(); e != nil && e.dir {
			p.open(e.path)
			return readDirCmd(e.path)
		}
	case key.Matches(msg, k.PickerUpload) && p.selection() != nil:
		return m.uploadSelection(p.selection())
	case key.Matches(msg, k.Parent):
		parent := filepath.Dir(p.dir)
		p.open(parent)
		return readDirCmd(parent)
	case key.Matches(msg, k.Select):
		p.toggleMark()
	}
	return nil
}

func (m *Model) uploadSelection(sel []localEntry) tea.Cmd {
	bucket, prefix := m.browser.bucket, m.browser.prefix
	var specs, trees []transfer.Spec
	for _, e := range sel {
		name := filepath.Base(e.path)
		if e.dir {
			trees = append(trees, transfer.Spec{Direction: transfer.Upload, Bucket: bucket, Key: prefix + name + "/", LocalPath: e.path, Parallel: m.deps.Options.Parallel})
		} else {
			specs = append(specs, transfer.Spec{Direction: transfer.Upload, Bucket: bucket, Key: prefix + name, LocalPath: e.path, Parallel: m.deps.Options.Parallel})
		}
	}
	m.picker.marked = map[string]localEntry{}
	m.pane = paneBrowser
	return tea.Batch(addCmd(m.eng, specs, trees),
		m.setNotice(fmt.Sprintf("queueing %d upload(s) to oss://%s/%s", len(sel), bucket, prefix), false))
}

func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if msg.Action != tea.MouseActionPress {
		return nil
	}
	delta := 0
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		delta = -wheelStep
	case tea.MouseButtonWheelDown:
		delta = wheelStep
	default:
		return nil
	}
	switch m.pane {
	case paneBrowser:
		m.browser.move(delta)
		return m.maybeLoadMore()
	case paneQueue:
		m.queue.move(delta)
	case paneDetails:
		m.details.scrollBy(delta)
		m.details.update(&m.snap)
	case panePicker:
		m.picker.move(delta)
	}
	return nil
}

// ---- prompts ----

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
			id := p.id
			m.prompt = nil
			return actionCmd(id, "cancel", func() error { return m.eng.Cancel(id) })
		case "n", "N", "esc":
			m.prompt = nil
		case "ctrl+c":
			m.prompt = nil
			return m.requestQuit()
		}
		return nil
	case promptOnExists:
		return m.handleExistsKey(msg)
	}
	// text prompts
	switch msg.Type {
	case tea.KeyEsc:
		m.prompt = nil
		return nil
	case tea.KeyCtrlC:
		m.prompt = nil
		return m.requestQuit()
	case tea.KeyEnter:
		return m.submitPrompt()
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.err = ""
	return cmd
}

func (m *Model) submitPrompt() tea.Cmd {
	p := m.prompt
	value := strings.TrimSpace(p.input.Value())
	switch p.kind {
	case promptDownloadDest:
		m.prompt = nil
		return tea.Batch(checkDestCmd(p.targets, value), m.setNotice(checkingDestNotice, false))
	case promptBandwidth:
		bps, err := parseSize(value)
		if err != nil {
			p.err = err.Error()
			return nil
		}
		m.prompt = nil
		text := "bandwidth limit: none"
		if bps > 0 {
			text = "bandwidth limit: " + formatSpeed(float64(bps))
		}
		return tea.Batch(actionCmd("", "bandwidth", func() error { m.eng.SetBandwidthLimit(bps); return nil }),
			m.setNotice(text, false))
	case promptBucketName:
		bucket, prefix, err := parseLocation(value)
		if err != nil {
			p.err = err.Error()
			return nil
		}
		m.prompt = nil
		return m.openLocation(bucket, prefix)
	}
	m.prompt = nil
	return nil
}

// parseLocation reads "bucket", "bucket/prefix/" or "oss://bucket/prefix/".
func parseLocation(s string) (bucket, prefix string, err error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "oss://")
	bucket, prefix, _ = strings.Cut(s, "/")
	if err := validBucketName(bucket); err != nil {
		return "", "", err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, nil
}

func validBucketName(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q: want 3 to 63 characters", b)
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("bucket name %q: only a-z, 0-9 and -", b)
		}
	}
	if b[0] == '-' || b[len(b)-1] == '-' {
		return fmt.Errorf("bucket name %q: must not start or end with -", b)
	}
	return nil
}

// ---- downloads ----

func (m *Model) onExistsPolicy() transfer.OnExists {
	if p := m.deps.Options.OnExists; p != "" {
		return p
	}
	return transfer.ExistsAsk
}

func (m *Model) downloadSpec(it destItem, policy transfer.OnExists) transfer.Spec {
	return transfer.Spec{
		Direction: transfer.Download,
		Bucket:    it.target.bucket,
		Key:       it.target.key,
		LocalPath: it.dest,
		OnExists:  policy,
		Parallel:  m.deps.Options.Parallel,
	}
}

func (m *Model) handleDestCheck(msg destCheckMsg) tea.Cmd {
	if msg.err != nil {
		m.log.Warn("download destination", "err", msg.err)
		return m.setNotice(shortError(msg.err), true)
	}
	policy := m.onExistsPolicy()
	var specs, trees []transfer.Spec
	skipped := 0
	for _, it := range msg.items {
		if it.exists && policy == transfer.ExistsAsk {
			m.existsQueue = append(m.existsQueue, it)
			continue
		}
		// Only a file is skipped whole; an existing folder goes to the
		// engine, which skips the files in it that exist.
		if it.exists && policy == transfer.ExistsSkip && !it.target.folder {
			skipped++
			continue
		}
		spec := m.downloadSpec(it, policy)
		if it.target.folder {
			trees = append(trees, spec)
		} else {
			specs = append(specs, spec)
		}
	}
	m.browser.marked = map[string]bool{}
	var cmds []tea.Cmd
	switch {
	case len(specs)+len(trees) > 0:
		cmds = append(cmds, addCmd(m.eng, specs, trees))
	case skipped > 0:
		cmds = append(cmds, m.setNotice(fmt.Sprintf("skipped %d: destination exists", skipped), false))
	}
	m.nextExistsPrompt()
	return tea.Batch(cmds...)
}

// checkingDestNotice stands while the destination is stat'ed.
const checkingDestNotice = "checking the destination…"

// nextExistsPrompt asks about the next download whose destination exists.
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
	if it.target.folder {
		what = "Folder"
	}
	body := it.dest
	if it.renameDest != "" {
		// Only the new name: the full path is on the line above, and a
		// long one would cut off the part that matters.
		body += "\nr downloads into a new folder: " + filepath.Base(it.renameDest)
	}
	if n := len(m.existsQueue); n > 0 {
		body += fmt.Sprintf("\n(%d more waiting)", n)
	}
	m.prompt = newConfirmPrompt(promptOnExists, what+" exists: overwrite, skip or rename?", body)
	m.prompt.item = it
}

func (m *Model) handleExistsKey(msg tea.KeyMsg) tea.Cmd {
	it := m.prompt.item
	var choice transfer.OnExists
	all := false
	switch msg.String() {
	case "o":
		choice = transfer.ExistsOverwrite
	case "s":
		choice = transfer.ExistsSkip
	case "r":
		choice = transfer.ExistsRename
	case "O":
		choice, all = transfer.ExistsOverwrite, true
	case "S":
		choice, all = transfer.ExistsSkip, true
	case "R":
		choice, all = transfer.ExistsRename, true
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
	var specs, trees []transfer.Spec
	for _, x := range items {
		if choice == transfer.ExistsSkip {
			continue
		}
		spec := m.downloadSpec(x, choice)
		if choice == transfer.ExistsRename && x.renameDest != "" {
			// The whole tree goes to the free folder name the stat found,
			// not renamed file by file inside the existing folder.
			spec.LocalPath = x.renameDest
		}
		if x.target.folder {
			trees = append(trees, spec)
		} else {
			specs = append(specs, spec)
		}
	}
	var cmds []tea.Cmd
	if len(specs)+len(trees) > 0 {
		cmds = append(cmds, addCmd(m.eng, specs, trees))
	} else {
		cmds = append(cmds, m.setNotice(fmt.Sprintf("skipped %d", len(items)), false))
	}
	m.nextExistsPrompt()
	return tea.Batch(cmds...)
}

func (m *Model) handleAdded(msg addedMsg) tea.Cmd {
	cmds := []tea.Cmd{snapshotCmd(m.eng)}
	for _, s := range msg.existing {
		m.existsQueue = append(m.existsQueue, destItem{target: downloadTarget{bucket: s.Bucket, key: s.Key}, dest: s.LocalPath, exists: true})
	}
	m.nextExistsPrompt()
	for _, err := range msg.errs {
		m.log.Warn("queue transfer", "err", err)
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
		cmds = append(cmds, m.setNotice(fmt.Sprintf("queued %d transfer(s) · tab shows the queue", len(msg.ids)), false))
	}
	return tea.Batch(cmds...)
}

// ---- bindings ----

// updateKeybindings switches every binding on or off from the state, so the
// help line only offers what can be done now (bubbles list's pattern).
func (m *Model) updateKeybindings() {
	k := &m.keys
	for _, b := range k.allBindings() {
		b.SetEnabled(false)
	}
	k.ForceQuit.SetEnabled(true)
	if m.prompt != nil || (m.pane == paneBrowser && m.browser.filtering) {
		return
	}
	k.Quit.SetEnabled(true)
	k.Help.SetEnabled(true)
	k.SwitchPane.SetEnabled(m.pane != panePicker)
	nav := func(n int) {
		for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
			b.SetEnabled(n > 1)
		}
	}
	switch m.pane {
	case paneBrowser:
		b := &m.browser
		e := b.current()
		nav(len(b.visible))
		k.Open.SetEnabled(e != nil)
		if e != nil && e.kind == kindObject {
			k.Open.SetHelp("enter", "info")
		} else {
			k.Open.SetHelp("enter/l", "open")
		}
		k.Parent.SetEnabled(b.bucket != "")
		k.Select.SetEnabled(e != nil && e.kind != kindBucket)
		k.Download.SetEnabled(len(b.downloadTargets()) > 0)
		k.Upload.SetEnabled(b.bucket != "" && m.eng != nil)
		k.Refresh.SetEnabled(true)
		k.Info.SetEnabled(b.infoOpen || (e != nil && e.kind == kindObject))
		k.Restore.SetEnabled(e != nil && e.kind == kindObject && transfer.IsArchiveClass(e.class))
		k.Filter.SetEnabled(len(b.entries) > 0)
		k.Sort.SetEnabled(len(b.entries) > 1)
		k.Bucket.SetEnabled(true)
		k.Back.SetEnabled(b.infoOpen || b.filter != "")
	case paneQueue:
		q := &m.queue
		nav(len(q.items))
		k.Bandwidth.SetEnabled(true)
		k.PauseAll.SetEnabled(hasRunning(&m.snap) || hasState(&m.snap, transfer.StatePaused))
		k.ClearDone.SetEnabled(hasState(&m.snap, transfer.StateDone) || hasState(&m.snap, transfer.StateCanceled))
		if hasRunning(&m.snap) {
			k.PauseAll.SetHelp("P", "pause all")
		} else {
			k.PauseAll.SetHelp("P", "resume all")
		}
		if t := q.current(); t != nil {
			k.Details.SetEnabled(true)
			k.MoveUp.SetEnabled(q.cursor > 0)
			k.MoveDown.SetEnabled(q.cursor < len(q.items)-1)
			m.transferBindings(t)
		}
	case paneDetails:
		d := &m.details
		k.Back.SetEnabled(true)
		nav(d.partTotal - d.partRows + 1)
		if d.found {
			t := d.t
			m.transferBindings(&t)
		}
	case panePicker:
		p := &m.picker
		e := p.current()
		nav(len(p.entries))
		k.Open.SetEnabled(e != nil && e.dir)
		k.Open.SetHelp("enter/l", "open folder")
		k.Parent.SetEnabled(p.dir != "" && filepath.Dir(p.dir) != p.dir)
		k.Select.SetEnabled(e != nil)
		k.PickerUpload.SetEnabled(p.selection() != nil)
		k.Back.SetEnabled(true)
	}
}

// transferBindings enables the actions that fit transfer t's state.
func (m *Model) transferBindings(t *transfer.TransferSnapshot) {
	k := &m.keys
	switch {
	case t.State == transfer.StatePaused:
		k.PauseResume.SetEnabled(true)
		k.PauseResume.SetHelp("p", "resume")
	case t.State.Active():
		k.PauseResume.SetEnabled(true)
		k.PauseResume.SetHelp("p", "pause")
	}
	k.Cancel.SetEnabled(!t.State.Finished())
	k.Retry.SetEnabled(t.State == transfer.StateFailed || t.State == transfer.StateCanceled)
	k.Remove.SetEnabled(t.State.Finished())
	k.MoreParallel.SetEnabled(!t.State.Finished() && t.Parallel < maxParallel)
	k.LessParallel.SetEnabled(!t.State.Finished() && t.Parallel > 1)
}

// ---- view ----

func (m *Model) helpView() string {
	if m.prompt != nil {
		return ""
	}
	var h paneHelp
	switch {
	case m.pane == paneBrowser && m.browser.filtering:
		return fitWidth(m.styles.Faint.Render("type to filter · enter keep · esc clear"), m.width)
	case m.pane == paneBrowser:
		h = m.keys.browserHelp()
	case m.pane == paneQueue:
		h = m.keys.queueHelp()
	case m.pane == paneDetails:
		h = m.keys.detailsHelp()
	case m.pane == panePicker:
		h = m.keys.pickerHelp()
	}
	// bubbles/help keeps adding items once even its "…" no longer fits,
	// so the lines are cut to the width here.
	return fitWidth(m.help.View(h), m.width)
}

// fitWidth cuts every line of s to w cells.
func fitWidth(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

func (m Model) headerView() string {
	s := m.styles
	w := m.width
	title := " ossq"
	if m.deps.Profile != "" {
		title += " · " + m.deps.Profile
	}
	if m.deps.Endpoint != "" {
		title += " · " + m.deps.Endpoint
	}
	if m.deps.Credentials != "" {
		title += " · " + m.deps.Credentials
	}
	title = displayName(title)
	tabs := "  browser  "
	if m.pane != paneBrowser && m.pane != panePicker {
		tabs = "  queue  "
	}
	line1 := s.Header.Render(padRight(truncate(title, max(1, w-cellWidth(tabs)))+strings.Repeat(" ", max(0, w-cellWidth(title)-cellWidth(tabs)))+tabs, w))

	totals := fmt.Sprintf("%d active · %d queued · %s", m.snap.Active, m.snap.Queued, formatSpeed(m.snap.Speed))
	if m.snap.BandwidthLimit > 0 {
		totals += " · limit " + formatSpeed(float64(m.snap.BandwidthLimit))
	}
	totalsW := min(cellWidth(totals), max(0, w-12))
	totals = truncate(totals, totalsW)
	loc := truncateLeft(m.browser.location(), max(1, w-totalsW-1))
	gap := max(1, w-cellWidth(loc)-totalsW)
	line2 := s.Location.Render(loc) + strings.Repeat(" ", gap) + s.Faint.Render(totals)
	return line1 + "\n" + line2
}

// View draws the frame from prebuilt strings; nothing here does I/O.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	var body string
	switch m.pane {
	case paneBrowser:
		body = m.browser.View()
	case paneQueue:
		body = m.queue.View()
	case paneDetails:
		body = m.details.View()
	case panePicker:
		target := "oss://" + m.browser.bucket + "/" + m.browser.prefix
		body = m.picker.View(target)
	}
	var b strings.Builder
	b.WriteString(m.headerView())
	b.WriteByte('\n')
	body = fitLines(body, m.bodyHeight)
	if m.width < narrowWidth {
		// Below this the columns' minimum widths no longer fit; cut.
		body = fitWidth(body, m.width)
	}
	b.WriteString(body)
	b.WriteByte('\n')
	if m.prompt != nil {
		b.WriteString(m.prompt.View(m.styles, m.width))
		b.WriteByte('\n')
	}
	notice := ""
	if m.notice != "" {
		style := m.styles.Notice
		if m.noticeErr {
			style = m.styles.NoticeError
		}
		notice = style.Render(truncate(m.notice, m.width))
	}
	b.WriteString(notice)
	if m.helpText != "" {
		b.WriteByte('\n')
		b.WriteString(m.helpText)
	}
	frame := b.String()
	if n := strings.Count(frame, "\n") + 1; n > m.height {
		// A tiny terminal with a prompt open: keep the bottom (the prompt
		// and the help), drop from the top.
		cut := 0
		for range n - m.height {
			cut += strings.IndexByte(frame[cut:], '\n') + 1
		}
		frame = frame[cut:]
	}
	return frame
}

// fitLines makes s exactly h lines. Widths are the children's job (every
// cell is padded or truncated where it is built, and the resize test holds
// them to it), which keeps this off the grapheme-measuring path.
func fitLines(s string, h int) string {
	n := strings.Count(s, "\n") + 1
	switch {
	case n > h:
		cut := 0
		for range h {
			cut += strings.IndexByte(s[cut:], '\n') + 1
		}
		return s[:cut-1]
	case n < h:
		return s + strings.Repeat("\n", h-n)
	}
	return s
}
