package transfer

import (
	"sync"
	"time"
)

// speedMeter keeps a moving average of a byte counter sampled by the engine's
// ticker. The window is about five samples, so the figure neither jumps with
// every buffer nor lags for minutes.
type speedMeter struct {
	mu       sync.Mutex
	lastAt   time.Time
	lastDone int64
	speed    float64
}

const speedAlpha = 0.3

// sample records the counter at now and returns the new average.
func (m *speedMeter) sample(now time.Time, done int64) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lastAt.IsZero() || done < m.lastDone {
		m.lastAt, m.lastDone = now, done
		return m.speed
	}
	dt := now.Sub(m.lastAt).Seconds()
	if dt <= 0 {
		return m.speed
	}
	inst := float64(done-m.lastDone) / dt
	if m.speed == 0 {
		m.speed = inst
	} else {
		m.speed = speedAlpha*inst + (1-speedAlpha)*m.speed
	}
	m.lastAt, m.lastDone = now, done
	return m.speed
}

func (m *speedMeter) get() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.speed
}

func (m *speedMeter) reset() {
	m.mu.Lock()
	m.lastAt, m.lastDone, m.speed = time.Time{}, 0, 0
	m.mu.Unlock()
}

// ETA is the time left to move size bytes with done moved at speed bytes/s;
// 0 when unknown (no size, no speed, or nothing left). Snapshots carry it per
// transfer and job; a front end summing several uses this same rule.
func ETA(size, done int64, speed float64) time.Duration {
	if size < 0 || speed < 1 || done >= size {
		return 0
	}
	return time.Duration(float64(size-done) / speed * float64(time.Second))
}
