package transfer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

const (
	defaultPartSize  = 8 << 20
	defaultParallel  = 4
	defaultMaxActive = 3
	defaultRetries   = 5
	maxParallel      = 100
	maxPartSize      = 5 << 30
	tickInterval     = 500 * time.Millisecond
	// checkpointEvery bounds how often a checkpoint is written between part
	// completions.
	checkpointEvery = time.Second
	queueFileName   = "queue.json" // the first release's queue, imported once
	queueDBName     = "queue.db"
	queueLockName   = "queue.lock"
)

// intent says why a running transfer's context was canceled.
type intent int

const (
	intentNone    intent = iota
	intentPause          // user paused: stays paused
	intentCancel         // user canceled: clean up everything
	intentClose          // engine closing: paused now, resumes on the next Open
	intentRequeue        // paused, then resumed before it wound down: queue it again
)

// transfer is one queue entry. Fields below mu are guarded by Engine.mu;
// part counters are atomics so the copy loops never take that lock.
type transfer struct {
	id       ID
	spec     Spec
	added    time.Time
	finished time.Time
	cpPath   string // "" when NoCheckpoint
	lockPath string

	state         State
	err           string
	errInfo       *ErrorInfo
	notice        string
	retries       int
	retryingParts int
	size          int64
	partSize      int64
	parallel      int
	savedDone     int64   // progress as persisted, until parts are known
	sizeHint      int64   // size from the listing (AddTree), -1 if unknown
	renameOnAdd   bool    // OnExists rename: pick the free name when queued
	parts         []*part // nil until the run planned them
	single        bool    // one request: no part strip in snapshots
	running       bool    // its goroutine is alive
	cancel        context.CancelFunc
	intent        intent
	resumeOnOpen  bool
	sem           *dynSem
	uploadID      string // multipart upload in progress, for Cancel
	tempPath      string // download temp file, for Cancel
	probedHeld    bool   // the target lock was held when Add probed it
	lastDone      int64
	speed         speedMeter
	tree          *treeState // set for a tree job (a prefix or a folder)
	pos           float64    // place in the queue as stored (see placeLocked)
	// credWait, while set, cancels the wait for credentials of a job paused
	// because its keys were refused.
	credWait context.CancelFunc
}

func (t *transfer) doneBytes() int64 {
	if t.tree != nil {
		return t.tree.meta.BytesDone + t.tree.activeBytes()
	}
	if t.parts == nil {
		return t.savedDone
	}
	var n int64
	for _, p := range t.parts {
		n += p.done.Load()
	}
	return n
}

// Engine runs the queue.
type Engine struct {
	store   Store
	opts    Options
	log     Logger
	limiter *rate.Limiter
	bwLimit int64 // guarded by mu

	baseCtx    context.Context
	baseCancel context.CancelFunc

	mu      sync.Mutex
	order   []*transfer
	byID    map[ID]*transfer
	version uint64
	changed chan struct{} // closed and replaced on every change, for Wait
	closed  bool

	events    *eventQueue
	queueLock *fileLock
	db        *jobStore     // the queue; nil when Ephemeral
	logs      *eventLog     // the log pane's entries, kept in db
	saved     map[ID]string // each job's record as last written
	removed   []ID          // jobs removed since the last write

	wg         sync.WaitGroup // transfer runs and background cleanups
	persistReq chan struct{}
	bgDone     chan struct{} // ticker and persister exit
	bgWG       sync.WaitGroup
	closeOnce  sync.Once
	closeErr   error
}

type discardLogger struct{}

func (discardLogger) Info(string, ...any)  {}
func (discardLogger) Warn(string, ...any)  {}
func (discardLogger) Error(string, ...any) {}
func (discardLogger) Debug(string, ...any) {}

var _ Logger = (*slog.Logger)(nil)

