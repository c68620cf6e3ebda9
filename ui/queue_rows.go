package ui

import (
	"fmt"
	"strconv"
	"strings"

	"ossq/internal/units"
	"ossq/transfer"
)

// A job row, narrow (below wideQueueWidth):
//
//	↓ oss://b/logs/2026/ → ~/dl/2026/     running    12.0 MiB/s   3m05s
//	  ████████████░░░░░░░░░░░░░░░░░░░░░░  40%  400 MiB / 1.0 GiB
//	  files 120/512 · 3 failed · 2 skipped · 4 active
//
// A single multipart job has its part strip (exactly the bar's width) with
// "200/512 parts" where the bytes stand; a finished job says when it ended,
// how long it took and its average speed; a failure says why.

// queueRowHeight is len(buildJobLines(j, w)) without building them.
func queueRowHeight(j *transfer.JobSnapshot, w int) int {
	h := 2
	if w >= wideQueueWidth {
		h = 1
	}
	if j.Tree || len(j.Parts) > 0 {
		h++
	}
	if jobShowsError(j) || j.Notice != "" || (j.State.Finished() && !j.Finished.IsZero()) {
		h++
	}
	return h
}

func jobShowsError(j *transfer.JobSnapshot) bool {
	return j.Err != "" && (j.State == transfer.StateFailed || j.State == transfer.StateRetrying)
}

// jobFraction is how far a job is, for its bar and percentage.
func jobFraction(j *transfer.TransferSnapshot) float64 {
	if j.State == transfer.StateDone {
		return 1
	}
	return fraction(j.Done, j.Size)
}

// pctText is the percentage in colPct cells (a failed bar ends in ✗, so
// the number needs no mark of its own).
func pctText(frac float64, _ bool) string {
	return fmt.Sprintf(" %3.0f%%", frac*100)
}

// formatCount writes n with thousands separators: "1,000,000".
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func jobBytes(j *transfer.JobSnapshot) string {
	size := units.FormatSize(j.Size)
	if j.Listing {
		size = "≥ " + size
	}
	return units.FormatSize(j.Done) + " / " + size
}

// buildJobLines renders one job in w cells.
// buildJobLines draws a job's row; a job of another profile than the
// one ossq runs under (profile) is tagged with its own.
func buildJobLines(s *Styles, j *transfer.JobSnapshot, w int, home, profile string) []string {
	w = max(20, w)
	lines := make([]string, 0, 4)
	eta, speed := "", ""
	if j.State == transfer.StateRunning || j.State == transfer.StateVerifying || j.State == transfer.StateRetrying {
		speed, eta = units.FormatSpeed(j.Speed), units.FormatETA(j.ETA)
	}
	retries := ""
	if j.Retries > 0 {
		retries = fmt.Sprintf("↻%d", j.Retries)
	}
	failed := j.State == transfer.StateFailed
	frac := jobFraction(&j.TransferSnapshot)
	bytes := jobBytes(j)
	if w >= wideQueueWidth {
		nameW, barW := wideQueueWidths(w)
		lines = append(lines, directionGlyph(j.Direction)+" "+s.textWrap.render(padRight(taggedJobName(j, home, profile, nameW), nameW))+" "+
			s.stateWrap[j.State].render(padRight(string(j.State), colState))+" "+
			renderBar(s, frac, barW, failed)+" "+s.textWrap.render(pctText(frac, failed))+" "+
			s.faintWrap.render(padRight(bytes, colBytes))+" "+
			s.textWrap.render(padLeft(speed, colSpeed)+" "+padLeft(eta, colETA))+" "+
			s.warningWrap.render(padLeft(retries, colRetries)))
		return appendJobDetailLines(s, j, w, barW, lines)
	}
	nameW := queueNameWidth(w)
	lines = append(lines, directionGlyph(j.Direction)+" "+s.textWrap.render(padRight(taggedJobName(j, home, profile, nameW), nameW))+" "+
		s.stateWrap[j.State].render(padRight(string(j.State), colState))+" "+
		s.textWrap.render(padLeft(speed, colSpeed)+" "+padLeft(eta, colETA))+" "+
		s.warningWrap.render(padLeft(retries, colRetries)))
	barW := narrowBarWidth(w)
	lines = append(lines, strings.Repeat(" ", queueIndent-2)+renderBar(s, frac, barW, failed)+" "+
		s.textWrap.render(pctText(frac, failed))+" "+s.faintWrap.render(padRight(bytes, colBytes)))
	return appendJobDetailLines(s, j, w, barW, lines)
}

