package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

// The --json records of get, put and sync. Field names are a contract with
// scripts (README "JSON output of transfers"): add fields, never rename or
// remove one. Every field is always present, empty when it does not apply.
type (
	jsonItem struct {
		Type string `json:"type"` // "item"
		// Status: done, unchanged, skipped, failed; in a dry run
		// "transfer" stands for what would move.
		Status    string `json:"status"`
		Key       string `json:"key"`
		Path      string `json:"path"`
		Size      int64  `json:"size"`
		Reason    string `json:"reason"`
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	}
	jsonDelete struct {
		Type    string `json:"type"`   // "delete"
		Status  string `json:"status"` // deleted, failed; "delete" in a dry run
		Key     string `json:"key"`
		Path    string `json:"path"`
		Size    int64  `json:"size"`
		Message string `json:"message"`
	}
	jsonSummary struct {
		Type           string  `json:"type"` // "summary"
		Command        string  `json:"command"`
		Direction      string  `json:"direction"`
		Source         string  `json:"source"`
		Target         string  `json:"target"`
		DryRun         bool    `json:"dry_run"`
		Compare        string  `json:"compare"`
		State          string  `json:"state"`
		ExitCode       int     `json:"exit_code"`
		Items          int64   `json:"items"`
		Done           int64   `json:"done"`
		DoneBytes      int64   `json:"done_bytes"`
		Unchanged      int64   `json:"unchanged"`
		UnchangedBytes int64   `json:"unchanged_bytes"`
		Skipped        int64   `json:"skipped"`
		Failed         int64   `json:"failed"`
		Filtered       int64   `json:"filtered"`
		FilteredBytes  int64   `json:"filtered_bytes"`
		ToDelete       int64   `json:"to_delete"`
		ToDeleteBytes  int64   `json:"to_delete_bytes"`
		Deleted        int     `json:"deleted"`
		DeletedBytes   int64   `json:"deleted_bytes"`
		Elapsed        float64 `json:"elapsed_seconds"`
	}
	jsonUpload struct {
		Type      string `json:"type"` // "upload"
		Bucket    string `json:"bucket"`
		Key       string `json:"key"`
		UploadID  string `json:"upload_id"`
		Initiated string `json:"initiated"` // RFC 3339, UTC
		Parts     int    `json:"parts"`
		Bytes     int64  `json:"bytes"`
	}
)

// jsonOut writes a transfer's NDJSON; a zero jsonOut (no --json) writes
// nothing but still counts deletions for the summary line.
type jsonOut struct {
	w            *bufio.Writer
	enc          *json.Encoder
	dryRun       bool
	deleted      int
	deletedBytes int64
}

func newJSONOut(w io.Writer, on, dryRun bool) *jsonOut {
	o := &jsonOut{dryRun: dryRun}
	if on {
		o.w = bufio.NewWriter(w)
		o.enc = json.NewEncoder(o.w)
	}
	return o
}

func (o *jsonOut) emit(v any) {
	if o.enc != nil {
		o.enc.Encode(v)
	}
}

func (o *jsonOut) flush() {
	if o.w != nil {
		o.w.Flush()
	}
}

// itemStatus is an item's status word in events and in the -v plan.
func itemStatus(st transfer.ItemState, dryRun bool) string {
	if st == transfer.ItemDone && dryRun {
		return "transfer"
	}
	return string(st)
}

// itemEvent writes one finished item of a folder job.
func (o *jsonOut) itemEvent(it transfer.ItemSnapshot) {
	ev := jsonItem{Type: "item", Status: itemStatus(it.State, o.dryRun), Key: it.Key, Path: it.LocalPath, Size: it.Size, Reason: it.Reason}
	if info := it.ErrInfo; info != nil {
		ev.Code, ev.Message, ev.RequestID = info.Code, info.Message, info.RequestID
		if ev.Message == "" {
			ev.Message = info.Text
		}
	}
	o.emit(ev)
}

// forEachItem calls fn for every item in the given states.
func forEachItem(eng *transfer.Engine, id transfer.ID, states []transfer.ItemState, fn func(transfer.ItemSnapshot)) {
	for _, st := range states {
		for off := 0; off < 1<<31; {
			w := eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: id, State: st, Offset: off, Limit: 1000}})
			for _, it := range w.Items {
				fn(it)
			}
			off += len(w.Items)
			if len(w.Items) == 0 || int64(off) >= w.ItemsTotal {
				break
			}
		}
	}
}

