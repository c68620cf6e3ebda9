package transfer

// Commands front ends send: pause, resume, cancel, retry, remove, move,
// parallelism. Each takes the engine lock briefly and never does I/O.

import (
	"fmt"
	"ossq/internal/ossname"
	"time"
)

func (e *Engine) get(id ID) (*transfer, error) {
	t := e.byID[id]
	if t == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return t, nil
}

// Pause stops a running or queued transfer, keeping its parts for Resume.
func (e *Engine) Pause(id ID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.get(id)
	if err != nil {
		return err
	}
	return e.pauseLocked(t)
}

func (e *Engine) pauseLocked(t *transfer) error {
	switch {
	case t.running:
		if t.intent == intentNone || t.intent == intentRequeue {
			t.intent = intentPause
			t.cancel()
		}
	case t.state == StateQueued:
		e.setStateLocked(t, StatePaused)
		e.emitLocked(EventPaused, t, "")
		e.changedLocked()
	case t.state == StatePaused:
	default:
		return fmt.Errorf("%w: pause a %s transfer", ErrInvalidState, t.state)
	}
	return nil
}

// Resume queues a paused transfer again; it continues from its checkpoint.
func (e *Engine) Resume(id ID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.get(id)
	if err != nil {
		return err
	}
	e.resumeLocked(t)
	if t.state != StateQueued && t.intent != intentRequeue {
		return fmt.Errorf("%w: resume a %s transfer", ErrInvalidState, t.state)
	}
	e.changedLocked()
	e.scheduleLocked()
	return nil
}

// resumeLocked queues a paused transfer; one still winding down from a
// pause is queued again as soon as it has stopped.
func (e *Engine) resumeLocked(t *transfer) {
	switch {
	case t.running && t.intent == intentPause:
		t.intent = intentRequeue
	case !t.running && t.state == StatePaused:
		t.stopCredentialWait()
		e.setStateLocked(t, StateQueued)
	}
}

func (e *Engine) PauseAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.order {
		if t.state.Active() && !t.plan { // a prompt's plan is its own to end
			e.pauseLocked(t)
		}
	}
}

func (e *Engine) ResumeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.order {
		if !t.plan {
			e.resumeLocked(t)
		}
	}
	e.changedLocked()
	e.scheduleLocked()
}

// Cancel stops a transfer for good: aborts its multipart upload and deletes
// its temp file and checkpoint.
func (e *Engine) Cancel(id ID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.get(id)
	if err != nil {
		return err
	}
	switch {
	case t.running:
		t.intent = intentCancel
		t.cancel()
	case t.state == StateDone || t.state == StateCanceled:
		return fmt.Errorf("%w: cancel a %s transfer", ErrInvalidState, t.state)
	default:
		e.setFinalLocked(t, StateCanceled, nil)
		e.cleanupAsyncLocked(t)
	}
	return nil
}

// Retry queues a failed or canceled transfer again.
func (e *Engine) Retry(id ID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.get(id)
	if err != nil {
		return err
	}
	if t.state != StateFailed && t.state != StateCanceled {
		return fmt.Errorf("%w: retry a %s transfer", ErrInvalidState, t.state)
	}
	if t.tree != nil {
		e.mu.Unlock()
		err := e.retryFailedItems(t) // a transaction: never under the engine lock
		e.mu.Lock()
		if err != nil {
			return err
		}
		if t.state != StateFailed && t.state != StateCanceled {
			return nil // it changed meanwhile
		}
	}
	if o := e.busyWithLocked(t); o != nil {
		return fmt.Errorf("%w: %s (transfer %s)", ErrBusy, describeTarget(t), o.id)
	}
	e.setStateLocked(t, StateQueued)
	t.err, t.errInfo = "", nil
	t.finished = time.Time{}
	e.changedLocked()
	e.scheduleLocked()
	return nil
}

// Remove forgets a finished transfer; for a failed one it also removes what
// it left behind (multipart upload, temp file, checkpoint).
func (e *Engine) Remove(id ID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.get(id)
	if err != nil {
		return err
	}
	if !t.state.Finished() || t.running {
		return fmt.Errorf("%w: remove a %s transfer (pause or cancel it first)", ErrInvalidState, t.state)
	}
	if t.state == StateFailed {
		e.cleanupAsyncLocked(t)
	}
	for i, o := range e.order {
		if o == t {
			e.order = append(e.order[:i], e.order[i+1:]...)
			break
		}
	}
	e.forgetLocked(t)
	e.emitLocked(EventRemoved, t, "")
	e.changedLocked()
	return nil
}

// Move shifts a transfer delta places in the queue (negative = earlier),
// clamped to the ends.
func (e *Engine) Move(id ID, delta int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.get(id); err != nil {
		return err
	}
	from := -1
	for i, o := range e.order {
		if o.id == id {
			from = i
			break
		}
	}
	to := min(max(from+delta, 0), len(e.order)-1)
	if to == from {
		return nil
	}
	t := e.order[from]
	e.order = append(e.order[:from], e.order[from+1:]...)
	e.order = append(e.order[:to], append([]*transfer{t}, e.order[to:]...)...)
	e.placeLocked(to)
	e.changedLocked()
	return nil
}

// SetParallel changes how many parts of the transfer are in flight; a
// running transfer follows at once (extra workers start, or finishing ones
// are not replaced).
func (e *Engine) SetParallel(id ID, n int) error {
	if err := ossname.CheckParallel(n); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.get(id)
	if err != nil {
		return err
	}
	t.parallel = n
	if t.sem != nil {
		t.sem.setLimit(n)
	}
	e.changedLocked()
	return nil
}
