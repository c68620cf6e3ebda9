package transfer

// The read side: snapshots of plain values, lifecycle events, Wait, and the
// version bump that tells front ends something changed.

import (
	"context"
	"fmt"
	"time"
)

// Snapshot copies the whole queue as plain values under a short lock.
func (e *Engine) Snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := Snapshot{Transfers: make([]TransferSnapshot, 0, len(e.order)), BandwidthLimit: e.bwLimit, Version: e.version}
	for _, t := range e.order {
		if t.plan {
			continue // a prompt's preview, not a queued job
		}
		ts := e.snapLocked(t, true)
		s.Speed += ts.Speed
		if ts.State.Active() {
			s.Active++
		}
		if ts.State == StateQueued {
			s.Queued++
		}
		s.Transfers = append(s.Transfers, ts)
	}
	return s
}

// Get returns one transfer's snapshot.
func (e *Engine) Get(id ID) (TransferSnapshot, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.byID[id]
	if t == nil {
		return TransferSnapshot{}, false
	}
	return e.snapLocked(t, true), true
}

func (e *Engine) snapLocked(t *transfer, withParts bool) TransferSnapshot {
	ts := TransferSnapshot{
		ID: t.id, Direction: t.spec.Direction, Bucket: t.spec.Bucket, Key: t.spec.Key, LocalPath: t.spec.LocalPath,
		State: t.state, Size: t.size, Retries: t.retries, Parallel: t.parallel, PartSize: t.partSize,
		Err: t.err, ErrInfo: t.errInfo, Notice: t.notice, CheckpointPath: t.cpPath, Added: t.added, Finished: t.finished,
		Profile: t.spec.Profile,
	}
	if t.errInfo != nil {
		info := *t.errInfo
		ts.ErrInfo = &info
	}
	ts.Done = t.doneBytes()
	if t.tree != nil {
		ts.Size = t.tree.meta.BytesTotal
	}
	if t.running {
		ts.Speed = t.speed.get()
		ts.ETA = ETA(t.size, ts.Done, ts.Speed)
	}
	if t.tree == nil && t.state == StateDone && t.size >= 0 && t.notice != "skipped: destination exists" {
		ts.Done = t.size
	}
	if withParts && !t.single && t.parts != nil {
		ts.Parts = make([]PartSnapshot, len(t.parts))
		for i, p := range t.parts {
			ts.Parts[i] = PartSnapshot{Number: p.number, Offset: p.off, Size: p.size, Done: p.done.Load(), State: p.getState()}
		}
	}
	return ts
}

// Events delivers lifecycle events; never dropped (buffered without bound
// internally), closed by Close once the remaining events are delivered.
func (e *Engine) Events() <-chan Event { return e.events.out }

// Wait blocks until transfer id reaches a finished or paused state, or ctx
// ends. The error is non-nil only for an unknown ID or an ended ctx; a
// failed transfer is reported through the snapshot's State and Err.
func (e *Engine) Wait(ctx context.Context, id ID) (TransferSnapshot, error) {
	for {
		e.mu.Lock()
		t := e.byID[id]
		if t == nil {
			e.mu.Unlock()
			return TransferSnapshot{}, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		if !t.running && (t.state.Finished() || t.state == StatePaused) {
			ts := e.snapLocked(t, true)
			e.mu.Unlock()
			return ts, nil
		}
		ch := e.changed
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			ts, _ := e.Get(id)
			return ts, ctx.Err()
		}
	}
}

// changedLocked bumps the snapshot version, wakes waiters and asks for the
// queue to be saved.
func (e *Engine) changedLocked() {
	e.version++
	close(e.changed)
	e.changed = make(chan struct{})
	select {
	case e.persistReq <- struct{}{}:
	default:
	}
}

func (e *Engine) emitLocked(kind EventKind, t *transfer, msg string) {
	if t.plan {
		return // a preview is read through its window, never logged
	}
	e.publish(Event{Kind: kind, ID: t.id, Message: msg, Time: time.Now()}, jobSubject(t))
}

func (e *Engine) noticef(t *transfer, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	e.mu.Lock()
	t.notice = msg
	e.emitLocked(EventNotice, t, msg)
	e.changedLocked()
	e.mu.Unlock()
	e.log.Info("transfer notice", "id", t.id, "notice", msg)
}
