package transfer

import (
	"context"
	"time"
)

// Credential waits: a job whose keys were refused (expired, revoked) and
// for which no better ones could be had is paused, not failed, keeps its
// checkpoints, and goes on by itself once the credential source yields
// keys again (polled with backoff). A user's resume, cancel or removal ends
// the wait.

const (
	credentialPollFirst = 5 * time.Second
	credentialPollMost  = 5 * time.Minute
)

func (e *Engine) awaitCredentialsLocked(t *transfer) {
	t.stopCredentialWait()
	ctx, cancel := context.WithCancel(e.baseCtx)
	t.credWait = cancel
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		err := AwaitCredentials(ctx, e.storeOf(t), e.credentialPoll(), credentialPollMost)
		e.mu.Lock()
		defer e.mu.Unlock()
		if err != nil || ctx.Err() != nil || t.state != StatePaused || t.err != ErrCredentials.Error() {
			return // stopped, or the user took the job over meanwhile
		}
		t.credWait = nil
		e.setStateLocked(t, StateQueued)
		t.err, t.errInfo = "", nil
		e.emitLocked(EventNotice, t, "credentials are valid again: resuming")
		e.changedLocked()
		e.scheduleLocked()
	}()
}

func (t *transfer) stopCredentialWait() {
	if t.credWait != nil {
		t.credWait()
		t.credWait = nil
	}
}

// credentialPoll is the first poll delay (a test's Options.credentialPoll).
func (e *Engine) credentialPoll() time.Duration {
	if e.opts.credentialPoll > 0 {
		return e.opts.credentialPoll
	}
	return credentialPollFirst
}
