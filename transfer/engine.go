package transfer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"ossq/internal/ossname"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

const (
	tickInterval = 500 * time.Millisecond
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
	queued        bool       // in e.order, counted in e.counts
	store         Store      // the job's profile's store, set when a run starts
	// credWait, while set, cancels the wait for credentials of a job paused
	// because its keys were refused.
	credWait context.CancelFunc
	// plan: a dry-run tree in a queue (not an ephemeral engine's) is a
	// prompt's preview, not queued work: it starts at once outside
	// MaxActive, is left out of job windows (WindowRequest.Plans asks for
	// it), of the totals and of events, and is dropped when a new process
	// loads the queue.
	plan bool
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
	profiles  profileStores // stores of other profiles' jobs
	logs      *eventLog     // the log pane's entries, kept in db
	saved     map[ID]string // each job's record as last written
	// counts are the queue's jobs by state and runningJobs the ones whose
	// run is alive, both kept by setStateLocked/appendLocked/forgetLocked and
	// startLocked/finish, so totals and the tick cost what runs, not what is queued.
	counts      map[State]int
	runningJobs map[*transfer]struct{}
	speed       float64 // total bytes/s, summed by the tick
	removed     []ID    // jobs removed since the last write

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
		o.PartSize = DefaultPartSize
	}
	if err := ossname.CheckPartSize(o.PartSize); err != nil {
		return err
	}
	if o.Parallel == 0 {
		o.Parallel = DefaultParallel
	}
	if err := ossname.CheckParallel(o.Parallel); err != nil {
		return err
	}
	if o.MaxActive == 0 {
		o.MaxActive = DefaultMaxActive
	}
	if o.MaxActive < 1 {
		return fmt.Errorf("max active %d must be at least 1", o.MaxActive)
	}
	if o.FileParallel == 0 {
		o.FileParallel = DefaultFileParallel
	}
	if o.FileParallel < 1 || o.FileParallel > MaxFileParallel {
		return fmt.Errorf("files in flight %d out of range (1–%d)", o.FileParallel, MaxFileParallel)
	}
	if o.MultipartThreshold == 0 {
		o.MultipartThreshold = DefaultMultipartThreshold
	}
	if o.MultipartThreshold < 0 {
		return fmt.Errorf("multipart threshold %d is negative", o.MultipartThreshold)
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
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
		store:       store,
		opts:        opts,
		log:         opts.Logger,
		byID:        map[ID]*transfer{},
		saved:       map[ID]string{},
		counts:      map[State]int{},
		runningJobs: map[*transfer]struct{}{},
		changed:     make(chan struct{}),
		persistReq:  make(chan struct{}, 1),
		bgDone:      make(chan struct{}),
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
	e.setStateLocked(t, r.State)
	t.err, t.errInfo, t.notice = r.Err, r.ErrInfo, r.Notice
	t.size, t.savedDone, t.retries = r.Size, r.Done, r.Retries
	if r.Parallel > 0 {
		t.parallel = min(r.Parallel, ossname.MaxParallel) // the file may have been edited
	}
	t.added, t.finished = r.Added, r.Finished
	e.setStateLocked(t, restoredState(t.state, e.opts.ResumeOnStart))
	e.restoreAppendLocked(t, r.Pos)
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
