package cli

import (
	"fmt"
	"time"

	"ossq/internal/config"
	"ossq/internal/display"
	"ossq/transfer"
)

// maxItemsListed bounds how many skipped or failed items a report names
// one by one; the rest are counted.
const maxItemsListed = 200

// reportTree prints a folder job's outcome: every skipped and failed item
// with its reason (up to maxItemsListed of each), the totals, and the exit
// code: 0 when every item is done, 1 when any was skipped or failed.
func (j *job) reportTree(snap transfer.TransferSnapshot) int {
	var js transfer.JobSnapshot
	for _, x := range j.eng.Window(transfer.WindowRequest{Limit: 1000}).Jobs { // the CLI's engine holds this one job
		if x.ID == snap.ID {
			js = x
		}
	}
	askedExists := false
	for _, st := range []transfer.ItemState{transfer.ItemSkipped, transfer.ItemFailed} {
		items := j.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: snap.ID, State: st, Limit: maxItemsListed}})
		for _, it := range items.Items {
			cause := it.Reason
			askedExists = askedExists || cause == transfer.ReasonDestinationExists
			if it.ErrInfo != nil && it.ErrInfo.Code != "" {
				cause = describeInfo(it.ErrInfo)
			}
			j.errorf("%s: %s: %s", ossURL{Bucket: snap.Bucket, Key: it.Key}, st, cause)
		}
		if n := items.ItemsTotal - int64(len(items.Items)); n > 0 {
			j.errorf("… and %d more %s", n, st)
		}
	}
	c := js.Items
	if c.Renamed > 0 {
		j.listRenamed(snap, c.Renamed)
	}
	verb := "downloaded"
	if snap.Direction == transfer.Upload {
		verb = "uploaded"
	}
	elapsed := time.Since(j.started).Round(100 * time.Millisecond)
	if c.Filtered > 0 {
		fmt.Fprintf(j.stderr, "filters: %d filtered out (%s)\n", c.Filtered, config.FormatSize(js.FilteredBytes))
	}
	if c.Total == 0 && c.Filtered > 0 && snap.State == transfer.StateDone {
		what := "download: the filters left out every object"
		if snap.Direction == transfer.Upload {
			what = "upload: the filters left out every file"
		}
		fmt.Fprintf(j.stderr, "nothing to %s under %s\n", what, display.Escape(j.plan.source))
		return ExitOK
	}
	if c.Total == 0 && snap.State == transfer.StateDone {
		if snap.Direction == transfer.Download {
			j.errorf("no objects under %s", j.plan.source)
		} else {
			j.errorf("no files under %s", j.plan.source)
		}
		return ExitFailure
	}
	what := fmt.Sprintf("%d files to %s", c.Done, j.plan.target)
	if c.Done != c.Total {
		what = fmt.Sprintf("%d of %d files to %s", c.Done, c.Total, j.plan.target)
	}
	if c.Renamed > 0 {
		what += fmt.Sprintf(", renamed %d whose destination existed", c.Renamed)
	}
	line := fmt.Sprintf("%s %s (%s in %s)", verb, what, config.FormatSize(js.Done), elapsed)
	if c.Skipped > 0 {
		line += fmt.Sprintf("; %d skipped", c.Skipped)
	}
	if c.Failed > 0 {
		line += fmt.Sprintf("; %d failed", c.Failed)
	}
	fmt.Fprintln(j.stderr, line)
	if askedExists {
		fmt.Fprintln(j.stderr, "hint: some destinations exist; choose --on-exists overwrite, skip or rename")
	}
	switch {
	case snap.State == transfer.StateDone && c.Skipped == 0 && c.Failed == 0:
		return ExitOK
	case snap.State == transfer.StatePaused:
		j.errorf("paused: %s", snap.Err)
		fmt.Fprintf(j.stderr, "progress is saved; once the cause is fixed, run the same command to resume:\n  ossq %s %s\n", j.cmd, shellQuote(j.args))
	case snap.State == transfer.StateFailed && c.Failed == 0:
		j.errorf("%s", snap.Err)
		fmt.Fprintf(j.stderr, "run the same command again to resume:\n  ossq %s %s\n", j.cmd, shellQuote(j.args))
	case c.Failed > 0:
		fmt.Fprintf(j.stderr, "run the same command again to retry the failed items (done ones are not fetched again):\n  ossq %s %s\n", j.cmd, shellQuote(j.args))
	}
	return ExitFailure
}

// listRenamed names each file saved under a free name by its full path.
// It reads the done items once (a renamed one is found only among them).
func (j *job) listRenamed(snap transfer.TransferSnapshot, want int64) {
	var found int64
	for off := 0; found < want && off < 10_000_000; {
		w := j.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: snap.ID, State: transfer.ItemDone, Offset: off, Limit: 1000}})
		if len(w.Items) == 0 {
			return
		}
		off += len(w.Items)
		for _, it := range w.Items {
			if it.Reason == "" {
				continue
			}
			found++
			fmt.Fprintf(j.stderr, "%s: saved as %s (destination existed)\n", ossURL{Bucket: snap.Bucket, Key: it.Key}, it.LocalPath)
		}
	}
}
