package transfer

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// LogKeep is how many log entries are kept; older ones are deleted.
const LogKeep = 5000

// logFlushEvery bounds how often the log is written: a burst of entries
// costs one transaction.
const logFlushEvery = 200 * time.Millisecond

// maxLogText bounds one entry's text (an error body can be long).
const maxLogText = 4096

// LogLevel says how much a log entry matters.
type LogLevel int

const (
	LogInfo LogLevel = iota
	LogWarn
	LogError
)

// LogEntry is one line of the engine's log: what a person reads later to
// learn what happened (jobs done, failed, paused and why, skips, notices).
type LogEntry struct {
	Time  time.Time
	Level LogLevel
	Job   ID // "" when the entry is about no job
	Text  string
}

// storedLogEntry is an entry as written in the store's log bucket.
type storedLogEntry struct {
	Time  time.Time `json:"t"`
	Level LogLevel  `json:"l,omitempty"`
	Job   ID        `json:"j,omitempty"`
	Text  string    `json:"x"`
}

var bucketLog = []byte("log")

// eventLog keeps the last LogKeep entries in memory, newest last, and
// writes them behind to the store's log bucket (when there is a store), so
// a window is read from memory and never waits on the disk.
//
// Layout: log/ seq (8 bytes BE, increasing) → storedLogEntry (JSON).
type eventLog struct {
	db  *bolt.DB // nil: memory only (Ephemeral)
	log Logger

	mu      sync.Mutex
	ring    []LogEntry // up to LogKeep, oldest at start
	start   int
	pending []LogEntry // appended, not yet written
	closed  bool

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

// openEventLog loads the stored log (when store is not nil) and starts the
// writer. Entries that do not decode are skipped and counted in problems.
func openEventLog(store *jobStore, log Logger) (*eventLog, error) {
	l := &eventLog{log: log, ring: make([]LogEntry, 0, 64), kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	if store == nil {
		close(l.done)
		return l, nil
	}
	l.db = store.db
	bad := 0
	err := l.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketLog)
		if err != nil {
			return err
		}
		var newestFirst []LogEntry
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(newestFirst) < LogKeep; k, v = c.Prev() {
			var s storedLogEntry
			if len(k) != 8 || json.Unmarshal(v, &s) != nil {
				bad++
				continue
			}
			newestFirst = append(newestFirst, LogEntry(s))
		}
		for i := len(newestFirst) - 1; i >= 0; i-- {
			l.ringAppend(newestFirst[i])
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	if bad > 0 {
		log.Warn("log entries unreadable, skipped", "count", bad)
	}
	go l.writeLoop()
	return l, nil
}

// append keeps an entry and asks the writer to save it; it never waits on
// the disk.
func (l *eventLog) append(e LogEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Text = clipText(e.Text, maxLogText)
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return fmt.Errorf("log: %w", ErrClosed)
	}
	l.ringAppend(e)
	if l.db != nil {
		l.pending = append(l.pending, e)
	}
	l.mu.Unlock()
	if l.db != nil {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

func (l *eventLog) ringAppend(e LogEntry) {
	if len(l.ring) < LogKeep {
		l.ring = append(l.ring, e)
		return
	}
	l.ring[l.start] = e
	l.start = (l.start + 1) % LogKeep
}

// window returns up to limit entries newest first, skipping the offset
// newest, and how many are kept.
func (l *eventLog) window(offset, limit int) ([]LogEntry, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.ring)
	offset = max(0, offset)
	count := max(0, min(limit, n-offset))
	out := make([]LogEntry, count)
	for i := range count {
		// Newest-first index offset+i is ring index n-1-(offset+i) from the oldest.
		out[i] = l.ring[(l.start+n-1-offset-i)%n]
	}
	return out, n
}

// writeLoop saves pending entries at most every logFlushEvery.
func (l *eventLog) writeLoop() {
	defer close(l.done)
	for {
		select {
		case <-l.stop:
			l.flush()
			return
		case <-l.kick:
			l.flush()
			select {
			case <-time.After(logFlushEvery):
			case <-l.stop:
				l.flush()
				return
			}
		}
	}
}

// flush writes the pending entries in one transaction and deletes what is
// beyond LogKeep in the same one. On an error the entries go back to the
// head of pending, for the next try.
func (l *eventLog) flush() {
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLog)
		if b == nil {
			return errors.New("log bucket missing")
		}
		b.FillPercent = appendFill
		for _, e := range batch {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			data, err := json.Marshal(storedLogEntry(e))
			if err != nil {
				return err
			}
			if err := b.Put(seqKey(seq), data); err != nil {
				return err
			}
		}
		return trimLog(b, b.Sequence())
	})
	if err == nil {
		return
	}
	l.log.Error("saving the log failed", "err", err)
	l.mu.Lock()
	l.pending = append(batch, l.pending...)
	if over := len(l.pending) - LogKeep; over > 0 {
		// Only the newest LogKeep would be kept anyway.
		l.pending = l.pending[over:]
	}
	l.mu.Unlock()
}

