package ui

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"ossq/transfer"
)

// pane is what the body shows; it routes keys.
type pane int

const (
	paneBrowser pane = iota
	paneQueue
	paneItems
	paneDetails
	panePicker
	paneLog
	paneUploads
	paneVersions
	paneDeleted
)

func (p pane) String() string {
	return [...]string{"browser", "queue", "job items", "details", "upload picker", "log", "incomplete uploads", "versions", "deleted objects"}[p]
}

const (
	// headerHeight: the title bar and the location/totals line.
	headerHeight = 2
	// noticeHeight: the transient notice line above the footer.
	noticeHeight = 1
	// footerHeight: the one line of keys.
	footerHeight = 1
	// minBodyHeight keeps something visible on tiny terminals.
	minBodyHeight = 3
	// wheelStep is rows per mouse-wheel notch.
	wheelStep = 3
	// narrowWidth: below it the body's columns are cut to the screen.
	narrowWidth = 60
	// defaultWidth, defaultHeight: the size assumed before WindowSizeMsg.
	defaultWidth  = 80
	defaultHeight = 24
)

// Model is the root: it owns the engine handle, the sizes and the child
// panes, and routes every message to its owner.
type Model struct {
	deps    Deps
	eng     EngineAPI
	catalog Catalog
	events  <-chan transfer.Event
	// eventsLogged: the log is the engine's, which records every event
	// itself, so events only reach the footer from here.
	eventsLogged bool
	log          *slog.Logger
	styles       *Styles
	keys         KeyMap
	term         io.Writer
	home         string // the user's home, to show local paths as ~/…

	width, height int
	bodyHeight    int
	pane          pane
	backTo        pane // where esc from details goes (queue or items)
	overlay       bool // the ? help overlay is open
	footerText    string
	overlayText   string

	browser browserModel
	queue   queueModel
	items   itemsModel
	details detailsModel
	picker  pickerModel
	logs    logPane

	uploads  uploadsModel
	versions versionsModel
	deleted  deletedModel
	// opSeq numbers long catalog operations; opsRunning names those not
	// finished, so a late progress report cannot overwrite the summary.
	opSeq      int
	opsRunning map[int]string

	prompt      *promptModel
	existsQueue []destItem // transfers waiting for overwrite / skip / rename

	win      transfer.Window
	winSeq   uint64 // request counter; older answers are dropped
	winGot   uint64
	ticking  bool
	progress progressClamp
	speeds   sparkline

	// pendingParallel is the parallelism asked for per transfer until a
	// window shows it, so "+++" typed in one burst adds 3, not 1.
	pendingParallel map[transfer.ID]int
	// burstToggled, set only while one burst of keys is handled, makes
	// "pp" one pause/resume per transfer, not two from the same window.
	burstToggled map[transfer.ID]bool
	// restoring are archived objects asked to restore, polled with HEAD.
	restoring map[string]bool

	notice    string
	noticeErr bool
	noticeSeq int

	lastClick clickAt
	quitting  bool

	// manualTime: tests deliver ticks and notice expiry themselves, so no
	// command sleeps and every other command can be run to completion.
	manualTime bool
	now        func() time.Time
}

