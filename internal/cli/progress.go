package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"ossq/internal/display"
	"ossq/internal/units"
	"ossq/transfer"
)

const (
	// terminalRefresh is how often the single progress line is redrawn.
	terminalRefresh = 200 * time.Millisecond
	// plainRefresh spaces progress lines when stderr is a file or a pipe, so
	// logs stay readable.
	plainRefresh = 2 * time.Second
)

// progress pulls engine.Snapshot() on a ticker (never a callback from the
// workers) and writes one line: redrawn in place on a terminal, appended at
// most every plainRefresh otherwise. It also prints notices and retries from
// the event channel, which is never dropped.
type progress struct {
	eng      *transfer.Engine
	ids      map[transfer.ID]bool
	out      io.Writer
	terminal bool

	lastLine  string
	lineShown bool // a \r line is on screen and must be cleared before other output
}

func newProgress(eng *transfer.Engine, ids []transfer.ID, out io.Writer, terminal bool) *progress {
	set := make(map[transfer.ID]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return &progress{eng: eng, ids: set, out: out, terminal: terminal}
}

// start runs the reporter until the returned stop function is called; stop
// waits for the last line to be written so nothing interleaves after it.
func (p *progress) start() (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.loop(quit)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(quit)
			wg.Wait()
		})
	}
}

func (p *progress) loop(quit <-chan struct{}) {
	interval := plainRefresh
	if p.terminal {
		interval = terminalRefresh
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	events := p.eng.Events()
	for {
		select {
		case <-quit:
			if p.terminal && p.lineShown {
				p.draw() // leave the final figures on screen
				fmt.Fprintln(p.out)
			}
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			p.event(ev)
		case <-ticker.C:
			p.draw()
		}
	}
}

func (p *progress) event(ev transfer.Event) {
	if !p.ids[ev.ID] || ev.Message == "" {
		return
	}
	switch ev.Kind {
	case transfer.EventNotice, transfer.EventRetrying:
		p.clear()
		fmt.Fprintf(p.out, "%s: %s\n", ev.Kind, display.Escape(ev.Message))
	}
}

func (p *progress) clear() {
	if p.terminal && p.lineShown {
		fmt.Fprint(p.out, "\r\033[K")
		p.lineShown = false
	}
}

func (p *progress) draw() {
	line := p.line(p.eng.Snapshot())
	if line == "" {
		return
	}
	if p.terminal {
		fmt.Fprint(p.out, "\r\033[K"+line)
		p.lineShown = true
		return
	}
	if line != p.lastLine {
		fmt.Fprintln(p.out, line)
		p.lastLine = line
	}
}

// line summarises our transfers: "[2/5] 120 MiB / 1.0 GiB  12%  35.2 MiB/s  ETA 25s  name".
func (p *progress) line(snap transfer.Snapshot) string {
	var done, total int64
	var speed float64
	var eta time.Duration
	var finished, count int
	sizeKnown := true
	current := ""
	for _, t := range snap.Transfers {
		if !p.ids[t.ID] {
			continue
		}
		count++
		done += t.Done
		if t.Size < 0 {
			sizeKnown = false
		} else {
			total += t.Size
		}
		speed += t.Speed
		eta = t.ETA
		if t.State.Finished() {
			finished++
		} else if current == "" && t.State == transfer.StateRunning {
			current = t.Key
			if t.Direction == transfer.Upload {
				current = t.LocalPath
			}
		}
	}
	if count == 0 {
		return ""
	}
	var b strings.Builder
	if count > 1 {
		fmt.Fprintf(&b, "[%d/%d] ", finished, count)
	}
	b.WriteString(units.FormatSize(done))
	if sizeKnown {
		fmt.Fprintf(&b, " / %s", units.FormatSize(total))
		if total > 0 {
			fmt.Fprintf(&b, "  %3d%%", done*100/total)
		}
	}
	b.WriteString("  " + units.FormatSpeed(speed))
	if count > 1 {
		// The snapshot has each transfer's ETA; ours is their sum's, by its rule.
		eta = transfer.ETA(total, done, speed)
		if !sizeKnown {
			eta = 0
		}
	}
	if eta > 0 {
		b.WriteString("  ETA " + units.FormatETA(eta))
	}
	if current != "" {
		b.WriteString("  " + shortenName(display.Escape(current), maxNameWidth))
	}
	return b.String()
}

// maxNameWidth keeps the progress line within an 80-column terminal, where a
// wrapped line would defeat the in-place redraw.
const maxNameWidth = 32

// shortenName keeps the end of a long name (the file name matters most).
func shortenName(name string, width int) string {
	runes := []rune(name)
	if len(runes) <= width {
		return name
	}
	return "…" + string(runes[len(runes)-width+1:])
}