// trimLog deletes the entries older than the newest LogKeep; last is the
// newest seq. Keys increase, so they are the first ones.
func trimLog(b *bolt.Bucket, last uint64) error {
	if last <= LogKeep {
		return nil
	}
	cutoff := last - LogKeep // delete seq ≤ cutoff
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && (len(k) != 8 || binary.BigEndian.Uint64(k) <= cutoff); k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// close writes what is pending and stops the writer; later appends fail.
func (l *eventLog) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	<-l.done
}

// clipText cuts s to at most n bytes on a rune boundary.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// AppendLog adds an entry to the log (the log pane's, kept in the store);
// it returns at once: the entry is written within logFlushEvery.
func (e *Engine) AppendLog(entry LogEntry) error { return e.logs.append(entry) }

// LogWindow returns up to limit log entries, newest first, after skipping
// the offset newest, and how many entries are kept (at most LogKeep).
func (e *Engine) LogWindow(offset, limit int) ([]LogEntry, int) { return e.logs.window(offset, limit) }

// logClosing records the jobs Close paused (they resume on the next Open),
// so the log tells why they stopped.
func (e *Engine) logClosing() {
	e.mu.Lock()
	var n int
	for _, t := range e.order {
		if t.resumeOnOpen && t.state == StatePaused && !t.plan { // set only when Close paused it; a plan is dropped
			n++
		}
	}
	e.mu.Unlock()
	if n > 0 {
		e.logs.append(LogEntry{Text: fmt.Sprintf("closing: %d running job(s) paused; they go on at the next start", n)})
	}
}

// publish is the one place an event leaves the engine: to the event
// channel and, as a line a person reads, to the log. subject names the job.
func (e *Engine) publish(ev Event, subject string) {
	// Logged first, so a reader woken by the event finds it in the log.
	if e.logs != nil { // nil only in tests that build an Engine by hand
		e.logs.append(eventLogEntry(ev, subject)) // fails only after Close: the event still goes out
	}
	e.events.push(ev)
}

// eventLogEntry is how an event reads in the log.
func eventLogEntry(ev Event, subject string) LogEntry {
	level := LogInfo
	switch ev.Kind {
	case EventFailed:
		level = LogError
	case EventNotice, EventRetrying:
		level = LogWarn
	}
	verb := string(ev.Kind)
	switch ev.Kind {
	case EventAdded:
		verb = "queued"
	case EventRetrying:
		verb = "retrying"
	}
	var text string
	switch {
	case subject == "":
		text = ev.Message
	case ev.Kind == EventNotice:
		text = subject + ": " + ev.Message
	case ev.Kind == EventAdded || ev.Message == "":
		// An add's message is its destination, already in the subject.
		text = verb + ": " + subject
	default:
		text = verb + ": " + subject + ": " + ev.Message
	}
	return LogEntry{Time: ev.Time, Level: level, Job: ev.ID, Text: text}
}

// jobSubject names a job in the log: its source and its destination.
func jobSubject(t *transfer) string {
	remote := fmt.Sprintf("oss://%s/%s", t.spec.Bucket, t.spec.Key) // a tree's Key is its prefix
	local := t.spec.LocalPath
	if t.tree != nil && !strings.HasSuffix(local, string(filepath.Separator)) {
		local += string(filepath.Separator) // a folder reads as one, as in the queue
	}
	if t.spec.Direction == Upload {
		return local + " → " + remote
	}
	return remote + " → " + local
}
