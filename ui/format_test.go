package ui

import (
	"ossq/transfer"
	"testing"
	"time"
)

func TestFormatAndParse(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int64
		want string
	}{{-1, "?"}, {0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {5 << 30, "5.0 GiB"}, {200 << 20, "200 MiB"}} {
		if got := formatSize(c.n); got != c.want {
			t.Errorf("formatSize(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want int64
	}{{"0", 0}, {"none", 0}, {"20MiB", 20 << 20}, {"500k", 500 << 10}, {"1.5G", 3 << 29}, {"20MiB/s", 20 << 20}} {
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
	if got := formatETA(3*time.Minute + 5*time.Second); got != "3m05s" {
		t.Errorf("formatETA = %q", got)
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
