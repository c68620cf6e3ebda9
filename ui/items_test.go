package ui

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"ossq/transfer"
)

// openTree opens the million-item tree job (the last row) in its items.
func openTree(t *testing.T, h *harness) {
	t.Helper()
	h.press("tab", "G", "enter")
	if h.m.pane != paneItems || h.m.items.job != "tree" || h.m.items.total != 1_000_000 {
		t.Fatalf("items did not open: pane %v job %q total %d", h.m.pane, h.m.items.job, h.m.items.total)
	}
}

// A million items: the UI only ever asks for a window around the cursor,
// and the end of the list is one key away.
func TestItemsOfAMillionAreAskedForByWindow(t *testing.T) {
	t.Parallel()
	eng := treeEngine()
	h := newHarness(t, eng, Deps{}, 80, 24)
	openTree(t, h)
	h.press("end")
	if h.m.items.cursor != 999_999 {
		t.Fatalf("cursor %d after end", h.m.items.cursor)
	}
	if x := h.m.items.current(); x == nil || x.Seq != 1_000_000 {
		t.Fatalf("item under the cursor %+v", x)
	}
	if !strings.Contains(h.view(), "file-1000000.log") {
		t.Fatalf("last item not drawn:\n%s", h.view())
	}
	for _, r := range eng.windows {
		if r.Items != nil && r.Items.Limit > 3*h.m.items.listHeight()+1 {
			t.Fatalf("asked for %d items at once", r.Items.Limit)
		}
		if r.Limit > 3*h.m.queue.listHeight()+1 {
			t.Fatalf("asked for %d jobs at once", r.Limit)
		}
	}
}

// f cycles the filter; failed items say why; R retries the job's failed
// items and says so; esc goes back to the queue.
func TestItemsFilterRetryAndBack(t *testing.T) {
	t.Parallel()
	eng := treeEngine()
	h := newHarness(t, eng, Deps{}, 120, 30)
	openTree(t, h)
	h.press("f")
	if h.m.items.filter != transfer.ItemActive || h.m.items.total != 8 {
		t.Fatalf("first f: filter %q total %d", h.m.items.filter, h.m.items.total)
	}
	h.press("f")
	if h.m.items.filter != transfer.ItemFailed || h.m.items.total != 1200 {
		t.Fatalf("second f: filter %q total %d", h.m.items.filter, h.m.items.total)
	}
	if v := h.view(); !strings.Contains(v, "✗ failed") || !strings.Contains(v, "InternalError") {
		t.Fatalf("failed items without their cause:\n%s", v)
	}
	// While the job runs the engine cannot retry its files yet: R says so.
	h.press("R")
	if got := eng.Calls(); len(got) != 0 {
		t.Fatalf("R on a running job called %q", got)
	}
	if !strings.Contains(h.m.notice, "R retries its failed files when it ends") {
		t.Fatalf("R on a running job: notice %q", h.m.notice)
	}
	eng.mu.Lock()
	eng.trees[0].job.State, eng.trees[0].job.Listing = transfer.StateFailed, false
	snap := eng.snap
	eng.mu.Unlock()
	snap.Version++
	h.sendSnap(snap)
	h.press("R")
	if got := eng.Calls(); len(got) == 0 || got[len(got)-1] != "retry tree" {
		t.Fatalf("calls %q", got)
	}
	if !strings.Contains(h.m.notice, "retrying 1,200 failed file(s)") && !strings.Contains(h.m.notice, "retrying 1200 failed file(s)") {
		t.Fatalf("R did not confirm: %q", h.m.notice)
	}
	h.press("f", "f", "f")
	if h.m.items.filter != "" {
		t.Fatalf("filter did not come back to all: %q", h.m.items.filter)
	}
	h.press("esc")
	if h.m.pane != paneQueue || h.m.items.job != "" {
		t.Fatalf("esc: pane %v items job %q", h.m.pane, h.m.items.job)
	}
}

// enter on an item opens its details with the full error, wrapped; y
// copies it with OSC 52.
func TestItemDetailsShowTheWholeErrorAndCopyIt(t *testing.T) {
	t.Parallel()
	eng := treeEngine()
	var term bytes.Buffer
	h := newHarness(t, eng, Deps{Terminal: &term}, 60, 30)
	openTree(t, h)
	h.press("f", "f", "enter")
	if h.m.pane != paneDetails || h.m.details.seq != 400_009 {
		t.Fatalf("pane %v seq %d", h.m.pane, h.m.details.seq)
	}
	v := h.view()
	for _, want := range []string{"InternalError", "5F1D2C3B4A59687766554433", "bench.oss-cn-hangzhou.aliyuncs.com", "Please try", "again."} {
		if !strings.Contains(v, want) {
			t.Fatalf("details lack %q:\n%s", want, v)
		}
	}
	h.press("y")
	out := term.String()
	if !strings.HasPrefix(out, "\x1b]52;c;") {
		t.Fatalf("y wrote %q", out)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(out, "\x1b]52;c;"), "\x07"))
	if err != nil || !strings.Contains(string(raw), "Request ID: 5F1D2C3B4A59687766554433") || !strings.Contains(string(raw), "Operation: GetObject") {
		t.Fatalf("copied %q (%v)", raw, err)
	}
	h.press("esc")
	if h.m.pane != paneItems {
		t.Fatalf("esc from an item's details went to %v", h.m.pane)
	}
}

// The tree-job calls the engine is getting are used when it has them,
// and said to be missing when it does not.
func TestTreeJobCallsFollowTheEngine(t *testing.T) {
	t.Parallel()
	eng := treeEngine()
	h := newHarness(t, eng, Deps{}, 120, 30)
	h.press("tab", "G", "+")
	if !strings.Contains(h.m.notice, "cannot change files in flight") {
		t.Fatalf("+ without SetFileParallel: %q", h.m.notice)
	}
	eng2 := treeEngine()
	h2 := newHarness(t, eng2, Deps{Engine: jobsEngine{eng2}}, 120, 30)
	h2.press("tab", "G", "+", "C")
	calls := strings.Join(eng2.Calls(), ",")
	if !strings.Contains(calls, "fileparallel tree 9") || !strings.Contains(calls, "clearfinished") || strings.Contains(calls, "remove") {
		t.Fatalf("calls %s", calls)
	}
	if !strings.Contains(h2.m.notice, "cleared 2 finished job(s)") {
		t.Fatalf("C did not confirm: %q", h2.m.notice)
	}
}

// R on a failed item's details retries that item alone, when the engine
// can; otherwise it says so.
func TestRetryOneItem(t *testing.T) {
	t.Parallel()
	eng := treeEngine()
	h := newHarness(t, eng, Deps{Engine: jobsEngine{eng}}, 120, 30)
	openTree(t, h)
	h.press("f", "f", "enter", "R")
	if got := eng.Calls(); len(got) == 0 || got[len(got)-1] != "retryitem tree 400009" {
		t.Fatalf("calls %q", got)
	}
	if !strings.Contains(h.m.notice, "retrying item #400009") {
		t.Fatalf("notice %q", h.m.notice)
	}
	plain := treeEngine()
	h2 := newHarness(t, plain, Deps{}, 120, 30)
	openTree(t, h2)
	h2.press("f", "f", "enter", "R")
	if !strings.Contains(h2.m.notice, "cannot retry one item yet") {
		t.Fatalf("notice %q", h2.m.notice)
	}
}
