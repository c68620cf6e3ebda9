package transfer

// Scheduling and a job's run: start while fewer than MaxActive run, take the
// destination lock, run the transfer or the tree, and record how it ended.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// scheduleLocked starts queued transfers, in queue order, while fewer than
// MaxActive run.
func (e *Engine) scheduleLocked() {
	if e.closed {
		return
	}
	active := 0
	for _, t := range e.order {
		if t.running && !t.plan {
			active++
		}
	}
	for _, t := range e.order {
		switch {
		case t.state != StateQueued || t.running:
		case t.plan: // a preview moves nothing: it never waits for a slot
			e.startLocked(t)
		case active < e.opts.MaxActive:
			e.startLocked(t)
			active++
		}
	}
}

func (e *Engine) startLocked(t *transfer) {
	ctx, cancel := context.WithCancel(e.baseCtx)
	t.cancel = cancel
	t.intent = intentNone
	t.running = true
	e.runningJobs[t] = struct{}{}
	e.setStateLocked(t, StateRunning)
	t.err, t.errInfo = "", nil
	t.retryingParts = 0
	t.speed.reset()
	if t.spec.NoCheckpoint {
		// Nothing resumes without a checkpoint: show progress from zero, not
		// what the last run had.
		t.parts, t.savedDone = nil, 0
	}
	t.sem = newDynSem(t.parallel)
	e.emitLocked(EventStarted, t, "")
	e.changedLocked()
	e.wg.Add(1)
	go e.runTransfer(ctx, t)
}

// testHookAfterIntent, when set by a test, runs right after runTransfer
// has read the intent, to land a Cancel in that window.
var testHookAfterIntent func()

