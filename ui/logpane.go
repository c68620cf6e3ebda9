package ui

import (
	"fmt"
	"strings"
	"sync"

	"ossq/transfer"
)

// logKeep is how many entries a log keeps: the engine's rule.
const logKeep = transfer.LogKeep

// logTimeWidth: the "15:04:05 " before each entry.
const logTimeWidth = 9

// LogEntry is one line of the log pane; the engine's type, so its log and
// the UI's notices are the same entries.
type (
	LogEntry = transfer.LogEntry
	LogLevel = transfer.LogLevel
)

const (
	LogInfo  = transfer.LogInfo
	LogWarn  = transfer.LogWarn
	LogError = transfer.LogError
)

// LogSource keeps the log pane's entries: the engine's log, kept in its
// store (EngineLog), or an in-memory one (NewMemLog).
type LogSource interface {
	Append(e LogEntry) error
	Len() int
	// Slice returns entries [offset, offset+limit) oldest first.
	Slice(offset, limit int) []LogEntry
}

// engineLogger is the engine's log: it records every event itself and
// takes the UI's own notices.
type engineLogger interface {
	AppendLog(entry transfer.LogEntry) error
	LogWindow(offset, limit int) ([]transfer.LogEntry, int)
}

var _ engineLogger = (*transfer.Engine)(nil)

// EngineLog reads and writes the engine's log, which survives a restart.
// The engine logs its events itself, so the UI only adds its own notices.
func EngineLog(eng engineLogger) LogSource { return engineLog{eng} }

type engineLog struct{ eng engineLogger }

func (l engineLog) Append(e LogEntry) error { return l.eng.AppendLog(e) }

func (l engineLog) Len() int {
	_, n := l.eng.LogWindow(0, 0)
	return n
}

// Slice turns oldest-first positions into the engine's newest-first window.
func (l engineLog) Slice(offset, limit int) []LogEntry {
	_, n := l.eng.LogWindow(0, 0)
	offset = max(0, offset)
	end := min(n, offset+max(0, limit))
	if end <= offset {
		return nil
	}
	got, _ := l.eng.LogWindow(n-end, end-offset)
	for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
		got[i], got[j] = got[j], got[i]
	}
	return got
}

// memLog is a ring of the last logKeep entries.
type memLog struct {
	mu      sync.Mutex
	entries []LogEntry
	start   int // index of the oldest once the ring is full
}

// NewMemLog returns an in-memory LogSource keeping the last few thousand.
func NewMemLog() LogSource { return &memLog{} }

func (l *memLog) Append(e LogEntry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) < logKeep {
		l.entries = append(l.entries, e)
		return nil
	}
	l.entries[l.start] = e
	l.start = (l.start + 1) % logKeep
	return nil
}

func (l *memLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

func (l *memLog) Slice(offset, limit int) []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.entries)
	offset = max(0, offset)
	end := min(n, offset+max(0, limit))
	out := make([]LogEntry, 0, max(0, end-offset))
	for i := offset; i < end; i++ {
		out = append(out, l.entries[(l.start+i)%n])
	}
	return out
}

// logPane shows the log, newest at the bottom; it follows the tail until
// the user scrolls up.
type logPane struct {
	styles        *Styles
	width, height int
	src           LogSource
	offset        int // first entry shown
	follow        bool
	body          string
}

func newLogPane(s *Styles, src LogSource) logPane {
	return logPane{styles: s, src: src, follow: true}
}

func (l *logPane) SetSize(w, h int) { l.width, l.height = w, h }

func (l *logPane) rows() int { return max(1, l.height-1) }

func (l *logPane) scrollBy(delta int) {
	n := l.src.Len()
	l.offset = max(0, min(l.offset+delta, n-l.rows()))
	l.follow = l.offset >= n-l.rows()
}

func (l *logPane) toEnd()   { l.follow = true; l.build() }
func (l *logPane) toStart() { l.offset, l.follow = 0, false; l.build() }

// build renders the entries on screen; Update calls it, View only returns it.
func (l *logPane) build() {
	s := l.styles
	n := l.src.Len()
	rows := l.rows()
	if l.follow {
		l.offset = max(0, n-rows)
	}
	var b strings.Builder
	kept := fmt.Sprintf("the last %d kept", logKeep)
	if _, ok := l.src.(engineLog); ok {
		kept = fmt.Sprintf("the last %d kept across restarts", logKeep)
	}
	head := fmt.Sprintf("Log · %d entries (%s) · ↑/↓ scroll · end follows", n, kept)
	b.WriteString(s.ColumnHead.Render(padRight(truncate(head, l.width), l.width)))
	if n == 0 {
		b.WriteString("\n" + s.Faint.Render(truncate("  Nothing yet: skips, failures, retries, restores and finished jobs land here.", l.width)))
	}
	// Every entry is shown whole: long ones wrap under their text. When
	// following, the newest entries fill the screen from the bottom.
	entries := l.src.Slice(l.offset, rows)
	var out []string
	for _, e := range entries {
		style := s.Text
		switch e.Level {
		case LogWarn:
			style = s.Warning
		case LogError:
			style = s.Error
		}
		for j, part := range wrapLines(displayName(e.Text), max(10, l.width-logTimeWidth)) {
			stamp := e.Time.Format("15:04:05") + " "
			if j > 0 {
				stamp = strings.Repeat(" ", logTimeWidth)
			}
			out = append(out, s.Faint.Render(stamp)+style.Render(part))
		}
		if !l.follow && len(out) >= rows {
			out = out[:rows]
			break
		}
	}
	if len(out) > rows {
		out = out[len(out)-rows:]
	}
	for _, line := range out {
		b.WriteByte('\n')
		b.WriteString(line)
	}
	l.body = b.String()
}

func (l *logPane) View() string { return l.body }