// New builds the root model; nothing runs until Init.
func New(deps Deps) Model {
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if deps.Log == nil {
		deps.Log = NewMemLog()
		if el, ok := deps.Engine.(engineLogger); ok {
			deps.Log = EngineLog(el)
		}
	}
	_, eventsLogged := deps.Log.(engineLog)
	term := deps.Terminal
	if term == nil {
		term = os.Stdout
	}
	home, _ := os.UserHomeDir()
	styles := NewStyles(DefaultTheme(), newRenderer(deps.NoColor))
	m := Model{
		deps:    deps,
		eng:     deps.Engine,
		catalog: deps.Catalog,
		log:     log,
		styles:  styles,
		keys:    DefaultKeyMap(),
		term:    term,
		home:    home,
		width:   defaultWidth,
		height:  defaultHeight,
		browser: newBrowser(styles),

		items:     newItems(styles),
		details:   newDetails(styles),
		picker:    newPicker(styles),
		logs:      newLogPane(styles, deps.Log),
		uploads:   uploadsModel{listBox: listBox{styles: styles}},
		versions:  versionsModel{listBox: listBox{styles: styles}},
		deleted:   deletedModel{listBox: listBox{styles: styles}},
		queue:     queueModel{styles: styles, home: home, profile: deps.Profile},
		progress:  progressClamp{},
		restoring: map[string]bool{},
		now:       time.Now,

		eventsLogged: eventsLogged,
	}
	if m.catalog == nil && m.eng != nil {
		if s, ok := m.eng.(interface{ Store() transfer.Store }); ok {
			m.catalog = StoreCatalog(s.Store())
		}
	}
	if m.eng != nil {
		m.events = m.eng.Events()
	}
	for _, w := range deps.Warnings {
		m.logf(LogWarn, "config: %s", w)
	}
	if len(deps.Warnings) > 0 {
		m.notice, m.noticeErr = displayName("config: "+deps.Warnings[0]), true
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
	m.layout()
	m.refreshChrome()
	return m
}

// Init opens the start location, reads the queue and waits for events.
func (m Model) Init() tea.Cmd {
	if m.eng == nil {
		return nil
	}
	return tea.Batch(windowCmd(m.eng, m.windowRequest(), m.winSeq+1, m.now), waitEventCmd(m.events), m.startCmd())
}

// startCmd is the first listing: the start bucket/prefix, else the buckets.
func (m Model) startCmd() tea.Cmd {
	if m.catalog == nil {
		return nil
	}
	if m.browser.bucket != "" {
		return listPageCmd(m.catalog, m.browser.seq, m.browser.bucket, m.browser.prefix, "")
	}
	return listBucketsCmd(m.catalog, m.browser.seq)
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

// Update routes one message, then lays out and rebuilds the chrome (the
// footer, the overlay) from the binding table of the pane now shown.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.layout()
	m.refreshChrome()
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(20, msg.Width), max(headerHeight+noticeHeight+minBodyHeight+1, msg.Height)
		return m.fetch()
	case tea.KeyMsg:
		// Keys typed faster than one read arrive as one message ("jjj");
		// outside a text field each is its own command.
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && m.prompt == nil && !m.browser.filtering {
			var cmds []tea.Cmd
			m.burstToggled = map[transfer.ID]bool{}
			for _, r := range msg.Runes {
				cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
				m.layout()
			}
			m.burstToggled = nil
			return tea.Batch(cmds...)
		}
		return m.handleKey(msg)
	case tea.MouseMsg:
		return m.handleMouse(msg)
	case windowMsg:
		return m.applyWindow(msg)
	case engineEventMsg:
		return m.handleEvent(msg.ev)
	case quitCheckMsg:
		return m.handleQuitCheck(msg)
	case namedEventMsg:
		return m.handleNamedEvent(msg)
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
			m.logf(LogError, "list oss://%s/%s: %s", msg.bucket, msg.prefix, shortError(msg.err))
		}
		if m.browser.stale && !m.browser.loading {
			m.browser.stale = false
			return m.refreshAfterUpload(m.browser.bucket, m.browser.prefix)
		}
		return m.maybeLoadMore()
	case restoreMsg:
		return m.handleRestore(msg)
	case restorePollMsg:
		return m.handleRestorePoll(msg)
	case headMsg:
		return m.handleHead(msg)
	case planRestartMsg:
		return m.restartPlan(msg.gen)
	case planStartedMsg:
		return m.handlePlanStarted(msg)
	case destCheckMsg:
		return m.handleDestCheck(msg)
	case uploadCheckMsg:
		return m.handleUploadCheck(msg)
	case addedMsg:
		return m.handleAdded(msg)
	case actionMsg:
		return m.handleAction(msg)
	case localDirMsg:
		m.picker.apply(msg)
		return nil
	case noticeExpiredMsg:
		if msg.seq == m.noticeSeq {
			m.notice, m.noticeErr = "", false
		}
		return nil
	case terminalDoneMsg:
		return nil
	case catalogMsg:
		return msg.apply(m)
	case opProgressMsg:
		return m.handleOpProgress(msg)
	case opDoneMsg:
		return m.handleOpDone(msg)
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

// handleAction reports an engine call: the notice said what was asked;
// a refusal says why, and the log keeps both.
func (m *Model) handleAction(msg actionMsg) tea.Cmd {
	if msg.op == "parallel" && msg.err != nil {
		delete(m.pendingParallel, msg.id)
	}
	if msg.err != nil {
		m.log.Warn("engine action", "op", msg.op, "id", msg.id, "err", msg.err)
		return tea.Batch(m.setNoticeLevel(msg.op+": "+shortError(msg.err), LogError), m.fetch())
	}
	if msg.done != "" {
		return tea.Batch(m.eventNotice(msg.done, LogInfo), m.fetch())
	}
	return m.fetch()
}

// setNotice shows text in the footer for a while and keeps it in the log.
func (m *Model) setNotice(text string, isErr bool) tea.Cmd {
	level := LogInfo
	if isErr {
		level = LogError
	}
	return m.setNoticeLevel(text, level)
}

func (m *Model) setNoticeLevel(text string, level LogLevel) tea.Cmd {
	if text != checkingDestNotice {
		m.logf(level, "%s", text)
	}
	return m.showNotice(text, level)
}

// eventNotice shows what the engine did or will log itself (a pause, a
// failure); another log keeps it here.
func (m *Model) eventNotice(text string, level LogLevel) tea.Cmd {
	if m.eventsLogged {
		return m.showNotice(text, level)
	}
	return m.setNoticeLevel(text, level)
}

// showNotice shows text in the footer for a while, without logging it.
func (m *Model) showNotice(text string, level LogLevel) tea.Cmd {
	m.noticeSeq++
	m.notice, m.noticeErr = displayName(text), level == LogError
	if m.manualTime {
		return nil
	}
	return noticeExpireCmd(m.noticeSeq)
}

// logf appends one entry to the log pane's source.
func (m *Model) logf(level LogLevel, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if err := m.deps.Log.Append(LogEntry{Time: m.now(), Level: level, Text: text}); err != nil {
		m.log.Warn("log entry not kept", "text", text, "err", err)
	}
	if m.pane == paneLog {
		m.logs.build()
	}
}

// layout hands each pane its size; the body is what the header, the
// notice, an open prompt and the footer leave.
func (m *Model) layout() {
	if m.prompt != nil && m.prompt.text {
		// The input was sized when the prompt opened; follow a resize.
		m.prompt.input.Width = promptInputWidth(m.width)
	}
	used := headerHeight + noticeHeight + footerHeight
	if m.prompt != nil {
		used += lipgloss.Height(m.prompt.View(m.styles, m.width))
	}
	m.bodyHeight = max(minBodyHeight, m.height-used)
	for _, c := range m.components() {
		c.SetSize(m.width, m.bodyHeight)
	}
	switch m.pane {
	case paneQueue:
		m.queue.prepare()
	case paneItems:
		m.items.build()
	case paneDetails:
		m.details.build()
	case paneLog:
		m.logs.build()
	}
}

// refreshChrome rebuilds the footer and, when open, the overlay from the
// binding table of what has the keys now.
func (m *Model) refreshChrome() {
	if m.prompt != nil || (m.pane == paneBrowser && m.browser.filtering) {
		// The prompt or the field takes every key but ctrl+c.
		bindingTable(nil).syncEnabled(&m.keys)
		m.keys.ForceQuit.SetEnabled(true)
	}
	if m.prompt != nil {
		m.footerText = ""
		return
	}
	if m.pane == paneBrowser && m.browser.filtering {
		m.footerText = fitWidth(m.styles.Faint.Render("type to filter · enter keep · esc clear"), m.width)
		return
	}
	t := m.table()
	t.syncEnabled(&m.keys)
	m.keys.ForceQuit.SetEnabled(true)
	m.footerText = t.footer(m.styles, m.width, &m.keys)
	if m.overlay {
		m.overlayText = m.overlayView(t)
	}
}
