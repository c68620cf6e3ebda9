package ui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"ossq/transfer"
)

// A resumed job may report fewer bytes than it showed: the row never
// goes backwards (a new size, an object that changed, starts afresh).
func TestProgressNeverGoesBackwards(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	snap := queueSnapshot()
	h := newHarness(t, eng, Deps{}, 100, 30)
	h.sendSnap(snap)
	before := h.m.queue.current().Done
	back := queueSnapshot()
	back.Version = snap.Version + 1
	back.Transfers[0].Done = before / 2
	h.sendSnap(back)
	if j, _ := h.m.lookup("run"); j.Done != before {
		t.Fatalf("done went from %d to %d", before, j.Done)
	}
	resized := queueSnapshot()
	resized.Version = snap.Version + 2
	resized.Transfers[0].Size *= 2
	resized.Transfers[0].Done = 1
	h.sendSnap(resized)
	if j, _ := h.m.lookup("run"); j.Done != 1 {
		t.Fatalf("a new size kept the old bytes: %d", j.Done)
	}
}

// A failed bar is never full and ends in ✗, colour or not.
func TestFailedBarsReadAsFailed(t *testing.T) {
	t.Parallel()
	s := NewStyles(DefaultTheme(), newRenderer(true))
	bar := renderBar(s, 1, 10, true)
	if got := []rune(bar); len(got) != 10 || got[9] != '✗' || strings.Count(bar, "█") != 9 {
		t.Fatalf("failed full bar %q", bar)
	}
	if bar := renderBar(s, 1, 10, false); strings.Count(bar, "█") != 10 {
		t.Fatalf("done bar %q", bar)
	}
	p := transfer.PartSnapshot{Number: 1, Size: 8, Done: 8, State: transfer.PartFailed}
	if line := partBarLine(s, &p, 120); !strings.Contains(line, "✗ failed") || !strings.Contains(line, "✗") {
		t.Fatalf("failed part line %q", line)
	}
}

// An uploaded part whose bytes are all in shows done, not active.
func TestUploadedPartsShowDone(t *testing.T) {
	t.Parallel()
	p := transfer.PartSnapshot{Size: 100, Done: 100, State: transfer.PartActive}
	if shownPartState(&p) != transfer.PartDone {
		t.Fatal("a full active part is not shown done")
	}
	if c := partCounts([]transfer.PartSnapshot{p}); c.done != 1 || c.active != 0 {
		t.Fatalf("counts %+v", c)
	}
}

// The part strip is exactly as wide as the bar above it, and its label is
// whole, at every width.
func TestPartStripIsTheBarsWidthAndItsLabelWhole(t *testing.T) {
	t.Parallel()
	s := NewStyles(DefaultTheme(), newRenderer(true))
	for _, n := range []int{3, 15, 512, 10_000} {
		parts := make([]transfer.PartSnapshot, n)
		for i := range parts {
			parts[i] = transfer.PartSnapshot{Number: i + 1, Size: 1, State: transfer.PartPending}
		}
		j := &transfer.JobSnapshot{TransferSnapshot: transfer.TransferSnapshot{ID: "x", Direction: transfer.Download, Bucket: "b",
			Key: "k", State: transfer.StateRunning, Size: int64(n), Parts: parts, PartSize: 1}}
		for _, w := range []int{58, 78, 118, 158} {
			lines := buildJobLines(s, j, w, "", "")
			bar, strip := ansi.Strip(lines[len(lines)-2]), ansi.Strip(lines[len(lines)-1])
			if w >= wideQueueWidth {
				bar = ansi.Strip(lines[0]) // the bar shares the summary line
			}
			barCells := strings.Count(bar, "░") + strings.Count(bar, "█")
			stripCells := strings.Count(strip, "░")
			if barCells != stripCells {
				t.Errorf("%d parts at %d: bar %d cells, strip %d", n, w, barCells, stripCells)
			}
			label := "0/" + itoa(n) + " parts"
			if !strings.HasSuffix(strip, label) {
				t.Errorf("%d parts at %d: label cut in %q", n, w, strip)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A job of another profile than ossq's is tagged with it; one of the
// current profile is not.
func TestRowsNameTheProfileOfOtherAccounts(t *testing.T) {
	t.Parallel()
	s := NewStyles(DefaultTheme(), newRenderer(true))
	j := &transfer.JobSnapshot{TransferSnapshot: transfer.TransferSnapshot{ID: "x", Direction: transfer.Download, Bucket: "b",
		Key: "k", State: transfer.StateQueued, Size: 10, Profile: "work"}}
	for _, w := range []int{58, 118} {
		if first := ansi.Strip(buildJobLines(s, j, w, "", "default")[0]); !strings.Contains(first, "[work] oss://b/k") {
			t.Errorf("at %d: %q lacks the profile tag", w, first)
		}
		if first := ansi.Strip(buildJobLines(s, j, w, "", "work")[0]); strings.Contains(first, "[work]") {
			t.Errorf("at %d: %q tags the current profile", w, first)
		}
	}
}
