package ui

import (
	"ossq/transfer"
	"testing"
)

func TestFormatAndParse(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want int64
	}{{"0", 0}, {"none", 0}, {"20MiB", 20 << 20}, {"500k", 500 << 10}, {"1.5G", 3 << 29}, {"20MiB/s", 20 << 20}, {"20MB", 20 << 20}, {" off ", 0}} {
		got, err := parseSize(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"fast", "-3M", "12 parsecs"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted junk", bad)
		}
	}
	if got := truncateLeft("/very/long/path/file.bin", 10); got != "…/file.bin" {
		t.Errorf("truncateLeft = %q", got)
	}
}

func TestPartStripGroupsWhenPartsOutnumberCells(t *testing.T) {
	t.Parallel()
	s := NewStyles(DefaultTheme(), newRenderer(true))
	parts := make([]transfer.PartSnapshot, 100)
	for i := range parts {
		parts[i].State = transfer.PartDone
	}
	parts[55].State = transfer.PartFailed
	parts[99].State = transfer.PartPending
	strip := partStrip(s, parts, 10)
	if got := []rune(strip); len(got) != 10 || got[5] != '✗' || got[9] != '░' || got[0] != '█' {
		t.Fatalf("strip = %q", strip)
	}
	// Fewer parts than cells: each part spreads, the strip keeps its width.
	if got := []rune(partStrip(s, parts[:3], 10)); len(got) != 10 {
		t.Fatalf("few parts: %q", string(got))
	}
}

func TestQueueItemHeightMatchesItsLines(t *testing.T) {
	t.Parallel()
	s := NewStyles(DefaultTheme(), newRenderer(true))
	snap := queueSnapshot()
	snap.Transfers[2].Notice = "restarted: object changed since checkpoint"
	for i := range snap.Transfers {
		tr := &transfer.JobSnapshot{TransferSnapshot: snap.Transfers[i]}
		for _, w := range []int{78, wideQueueWidth - 1, wideQueueWidth, 200} {
			if got, want := len(buildJobLines(s, tr, w, "", "")), queueRowHeight(tr, w); got != want {
				t.Errorf("%s at %d: %d lines, height says %d", tr.ID, w, got, want)
			}
		}
	}
}
