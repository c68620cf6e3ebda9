package cli

import (
	"fmt"
	"time"

	"ossq/internal/config"
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
	for _, st := range []transfer.ItemState{transfer.ItemSkipped, transfer.ItemFailed} {
		items := j.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: snap.ID, State: st, Limit: maxItemsListed}})
		for _, it := range items.Items {
			cause := it.Reason
			if it.ErrInfo != nil && it.ErrInfo.Code != "" {
				cause = describeInfo(it.ErrInfo)
			}
			j.errorf("%s: %s: %s", ossURL{Bucket: snap.Bucket, Key: it.Key}, st, cause)
		}
		if n := items.ItemsTotal - int64(len(items.Items)); n > 0 {
			j.errorf("… and %d more %s", n, st)
		}
	}
	verb := "downloaded"
	if snap.Direction == transfer.Upload {
		verb = "uploaded"
	}
	c := js.Items
	elapsed := time.Since(j.started).Round(100 * time.Millisecond)
	line := fmt.Sprintf("%s %d of %d files to %s (%s in %s)", verb, c.Done, c.Total, j.plan.target, config.FormatSize(js.Done), elapsed)
	if c.Skipped > 0 {
		line += fmt.Sprintf("; %d skipped", c.Skipped)
	}
	if c.Failed > 0 {
		line += fmt.Sprintf("; %d failed", c.Failed)
	}
	fmt.Fprintln(j.stderr, line)
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
