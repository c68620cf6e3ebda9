package transfer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"ossq/internal/filter"
)

// A tree run: a lister streams the listing (or the walk) into the store,
// page by page with its position; a dispatcher hands pending items to at
// most fileParallel workers; one committer makes finished files durable in
// batches and records them in one transaction per batch.

const (
	// dispatchBatch is how many pending items the dispatcher reads at once.
	dispatchBatch = 256
	// listLookahead bounds how far the listing runs ahead of the workers, so
	// a million-object prefix does not wait for its whole listing, nor fill
	// the store long before the items move.
	listLookaheadDefault = 20_000
	// commitBatch and commitEvery bound a committer batch.
	commitBatch = 512
	commitEvery = 200 * time.Millisecond
)

type treeRun struct {
	e    *Engine
	t    *transfer
	ts   *treeState
	root *os.Root // the local folder; every file operation under it goes through root
	// resumeUpTo: items up to this seq were handed out before the last run
	// stopped, so they may have left a temp file or an unrecorded file.
	resumeUpTo uint64
	fileMode   os.FileMode
	listed     chan struct{} // lister → dispatcher: new items
	progressed chan struct{} // committer → lister: the backlog shrank
	results    chan itemResult
	dirs       sync.Map      // folders made this run
	listEnded  chan struct{} // closed when the lister returned; listErr is then set
	listErr    error
	stop       context.CancelCauseFunc // ends the run early with its cause
	filter     *filter.Filter          // the job's, compiled; nil keeps everything
	crcDB      *bolt.DB                // CRC64 cache (Compare checksum)
	extras     []Extra                 // noted by the lister, written with its next record
}

