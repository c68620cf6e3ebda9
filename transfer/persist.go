package transfer

// Background loops: the tick that samples speeds, and the persister that
// writes changed job records to the store in batches.

import (
	"encoding/json"
	"fmt"
	"time"
)

// tickLoop samples speeds and bumps the snapshot version while bytes move.
func (e *Engine) tickLoop() {
	defer e.bgWG.Done()
	tk := time.NewTicker(tickInterval)
	defer tk.Stop()
	for {
		select {
		case <-e.bgDone:
			return
		case now := <-tk.C:
			e.mu.Lock()
			moved := false
			e.speed = 0
			for t := range e.runningJobs {
				if t.plan {
					continue // a preview's would-be bytes are no speed
				}
				d := t.doneBytes()
				e.speed += t.speed.sample(now, d)
				if d != t.lastDone {
					t.lastDone = d
					moved = true
				}
			}
			if moved {
				e.version++
			}
			e.mu.Unlock()
		}
	}
}

// persistLoop saves the queue after changes, at most every 200 ms, so a
// burst of Adds costs one write.
func (e *Engine) persistLoop() {
	defer e.bgWG.Done()
	for {
		select {
		case <-e.bgDone:
			return
		case <-e.persistReq:
			if err := e.persistNow(); err != nil {
				e.log.Error("saving the queue failed", "err", err)
			}
			select {
			case <-time.After(200 * time.Millisecond):
			case <-e.bgDone:
				return
			}
		}
	}
}

func (e *Engine) persistNow() error {
	e.mu.Lock()
	type write struct {
		store *jobStore
		rec   queueRecord
	}
	var writes []write
	for _, t := range e.order {
		store := e.db
		if t.tree != nil {
			store = t.tree.store
		}
		if store == nil {
			continue
		}
		rec := e.recordLocked(t)
		data, _ := json.Marshal(rec)
		if e.saved[t.id] == string(data) {
			continue
		}
		e.saved[t.id] = string(data)
		writes = append(writes, write{store, rec})
	}
	removed := e.removed
	e.removed = nil
	e.mu.Unlock()
	byStore := map[*jobStore][]queueRecord{}
	for _, w := range writes {
		byStore[w.store] = append(byStore[w.store], w.rec)
	}
	if e.db != nil && len(removed) > 0 && byStore[e.db] == nil {
		byStore[e.db] = nil
	}
	var firstErr error
	for store, recs := range byStore {
		var gone []ID
		if store == e.db {
			gone = removed
		}
		if err := store.putJobs(recs, gone); err != nil {
			e.mu.Lock()
			for _, r := range recs {
				delete(e.saved, r.ID) // written again next time
			}
			e.removed = append(e.removed, gone...)
			e.mu.Unlock()
			if firstErr == nil {
				firstErr = fmt.Errorf("save queue: %w", err)
			}
		}
	}
	return firstErr
}

// recordLocked is a job as persisted: its spec and display state, never a
// credential. A tree's progress lives in its own bucket (treeMeta).
func (e *Engine) recordLocked(t *transfer) queueRecord {
	st := t.state
	if t.resumeOnOpen || t.running {
		st = StateRunning
	}
	r := queueRecord{ID: t.id, Spec: t.spec, State: st, Err: t.err, ErrInfo: t.errInfo, Notice: t.notice,
		Size: t.size, Done: t.doneBytes(), Retries: t.retries, Parallel: t.parallel, Added: t.added, Finished: t.finished, Pos: t.pos}
	if ts := t.tree; ts != nil {
		r.Size = ts.meta.BytesTotal
		r.Tree = &treeRecord{FileParallel: ts.fileParallel, Started: ts.started, Elapsed: ts.elapsed}
	}
	return r
}