func (e *Engine) runTransfer(ctx context.Context, t *transfer) {
	defer e.wg.Done()
	var err error
	cleaned := false // this run already removed the upload, temp file and checkpoint
	store, serr := e.storeForProfile(t.spec.Profile)
	if serr != nil {
		t.cancel()
		e.finish(t, serr, false)
		return
	}
	e.mu.Lock()
	t.store = store
	e.mu.Unlock()
	var lock *fileLock
	var lerr error
	if !t.plan {
		lock, lerr = waitLock(ctx, t, graceLockAttempts)
	}
	switch {
	case t.plan:
		// A plan writes nothing and must not keep another ossq from the
		// folder: it runs without the destination lock.
		err = e.runTree(ctx, t)
	case lerr != nil:
		err = lerr
	case lock == nil:
		err = fmt.Errorf("%w: %s (held by another ossq process)", ErrBusy, describeTarget(t))
	case t.tree != nil:
		err = e.runTree(ctx, t)
		lock.removeAndUnlock()
	default:
		err = e.execute(ctx, t)
		e.mu.Lock()
		why := t.intent
		e.mu.Unlock()
		if testHookAfterIntent != nil {
			testHookAfterIntent()
		}
		// Canceled, or stopped without a checkpoint to resume from: remove
		// the multipart upload and temp file now, while the lock is held.
		if err != nil && (why == intentCancel || t.spec.NoCheckpoint) {
			e.discardArtifacts(t)
			cleaned = true
		} else if why == intentNone && abandonsWork(err) {
			e.discardAbandoned(t)
			cleaned = true
		}
		if err == nil || why == intentCancel || t.spec.NoCheckpoint || !fileExists(t.cpPath) {
			// Nothing left to resume: the lock file would only litter the
			// checkpoint folder. Removed while held (see tryLockFile).
			lock.removeAndUnlock()
		} else {
			lock.unlock()
		}
	}
	t.cancel()
	e.finish(t, err, cleaned)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// execute runs the transfer, restarting from scratch when the source
// changed under it (once: a constantly changing object fails
// instead of looping).
func (e *Engine) execute(ctx context.Context, t *transfer) error {
	const maxRestarts = 1
	for restarts := 0; ; restarts++ {
		if restarts > 0 {
			e.setState(t, StateRunning) // the last attempt may have ended verifying
		}
		var err error
		if t.spec.Direction == Download {
			err = e.download(ctx, t)
		} else {
			err = e.upload(ctx, t)
		}
		if err == nil || ctx.Err() != nil || classify(err) != classChanged || restarts >= maxRestarts {
			return err
		}
		e.discardArtifacts(t)
		reason := "restarted: object changed during download"
		if t.spec.Direction == Upload {
			reason = "restarted: local file changed during upload"
		}
		if errors.Is(err, errCRCMismatch) {
			reason = "restarted: whole-file CRC64 did not match the server's"
		}
		if errors.Is(err, errTempReplaced) {
			reason = "restarted with a new temp file"
		}
		e.noticef(t, "%s (%v)", reason, err)
	}
}

// finish records how a run ended. cleaned says whether the run already
// removed the transfer's artifacts; a Cancel that came too late for that
// (while waiting for the lock, or after the run decided) cleans up here.
func (e *Engine) finish(t *transfer, err error, cleaned bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t.running = false
	delete(e.runningJobs, t)
	t.sem = nil
	t.retryingParts = 0
	switch {
	case err == nil: // finished, even if a pause or cancel came too late
		e.setFinalLocked(t, StateDone, nil)
	case t.intent == intentCancel:
		e.setFinalLocked(t, StateCanceled, nil)
		if !cleaned && !t.plan { // a plan left nothing to discard
			e.cleanupAsyncLocked(t)
		}
	case t.intent == intentClose:
		e.setStateLocked(t, StatePaused)
		t.resumeOnOpen = true
	case t.intent == intentRequeue:
		e.setStateLocked(t, StateQueued)
	case t.intent == intentPause || classify(err) == classCanceled:
		e.setStateLocked(t, StatePaused)
		e.emitLocked(EventPaused, t, "")
	case errors.Is(err, errNoProfile):
		e.setStateLocked(t, StatePaused)
		t.err = err.Error()
		e.emitLocked(EventPaused, t, t.err)
		e.log.Warn("job paused: its profile is not in the config", "id", t.id, "profile", t.spec.Profile)
	case classify(err) == classCredentials:
		e.setStateLocked(t, StatePaused)
		t.err = ErrCredentials.Error()
		t.errInfo = ErrorInfoOf(err)
		e.emitLocked(EventPaused, t, t.err)
		e.log.Warn("job paused: credentials refused; waiting for new ones", "id", t.id, "err", err)
		e.awaitCredentialsLocked(t)
	case classify(err) == classDiskFull:
		e.setStateLocked(t, StatePaused)
		t.err = shortError(err)
		t.errInfo = ErrorInfoOf(err)
		e.emitLocked(EventPaused, t, t.err)
		e.log.Error("transfer paused: disk full", "id", t.id, "err", err)
	default:
		e.setFinalLocked(t, StateFailed, err)
		e.log.Error("transfer failed", "id", t.id, "bucket", t.spec.Bucket, "key", t.spec.Key, "err", err)
	}
	t.intent = intentNone
	e.changedLocked()
	e.scheduleLocked()
}

func (e *Engine) setFinalLocked(t *transfer, st State, err error) {
	t.stopCredentialWait()
	e.setStateLocked(t, st)
	t.finished = time.Now()
	t.savedDone = t.doneBytes()
	switch st {
	case StateDone:
		t.savedDone = max(t.size, 0)
		e.emitLocked(EventDone, t, "")
	case StateFailed:
		t.err = shortError(err)
		t.errInfo = ErrorInfoOf(err)
		e.emitLocked(EventFailed, t, t.err)
	case StateCanceled:
		e.emitLocked(EventCanceled, t, "")
	}
	e.changedLocked()
}

func (e *Engine) setState(t *transfer, st State) {
	e.mu.Lock()
	if t.running && t.intent == intentNone {
		e.setStateLocked(t, st)
		e.changedLocked()
	}
	e.mu.Unlock()
}
