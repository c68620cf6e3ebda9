package transfer

import "time"

// This file is the jobs half of the front-end contract (api.go has the
// rest). The queue holds jobs: a job is one object or file (a single job,
// run as one transfer with its parts) or a tree (a prefix downloaded into
// a folder, or a folder uploaded under a prefix) whose items live in the
// store, not in memory. Front ends ask for windows: a range of jobs, a
// range of one tree's items, the parts of the one item shown in detail.
// A window costs O(rows asked + parts shown), never O(queue).

// ItemState is one item's state inside a tree job.
type ItemState string

const (
	ItemPending ItemState = "pending"
	ItemActive  ItemState = "active"
	ItemDone    ItemState = "done"
	ItemSkipped ItemState = "skipped" // with the reason
	ItemFailed  ItemState = "failed"  // with the full ErrorInfo
	// ItemUnchanged: the destination already matches (Spec.Compare); a
	// success, not a skip.
	ItemUnchanged ItemState = "unchanged"
)

// ItemStates lists the item states in display order.
var ItemStates = []ItemState{ItemActive, ItemFailed, ItemSkipped, ItemPending, ItemDone, ItemUnchanged}

// ItemCounts are a tree job's item counts, kept incrementally.
type ItemCounts struct {
	Total, Pending, Active, Done, Skipped, Failed int64
	// Renamed counts done items saved under a free name (OnExists rename).
	Renamed int64
	// Filtered counts objects or files the job's filter left out; they are
	// not items.
	Filtered int64
	// Unchanged counts items whose destination already matched (Spec.Compare).
	Unchanged int64
}

// Of returns the count for one state.
func (c ItemCounts) Of(s ItemState) int64 {
	switch s {
	case ItemPending:
		return c.Pending
	case ItemActive:
		return c.Active
	case ItemDone:
		return c.Done
	case ItemSkipped:
		return c.Skipped
	case ItemFailed:
		return c.Failed
	case ItemUnchanged:
		return c.Unchanged
	}
	return c.Total
}

// JobSnapshot is one job as plain values. For a single job the embedded
// TransferSnapshot is its one transfer. For a tree, Key is the prefix,
// LocalPath the local folder, Size the bytes known so far (a lower bound
// while Listing), Done the bytes moved, and Parts is nil.
type JobSnapshot struct {
	TransferSnapshot
	Tree bool
	// Listing is true while the tree is still being expanded: Items.Total
	// and Size are then lower bounds ("≥ N so far").
	Listing      bool
	Items        ItemCounts
	FileParallel int
	// FilteredBytes is the size of what the filter left out.
	FilteredBytes int64
	// UnchangedBytes is the size of the unchanged items; Extras and
	// ExtrasBytes what the destination has that the source has not
	// (Spec.Mirror), for sync --delete.
	UnchangedBytes      int64
	Extras, ExtrasBytes int64
	Started             time.Time     // when it first ran; zero if never
	Elapsed             time.Duration // time spent running
}

// ItemSnapshot is one item of a tree job.
type ItemSnapshot struct {
	Job       ID
	Seq       uint64 // 1-based position in the job, stable
	Key       string
	LocalPath string
	Size      int64
	Done      int64
	State     ItemState
	Reason    string     // why skipped or failed, short
	ErrInfo   *ErrorInfo // full cause of a failure
	Parts     []PartSnapshot
}

// JobFilter selects jobs for a window; "" means all.
type JobFilter string

const (
	FilterAll     JobFilter = ""
	FilterActive  JobFilter = "active" // queued, running, retrying, verifying
	FilterPaused  JobFilter = "paused"
	FilterFailed  JobFilter = "failed" // failed, or a tree with failed items
	FilterSkipped JobFilter = "skipped"
	FilterDone    JobFilter = "done"
)

// ItemsRequest asks for a window of one tree job's items.
type ItemsRequest struct {
	Job    ID
	State  ItemState // "" = all
	Offset int
	Limit  int
	// Detail, when non-zero, is the Seq of an item whose parts to include.
	Detail uint64
	// AfterSeq, when non-zero, starts the window after the item of this
	// Seq instead of at Offset: one seek whatever the state, so a reader
	// that follows items as they end pays for what is new, not for what it
	// has seen.
	AfterSeq uint64
}

// WindowRequest asks for what a front end shows now.
type WindowRequest struct {
	Offset, Limit int // jobs window; Limit 0 means 100
	Filter        JobFilter
	// PartsFor names jobs in the window whose parts to include (the rows
	// that draw a part strip, the job in detail). Empty: none.
	PartsFor []ID
	Items    *ItemsRequest
	// Plans names plan jobs (dry-run trees in a queue: a prompt's preview,
	// see Spec.DryRun) to include in Window.Plans; jobs windows never list
	// them.
	Plans []ID
}

// Totals are engine-wide figures, kept incrementally.
type Totals struct {
	Running, Queued, Paused, Failed, Done, Canceled int
	Speed                                           float64 // bytes/s
}

// Window is the answer to a WindowRequest.
type Window struct {
	Jobs       []JobSnapshot
	JobsTotal  int // jobs matching the filter
	Items      []ItemSnapshot
	ItemsTotal int64 // items matching the item request's state
	Totals     Totals
	// BandwidthLimit is the engine-wide cap in bytes/s, 0 = none.
	BandwidthLimit int64
	// Version increases whenever anything in the engine changed.
	Version uint64
	// Plans are the plan jobs asked for that exist, in the order asked.
	Plans []JobSnapshot
}