// itemResult is a worker's outcome for one item, recorded by the committer.
type itemResult struct {
	it    treeItem // with its new state, reason and error
	old   ItemState
	keep  bool      // still pending: stopped by pause or close
	temp  string    // a finished download's temp file, relative to root
	f     *os.File  // its open descriptor, to sync and close
	dest  string    // where it goes, relative to root
	force bool      // replace what is there (OnExists overwrite)
	mtime time.Time // the modification time to give it (the object's Last-Modified)
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// runTree runs a tree job until every item is done, skipped or failed, or
// ctx ends. It fails when any item failed (Retry takes those again) or
// when listing failed.
func (e *Engine) runTree(ctx context.Context, t *transfer) error {
	ts := t.tree
	e.mu.Lock()
	if ts.started.IsZero() {
		ts.started = time.Now()
	}
	ts.runStart = time.Now()
	ts.sem = newDynSem(ts.fileParallel)
	ts.listErr = nil
	resumeUpTo := ts.meta.Dispatched
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		ts.elapsed += time.Since(ts.runStart)
		ts.runStart = time.Time{}
		ts.sem = nil
		e.mu.Unlock()
	}()
	rootPath := ts.root
	if t.spec.Direction == Download {
		if _, err := os.Stat(ts.root); t.spec.DryRun && errors.Is(err, os.ErrNotExist) {
			// A dry run makes nothing: an empty stand-in says "nothing there".
			empty, err := os.MkdirTemp("", "ossq-dry-run-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(empty)
			rootPath = empty
		} else if err := os.MkdirAll(ts.root, 0o755); err != nil {
			return fmt.Errorf("create destination folder: %w", err)
		}
	}
	root, err := os.OpenRoot(rootPath)
	if err != nil {
		return fmt.Errorf("open local folder: %w", err)
	}
	defer root.Close()
	r := &treeRun{e: e, t: t, ts: ts, root: root, resumeUpTo: resumeUpTo, fileMode: newFileMode(ts.root),
		listed: make(chan struct{}, 1), progressed: make(chan struct{}, 1), results: make(chan itemResult, commitBatch)}
	if t.spec.Filter != nil {
		if r.filter, err = filter.New(*t.spec.Filter); err != nil {
			return fmt.Errorf("filter: %w", err)
		}
	}
	if t.spec.Compare == CompareChecksum {
		db, closeDB, err := r.openCRCCache()
		if err != nil {
			return fmt.Errorf("CRC64 cache: %w", err)
		}
		defer closeDB()
		r.crcDB = db
	}

	// A refused key stops the whole job (paused until new credentials come,
	// see credwait.go), not item after item.
	outer := ctx
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	r.stop = stop
	r.listEnded = make(chan struct{})
	listCtx, stopList := context.WithCancel(ctx)
	go func() {
		r.listErr = r.list(listCtx)
		close(r.listEnded)
	}()
	commitDone := make(chan error, 1)
	go func() { commitDone <- r.commitLoop() }()

	derr := r.dispatch(ctx)
	stopList()
	<-r.listEnded
	close(r.results)
	cerr := <-commitDone
	lerr := r.listErr
	switch {
	case outer.Err() != nil:
		return outer.Err()
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case cerr != nil:
		return cerr
	case derr != nil:
		return derr
	case lerr != nil && !errors.Is(lerr, context.Canceled):
		return fmt.Errorf("listing: %w", lerr)
	}
	if t.spec.Mirror && t.spec.Direction == Download {
		if err := r.findLocalExtras(ctx); err != nil {
			return err
		}
	}
	e.mu.Lock()
	c := ts.meta.counts()
	e.mu.Unlock()
	if c.Failed > 0 {
		return &itemsFailedError{failed: c.Failed, total: c.Total}
	}
	return nil
}

// itemsFailedError ends a tree job that finished with failed items.
type itemsFailedError struct{ failed, total int64 }

func (e *itemsFailedError) Error() string {
	return fmt.Sprintf("%d of %d items failed (retry takes them again)", e.failed, e.total)
}

// list runs the listing or the walk to its end, pausing while the backlog
// of pending items is long.
func (r *treeRun) list(ctx context.Context) error {
	err := r.listAll(ctx)
	if classify(err) == classCredentials {
		r.stop(err) // the job waits for credentials; the listing goes on then
		return nil
	}
	if err != nil && ctx.Err() == nil {
		r.e.mu.Lock()
		r.ts.listErr = err
		r.e.mu.Unlock()
	}
	signal(r.listed)
	return err
}

func (r *treeRun) listAll(ctx context.Context) error {
	r.e.mu.Lock()
	m := r.ts.meta
	r.e.mu.Unlock()
	if m.ListingDone {
		return nil
	}
	if r.t.spec.Direction == Upload {
		return r.walkAll(ctx, m.WalkAfter)
	}
	for !m.ListingDone {
		if err := r.waitBacklog(ctx); err != nil {
			return err
		}
		if err := r.listPage(ctx, m.Token); err != nil {
			return err
		}
		signal(r.listed)
		r.e.mu.Lock()
		m = r.ts.meta
		r.e.mu.Unlock()
	}
	return nil
}

// waitBacklog waits while more than listLookaheadDefault items (a test's
// Options.listLookahead) are pending.
func (r *treeRun) waitBacklog(ctx context.Context) error {
	listLookahead := int64(listLookaheadDefault)
	if r.e.opts.listLookahead > 0 {
		listLookahead = r.e.opts.listLookahead
	}
	for {
		r.e.mu.Lock()
		m := r.ts.meta
		r.e.mu.Unlock()
		if m.unfinished() <= listLookahead {
			return nil
		}
		select {
		case <-r.progressed:
		case <-time.After(time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// dispatch hands pending items to workers until none is left and the
// listing has ended (or failed), or ctx ends; then waits for the workers.
func (r *treeRun) dispatch(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	after := uint64(0)
	listing := true
	for ctx.Err() == nil {
		if r.ts.rescan.Swap(false) {
			after = 0
		}
		batch, err := r.ts.store.pendingAfter(r.t.id, after, dispatchBatch)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			if !listing && !r.ts.rescan.Load() {
				return nil
			}
			select {
			case <-r.listed:
			case <-r.listEnded:
				if listing {
					listing = false
					r.listedErr(r.listErr)
				}
			case <-time.After(250 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		if hi := batch[len(batch)-1].seq; hi > r.dispatched() {
			if err := r.e.updateTree(r.t, func(_ treeBuckets, m *treeMeta) error {
				m.Dispatched = max(m.Dispatched, hi)
				return nil
			}); err != nil {
				return fmt.Errorf("record progress: %w", err)
			}
		}
		for _, it := range batch {
			after = it.seq
			r.e.mu.Lock()
			_, busy := r.ts.active[it.seq]
			sem := r.ts.sem
			r.e.mu.Unlock()
			if busy {
				continue
			}
			if err := sem.acquire(ctx); err != nil {
				return nil
			}
			a := &activeItem{it: it}
			r.e.mu.Lock()
			r.ts.active[it.seq] = a
			r.e.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := r.work(ctx, a)
				sem.release()
				r.results <- res
			}()
		}
	}
	return nil
}

// listedErr keeps the listing's end for dispatch: a failed listing stops
// new work once the items it did list are done.
func (r *treeRun) listedErr(err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		r.e.log.Warn("listing failed", "job", r.t.id, "err", err)
	}
}

func (r *treeRun) dispatched() uint64 {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return r.ts.meta.Dispatched
}

// work runs one item and reports its outcome; it never returns an error of
// its own: a failure is the item's state.
func (r *treeRun) work(ctx context.Context, a *activeItem) itemResult {
	res := itemResult{it: a.it, old: ItemPending}
	var err error
	same := false
	if a.it.candidate && r.t.spec.Compare == CompareChecksum {
		same, err = r.sameChecksum(ctx, &a.it)
	}
	switch {
	case err != nil:
	case same:
		res.it.state = ItemUnchanged
		return res
	case r.t.spec.Direction == Upload:
		err = r.runSub(ctx, a)
	case a.it.size >= r.e.opts.MultipartThreshold:
		err = r.runSub(ctx, a)
	default:
		res, err = r.downloadSmall(ctx, a)
	}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		res.keep = true
	case classify(err) == classCredentials, classify(err) == classDiskFull:
		res.keep = true // the job pauses, with this cause, and the item waits
		r.stop(err)
	case errors.Is(err, errItemSkipped):
		res.it.state, res.it.reason = ItemSkipped, skipReason(err)
	default:
		res.it.state, res.it.reason, res.it.errInfo = ItemFailed, shortError(err), ErrorInfoOf(err)
		r.e.log.Error("item failed", "job", r.t.id, "key", a.it.key, "err", err)
	}
	if res.it.state == ItemPending && !res.keep {
		res.it.state = ItemDone
	}
	return res
}
