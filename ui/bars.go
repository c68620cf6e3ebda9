package ui

import (
	"strings"

	"ossq/transfer"
)

// Bars are drawn statically from plain numbers: never an animated
// progress.Model per part (each would run its own 60 fps tick).

const (
	barFullGlyph  = "█"
	barEmptyGlyph = "░"
)

// fillLevels renders a part's progress in one cell (details grid).
var fillLevels = []rune(" ▁▂▃▄▅▆▇█")

// partGlyph is the strip cell for a part state, readable without colour.
var partGlyph = map[transfer.PartState]rune{
	transfer.PartPending:  '░',
	transfer.PartActive:   '▓',
	transfer.PartDone:     '█',
	transfer.PartRetrying: '▒',
	transfer.PartFailed:   '✗',
}

func fraction(done, size int64) float64 {
	if size <= 0 {
		return 0
	}
	f := float64(done) / float64(size)
	return max(0, min(1, f))
}

// barFailedGlyph ends a failed bar, so it reads as failed without colour.
const barFailedGlyph = "✗"

// renderBar draws a w-cell bar filled to frac. A failed bar is drawn in
// the error colour, never full, and ends in ✗.
func renderBar(s *Styles, frac float64, w int, failed bool) string {
	if w <= 0 {
		return ""
	}
	full := int(frac*float64(w) + 0.5)
	full = max(0, min(w, full))
	var b strings.Builder
	if failed {
		full = min(full, w-1)
		if full > 0 {
			s.barFailedWrap.wrap(&b, strings.Repeat(barFullGlyph, full))
		}
		if rest := w - full - 1; rest > 0 {
			s.barEmptyWrap.wrap(&b, strings.Repeat(barEmptyGlyph, rest))
		}
		s.errorWrap.wrap(&b, barFailedGlyph)
		return b.String()
	}
	if full > 0 {
		s.barFullWrap.wrap(&b, strings.Repeat(barFullGlyph, full))
	}
	if full < w {
		s.barEmptyWrap.wrap(&b, strings.Repeat(barEmptyGlyph, w-full))
	}
	return b.String()
}

// shownPartState is how a part is drawn: a part whose bytes are all in
// (an uploaded part the engine has not marked yet) shows done.
func shownPartState(p *transfer.PartSnapshot) transfer.PartState {
	if (p.State == transfer.PartActive || p.State == transfer.PartPending) && p.Size > 0 && p.Done >= p.Size {
		return transfer.PartDone
	}
	return p.State
}

// partLegend explains the strip and grid cells; the help overlay and the
// details view show this one text.
const partLegend = "█ done · ▓ active · ▒ retrying · ░ pending · ✗ failed · grid: ▁…█ how far a part is"

// styledRuns renders cells, one style call per run of equal styles, so a
// strip of hundreds of cells costs a handful of Render calls.
type styledRuns struct {
	b       strings.Builder
	run     []rune
	current transfer.PartState
	styles  *Styles
}

func (r *styledRuns) add(st transfer.PartState, glyph rune) {
	if len(r.run) > 0 && st != r.current {
		r.flush()
	}
	r.current = st
	r.run = append(r.run, glyph)
}

func (r *styledRuns) flush() {
	if len(r.run) == 0 {
		return
	}
	r.styles.partWrapFor(r.current).wrap(&r.b, string(r.run))
	r.run = r.run[:0]
}

func (r *styledRuns) String() string {
	r.flush()
	return r.b.String()
}

// groupState summarises parts[lo:hi] for one strip cell: the most
// noteworthy state wins (failed, retrying, active), else done when all are
// done, else pending.
func groupState(parts []transfer.PartSnapshot) transfer.PartState {
	var failed, retrying, active, done bool
	allDone := true
	for i := range parts {
		switch shownPartState(&parts[i]) {
		case transfer.PartFailed:
			failed = true
		case transfer.PartRetrying:
			retrying = true
		case transfer.PartActive:
			active = true
		case transfer.PartDone:
			done = true
			continue
		}
		allDone = false
	}
	switch {
	case failed:
		return transfer.PartFailed
	case retrying:
		return transfer.PartRetrying
	case active:
		return transfer.PartActive
	case allDone && done:
		return transfer.PartDone
	default:
		return transfer.PartPending
	}
}

// partStrip draws exactly w cells: a part spreads over several cells when
// parts are fewer than w, and a cell sums a group when they are more.
func partStrip(s *Styles, parts []transfer.PartSnapshot, w int) string {
	n := len(parts)
	if n == 0 || w <= 0 {
		return ""
	}
	r := styledRuns{styles: s}
	for c := range w {
		lo := c * n / w
		hi := max(lo+1, (c+1)*n/w)
		st := groupState(parts[lo:hi])
		r.add(st, partGlyph[st])
	}
	return r.String()
}

// partCell is one details-grid cell: its fill shows the part's progress.
func partCell(p *transfer.PartSnapshot) rune {
	switch shownPartState(p) {
	case transfer.PartFailed:
		return '✗'
	case transfer.PartDone:
		return fillLevels[len(fillLevels)-1]
	}
	f := fraction(p.Done, p.Size)
	if f == 0 {
		return '·'
	}
	i := int(f * float64(len(fillLevels)-1))
	return fillLevels[max(1, min(len(fillLevels)-1, i))]
}

// partTally counts parts per state (a struct, not a map: it runs for
// every multipart row on every snapshot).
type partTally struct{ pending, active, done, retrying, failed int }

func partCounts(parts []transfer.PartSnapshot) partTally {
	var c partTally
	for i := range parts {
		switch shownPartState(&parts[i]) {
		case transfer.PartDone:
			c.done++
		case transfer.PartActive:
			c.active++
		case transfer.PartRetrying:
			c.retrying++
		case transfer.PartFailed:
			c.failed++
		default:
			c.pending++
		}
	}
	return c
}
