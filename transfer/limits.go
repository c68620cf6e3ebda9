package transfer

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
)

// SetBandwidthLimit sets the global limit in bytes/s shared by all
// transfers; it applies at once. 0 means none.
func (e *Engine) SetBandwidthLimit(bps int64) {
	if bps < 0 {
		bps = 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applyBandwidthLocked(bps)
	e.changedLocked()
}

func (e *Engine) applyBandwidthLocked(bps int64) {
	e.bwLimit = bps
	if bps == 0 {
		e.limiter.SetLimit(rate.Inf)
		e.limiter.SetBurst(copyBufferSize)
		return
	}
	// A burst of ~1/8 s keeps the pace smooth; never below 4 KiB so tiny
	// limits still move, never above one copy buffer.
	burst := min(max(bps/8, 4<<10), copyBufferSize)
	e.limiter.SetBurst(int(burst))
	e.limiter.SetLimit(rate.Limit(bps))
}

// waitBandwidth blocks until n bytes may pass the global limiter, in chunks
// no larger than its burst.
func (e *Engine) waitBandwidth(ctx context.Context, n int) error {
	for n > 0 {
		b := e.limiter.Burst()
		if e.limiter.Limit() == rate.Inf {
			return nil
		}
		c := min(n, b)
		if err := e.limiter.WaitN(ctx, c); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The burst shrank between Burst and WaitN: retry with the new one.
			continue
		}
		n -= c
	}
	return nil
}

// chunkLimit is the most a copy loop should read before waiting on the limiter.
func (e *Engine) chunkLimit() int {
	if e.limiter.Limit() == rate.Inf {
		return copyBufferSize
	}
	return min(e.limiter.Burst(), copyBufferSize)
}

// dynSem is a counting semaphore whose limit can change while held, so
// SetParallel applies to a running transfer.
type dynSem struct {
	mu    sync.Mutex
	n     int
	limit int
	wake  chan struct{}
}

func newDynSem(limit int) *dynSem { return &dynSem{limit: limit, wake: make(chan struct{})} }

func (s *dynSem) acquire(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.n < s.limit {
			s.n++
			s.mu.Unlock()
			return nil
		}
		ch := s.wake
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *dynSem) release() {
	s.mu.Lock()
	s.n--
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

func (s *dynSem) setLimit(n int) {
	s.mu.Lock()
	s.limit = n
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}