// narrowBarWidth is the bar of a two-line row: what the indent, the
// percentage and the bytes leave.
func narrowBarWidth(w int) int { return max(4, w-(queueIndent-2)-1-colPct-1-colBytes) }

// appendJobDetailLines adds a tree's file counts or a single job's part
// strip (bar-wide), then the cause of a failure, a notice, or how a
// finished job went.
func appendJobDetailLines(s *Styles, j *transfer.JobSnapshot, w, barW int, lines []string) []string {
	indent := strings.Repeat(" ", queueIndent-2)
	switch {
	case j.Tree:
		lines = append(lines, indent+itemCountsLine(s, j, w-queueIndent))
	case len(j.Parts) > 0:
		done := partCounts(j.Parts).done
		label := fmt.Sprintf("%d/%d parts", done, len(j.Parts))
		// The label is never cut: a long one takes cells from the strip
		// only when the bar leaves no room beside it.
		stripW := min(barW, max(4, w-queueIndent-1-cellWidth(label)))
		lines = append(lines, indent+partStrip(s, j.Parts, stripW)+strings.Repeat(" ", barW-stripW)+" "+s.faintWrap.render(label))
	}
	switch {
	case jobShowsError(j):
		lines = append(lines, indent+s.errorWrap.render("✗ "+truncate(displayName(j.Err), w-queueIndent)))
	case j.Notice != "":
		lines = append(lines, indent+s.warningWrap.render("! "+truncate(displayName(j.Notice), w-queueIndent)))
	case j.State.Finished() && !j.Finished.IsZero():
		lines = append(lines, indent+s.faintWrap.render(truncate(finishedLine(j), w-queueIndent)))
	}
	return lines
}

// itemCountsLine: "files 120/512 · 118 unchanged · 6 filtered · 3 failed
// · 2 skipped · 4 active"; "≥" while the tree is still being listed. The
// files are those to transfer: unchanged ones (a compare mode) are counted
// apart, as the plan counted them.
func itemCountsLine(s *Styles, j *transfer.JobSnapshot, w int) string {
	c := j.Items
	total := formatCount(c.Total - c.Unchanged)
	if j.Listing {
		total = "≥ " + total + " (listing)"
	}
	text := "files " + formatCount(c.Done) + "/" + total
	parts := []string{s.faintWrap.render(text)}
	if c.Unchanged > 0 {
		parts = append(parts, s.faintWrap.render(formatCount(c.Unchanged)+" unchanged"))
	}
	if c.Filtered > 0 {
		parts = append(parts, s.faintWrap.render(formatCount(c.Filtered)+" filtered"))
	}
	if c.Failed > 0 {
		parts = append(parts, s.errorWrap.render("✗ "+formatCount(c.Failed)+" failed"))
	}
	if c.Skipped > 0 {
		parts = append(parts, s.warningWrap.render(formatCount(c.Skipped)+" skipped"))
	}
	if c.Active > 0 {
		parts = append(parts, s.faintWrap.render(formatCount(c.Active)+" active"))
	}
	line := strings.Join(parts, s.faintWrap.render(" · "))
	// The files in flight, when they fit.
	if more := s.faintWrap.render(fmt.Sprintf(" · %d at once", j.FileParallel)); cellWidth(line)+cellWidth(more) <= w {
		line += more
	}
	if cellWidth(line) > w {
		return truncate(line, w)
	}
	return line
}

// finishedLine: "done 14:03:22 · took 2m10s · avg 12.0 MiB/s".
func finishedLine(j *transfer.JobSnapshot) string {
	took := j.Elapsed
	if took <= 0 && !j.Started.IsZero() {
		took = j.Finished.Sub(j.Started)
	}
	if took <= 0 && !j.Added.IsZero() {
		took = j.Finished.Sub(j.Added)
	}
	text := string(j.State) + " " + j.Finished.Local().Format("Jan 2 15:04:05")
	if took > 0 {
		text += " · took " + units.FormatETA(took)
		if j.Done > 0 {
			text += " · avg " + units.FormatSpeed(float64(j.Done)/took.Seconds())
		}
	}
	return text
}

// taggedJobName is fitJobName, led by "[profile] " for a job of another
// profile than the current one.
func taggedJobName(j *transfer.JobSnapshot, home, profile string, w int) string {
	if j.Profile == "" || j.Profile == profile {
		return fitJobName(j, home, w)
	}
	tag := displayName("[" + j.Profile + "] ")
	return truncate(tag, w) + fitJobName(j, home, max(0, w-cellWidth(tag)))
}
