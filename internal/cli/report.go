package cli

// The outcome of single-object transfers, printed, and what an interrupt kept.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

// report prints the outcome and picks the exit code.
func (j *job) report(results []transfer.TransferSnapshot) int {
	var failed []transfer.TransferSnapshot
	var bytes int64
	done, skipped, renamed := 0, 0, 0
	for _, snap := range results {
		switch snap.State {
		case transfer.StateDone:
			// The engine marks an on_exists=skip entry done without moving
			// it; in a tree those are counted, not listed one by one.
			isSkip := strings.HasPrefix(snap.Notice, "skipped")
			notice, isRename := fullPathNotice(snap)
			if notice != "" && !(isSkip && j.plan.tree) {
				fmt.Fprintf(j.stderr, "%s: %s\n", displayName(snap), display.Escape(notice))
			}
			if isSkip {
				skipped++
				continue
			}
			if isRename {
				renamed++
			}
			done++
			bytes += max(snap.Size, 0)
		default:
			failed = append(failed, snap)
		}
	}
	for _, snap := range failed {
		cause := snap.Err
		if snap.ErrInfo != nil {
			cause = snap.ErrInfo.String()
		}
		if cause == "" {
			cause = string(snap.State)
		}
		if snap.State == transfer.StatePaused {
			cause = "paused: " + cause
		}
		if transfer.CheckpointNotWritten(snap.Err) {
			cause = fmt.Sprintf("no checkpoint could be written in %s (%s)", filepath.Dir(snap.CheckpointPath), cause)
		}
		j.errorf("%s: %s", displayName(snap), cause)
		if hint := j.prefixHint(snap); hint != "" {
			fmt.Fprintln(j.stderr, hint)
		}
	}
	elapsed := time.Since(j.started)
	verb := "downloaded"
	if j.plan.spec.Direction == transfer.Upload {
		verb = "uploaded"
	}
	if len(failed) > 0 {
		fmt.Fprintf(j.stderr, "%s %d of %d; %d failed\n", verb, done, len(results), len(failed))
		j.resumeHint(failed)
		return ExitFailure
	}
	if j.skipped {
		fmt.Fprintf(j.stderr, "%s %d; some entries were left out (see above)\n", verb, done)
		return ExitFailure
	}
	what := j.plan.target
	if !j.plan.tree && len(results) == 1 && j.plan.spec.Direction == transfer.Download {
		// The engine's final path: a rename (or a destination that
		// appeared meanwhile) moves it away from the planned one.
		what = results[0].LocalPath
	}
	if j.plan.tree || done != 1 {
		what = fmt.Sprintf("%d files to %s", done, j.plan.target)
	}
	if skipped > 0 && done == 0 {
		fmt.Fprintf(j.stderr, "nothing %s: all %d destinations exist (skipped)\n", verb, skipped)
		return ExitOK
	}
	if skipped > 0 {
		what += fmt.Sprintf(", skipped %d that existed", skipped)
	}
	if renamed > 0 && j.plan.tree {
		what += fmt.Sprintf(", renamed %d whose destination existed", renamed)
	}
	// No average rate: after a resume the bytes were not all moved by this
	// run, and the engine does not say how many were.
	fmt.Fprintf(j.stderr, "%s %s (%s in %s)\n", verb, display.Escape(what), units.FormatSize(bytes), elapsed.Round(100*time.Millisecond))
	return ExitOK
}

// doneBytes is what our transfers have moved so far.
func (j *job) doneBytes() int64 {
	var done int64
	for _, id := range j.ids {
		if snap, ok := j.eng.Get(id); ok {
			done += snap.Done
		}
	}
	return done
}

// reportInterrupted says what was kept and how to go on.
func (j *job) reportInterrupted(doneBytes int64) {
	command := "ossq " + j.cmd + " " + shellQuote(j.args)
	if j.plan.spec.NoCheckpoint {
		fmt.Fprintf(j.stderr, "ossq %s: stopped; no checkpoint was kept (--no-checkpoint), so running it again starts over:\n  %s\n", j.cmd, command)
		return
	}
	fmt.Fprintf(j.stderr, "ossq %s: stopped after %s; progress is saved. Run the same command to resume:\n  %s\n", j.cmd, units.FormatSize(doneBytes), command)
}

// fullPathNotice is snap's notice, with a download's "saved as NAME" (the
// engine names only the file) widened to the full path written, so that in
// a tree the user can tell which folder holds it. renamed reports whether
// the download went to another name than the one planned.
func fullPathNotice(snap transfer.TransferSnapshot) (notice string, renamed bool) {
	const savedAs = "saved as "
	if snap.Direction != transfer.Download || !strings.HasPrefix(snap.Notice, savedAs) {
		return snap.Notice, false
	}
	rest, ok := strings.CutPrefix(snap.Notice, savedAs+filepath.Base(snap.LocalPath))
	if !ok {
		return snap.Notice, true
	}
	return savedAs + snap.LocalPath + rest, true
}

// displayName names a transfer for a message line, escaped for the terminal.
func displayName(snap transfer.TransferSnapshot) string {
	if snap.Direction == transfer.Upload {
		return display.Escape(snap.LocalPath + " -> " + ossname.URL{Bucket: snap.Bucket, Key: snap.Key}.String())
	}
	return display.Escape(ossname.URL{Bucket: snap.Bucket, Key: snap.Key}.String())
}

// prefixHint helps with the most common NoSuchKey: naming a "folder"
// without its trailing slash.
func (j *job) prefixHint(snap transfer.TransferSnapshot) string {
	if j.plan.tree || snap.Direction != transfer.Download || snap.ErrInfo == nil || snap.ErrInfo.Code != transfer.CodeNoSuchKey {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	page, err := j.eng.Store().ListObjects(ctx, snap.Bucket, snap.Key+"/", "", "", 1)
	if err != nil || len(page.Objects) == 0 {
		return ""
	}
	folder := ossname.URL{Bucket: snap.Bucket, Key: snap.Key + "/"}
	return fmt.Sprintf("hint: %s is a folder; add the trailing slash to download everything under it:\n  ossq get %s", display.Escape(folder.String()), shellQuote([]string{folder.String()}))
}
