package cli

import (
	"context"
	"fmt"
	"time"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

// maxItemsListed bounds how many skipped or failed items a report names
// one by one; the rest are counted.
const maxItemsListed = 200

// reportTree prints a folder job's outcome: every skipped and failed item
// with its reason (up to maxItemsListed of each), the totals, and the exit
// code: 0 when every item is done, 1 when any was skipped or failed.
func (j *job) reportTree(snap transfer.TransferSnapshot) int {
	js := j.treeSnapshot()
	askedExists := false
	for _, st := range []transfer.ItemState{transfer.ItemSkipped, transfer.ItemFailed} {
		items := j.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: snap.ID, State: st, Limit: maxItemsListed}})
		for _, it := range items.Items {
			cause := it.Reason
			askedExists = askedExists || cause == transfer.ReasonDestinationExists
			if it.ErrInfo != nil {
				cause = it.ErrInfo.String()
			}
			j.errorf("%s: %s: %s", ossname.URL{Bucket: snap.Bucket, Key: it.Key}, st, cause)
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
		fmt.Fprintf(j.stderr, "filters: %d filtered out (%s)\n", c.Filtered, units.FormatSize(js.FilteredBytes))
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
	if c.Done != c.Total-c.Unchanged {
		what = fmt.Sprintf("%d of %d files to %s", c.Done, c.Total-c.Unchanged, j.plan.target)
	}
	if c.Renamed > 0 {
		what += fmt.Sprintf(", renamed %d whose destination existed", c.Renamed)
	}
	line := fmt.Sprintf("%s %s (%s in %s)", verb, what, units.FormatSize(js.Done), elapsed)
	if c.Unchanged > 0 {
		line += fmt.Sprintf("; %d unchanged (%s)", c.Unchanged, units.FormatSize(js.UnchangedBytes))
	}
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

// treeSnapshot is the folder job's snapshot (the CLI's engine holds this
// one job); zero before the job was added.
func (j *job) treeSnapshot() transfer.JobSnapshot {
	if len(j.ids) == 0 {
		return transfer.JobSnapshot{}
	}
	for _, x := range j.eng.Window(transfer.WindowRequest{Limit: 1000}).Jobs {
		if x.ID == j.ids[0] {
			return x
		}
	}
	return transfer.JobSnapshot{}
}

// finish writes the --json events, deletes what sync --delete found once
// every transfer succeeded, and writes the summary; it returns the exit code.
func (j *job) finish(ctx context.Context, code int) int {
	out := j.jsonOut()
	defer out.flush()
	if !j.plan.tree {
		out.singleItems(j.results)
		js := transfer.JobSnapshot{}
		for _, r := range j.results {
			js.State = r.State
			js.Items.Total++
			if r.State == transfer.StateDone {
				js.Items.Done++
				js.Done += max(r.Size, 0)
			} else {
				js.Items.Failed++
			}
		}
		out.summary(j, js, code)
		return code
	}
	js := j.treeSnapshot() // its items' events were written as they ended (itemStream)
	switch {
	case !j.plan.spec.Mirror || len(j.ids) == 0:
	case j.plan.spec.DryRun:
		j.eng.Extras(js.ID, func(x transfer.Extra) error {
			out.emit(jsonDelete{Type: "delete", Status: "delete", Key: x.Key, Path: x.Path, Size: x.Size})
			return nil
		})
	case code == ExitOK:
		code = j.deleteExtras(ctx, js, out)
	case js.Extras > 0:
		j.errorf("not deleting the %d items %s no longer has: not every transfer succeeded", js.Extras, j.plan.source)
	}
	out.summary(j, js, code)
	return code
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
			fmt.Fprintf(j.stderr, "%s: saved as %s (destination existed)\n", ossname.URL{Bucket: snap.Bucket, Key: it.Key}, it.LocalPath)
		}
	}
}
