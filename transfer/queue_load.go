package transfer

import (
	"cmp"
	"fmt"
	"os"
	"ossq/internal/ossname"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// restoreQueue imports a first-release queue.json once, then loads every
// job from the store. Entries that cannot be used are reported as notices
// (on screen) and in the log, never dropped silently.
func (e *Engine) restoreQueue(jsonPath string) {
	if _, err := os.Stat(jsonPath); err == nil {
		n, err := e.db.importQueueFile(jsonPath)
		if err != nil {
			aside := jsonPath + ".corrupt-" + time.Now().UTC().Format("20060102T150405")
			os.Rename(jsonPath, aside)
			e.log.Warn("queue file unreadable; moved aside", "err", err, "moved_to", aside)
			e.pushNotice(fmt.Sprintf("queue file unreadable, not imported (kept as %s): %v", aside, err))
		} else {
			e.log.Info("imported the queue of an earlier release", "jobs", n, "from", jsonPath)
		}
	}
	recs, problems := e.db.loadJobs()
	for _, p := range problems {
		e.log.Warn("unusable queue entry", "err", p)
		e.pushNotice(p.Error())
	}
	for _, r := range recs {
		if r.Tree != nil && r.Spec.DryRun {
			// A plan belonged to a prompt of the last process: nobody
			// shows it now. Its record and items go with the next write.
			e.removed = append(e.removed, r.ID)
			continue
		}
		if r.Tree != nil {
			e.restoreTree(r)
		} else {
			e.restoreRecord(r)
		}
	}
	// The store keeps jobs by ID; their place is pos (an imported queue.json
	// has none: its order is the file's, which loadJobs does not keep, so
	// those fall back to when they were added).
	slices.SortStableFunc(e.order, func(a, b *transfer) int {
		if c := cmp.Compare(a.pos, b.pos); c != 0 {
			return c
		}
		return a.added.Compare(b.added)
	})
	for i, t := range e.order {
		if t.pos == 0 {
			t.pos = float64(i + 1)
		}
	}
}

// restoreAppendLocked adds a job read from the store with its stored place
// (the queue is sorted by place once all are read).
func (e *Engine) restoreAppendLocked(t *transfer, pos float64) {
	t.queued = true
	e.counts[t.state]++
	t.pos = pos
	e.order = append(e.order, t)
	e.byID[t.id] = t
}

// setStateLocked is the one place a job's state changes: the engine-wide
// counts follow it (a tree item's own transfer is not in the queue and is
// not counted).
func (e *Engine) setStateLocked(t *transfer, st State) {
	if t.queued && !t.plan {
		e.counts[t.state]--
		e.counts[st]++
	}
	t.state = st
}

// appendLocked adds t at the end of the queue.
func (e *Engine) appendLocked(t *transfer) {
	t.queued = true
	if !t.plan {
		e.counts[t.state]++
	}
	t.pos = 1
	if n := len(e.order); n > 0 {
		t.pos = e.order[n-1].pos + 1
	}
	e.order = append(e.order, t)
	e.byID[t.id] = t
}

// placeLocked gives the job at index i a position between its neighbours,
// so a move rewrites one record, not the queue (renumbering all only when
// floating point runs out of room between two).
func (e *Engine) placeLocked(i int) {
	lo, hi := 0.0, 0.0
	if i > 0 {
		lo = e.order[i-1].pos
	}
	if i+1 < len(e.order) {
		hi = e.order[i+1].pos
	} else {
		hi = lo + 2
	}
	if i == 0 {
		lo = hi - 2
	}
	if mid := (lo + hi) / 2; mid > lo && mid < hi {
		e.order[i].pos = mid
		return
	}
	for j, t := range e.order {
		t.pos = float64(j + 1)
	}
}

func (e *Engine) pushNotice(msg string) {
	e.publish(Event{Kind: EventNotice, Message: msg, Time: time.Now()}, "")
}

// restoreTree rebuilds a tree job from its record and its progress bucket.
func (e *Engine) restoreTree(r queueRecord) {
	var m treeMeta
	err := e.db.db.View(func(tx *bolt.Tx) error {
		var err error
		m, err = readMeta(tx, r.ID)
		return err
	})
	if err != nil {
		e.log.Warn("dropping unusable folder job", "id", r.ID, "err", err)
		e.pushNotice(fmt.Sprintf("folder job %s could not be restored: %v", r.ID, err))
		return
	}
	t := &transfer{id: r.ID, spec: r.Spec, size: r.Size, sizeHint: -1, added: r.Added, finished: r.Finished,
		err: r.Err, errInfo: r.ErrInfo, notice: r.Notice, retries: r.Retries}
	t.parallel = min(cmpOr(r.Parallel, e.opts.Parallel), ossname.MaxParallel)
	t.partSize = cmpOr(r.Spec.PartSize, e.opts.PartSize)
	t.lockPath = targetLockPath(e.opts.CheckpointDir, r.Spec)
	fp := r.Tree.FileParallel
	if fp < 1 || fp > MaxFileParallel {
		fp = e.opts.FileParallel
	}
	t.tree = &treeState{store: e.db, root: r.Spec.LocalPath, prefix: r.Spec.Key, meta: m, fileParallel: fp,
		started: r.Tree.Started, elapsed: r.Tree.Elapsed, active: map[uint64]*activeItem{}, hints: map[ItemState]windowHint{}}
	e.setStateLocked(t, restoredState(r.State, e.opts.ResumeOnStart))
	e.restoreAppendLocked(t, r.Pos)
}

// restoredState is what a job's state becomes when a new process loads it.
func restoredState(st State, resume bool) State {
	switch {
	case st.Active():
		// It was running (or waiting) when the last process stopped.
		if resume {
			return StateQueued
		}
		return StatePaused
	case st == StatePaused, st.Finished():
		return st
	}
	return StatePaused
}

// forgetLocked drops a job from the queue and the store.
func (e *Engine) forgetLocked(t *transfer) {
	if t.queued {
		if !t.plan {
			e.counts[t.state]--
		}
		t.queued = false
	}
	delete(e.byID, t.id)
	delete(e.saved, t.id)
	if t.tree == nil || !t.tree.ownStore {
		e.removed = append(e.removed, t.id)
	}
}

// removeLocked drops a finished job from the queue.
func (e *Engine) removeLocked(t *transfer) {
	for i, o := range e.order {
		if o == t {
			e.order = append(e.order[:i], e.order[i+1:]...)
			break
		}
	}
	e.forgetLocked(t)
}

// ClearFinished removes every done or canceled job in one operation and
// returns how many went. A tree of a million items goes with its bucket.
func (e *Engine) ClearFinished() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	kept := e.order[:0]
	n := 0
	for _, t := range e.order {
		if (t.state == StateDone || t.state == StateCanceled) && !t.running && !t.plan {
			e.forgetLocked(t)
			e.emitLocked(EventRemoved, t, "")
			n++
			continue
		}
		kept = append(kept, t)
	}
	clear(e.order[len(kept):])
	e.order = kept
	if n > 0 {
		e.changedLocked()
	}
	return n
}

// closeTreeStores closes the stores of the CLI's tree jobs; a job that
// finished with nothing failed needs its store no more.
func (e *Engine) closeTreeStores() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.order {
		ts := t.tree
		if ts == nil || !ts.ownStore || ts.store == nil {
			continue
		}
		path := ts.store.path
		ts.closeStore()
		if t.state == StateDone && ts.meta.Failed == 0 {
			os.Remove(path)
		}
	}
}
