package transfer

import (
	"fmt"
	"os"
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
		if r.Tree != nil {
			e.restoreTree(r)
		} else {
			e.restoreRecord(r)
		}
	}
}

func (e *Engine) pushNotice(msg string) {
	e.events.push(Event{Kind: EventNotice, Message: msg, Time: time.Now()})
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
	t.parallel = min(cmpOr(r.Parallel, e.opts.Parallel), maxParallel)
	t.partSize = cmpOr(r.Spec.PartSize, e.opts.PartSize)
	t.lockPath = lockPathIn(e.opts.CheckpointDir, r.Spec.Direction, r.Spec.Bucket, r.Spec.Key, r.Spec.LocalPath)
	fp := r.Tree.FileParallel
	if fp < 1 || fp > maxFileParallel {
		fp = e.opts.FileParallel
	}
	t.tree = &treeState{store: e.db, root: r.Spec.LocalPath, prefix: r.Spec.Key, meta: m, fileParallel: fp,
		started: r.Tree.Started, elapsed: r.Tree.Elapsed, active: map[uint64]*activeItem{}}
	t.state = restoredState(r.State, e.opts.ResumeOnStart)
	e.order = append(e.order, t)
	e.byID[t.id] = t
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
		if (t.state == StateDone || t.state == StateCanceled) && !t.running {
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
