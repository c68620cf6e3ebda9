package ossemu

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Faults describes injected misbehaviour. Every random decision is a pure
// function of (Seed, request number, purpose), so a run with the same seed
// and the same request order fails the same requests.
type Faults struct {
	Seed         int64         // deterministic randomness
	RatePerConn  int64         // bytes/s cap per TCP connection on response and request bodies, 0 = none
	Latency      time.Duration // added before each response
	FailRate     float64       // fraction of requests answered 500/503 (InternalError/ServiceUnavailable XML)
	FailNth      []int         // fail exactly these request numbers (1-based, counted since SetFaults; only requests OnlyMethods selects count)
	ResetRate    float64       // fraction of GET bodies whose connection is reset after ResetAfter bytes
	ResetAfter   int64         // body bytes sent before a reset (bodies no longer than this are not reset)
	StallRate    float64       // fraction of GET bodies that stall for Stall mid-body
	Stall        time.Duration // how long a stall lasts
	TruncateRate float64       // fraction of GET bodies that end early (close after fewer than Content-Length bytes)
	// BodyResetRate: fraction of PutObject/UploadPart bodies whose connection is reset after a random share arrived.
	BodyResetRate float64
	// BodyTruncateRate: fraction of PutObject/UploadPart bodies cut at a random length and stored as if complete.
	BodyTruncateRate float64
	ReplaceAfter     map[string]int64 // "bucket/key" -> after N body bytes served of it, replace its content (new ETag)
	OnlyMethods      []string         // if set, per-request faults (all but RatePerConn) apply only to these HTTP methods
	// CompleteDelay makes CompleteMultipartUpload assemble this long, as a
	// busy OSS does: the upload is gone at once (a retry gets NoSuchUpload),
	// the object appears when the delay is over, whether or not the client
	// still waits. Not limited by OnlyMethods.
	CompleteDelay time.Duration
}

func validateFaults(f Faults) error {
	for name, v := range map[string]float64{"FailRate": f.FailRate, "ResetRate": f.ResetRate, "StallRate": f.StallRate, "TruncateRate": f.TruncateRate,
		"BodyResetRate": f.BodyResetRate, "BodyTruncateRate": f.BodyTruncateRate} {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("ossemu: fault %s = %v, want 0..1", name, v)
		}
	}
	if f.RatePerConn < 0 || f.Latency < 0 || f.ResetAfter < 0 || f.Stall < 0 || f.CompleteDelay < 0 {
		return fmt.Errorf("ossemu: negative fault setting in %+v", f)
	}
	for _, n := range f.FailNth {
		if n < 1 {
			return fmt.Errorf("ossemu: FailNth entries are 1-based, got %d", n)
		}
	}
	for k, n := range f.ReplaceAfter {
		if !strings.Contains(k, "/") || n < 0 {
			return fmt.Errorf("ossemu: ReplaceAfter %q=%d: want \"bucket/key\" and N >= 0", k, n)
		}
	}
	return nil
}

// faultState is one SetFaults epoch: its settings and counters.
type faultState struct {
	f        Faults
	requests atomic.Int64
	replace  map[string]*replaceTrigger
}

type replaceTrigger struct {
	after  int64
	served atomic.Int64
	fired  atomic.Bool
}

func newFaultState(f Faults) *faultState {
	f.FailNth = slices.Clone(f.FailNth)
	f.OnlyMethods = slices.Clone(f.OnlyMethods)
	fs := &faultState{f: f, replace: map[string]*replaceTrigger{}}
	for k, n := range f.ReplaceAfter {
		fs.replace[k] = &replaceTrigger{after: n}
	}
	return fs
}

// SetFaults replaces the fault settings and restarts request numbering
// (FailNth counts from 1 again). It cannot return an error, so out-of-range
// values are clamped (rates to 0..1, negative durations and sizes to 0);
// New rejects them instead.
func (s *Server) SetFaults(f Faults) {
	if err := validateFaults(f); err != nil {
		f = sanitizeFaults(f)
	}
	s.faults.Store(newFaultState(f))
}

// CurrentFaults returns the settings in force.
func (s *Server) CurrentFaults() Faults { return s.faults.Load().f }