func (o *Options) normalize() error {
	if o.PartSize == 0 {
		o.PartSize = defaultPartSize
	}
	if o.PartSize < 0 || o.PartSize > maxPartSize {
		return fmt.Errorf("part size %d out of range (1 B – 5 GiB)", o.PartSize)
	}
	if o.Parallel == 0 {
		o.Parallel = defaultParallel
	}
	if o.Parallel < 1 || o.Parallel > maxParallel {
		return fmt.Errorf("parallel %d out of range (1–%d)", o.Parallel, maxParallel)
	}
	if o.MaxActive == 0 {
		o.MaxActive = defaultMaxActive
	}
	if o.MaxActive < 1 {
		return fmt.Errorf("max active %d must be at least 1", o.MaxActive)
	}
	if o.FileParallel == 0 {
		o.FileParallel = defaultFileParallel
	}
	if o.FileParallel < 1 || o.FileParallel > maxFileParallel {
		return fmt.Errorf("files in flight %d out of range (1–%d)", o.FileParallel, maxFileParallel)
	}
	if o.MultipartThreshold == 0 {
		o.MultipartThreshold = o.PartSize
	}
	if o.MultipartThreshold < 0 {
		return fmt.Errorf("multipart threshold %d is negative", o.MultipartThreshold)
	}
	if o.Retries == 0 {
		o.Retries = defaultRetries
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 250 * time.Millisecond
	}
	if o.BandwidthLimit < 0 {
		return fmt.Errorf("bandwidth limit %d is negative", o.BandwidthLimit)
	}
	switch o.OnExists {
	case "":
		o.OnExists = ExistsAsk
	case ExistsAsk, ExistsOverwrite, ExistsSkip, ExistsRename:
	default:
		return fmt.Errorf("on_exists %q: want ask, overwrite, skip or rename", o.OnExists)
	}
	if o.CheckpointDir == "" {
		if o.StateDir == "" {
			return errors.New("neither a state directory nor a checkpoint directory is set")
		}
		o.CheckpointDir = filepath.Join(o.StateDir, "checkpoints")
	}
	if !o.Ephemeral && o.StateDir == "" {
		return errors.New("state directory is not set (or use Ephemeral)")
	}
	return nil
}

// Open locks opts.StateDir, loads the persisted queue and, with
// ResumeOnStart, resumes what was running. Close releases it. With
// opts.Ephemeral there is no queue file and no queue lock (see Options).
func Open(store Store, opts Options) (*Engine, error) {
	if store == nil {
		return nil, errors.New("open engine: no store")
	}
	if err := opts.normalize(); err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	e := &Engine{
		store:      store,
		opts:       opts,
		log:        opts.Logger,
		byID:       map[ID]*transfer{},
		saved:      map[ID]string{},
		changed:    make(chan struct{}),
		persistReq: make(chan struct{}, 1),
		bgDone:     make(chan struct{}),
	}
	if e.log == nil {
		e.log = discardLogger{}
	}
	if err := os.MkdirAll(opts.CheckpointDir, 0o700); err != nil {
		return nil, fmt.Errorf("open engine: checkpoint dir: %w", err)
	}
	if !opts.Ephemeral {
		if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
			return nil, fmt.Errorf("open engine: state dir: %w", err)
		}
		lock, ok, err := tryLockFile(filepath.Join(opts.StateDir, queueLockName))
		if err != nil {
			return nil, fmt.Errorf("open engine: %w", err)
		}
		if !ok {
			return nil, fmt.Errorf("%w: %s is in use by another ossq process; close it, or run the command-line transfer, which does not need the queue", ErrStateLocked, opts.StateDir)
		}
		e.queueLock = lock
		db, err := openJobStore(filepath.Join(opts.StateDir, queueDBName))
		if err != nil {
			lock.unlock()
			return nil, fmt.Errorf("open engine: %w", err)
		}
		e.db = db
	}
	logs, err := openEventLog(e.db, e.log)
	if err != nil {
		e.db.close()
		e.queueLock.unlock()
		return nil, fmt.Errorf("open engine: %w", err)
	}
	e.logs = logs
	e.limiter = rate.NewLimiter(rate.Inf, copyBufferSize)
	e.applyBandwidthLocked(opts.BandwidthLimit)
	e.baseCtx, e.baseCancel = context.WithCancel(context.Background())
	e.events = newEventQueue()

	if e.db != nil {
		e.restoreQueue(filepath.Join(opts.StateDir, queueFileName))
	}

	e.bgWG.Add(2)
	go e.tickLoop()
	go e.persistLoop()
	e.mu.Lock()
	e.scheduleLocked()
	e.mu.Unlock()
	return e, nil
}

