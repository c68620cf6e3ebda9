package transfer

import (
	"cmp"
	"path/filepath"
	"slices"
)

// Window answers a WindowRequest under one short lock. Its cost is the rows
// asked plus the parts shown, not the size of the queue.
func (e *Engine) Window(req WindowRequest) Window {
	if req.Limit <= 0 {
		req.Limit = 100
	}
	req.Offset = max(req.Offset, 0)
	e.mu.Lock()
	w := e.jobsWindowLocked(req)
	var tree *transfer
	if req.Items != nil {
		if t := e.byID[req.Items.Job]; t != nil && t.tree != nil {
			tree = t
		}
	}
	e.mu.Unlock()
	if tree != nil {
		e.itemsWindow(tree, *req.Items, &w)
	}
	return w
}

func (e *Engine) jobsWindowLocked(req WindowRequest) Window {
	w := Window{BandwidthLimit: e.bwLimit, Version: e.version, Totals: e.totalsLocked()}
	parts := make(map[ID]bool, len(req.PartsFor))
	for _, id := range req.PartsFor {
		parts[id] = true
	}
	for _, id := range req.Plans {
		if t := e.byID[id]; t != nil && t.plan {
			w.Plans = append(w.Plans, e.jobSnapLocked(t, false))
		}
	}
	for _, t := range e.order {
		if t.plan || !jobMatches(t, req.Filter) {
			continue
		}
		if w.JobsTotal >= req.Offset && len(w.Jobs) < req.Limit {
			w.Jobs = append(w.Jobs, e.jobSnapLocked(t, parts[t.id]))
		}
		w.JobsTotal++
	}
	return w
}

func (e *Engine) jobSnapLocked(t *transfer, withParts bool) JobSnapshot {
	js := JobSnapshot{TransferSnapshot: e.snapLocked(t, withParts), FileParallel: 1}
	if t.tree != nil {
		e.treeSnapLocked(t, &js)
	}
	return js
}

// itemsWindow reads the items asked for from the store (outside the engine
// lock) and lays the live progress of active items over them.
func (e *Engine) itemsWindow(t *transfer, req ItemsRequest, w *Window) {
	limit := req.Limit
	if limit <= 0 {
		limit = 100
	}
	var items []treeItem
	var err error
	e.mu.Lock()
	counts := t.tree.meta.counts()
	var live []*activeItem
	if req.State == ItemActive {
		for _, a := range t.tree.active {
			live = append(live, a)
		}
	}
	e.mu.Unlock()
	if req.State == ItemActive {
		slices.SortFunc(live, func(a, b *activeItem) int { return cmp.Compare(a.it.seq, b.it.seq) })
		w.ItemsTotal = int64(len(live))
		for _, a := range live[min(max(req.Offset, 0), len(live)):] {
			if len(items) == limit {
				break
			}
			if a.it.seq > req.AfterSeq {
				items = append(items, a.it)
			}
		}
	} else {
		e.mu.Lock()
		version := t.tree.meta.Version
		hint := t.tree.hints[req.State]
		e.mu.Unlock()
		switch {
		case req.AfterSeq > 0 && req.State != "":
			items, err = t.tree.store.stateAfter(t.id, req.State, req.AfterSeq, limit)
		case req.AfterSeq > 0:
			items, err = t.tree.store.itemsWindow(t.id, "", int(min(req.AfterSeq, 1<<62)), limit, nil, version)
		default:
			items, err = t.tree.store.itemsWindow(t.id, req.State, max(req.Offset, 0), limit, &hint, version)
		}
		e.mu.Lock()
		t.tree.hints[req.State] = hint
		e.mu.Unlock()
		if err != nil {
			e.log.Warn("reading items failed", "job", t.id, "err", err)
		}
		w.ItemsTotal = counts.Of(req.State)
		if req.State == ItemPending {
			w.ItemsTotal = counts.Pending
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, it := range items {
		is := ItemSnapshot{Job: t.id, Seq: it.seq, Key: it.key, Size: it.size, State: it.state, Reason: it.reason}
		if it.rel != "" {
			is.LocalPath = filepath.Join(t.tree.root, filepath.FromSlash(it.rel))
		}
		if it.errInfo != nil {
			info := *it.errInfo
			is.ErrInfo = &info
		}
		if it.state == ItemDone {
			is.Done = it.size
		}
		// The store's ended state wins: an item is committed before it
		// leaves the active set, and a window read between the two must
		// not report a finished item as still running.
		if a := t.tree.active[it.seq]; a != nil && it.state == ItemPending {
			is.State = ItemActive
			if a.sub != nil {
				is.Done = a.sub.doneBytes()
				if req.Detail == it.seq {
					is.Parts = e.snapLocked(a.sub, true).Parts
				}
			} else {
				is.Done = a.done.Load()
			}
		}
		w.Items = append(w.Items, is)
	}
}

func jobMatches(t *transfer, f JobFilter) bool {
	if t.tree != nil {
		c := t.tree.meta
		switch {
		case f == FilterFailed && c.Failed > 0, f == FilterSkipped && c.Skipped > 0:
			return true
		}
	}
	switch f {
	case FilterAll:
		return true
	case FilterActive:
		return t.state.Active()
	case FilterPaused:
		return t.state == StatePaused
	case FilterFailed:
		return t.state == StateFailed
	case FilterDone:
		return t.state == StateDone
	case FilterSkipped:
		return false
	}
	return true
}

func (e *Engine) totalsLocked() Totals {
	c := e.counts
	return Totals{Running: c[StateRunning] + c[StateRetrying] + c[StateVerifying], Queued: c[StateQueued],
		Paused: c[StatePaused], Failed: c[StateFailed], Done: c[StateDone], Canceled: c[StateCanceled], Speed: e.speed}
}