func sanitizeFaults(f Faults) Faults {
	clamp := func(v float64) float64 {
		if math.IsNaN(v) || v < 0 {
			return 0
		}
		return min(v, 1)
	}
	f.FailRate, f.ResetRate, f.StallRate, f.TruncateRate = clamp(f.FailRate), clamp(f.ResetRate), clamp(f.StallRate), clamp(f.TruncateRate)
	f.BodyResetRate, f.BodyTruncateRate = clamp(f.BodyResetRate), clamp(f.BodyTruncateRate)
	f.RatePerConn, f.Latency, f.ResetAfter, f.Stall = max(f.RatePerConn, 0), max(f.Latency, 0), max(f.ResetAfter, 0), max(f.Stall, 0)
	f.CompleteDelay = max(f.CompleteDelay, 0)
	f.FailNth = slices.DeleteFunc(slices.Clone(f.FailNth), func(n int) bool { return n < 1 })
	return f
}

// chance returns a deterministic value in [0,1) for (seed, n, purpose).
func chance(seed, n int64, purpose uint64) float64 {
	x := uint64(seed) ^ (uint64(n) * 0x9E3779B97F4A7C15) ^ (purpose * 0xBF58476D1CE4E5B9)
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

const (
	purposeFail = iota + 1
	purposeFailKind
	purposeReset
	purposeStall
	purposeStallAt
	purposeTruncate
	purposeTruncateAt
)

// requestFaults is what the current epoch decided for one request.
type requestFaults struct {
	server  *Server
	state   *faultState
	n       int64 // request number in the epoch; 0 if faults do not apply
	latency time.Duration
	fail    *ossError
}

func (s *Server) faultsFor(q *request) *requestFaults {
	fs := s.faults.Load()
	rf := &requestFaults{server: s, state: fs}
	f := &fs.f
	if len(f.OnlyMethods) > 0 && !slices.ContainsFunc(f.OnlyMethods, func(m string) bool { return strings.EqualFold(m, q.r.Method) }) {
		return rf
	}
	rf.n = fs.requests.Add(1)
	rf.latency = f.Latency
	if slices.Contains(f.FailNth, int(rf.n)) || (f.FailRate > 0 && chance(f.Seed, rf.n, purposeFail) < f.FailRate) {
		if chance(f.Seed, rf.n, purposeFailKind) < 0.5 {
			rf.fail = newError(500, "InternalError", "We encountered an internal error. Please try again. (injected fault)")
		} else {
			rf.fail = newError(503, "ServiceUnavailable", "Please reduce your request rate. (injected fault)")
		}
		s.stats.injectedFailures.Add(1)
	}
	return rf
}

// beforeResponse applies the added latency and returns an injected failure.
func (rf *requestFaults) beforeResponse(ctx context.Context) *ossError {
	if rf.latency > 0 {
		t := time.NewTimer(rf.latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		case <-rf.server.closeCh:
		}
	}
	return rf.fail
}

// assemblyDelay waits out CompleteDelay; only closing the server ends it
// early (a client giving up does not stop the assembly).
func (s *Server) assemblyDelay() {
	d := s.faults.Load().f.CompleteDelay
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.closeCh:
	}
}

// bodyPlan lists the body faults for one GET of `length` bytes; -1 = none.
type bodyPlan struct {
	resetAt, stallAt, truncateAt int64
	stall                        time.Duration
}

func (rf *requestFaults) planBody(length int64) bodyPlan {
	p := bodyPlan{resetAt: -1, stallAt: -1, truncateAt: -1}
	if rf.n == 0 || length <= 0 {
		return p
	}
	f := &rf.state.f
	if f.ResetRate > 0 && chance(f.Seed, rf.n, purposeReset) < f.ResetRate && f.ResetAfter < length {
		p.resetAt = f.ResetAfter
	}
	if f.StallRate > 0 && f.Stall > 0 && chance(f.Seed, rf.n, purposeStall) < f.StallRate {
		p.stallAt = int64(chance(f.Seed, rf.n, purposeStallAt) * float64(length))
		p.stall = f.Stall
	}
	if f.TruncateRate > 0 && chance(f.Seed, rf.n, purposeTruncate) < f.TruncateRate {
		p.truncateAt = int64(chance(f.Seed, rf.n, purposeTruncateAt) * float64(length))
	}
	return p
}