func (e *Engine) restoreRecord(r queueRecord) {
	t, err := e.newTransfer(r.Spec, false)
	if err != nil {
		e.log.Warn("dropping unusable queue entry", "id", r.ID, "err", err)
		e.pushNotice(fmt.Sprintf("queue entry %s dropped: %v", r.ID, err))
		e.removed = append(e.removed, r.ID)
		return
	}
	t.id = r.ID
	t.state = r.State
	t.err, t.errInfo, t.notice = r.Err, r.ErrInfo, r.Notice
	t.size, t.savedDone, t.retries = r.Size, r.Done, r.Retries
	if r.Parallel > 0 {
		t.parallel = min(r.Parallel, maxParallel) // the file may have been edited
	}
	t.added, t.finished = r.Added, r.Finished
	t.state = restoredState(t.state, e.opts.ResumeOnStart)
	t.pos = r.Pos
	e.order = append(e.order, t)
	e.byID[t.id] = t
}

// Close pauses running transfers, waits for their last checkpoint writes,
// persists the queue and releases the locks. It is idempotent.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		e.mu.Lock()
		e.closed = true
		for _, t := range e.order {
			t.stopCredentialWait()
			if t.running {
				// A pending Pause or Cancel wins: the user's choice must
				// survive quitting right after it.
				if t.intent == intentNone || t.intent == intentRequeue {
					t.intent = intentClose
				}
				t.cancel()
			}
		}
		e.mu.Unlock()
		e.wg.Wait()
		close(e.bgDone)
		e.bgWG.Wait()
		e.closeErr = e.persistNow()
		e.baseCancel()
		e.closeTreeStores()
		e.logClosing()
		e.logs.close()
		if err := e.db.close(); err != nil && e.closeErr == nil {
			e.closeErr = err
		}
		e.queueLock.unlock()
		e.events.close()
	})
	return e.closeErr
}

// Store gives front ends the listing calls (ListBuckets, ListObjects, HeadObject).
func (e *Engine) Store() Store { return e.store }

func newID() ID {
	var b [4]byte
	rand.Read(b[:])
	return ID(strconv.FormatInt(time.Now().UnixMilli(), 36) + "-" + hex.EncodeToString(b[:]))
}

