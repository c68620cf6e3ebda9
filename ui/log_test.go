package ui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"ossq/transfer"
)

// The in-memory log keeps the newest logKeep entries, oldest first.
func TestMemLogKeepsTheLastFewThousand(t *testing.T) {
	t.Parallel()
	l := NewMemLog()
	for i := range logKeep + 10 {
		l.Append(LogEntry{Time: fixedTime, Text: fmt.Sprint(i)})
	}
	if l.Len() != logKeep {
		t.Fatalf("len %d", l.Len())
	}
	got := l.Slice(0, 2)
	if got[0].Text != "10" || got[1].Text != "11" {
		t.Fatalf("oldest kept: %q %q", got[0].Text, got[1].Text)
	}
	if last := l.Slice(logKeep-1, 5); len(last) != 1 || last[0].Text != fmt.Sprint(logKeep+9) {
		t.Fatalf("newest: %+v", last)
	}
}

// Every notice lands in the log the UI was given (a store's, later), with
// skips, failures, retries, config warnings; L shows it and esc leaves.
func TestEverythingReachesTheLog(t *testing.T) {
	t.Parallel()
	src := NewMemLog()
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{Log: src, Warnings: []string{"secrets file is readable by others"}}, 100, 30)
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventFailed, ID: "bad", Message: "NoSuchKey"}})
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventRetrying, ID: "run", Message: "part 3: connection reset"}})
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventNotice, ID: "run", Message: "checkpoint discarded: object changed"}})
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventDone, ID: "ok"}})
	var texts []string
	for _, e := range src.Slice(0, src.Len()) {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"config: secrets file is readable", "failed: oss://photos/gone.bin: NoSuchKey",
		"retrying oss://photos/big.iso: part 3", "checkpoint discarded", "done: /home/u/notes.txt"} {
		if !strings.Contains(all, want) {
			t.Fatalf("log lacks %q:\n%s", want, all)
		}
	}
	h.press("L")
	if h.m.pane != paneLog || !strings.Contains(h.view(), "checkpoint discarded") {
		t.Fatalf("L:\n%s", h.view())
	}
	h.press("esc")
	if h.m.pane != paneBrowser {
		t.Fatalf("esc from the log went to %v", h.m.pane)
	}
}

// A job that ends rings the bell and asks for a desktop notification,
// unless Notify is off.
func TestJobEndNotifiesThroughTheTerminal(t *testing.T) {
	t.Parallel()
	for _, notify := range []bool{true, false} {
		var term bytes.Buffer
		eng := demoEngine()
		eng.setSnapshot(queueSnapshot())
		h := newHarness(t, eng, Deps{Terminal: &term, Options: Options{Notify: notify}}, 100, 30)
		h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventDone, ID: "ok"}})
		h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventFailed, ID: "bad"}})
		out := term.String()
		if !notify {
			if out != "" {
				t.Fatalf("notify off wrote %q", out)
			}
			continue
		}
		if strings.Count(out, "\a") < 2 || !strings.Contains(out, "\x1b]9;ossq: done: ") ||
			!strings.Contains(out, "\x1b]777;notify;ossq: failed;oss://photos/gone.bin\x07") {
			t.Fatalf("notifications %q", out)
		}
	}
}