// serveBody streams length bytes of src to the client, applying this
// request's body faults and counting GetBodyBytes.
func (s *Server) serveBody(q *request, src io.Reader, length int64, objectID string) {
	plan := q.faults.planBody(length)
	trigger := q.faults.state.replace[objectID]
	buf := getCopyBuffer()
	defer putCopyBuffer(buf)
	var sent int64
	stalled := false
	for sent < length {
		chunk := min(int64(len(*buf)), length-sent)
		for _, at := range []int64{plan.resetAt, plan.truncateAt, plan.stallAt} {
			if at > sent && at-sent < chunk {
				chunk = at - sent
			}
		}
		if plan.stallAt >= 0 && plan.stallAt == sent && !stalled {
			stalled = true
			s.stats.injectedStalls.Add(1)
			http.NewResponseController(q.w).Flush()
			t := time.NewTimer(plan.stall)
			select {
			case <-t.C:
			case <-q.r.Context().Done():
			case <-s.closeCh:
			}
			t.Stop()
		}
		if plan.resetAt == sent {
			s.stats.injectedResets.Add(1)
			resetConnection(q.w)
			return
		}
		if plan.truncateAt == sent {
			// Returning with fewer bytes than Content-Length makes net/http
			// close the connection: the client sees an unexpected EOF.
			s.stats.injectedTruncations.Add(1)
			http.NewResponseController(q.w).Flush()
			return
		}
		n, err := io.ReadFull(src, (*buf)[:chunk])
		if n > 0 {
			// Counted before the write: once the client has a byte, Stats
			// has it (a test that resets the counters after its client
			// finished would otherwise see the tail of an old body).
			s.stats.getBodyBytes.Add(int64(n))
			w, werr := q.w.Write((*buf)[:n])
			sent += int64(w)
			s.stats.getBodyBytes.Add(int64(w - n))
			if trigger != nil {
				s.noteServed(trigger, objectID, int64(w), q.faults.state.f.Seed)
			}
			if werr != nil {
				return
			}
		}
		if err != nil {
			// The source ended early (should not happen for a consistent
			// snapshot); stop, letting net/http close the connection.
			return
		}
	}
}

func (s *Server) noteServed(t *replaceTrigger, objectID string, n int64, seed int64) {
	if t.served.Add(n) < t.after || t.fired.Swap(true) {
		return
	}
	bucket, key, _ := strings.Cut(objectID, "/")
	if err := s.replaceWithGenerated(bucket, key, seed^0x5EED^int64(t.after)); err == nil {
		s.stats.injectedReplacements.Add(1)
	}
}

// resetConnection sends what is buffered, then aborts the TCP connection
// with RST (SO_LINGER 0), like a middlebox dropping it.
func resetConnection(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	lingerZeroClose(conn)
}

// lingerZeroClose closes a hijacked connection with RST (SO_LINGER 0).
func lingerZeroClose(conn net.Conn) {
	raw := conn
	if lc, ok := conn.(*limitedConn); ok {
		raw = lc.Conn
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}

// ---- per-connection bandwidth cap ----

type limitedListener struct {
	net.Listener
	server *Server
}

func (l *limitedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &limitedConn{Conn: c, server: l.server, ctx: ctx, cancel: cancel}, nil
}

// limitedConn caps one connection's throughput in both directions with a
// token bucket, so N parallel connections get N x rate, like a WAN link.
type limitedConn struct {
	net.Conn
	server *Server
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	limiter *rate.Limiter
	rate    int64
}

// burstFor keeps bursts at ~1/20 s of traffic so the cap is smooth at the
// scale of a progress bar, while writes stay large enough to be cheap.
func burstFor(bytesPerSec int64) int {
	return int(min(max(bytesPerSec/20, 16<<10), 1<<20))
}

func (c *limitedConn) currentLimiter() (*rate.Limiter, int) {
	r := c.server.faults.Load().f.RatePerConn
	c.mu.Lock()
	defer c.mu.Unlock()
	if r <= 0 {
		c.limiter, c.rate = nil, 0
		return nil, 0
	}
	if c.limiter == nil || c.rate != r {
		c.limiter = rate.NewLimiter(rate.Limit(r), burstFor(r))
		c.rate = r
	}
	return c.limiter, burstFor(r)
}

func (c *limitedConn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		lim, burst := c.currentLimiter()
		if lim == nil {
			n, err := c.Conn.Write(p[written:])
			return written + n, err
		}
		chunk := min(len(p)-written, burst)
		if err := lim.WaitN(c.ctx, chunk); err != nil {
			return written, net.ErrClosed
		}
		n, err := c.Conn.Write(p[written : written+chunk])
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

func (c *limitedConn) Read(p []byte) (int, error) {
	lim, burst := c.currentLimiter()
	if lim == nil {
		return c.Conn.Read(p)
	}
	if len(p) > burst {
		p = p[:burst]
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		if werr := lim.WaitN(c.ctx, n); werr != nil && err == nil {
			err = net.ErrClosed
		}
	}
	return n, err
}

func (c *limitedConn) Close() error {
	c.cancel()
	return c.Conn.Close()
}