// newTransfer validates a spec and derives its paths. resolve applies the
// OnExists policy (only for fresh Adds, not for reloaded queue entries).
func (e *Engine) newTransfer(spec Spec, resolve bool) (*transfer, error) {
	switch spec.Direction {
	case Download, Upload:
	default:
		return nil, fmt.Errorf("direction %q: want download or upload", spec.Direction)
	}
	if spec.Bucket == "" {
		return nil, errors.New("bucket is empty")
	}
	if spec.Key == "" || len(spec.Key) > 1023 {
		return nil, fmt.Errorf("object key must be 1–1023 bytes, got %d", len(spec.Key))
	}
	if spec.LocalPath == "" {
		return nil, errors.New("local path is empty")
	}
	if spec.Parallel < 0 || spec.Parallel > maxParallel {
		return nil, fmt.Errorf("parallel %d out of range (1–%d)", spec.Parallel, maxParallel)
	}
	if spec.PartSize < 0 || spec.PartSize > maxPartSize {
		return nil, fmt.Errorf("part size %d out of range (1 B – 5 GiB)", spec.PartSize)
	}
	if err := e.checkPins(spec); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(spec.LocalPath)
	if err != nil {
		return nil, fmt.Errorf("local path %q: %w", spec.LocalPath, err)
	}
	spec.LocalPath = abs
	if spec.OnExists == "" {
		spec.OnExists = e.opts.OnExists
	}
	t := &transfer{id: newID(), spec: spec, state: StateQueued, size: -1, sizeHint: -1, added: time.Now()}
	t.parallel = spec.Parallel
	if t.parallel == 0 {
		t.parallel = e.opts.Parallel
	}
	t.partSize = spec.PartSize
	if t.partSize == 0 {
		t.partSize = e.opts.PartSize
	}
	if spec.Direction == Upload && resolve {
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("source: %w", err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("source %s is not a regular file", abs)
		}
		t.size = fi.Size()
	} else if resolve {
		if looksLikeTempName(filepath.Base(abs)) {
			return nil, fmt.Errorf("destination %s: the name has the form reserved for ossq temp files (*.ossq-<12 hex>.part)", abs)
		}
		if err := checkDownloadDest(abs); err != nil {
			return nil, err
		}
		if fi, err := os.Stat(abs); err == nil {
			if fi.IsDir() {
				return nil, fmt.Errorf("destination %s is a directory", abs)
			}
			switch spec.OnExists {
			case ExistsAsk:
				return nil, fmt.Errorf("%w: %s", ErrDestinationExists, abs)
			case ExistsSkip:
				t.state = StateDone
				t.notice = "skipped: destination exists"
				t.finished = time.Now()
			case ExistsRename:
				t.renameOnAdd = true // the free name is chosen under the engine lock
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("destination: %w", err)
		}
	}
	e.derivePaths(t)
	return t, nil
}

// derivePaths sets the checkpoint and lock paths from what t moves.
func (e *Engine) derivePaths(t *transfer) {
	s := t.spec
	t.cpPath = ""
	if !s.NoCheckpoint {
		t.cpPath = filepath.Join(e.opts.CheckpointDir, checkpointName(s.Direction, s.Bucket, s.Key, s.LocalPath))
	}
	t.lockPath = targetLockPath(e.opts.CheckpointDir, s)
}

// destTakenLocked reports whether an unfinished download in the queue
// already targets path.
func (e *Engine) destTakenLocked(path string) bool {
	for _, o := range e.order {
		if o.spec.Direction == Download && o.spec.LocalPath == path && !o.state.Finished() {
			return true
		}
	}
	return false
}

// Add queues one transfer and returns at once (no network I/O).
func (e *Engine) Add(spec Spec) (ID, error) {
	t, err := e.newTransfer(spec, true)
	if err != nil {
		return "", err
	}
	if err := probeLock(t); err != nil {
		return "", err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.addLocked(t, e.unfinishedTargetsLocked()); err != nil {
		return "", err
	}
	e.scheduleLocked()
	return t.id, nil
}

// probeLock notes whether t's target lock is held right now (by another
// process, or by a transfer of this one, which addLocked tells apart). It
// only probes — the lock is taken for real when the transfer runs — so it
// runs outside the engine lock: a tree of many objects does not hold up
// Snapshot while it touches one lock file per object.
func probeLock(t *transfer) error {
	if t.state.Finished() {
		return nil
	}
	l, ok, err := tryLockTarget(t, false)
	if err != nil {
		return err
	}
	t.probedHeld = !ok
	if ok {
		l.unlock()
	}
	return nil
}

// unfinishedTargets indexes what the queue's unfinished transfers hold, so
// adding many transfers at once costs a map lookup each, not a queue walk.
type unfinishedTargets struct {
	locks map[string]ID   // lock path → transfer
	dests map[string]bool // download destinations
}

func (e *Engine) unfinishedTargetsLocked() unfinishedTargets {
	u := unfinishedTargets{locks: map[string]ID{}, dests: map[string]bool{}}
	for _, o := range e.order {
		u.note(o)
	}
	return u
}

func (u unfinishedTargets) note(t *transfer) {
	if t.state.Finished() {
		return
	}
	u.locks[t.lockPath] = t.id
	if t.spec.Direction == Download {
		u.dests[t.spec.LocalPath] = true
	}
}

func (u unfinishedTargets) destTaken(path string) bool { return u.dests[path] }

// addLocked adds t to the queue; u describes the queue and is kept up to date.
func (e *Engine) addLocked(t *transfer, u unfinishedTargets) error {
	if e.closed {
		return ErrClosed
	}
	if t.spec.Direction == Download && t.spec.OnExists == ExistsRename && !t.state.Finished() &&
		(t.renameOnAdd || u.destTaken(t.spec.LocalPath)) {
		alt, err := renameFree(t.spec.LocalPath, u.destTaken)
		if err != nil {
			return err
		}
		t.spec.LocalPath = alt
		t.renameOnAdd = false
		t.probedHeld = false // a new target; its lock is checked when it runs
		e.derivePaths(t)
		t.notice = "saved as " + filepath.Base(alt) + " (destination existed)"
	}
	if !t.state.Finished() {
		if id, busy := u.locks[t.lockPath]; busy {
			return fmt.Errorf("%w: %s (transfer %s)", ErrBusy, describeTarget(t), id)
		}
		if t.probedHeld {
			return fmt.Errorf("%w: %s (held by another ossq process)", ErrBusy, describeTarget(t))
		}
	}
	e.appendLocked(t)
	u.note(t)
	e.emitLocked(EventAdded, t, describeTarget(t))
	if t.state == StateDone {
		e.emitLocked(EventDone, t, t.notice)
	}
	e.changedLocked()
	return nil
}

func describeTarget(t *transfer) string {
	if t.spec.Direction == Upload {
		return fmt.Sprintf("oss://%s/%s", t.spec.Bucket, t.spec.Key)
	}
	return t.spec.LocalPath
}

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
		t.state = StatePaused
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
		t.state = StateQueued
	}
}

