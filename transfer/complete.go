package transfer

import (
	"context"
	"time"
)

// completeAllowance is how much longer than an ordinary request a
// CompleteMultipartUpload may take: the server assembles every part
// before it answers, so the time grows with their number and bytes.
func completeAllowance(parts []UploadedPart) time.Duration {
	var size int64
	for _, p := range parts {
		size += p.Size
	}
	return time.Duration(len(parts))*100*time.Millisecond + time.Duration(size>>30)*10*time.Second
}

// completeWait is how long, after a retried Complete found its upload gone
// (NoSuchUpload), the object may still take to appear: as long as the
// assembly may take, plus a margin.
func completeWait(parts []UploadedPart) time.Duration {
	return min(30*time.Second+2*completeAllowance(parts), 20*time.Minute)
}

// awaitCompletedObject polls HEAD, with backoff, until the object has this
// size and CRC64 or wait has passed (false). Transient HEAD failures and
// cancellation are errors, as in objectMatches.
func (e *Engine) awaitCompletedObject(ctx context.Context, t *transfer, size int64, want uint64, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	delay := 250 * time.Millisecond
	for {
		ok, err := e.objectMatches(ctx, t, size, want)
		if err != nil || ok {
			return ok, err
		}
		if time.Until(deadline) < delay {
			return false, nil
		}
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return false, ctx.Err()
		}
		delay = min(2*delay, 5*time.Second)
	}
}
