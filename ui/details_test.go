package ui

import (
	"ossq/transfer"
	"slices"
	"strings"
	"testing"
)

func TestDetailsOpenScrollAndBack(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	snap := queueSnapshot()
	many := make([]transfer.PartSnapshot, 5000)
	for i := range many {
		many[i] = transfer.PartSnapshot{Number: i + 1, Offset: int64(i) << 20, Size: 1 << 20, State: transfer.PartPending}
	}
	snap.Transfers[0].Parts = many
	eng.setSnapshot(snap)
	h := newHarness(t, eng, Deps{}, 80, 24)
	h.press("tab")
	h.selectTransfer("run")
	h.press("enter")
	if h.m.pane != paneDetails || h.m.details.id != "run" {
		t.Fatalf("pane %d id %s", h.m.pane, h.m.details.id)
	}
	if !strings.Contains(h.view(), "#1 ") || !strings.Contains(h.view(), "/state/cp/run.json") {
		t.Fatalf("details:\n%s", h.view())
	}
	h.press("down", "down")
	if h.m.details.scroll != 2 {
		t.Fatalf("scroll = %d", h.m.details.scroll)
	}
	h.press("G")
	if h.m.details.scroll != h.m.details.partTotal-h.m.details.partRows {
		t.Fatalf("scroll at end = %d (total %d rows %d)", h.m.details.scroll, h.m.details.partTotal, h.m.details.partRows)
	}
	if !strings.Contains(h.view(), "#5000 ") {
		t.Fatalf("last part bar missing:\n%s", h.view())
	}
	// g switches to the grid of cells, a row of them per line.
	h.press("g", "G")
	if !h.m.details.grid || !strings.Contains(h.view(), "#4965") {
		t.Fatalf("last grid row missing:\n%s", h.view())
	}
	h.press("p")
	if got := eng.Calls(); !slices.Equal(got, []string{"pause run"}) {
		t.Fatalf("calls = %v", got)
	}
	h.press("esc")
	if h.m.pane != paneQueue {
		t.Fatal("esc did not go back to the queue")
	}
}
