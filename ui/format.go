package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"

	"ossq/internal/display"
	"ossq/internal/units"
)

// formatTime renders a listing timestamp in UTC so output does not depend
// on the machine's zone; the zero time renders as "-".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// parseSize reads a user-typed byte size with the config file's syntax
// ("20MiB", "500k", "1.5G"; binary units); "", "none" and "off" mean zero.
func parseSize(s string) (int64, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none", "off":
		return 0, nil
	}
	return units.ParseSize(s)
}

// truncate cuts s to at most w cells, ending in "…" when cut.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cellWidth(s) <= w {
		return s
	}
	if w == 1 {
		return "…"
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		rw := runeWidth(r)
		if used+rw > w-1 {
			break
		}
		b.WriteRune(r)
		used += rw
	}
	b.WriteString("…")
	return b.String()
}

// truncateLeft keeps the end of s (useful for paths), starting with "…".
func truncateLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cellWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	used := 1
	i := len(rs)
	for i > 0 && used+runeWidth(rs[i-1]) <= w {
		i--
		used += runeWidth(rs[i])
	}
	return "…" + string(rs[i:])
}

// padRight pads s with spaces to exactly w cells (truncating if longer).
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := w - cellWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns s in w cells (truncating if longer).
func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := w - cellWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

func cellWidth(s string) int { return ansi.StringWidth(s) }

func runeWidth(r rune) int { return runewidth.RuneWidth(r) }

// displayName makes a key, name, path or message safe to draw (see
// display.Escape): raw keys stay in the model for requests; only what is
// drawn goes through this.
func displayName(s string) string { return display.Escape(s) }
