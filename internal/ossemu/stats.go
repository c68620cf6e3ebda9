package ossemu

import (
	"io"
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are counters since New or the last ResetStats.
type Stats struct {
	Requests             map[string]int64 // by operation, e.g. "GetObject", "UploadPart"
	Errors               map[string]int64 // error responses by OSS error code
	GetsByKey            map[string]int64 // GetObject requests by "bucket/key"
	GetBodyBytes         int64            // object body bytes sent on GET
	PutBodyBytes         int64            // body bytes received by PutObject and UploadPart
	InjectedFailures     int64            // requests answered 500/503 by fault injection
	InjectedResets       int64
	InjectedStalls       int64
	InjectedTruncations  int64
	InjectedReplacements int64

	// Upload-body faults (Faults.BodyResetRate, Faults.BodyTruncateRate).
	InjectedBodyResets      int64 // upload bodies whose connection was reset
	InjectedBodyTruncations int64 // upload bodies stored cut short
}

// TotalRequests sums Requests.
func (st Stats) TotalRequests() int64 {
	var n int64
	for _, v := range st.Requests {
		n += v
	}
	return n
}

type int64Counter = atomic.Int64

type statsCounters struct {
	mu       sync.Mutex
	requests map[string]int64
	errors   map[string]int64
	gets     map[string]int64

	getBodyBytes         int64Counter
	putBodyBytes         int64Counter
	injectedFailures     int64Counter
	injectedResets       int64Counter
	injectedStalls       int64Counter
	injectedTruncations  int64Counter
	injectedReplacements int64Counter

	injectedBodyResets      int64Counter
	injectedBodyTruncations int64Counter
}

func (s *Server) countRequest(op string)    { s.stats.bump(&s.stats.requests, op) }
func (s *Server) countGet(bucketKey string) { s.stats.bump(&s.stats.gets, bucketKey) }
func (s *Server) countError(code string)    { s.stats.bump(&s.stats.errors, code) }

// bump adds one to counts[key], making the map on first use.
func (c *statsCounters) bump(counts *map[string]int64, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *counts == nil {
		*counts = map[string]int64{}
	}
	(*counts)[key]++
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	c.mu.Lock()
	st := Stats{Requests: maps.Clone(c.requests), Errors: maps.Clone(c.errors), GetsByKey: maps.Clone(c.gets)}
	c.mu.Unlock()
	if st.Requests == nil {
		st.Requests = map[string]int64{}
	}
	if st.Errors == nil {
		st.Errors = map[string]int64{}
	}
	st.GetBodyBytes = c.getBodyBytes.Load()
	st.PutBodyBytes = c.putBodyBytes.Load()
	st.InjectedFailures = c.injectedFailures.Load()
	st.InjectedResets = c.injectedResets.Load()
	st.InjectedStalls = c.injectedStalls.Load()
	st.InjectedTruncations = c.injectedTruncations.Load()
	st.InjectedReplacements = c.injectedReplacements.Load()
	st.InjectedBodyResets = c.injectedBodyResets.Load()
	st.InjectedBodyTruncations = c.injectedBodyTruncations.Load()
	return st
}

// idleGrace is how long WaitIdle wants no handler running: a request a
// client had already written on a kept-alive connection when it went away
// reaches a handler a moment later.
const idleGrace = 50 * time.Millisecond

// WaitIdle waits until no request has been served for idleGrace, for at
// most timeout, and reports whether that happened. A handler whose client
// went away (an engine paused or closed, a process killed) goes on writing
// until the socket fails, and counts what it wrote: a test that has stopped
// its clients waits here before it reads or resets the counters.
func (s *Server) WaitIdle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	var idleSince time.Time
	for {
		now := time.Now()
		switch {
		case s.serving.Load() > 0:
			idleSince = time.Time{}
		case idleSince.IsZero():
			idleSince = now
		case now.Sub(idleSince) >= idleGrace:
			return true
		}
		if now.After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

// ResetStats zeroes all counters.
func (s *Server) ResetStats() {
	c := &s.stats
	c.mu.Lock()
	c.requests, c.errors, c.gets = nil, nil, nil
	c.mu.Unlock()
	for _, n := range []*int64Counter{&c.getBodyBytes, &c.putBodyBytes, &c.injectedFailures, &c.injectedResets,
		&c.injectedStalls, &c.injectedTruncations, &c.injectedReplacements, &c.injectedBodyResets, &c.injectedBodyTruncations} {
		n.Store(0)
	}
}

// countingReader counts bytes read into a counter.
type countingReader struct {
	r io.Reader
	n *int64Counter
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
