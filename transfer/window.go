package transfer

// Window answers a WindowRequest under one short lock. Its cost is the rows
// asked plus the parts shown, not the size of the queue.
func (e *Engine) Window(req WindowRequest) Window {
	if req.Limit <= 0 {
		req.Limit = 100
	}
	req.Offset = max(req.Offset, 0)
	e.mu.Lock()
	defer e.mu.Unlock()
	w := Window{BandwidthLimit: e.bwLimit, Version: e.version, Totals: e.totalsLocked()}
	parts := make(map[ID]bool, len(req.PartsFor))
	for _, id := range req.PartsFor {
		parts[id] = true
	}
	for _, t := range e.order {
		if !jobMatches(t, req.Filter) {
			continue
		}
		if w.JobsTotal >= req.Offset && len(w.Jobs) < req.Limit {
			w.Jobs = append(w.Jobs, e.jobSnapLocked(t, parts[t.id]))
		}
		w.JobsTotal++
	}
	return w
}

func (e *Engine) jobSnapLocked(t *transfer, withParts bool) JobSnapshot {
	return JobSnapshot{TransferSnapshot: e.snapLocked(t, withParts), FileParallel: 1}
}

func jobMatches(t *transfer, f JobFilter) bool {
	switch f {
	case FilterAll:
		return true
	case FilterActive:
		return t.state.Active()
	case FilterPaused:
		return t.state == StatePaused
	case FilterFailed:
		return t.state == StateFailed
	case FilterDone:
		return t.state == StateDone
	case FilterSkipped:
		return false
	}
	return true
}

func (e *Engine) totalsLocked() Totals {
	var tt Totals
	for _, t := range e.order {
		switch t.state {
		case StateRunning, StateRetrying, StateVerifying:
			tt.Running++
		case StateQueued:
			tt.Queued++
		case StatePaused:
			tt.Paused++
		case StateFailed:
			tt.Failed++
		case StateDone:
			tt.Done++
		case StateCanceled:
			tt.Canceled++
		}
		if t.running {
			tt.Speed += t.speed.get()
		}
	}
	return tt
}
