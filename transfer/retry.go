package transfer

// Retries of transient errors with backoff and jitter, shown on the job.

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// backoff returns the delay before retry attempt+1: exponential from
// RetryDelay, capped at 10 s, with jitter so parts do not retry in lockstep.
func (e *Engine) backoff(attempt int) time.Duration {
	d := e.opts.RetryDelay << min(attempt, 6)
	d = min(d, 10*time.Second)
	var b [1]byte
	rand.Read(b[:])
	return d/2 + time.Duration(int64(d/2)*int64(b[0])/255)
}

// withRetry runs op, retrying transient errors with backoff up to
// Options.Retries; t (if any) shows retrying during the backoff.
func (e *Engine) withRetry(ctx context.Context, t *transfer, op func() error) error {
	return e.retry(ctx, t, nil, op)
}

// retryPart is withRetry for one part: the part shows retrying during the
// backoff, and errors name it.
func (e *Engine) retryPart(ctx context.Context, t *transfer, p *part, op func() error) error {
	return e.retry(ctx, t, p, op)
}

func (e *Engine) retry(ctx context.Context, t *transfer, p *part, op func() error) error {
	for attempt := 0; ; attempt++ {
		err := op()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p != nil {
			err = fmt.Errorf("part %d: %w", p.number, err)
		}
		if classify(err) != classTransient || attempt >= e.opts.Retries {
			return err
		}
		if p != nil {
			p.state.Store(partRetrying)
		}
		if err := e.sleepRetry(ctx, t, attempt, err); err != nil {
			return err
		}
		if p != nil {
			p.state.Store(partActive)
		}
	}
}

// sleepRetry marks t retrying for the backoff, then running again.
func (e *Engine) sleepRetry(ctx context.Context, t *transfer, attempt int, cause error) error {
	if t != nil {
		e.mu.Lock()
		t.retries++
		t.retryingParts++
		if t.state == StateRunning {
			e.setStateLocked(t, StateRetrying)
		}
		e.emitLocked(EventRetrying, t, shortError(cause))
		e.changedLocked()
		e.mu.Unlock()
		e.log.Debug("retrying", "id", t.id, "attempt", attempt+1, "err", cause)
		defer func() {
			e.mu.Lock()
			t.retryingParts--
			if t.retryingParts == 0 && t.state == StateRetrying {
				e.setStateLocked(t, StateRunning)
			}
			e.changedLocked()
			e.mu.Unlock()
		}()
	}
	timer := time.NewTimer(e.backoff(attempt))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