func (e *Engine) PauseAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.order {
		if t.state.Active() {
			e.pauseLocked(t)
		}
	}
}

func (e *Engine) ResumeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.order {
		e.resumeLocked(t)
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
	for _, o := range e.order {
		if o != t && o.lockPath == t.lockPath && !o.state.Finished() {
			return fmt.Errorf("%w: %s (transfer %s)", ErrBusy, describeTarget(t), o.id)
		}
	}
	t.state = StateQueued
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
	if n < 1 || n > maxParallel {
		return fmt.Errorf("parallel %d out of range (1–%d)", n, maxParallel)
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

// Snapshot copies the whole queue as plain values under a short lock.
func (e *Engine) Snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := Snapshot{Transfers: make([]TransferSnapshot, 0, len(e.order)), BandwidthLimit: e.bwLimit, Version: e.version}
	for _, t := range e.order {
		ts := e.snapLocked(t, true)
		s.Speed += ts.Speed
		if ts.State.Active() {
			s.Active++
		}
		if ts.State == StateQueued {
			s.Queued++
		}
		s.Transfers = append(s.Transfers, ts)
	}
	return s
}

// Get returns one transfer's snapshot.
func (e *Engine) Get(id ID) (TransferSnapshot, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.byID[id]
	if t == nil {
		return TransferSnapshot{}, false
	}
	return e.snapLocked(t, true), true
}

func (e *Engine) snapLocked(t *transfer, withParts bool) TransferSnapshot {
	ts := TransferSnapshot{
		ID: t.id, Direction: t.spec.Direction, Bucket: t.spec.Bucket, Key: t.spec.Key, LocalPath: t.spec.LocalPath,
		State: t.state, Size: t.size, Retries: t.retries, Parallel: t.parallel, PartSize: t.partSize,
		Err: t.err, ErrInfo: t.errInfo, Notice: t.notice, CheckpointPath: t.cpPath, Added: t.added, Finished: t.finished,
	}
	if t.errInfo != nil {
		info := *t.errInfo
		ts.ErrInfo = &info
	}
	ts.Done = t.doneBytes()
	if t.tree != nil {
		ts.Size = t.tree.meta.BytesTotal
	}
	if t.running {
		ts.Speed = t.speed.get()
		ts.ETA = eta(t.size, ts.Done, ts.Speed)
	}
	if t.tree == nil && t.state == StateDone && t.size >= 0 && t.notice != "skipped: destination exists" {
		ts.Done = t.size
	}
	if withParts && !t.single && t.parts != nil {
		ts.Parts = make([]PartSnapshot, len(t.parts))
		for i, p := range t.parts {
			ts.Parts[i] = PartSnapshot{Number: p.number, Offset: p.off, Size: p.size, Done: p.done.Load(), State: p.getState()}
		}
	}
	return ts
}

// Events delivers lifecycle events; never dropped (buffered without bound
// internally), closed by Close once the remaining events are delivered.
func (e *Engine) Events() <-chan Event { return e.events.out }

// Wait blocks until transfer id reaches a finished or paused state, or ctx
// ends. The error is non-nil only for an unknown ID or an ended ctx; a
// failed transfer is reported through the snapshot's State and Err.
func (e *Engine) Wait(ctx context.Context, id ID) (TransferSnapshot, error) {
	for {
		e.mu.Lock()
		t := e.byID[id]
		if t == nil {
			e.mu.Unlock()
			return TransferSnapshot{}, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		if !t.running && (t.state.Finished() || t.state == StatePaused) {
			ts := e.snapLocked(t, true)
			e.mu.Unlock()
			return ts, nil
		}
		ch := e.changed
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			ts, _ := e.Get(id)
			return ts, ctx.Err()
		}
	}
}

// changedLocked bumps the snapshot version, wakes waiters and asks for the
// queue to be saved.
func (e *Engine) changedLocked() {
	e.version++
	close(e.changed)
	e.changed = make(chan struct{})
	select {
	case e.persistReq <- struct{}{}:
	default:
	}
}

func (e *Engine) emitLocked(kind EventKind, t *transfer, msg string) {
	e.publish(Event{Kind: kind, ID: t.id, Message: msg, Time: time.Now()}, jobSubject(t))
}

// scheduleLocked starts queued transfers, in queue order, while fewer than
// MaxActive run.
func (e *Engine) scheduleLocked() {
	if e.closed {
		return
	}
	active := 0
	for _, t := range e.order {
		if t.running {
			active++
		}
	}
	for _, t := range e.order {
		if active >= e.opts.MaxActive {
			return
		}
		if t.state == StateQueued && !t.running {
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
	t.state = StateRunning
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
	lock, lerr := lockWithGrace(ctx, t)
	switch {
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

// lockWithGrace takes a destination lock, waiting briefly (up to ~1 s) in
// case the holder is a cleanup that is about to let go. nil means busy.
func lockWithGrace(ctx context.Context, t *transfer) (*fileLock, error) {
	for attempt := 0; ; attempt++ {
		lock, ok, err := tryLockTarget(t, true)
		if err != nil || ok {
			return lock, err
		}
		if attempt >= 10 {
			return nil, nil
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
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
	t.sem = nil
	t.retryingParts = 0
	switch {
	case err == nil: // finished, even if a pause or cancel came too late
		e.setFinalLocked(t, StateDone, nil)
	case t.intent == intentCancel:
		e.setFinalLocked(t, StateCanceled, nil)
		if !cleaned {
			e.cleanupAsyncLocked(t)
		}
	case t.intent == intentClose:
		t.state = StatePaused
		t.resumeOnOpen = true
	case t.intent == intentRequeue:
		t.state = StateQueued
	case t.intent == intentPause || classify(err) == classCanceled:
		t.state = StatePaused
		e.emitLocked(EventPaused, t, "")
	case classify(err) == classCredentials:
		t.state = StatePaused
		t.err = ErrCredentials.Error()
		t.errInfo = errorInfoOf(err)
		e.emitLocked(EventPaused, t, t.err)
		e.log.Warn("job paused: credentials refused; waiting for new ones", "id", t.id, "err", err)
		e.awaitCredentialsLocked(t)
	case classify(err) == classDiskFull:
		t.state = StatePaused
		t.err = shortError(err)
		t.errInfo = errorInfoOf(err)
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
	t.state = st
	t.finished = time.Now()
	t.savedDone = t.doneBytes()
	switch st {
	case StateDone:
		t.savedDone = max(t.size, 0)
		e.emitLocked(EventDone, t, "")
	case StateFailed:
		t.err = shortError(err)
		t.errInfo = errorInfoOf(err)
		e.emitLocked(EventFailed, t, t.err)
	case StateCanceled:
		e.emitLocked(EventCanceled, t, "")
	}
	e.changedLocked()
}

// cleanupAsyncLocked removes what a canceled or removed transfer left:
// the multipart upload (network, so in the background), the temp file and
// the checkpoint.
func (e *Engine) cleanupAsyncLocked(t *transfer) {
	if e.targetAdoptedLocked(t) {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		// The lock may still be held for a moment (a run winding down, a
		// CLI transfer of the same target): retry, bounded, then give up.
		var lock *fileLock
		for attempt := 0; lock == nil; attempt++ {
			l, ok, err := tryLockTarget(t, true)
			if err != nil || (!ok && attempt >= cleanupLockAttempts) {
				return // someone else owns this destination: leave it to them
			}
			if ok {
				lock = l
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		e.mu.Lock()
		adopted := e.targetAdoptedLocked(t)
		e.mu.Unlock()
		if adopted {
			lock.unlock()
			return
		}
		e.discardArtifacts(t)
		lock.removeAndUnlock()
	}()
}

// cleanupLockAttempts bounds how long (×100 ms) a cleanup waits for the lock.
const cleanupLockAttempts = 30

// targetAdoptedLocked reports whether a newer unfinished transfer to the
// same target (added again after t failed) owns t's checkpoint, temp file
// and upload now, so cleaning up after t would destroy its work.
func (e *Engine) targetAdoptedLocked(t *transfer) bool {
	for _, o := range e.order {
		if o != t && t.cpPath != "" && o.cpPath == t.cpPath && !o.state.Finished() {
			return true
		}
	}
	return false
}

// discardArtifacts aborts the transfer's multipart upload (if any) and
// deletes its temp file and checkpoint.
func (e *Engine) discardArtifacts(t *transfer) {
	e.mu.Lock()
	uploadID, tempPath := t.uploadID, t.tempPath
	t.uploadID, t.tempPath = "", ""
	e.mu.Unlock()
	if t.cpPath != "" {
		if cp, err := readCheckpoint(t.cpPath); err == nil {
			if uploadID == "" {
				uploadID = cp.UploadID
			}
			if tempPath == "" {
				tempPath = cp.TempPath
			}
		}
	}
	if uploadID != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := e.withRetry(ctx, nil, func() error {
			err := e.store.AbortMultipart(ctx, t.spec.Bucket, t.spec.Key, uploadID)
			if classify(err) == classNoUpload {
				return nil
			}
			return err
		})
		cancel()
		if err != nil {
			e.log.Warn("abort multipart upload failed", "bucket", t.spec.Bucket, "key", t.spec.Key, "upload_id", uploadID, "err", err)
			e.noticef(t, "could not abort multipart upload %s: %v", uploadID, err)
		}
	}
	removeOurTemp(tempPath, t.spec)
	if t.cpPath != "" {
		os.Remove(t.cpPath)
	}
}

// isOurTemp guards deletes: only a file named like our temp files, beside
// the destination, is ever removed.
func isOurTemp(tempPath, dest string) bool {
	return filepath.Dir(tempPath) == filepath.Dir(dest) &&
		isTempNameFor(filepath.Base(tempPath), filepath.Base(tempPrefix(dest)))
}

func (e *Engine) noticef(t *transfer, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	e.mu.Lock()
	t.notice = msg
	e.emitLocked(EventNotice, t, msg)
	e.changedLocked()
	e.mu.Unlock()
	e.log.Info("transfer notice", "id", t.id, "notice", msg)
}

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
			t.state = StateRetrying
		}
		e.emitLocked(EventRetrying, t, shortError(cause))
		e.changedLocked()
		e.mu.Unlock()
		e.log.Debug("retrying", "id", t.id, "attempt", attempt+1, "err", cause)
		defer func() {
			e.mu.Lock()
			t.retryingParts--
			if t.retryingParts == 0 && t.state == StateRetrying {
				t.state = StateRunning
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

func (e *Engine) setState(t *transfer, st State) {
	e.mu.Lock()
	if t.running && t.intent == intentNone {
		t.state = st
		e.changedLocked()
	}
	e.mu.Unlock()
}

// tickLoop samples speeds and bumps the snapshot version while bytes move.
func (e *Engine) tickLoop() {
	defer e.bgWG.Done()
	tk := time.NewTicker(tickInterval)
	defer tk.Stop()
	for {
		select {
		case <-e.bgDone:
			return
		case now := <-tk.C:
			e.mu.Lock()
			moved := false
			for _, t := range e.order {
				if !t.running {
					continue
				}
				d := t.doneBytes()
				t.speed.sample(now, d)
				if d != t.lastDone {
					t.lastDone = d
					moved = true
				}
			}
			if moved {
				e.version++
			}
			e.mu.Unlock()
		}
	}
}

// persistLoop saves the queue after changes, at most every 200 ms, so a
// burst of Adds costs one write.
func (e *Engine) persistLoop() {
	defer e.bgWG.Done()
	for {
		select {
		case <-e.bgDone:
			return
		case <-e.persistReq:
			if err := e.persistNow(); err != nil {
				e.log.Error("saving the queue failed", "err", err)
			}
			select {
			case <-time.After(200 * time.Millisecond):
			case <-e.bgDone:
				return
			}
		}
	}
}

func (e *Engine) persistNow() error {
	e.mu.Lock()
	type write struct {
		store *jobStore
		rec   queueRecord
	}
	var writes []write
	for _, t := range e.order {
		store := e.db
		if t.tree != nil {
			store = t.tree.store
		}
		if store == nil {
			continue
		}
		rec := e.recordLocked(t)
		data, _ := json.Marshal(rec)
		if e.saved[t.id] == string(data) {
			continue
		}
		e.saved[t.id] = string(data)
		writes = append(writes, write{store, rec})
	}
	removed := e.removed
	e.removed = nil
	e.mu.Unlock()
	byStore := map[*jobStore][]queueRecord{}
	for _, w := range writes {
		byStore[w.store] = append(byStore[w.store], w.rec)
	}
	if e.db != nil && len(removed) > 0 && byStore[e.db] == nil {
		byStore[e.db] = nil
	}
	var firstErr error
	for store, recs := range byStore {
		var gone []ID
		if store == e.db {
			gone = removed
		}
		if err := store.putJobs(recs, gone); err != nil {
			e.mu.Lock()
			for _, r := range recs {
				delete(e.saved, r.ID) // written again next time
			}
			e.removed = append(e.removed, gone...)
			e.mu.Unlock()
			if firstErr == nil {
				firstErr = fmt.Errorf("save queue: %w", err)
			}
		}
	}
	return firstErr
}

// recordLocked is a job as persisted: its spec and display state, never a
// credential. A tree's progress lives in its own bucket (treeMeta).
func (e *Engine) recordLocked(t *transfer) queueRecord {
	st := t.state
	if t.resumeOnOpen || t.running {
		st = StateRunning
	}
	r := queueRecord{ID: t.id, Spec: t.spec, State: st, Err: t.err, ErrInfo: t.errInfo, Notice: t.notice,
		Size: t.size, Done: t.doneBytes(), Retries: t.retries, Parallel: t.parallel, Added: t.added, Finished: t.finished, Pos: t.pos}
	if ts := t.tree; ts != nil {
		r.Size = ts.meta.BytesTotal
		r.Tree = &treeRecord{FileParallel: ts.fileParallel, Started: ts.started, Elapsed: ts.elapsed}
	}
	return r
}