// singleItems writes the event of each single-object transfer.
func (o *jsonOut) singleItems(results []transfer.TransferSnapshot) {
	for _, snap := range results {
		ev := jsonItem{Type: "item", Status: "done", Key: snap.Key, Path: snap.LocalPath, Size: max(snap.Size, 0), Reason: snap.Notice}
		if snap.State != transfer.StateDone {
			ev.Status, ev.Reason = "failed", snap.Err
			if info := snap.ErrInfo; info != nil {
				ev.Code, ev.Message, ev.RequestID = info.Code, info.Message, info.RequestID
			}
		}
		o.emit(ev)
	}
}

func (o *jsonOut) deleteEvent(x transfer.Extra, err error) {
	ev := jsonDelete{Type: "delete", Status: "deleted", Key: x.Key, Path: x.Path, Size: x.Size}
	if err != nil {
		ev.Status, ev.Message = "failed", describeError(err)
	}
	o.emit(ev)
}

// summary writes the last line: the job's figures and the exit code.
func (o *jsonOut) summary(j *job, js transfer.JobSnapshot, code int) {
	c := js.Items
	s := jsonSummary{Type: "summary", Command: j.cmd, Direction: string(j.plan.spec.Direction), Source: j.plan.source,
		Target: j.plan.target, DryRun: j.plan.spec.DryRun, Compare: j.plan.spec.Compare, State: string(js.State), ExitCode: code,
		Items: c.Total, Done: c.Done, DoneBytes: js.Done, Unchanged: c.Unchanged, UnchangedBytes: js.UnchangedBytes,
		Skipped: c.Skipped, Failed: c.Failed, Filtered: c.Filtered, FilteredBytes: js.FilteredBytes,
		Deleted: o.deleted, DeletedBytes: o.deletedBytes, Elapsed: time.Since(j.started).Seconds()}
	if j.plan.spec.Mirror {
		s.ToDelete, s.ToDeleteBytes = js.Extras, js.ExtrasBytes
	}
	o.emit(s)
}

// reportPlan prints a dry run's plan on stdout: per action the count and
// bytes, and with -v each item first.
func (j *job) reportPlan(js transfer.JobSnapshot) int {
	out := bufio.NewWriter(j.stdout)
	defer out.Flush()
	c := js.Items
	if j.planFlags.verbose && !j.planFlags.asJSON {
		forEachItem(j.eng, js.ID, []transfer.ItemState{transfer.ItemDone, transfer.ItemUnchanged, transfer.ItemSkipped, transfer.ItemFailed},
			func(it transfer.ItemSnapshot) {
				line := fmt.Sprintf("%-9s %s  %s", itemStatus(it.State, true), display.Escape(itemName(j.plan, it)), units.FormatSize(it.Size))
				if it.Reason != "" && it.State != transfer.ItemDone {
					line += "  (" + display.Escape(it.Reason) + ")"
				}
				fmt.Fprintln(out, line)
			})
		if j.plan.spec.Mirror {
			j.eng.Extras(js.ID, func(x transfer.Extra) error {
				fmt.Fprintf(out, "%-9s %s  %s\n", "delete", display.Escape(extraName(x)), units.FormatSize(x.Size))
				return nil
			})
		}
	}
	if !j.planFlags.asJSON {
		fmt.Fprintf(out, "plan (dry run, nothing moved): %s -> %s\n", display.Escape(j.plan.source), display.Escape(j.plan.target))
		row := func(action string, n, bytes int64) {
			fmt.Fprintf(out, "  %-18s %8d  %s\n", action, n, units.FormatSize(bytes))
		}
		row("transfer", c.Done, js.Done)
		row("skip as unchanged", c.Unchanged, js.UnchangedBytes)
		row("skip as filtered", c.Filtered, js.FilteredBytes)
		if c.Skipped > 0 {
			fmt.Fprintf(out, "  %-18s %8d  (reasons with -v)\n", "skip", c.Skipped)
		}
		if c.Failed > 0 {
			fmt.Fprintf(out, "  %-18s %8d  (reasons above)\n", "cannot decide", c.Failed)
		}
		if j.plan.spec.Mirror {
			row("delete", js.Extras, js.ExtrasBytes)
		}
	}
	if js.State != transfer.StateDone || c.Failed > 0 {
		if js.Err != "" {
			j.errorf("%s", js.Err)
		}
		return ExitFailure
	}
	return ExitOK
}

// itemName is what a plan line names: the destination of the item.
func itemName(p plan, it transfer.ItemSnapshot) string {
	if p.spec.Direction == transfer.Upload {
		return ossname.URL{Bucket: p.spec.Bucket, Key: it.Key}.String()
	}
	return it.LocalPath
}
