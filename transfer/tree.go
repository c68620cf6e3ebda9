package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"ossq/internal/ossname"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A tree job moves a prefix into a folder or a folder under a prefix as one
// queue entry. It is a transfer whose tree field is set: the engine's state
// machine (pause, resume, cancel, close, retry) is the one every job uses;
// what differs is the run (tree_run.go) and that its items live in the store.

// treeMeta is a tree's persisted progress, kept in its own bucket and
// changed only by delta-applying transactions (see jobStore.updateTree),
// so the lister, the dispatcher and the committer never overwrite one
// another's figures.
type treeMeta struct {
	Version uint64 `json:"v"`
	Total   int64  `json:"total"`
	Done    int64  `json:"done"`
	Skipped int64  `json:"skipped"`
	Failed  int64  `json:"failed"`
	Renamed int64  `json:"renamed,omitempty"` // done under a free name
	// Filtered counts what the job's filter left out of the listing or the
	// walk (not items: nothing of them is kept).
	Filtered      int64 `json:"filtered,omitempty"`
	FilteredBytes int64 `json:"filtered_bytes,omitempty"`
	// Unchanged counts items the comparison found equal (Spec.Compare);
	// Extras what the destination has beyond the source (Spec.Mirror).
	Unchanged      int64  `json:"unchanged,omitempty"`
	UnchangedBytes int64  `json:"unchanged_bytes,omitempty"`
	Extras         int64  `json:"extras,omitempty"`
	ExtrasBytes    int64  `json:"extras_bytes,omitempty"`
	BytesTotal     int64  `json:"bytes_total"`
	BytesDone      int64  `json:"bytes_done"`
	Token          string `json:"token,omitempty"`      // next listing page
	WalkAfter      string `json:"walk_after,omitempty"` // last file walked (uploads)
	ListingDone    bool   `json:"listing_done,omitempty"`
	// Dispatched is the highest seq handed to a worker: after a crash, items
	// up to it may have left a temp file or a finished file not yet recorded.
	Dispatched uint64 `json:"dispatched"`
}

func (m treeMeta) counts() ItemCounts {
	return ItemCounts{Total: m.Total, Done: m.Done, Skipped: m.Skipped, Failed: m.Failed, Renamed: m.Renamed, Filtered: m.Filtered,
		Unchanged: m.Unchanged, Pending: max(m.unfinished(), 0)}
}

// unfinished is how many items are pending or active.
func (m treeMeta) unfinished() int64 {
	return m.Total - m.Done - m.Skipped - m.Failed - m.Unchanged
}

// adjust applies one item's move from old to new state to the figures.
// BytesTotal is what is to move: a skipped item leaves it, a retried one
// comes back.
func (m *treeMeta) adjust(old, now ItemState, size int64) {
	switch {
	case now == ItemSkipped && old != ItemSkipped:
		m.BytesTotal -= max(size, 0)
	case old == ItemSkipped && now != ItemSkipped:
		m.BytesTotal += max(size, 0)
	}
	for _, d := range []struct {
		s ItemState
		n int64
	}{{old, -1}, {now, 1}} {
		switch d.s {
		case ItemDone:
			m.Done += d.n
			m.BytesDone += d.n * max(size, 0)
		case ItemSkipped:
			m.Skipped += d.n
		case ItemFailed:
			m.Failed += d.n
		case ItemUnchanged:
			m.Unchanged += d.n
			m.UnchangedBytes += d.n * max(size, 0)
			m.BytesTotal -= d.n * max(size, 0) // nothing of it moves
		}
	}
}

var metaKey = []byte("meta")

// treeState is a tree job's part of a transfer. Fields are guarded by
// Engine.mu unless noted.
type treeState struct {
	store        *jobStore
	ownStore     bool   // the CLI's per-job store, closed with the job
	root         string // the local folder (absolute)
	prefix       string // "" or ends in "/"
	meta         treeMeta
	fileParallel int
	started      time.Time
	elapsed      time.Duration // before the current run
	runStart     time.Time
	listErr      error
	sem          *dynSem
	active       map[uint64]*activeItem
	hints        map[ItemState]windowHint // where each state's last window began
	// rescan asks the running dispatcher to look for pending items from
	// the start again (items were retried while it ran).
	rescan atomic.Bool
}

// activeItem is an item a worker holds; done counts its bytes so far.
type activeItem struct {
	it   treeItem
	done atomic.Int64
	sub  *transfer // a large item runs as a transfer with parts
}

func (ts *treeState) activeBytes() int64 {
	var n int64
	for _, a := range ts.active {
		if a.sub != nil {
			n += a.sub.doneBytes()
		} else {
			n += a.done.Load()
		}
	}
	return n
}

// updateTree runs fn in a write transaction on the tree's buckets with its
// meta as stored, saves the meta, and after the commit takes the new meta
// into memory unless a later transaction's already is.
func (e *Engine) updateTree(t *transfer, fn func(tb treeBuckets, m *treeMeta) error) error {
	ts := t.tree
	var m treeMeta
	err := ts.store.db.Update(func(tx *bolt.Tx) error {
		tb, err := treeTx(tx, t.id, true)
		if err != nil {
			return err
		}
		m, err = readMeta(tx, t.id)
		if err != nil {
			return err
		}
		if err := fn(tb, &m); err != nil {
			return err
		}
		m.Version++
		return writeMeta(tx, t.id, &m)
	})
	if err != nil {
		return err
	}
	e.mu.Lock()
	if m.Version > ts.meta.Version {
		ts.meta = m
	}
	e.changedLocked()
	e.mu.Unlock()
	return nil
}

func readMeta(tx *bolt.Tx, id ID) (treeMeta, error) {
	var m treeMeta
	b := tx.Bucket(bucketTrees).Bucket([]byte(id))
	if b == nil {
		return m, nil
	}
	if v := b.Get(metaKey); v != nil {
		if err := json.Unmarshal(v, &m); err != nil {
			return m, fmt.Errorf("job %s: progress record unreadable: %w", id, err)
		}
	}
	return m, nil
}

func writeMeta(tx *bolt.Tx, id ID, m *treeMeta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketTrees).Bucket([]byte(id)).Put(metaKey, data)
}

// treeRecord is the part of a tree job's queue record that is not progress.
type treeRecord struct {
	FileParallel int           `json:"file_parallel,omitempty"`
	Started      time.Time     `json:"started,omitzero"`
	Elapsed      time.Duration `json:"elapsed,omitempty"`
}

// AddTree queues a prefix (download into spec.LocalPath) or a folder
// (upload under spec.Key) as one job and returns its ID at once: the
// listing or walk runs when the job runs, streaming items into the store.
// An ephemeral engine (the CLI) keeps the job in a store of its own under
// the checkpoint folder, named by what it moves, so the same command run
// again resumes it.
func (e *Engine) AddTree(spec Spec) (ID, error) {
	t, err := e.newTree(spec)
	if err != nil {
		return "", err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		t.tree.closeStore()
		return "", ErrClosed
	}
	if o := e.busyWithLocked(t); o != nil {
		t.tree.closeStore()
		return "", fmt.Errorf("%w: %s (job %s)", ErrBusy, describeTarget(t), o.id)
	}
	if o := e.byID[t.id]; o != nil { // a finished run of the same CLI job
		e.removeLocked(o)
	}
	e.appendLocked(t)
	e.emitLocked(EventAdded, t, describeTarget(t))
	e.changedLocked()
	e.scheduleLocked()
	return t.id, nil
}

func (e *Engine) newTree(spec Spec) (*transfer, error) {
	if spec.Direction != Download && spec.Direction != Upload {
		return nil, fmt.Errorf("direction %q: want download or upload", spec.Direction)
	}
	if spec.Bucket == "" {
		return nil, errors.New("bucket is empty")
	}
	if spec.LocalPath == "" {
		return nil, errors.New("local folder is empty")
	}
	if err := checkSpecParallel(spec.Parallel); err != nil {
		return nil, err
	}
	root, err := filepath.Abs(spec.LocalPath)
	if err != nil {
		return nil, fmt.Errorf("local folder %q: %w", spec.LocalPath, err)
	}
	if spec.Direction == Upload {
		fi, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("source folder: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("source %s is not a folder", root)
		}
		// The walk does not follow a symlinked root: walk the folder it names.
		if root, err = filepath.EvalSymlinks(root); err != nil {
			return nil, fmt.Errorf("source folder: %w", err)
		}
	} else if fi, err := os.Lstat(root); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("destination %s exists and is not a folder", root)
	}
	if err := checkCompare(spec.Compare); err != nil {
		return nil, err
	}
	if spec.Compare != "" && spec.Direction == Download {
		spec.OnExists = ExistsOverwrite // what differs is replaced: that is the point of comparing
	}
	prefix := spec.Key
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/" // "photos" means the folder, not also "photos.txt"
	}
	if len(prefix) > ossname.MaxKeyLen {
		return nil, fmt.Errorf("prefix must be at most %d bytes, got %d", ossname.MaxKeyLen, len(prefix))
	}
	spec.Key, spec.LocalPath = prefix, root
	e.recordProfile(&spec)
	if spec.OnExists == "" {
		spec.OnExists = e.opts.OnExists
	}
	t := &transfer{id: newID(), spec: spec, state: StateQueued, size: -1, sizeHint: -1, added: time.Now(), plan: spec.DryRun && !e.opts.Ephemeral}
	t.parallel = cmpOr(spec.Parallel, e.opts.Parallel)
	t.partSize = cmpOr(spec.PartSize, e.opts.PartSize)
	t.lockPath = targetLockPath(e.opts.CheckpointDir, spec)
	t.tree = &treeState{root: root, prefix: prefix, fileParallel: e.opts.FileParallel, active: map[uint64]*activeItem{}, hints: map[ItemState]windowHint{}}
	if e.db != nil {
		t.tree.store = e.db
		err = e.createTreeRecord(t)
	} else {
		err = e.openOwnTreeStore(t)
	}
	if err != nil {
		t.tree.closeStore()
		return nil, err
	}
	return t, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func (e *Engine) createTreeRecord(t *transfer) error {
	rec := e.recordLocked(t)
	return t.tree.store.db.Update(func(tx *bolt.Tx) error {
		if _, err := treeTx(tx, t.id, true); err != nil {
			return err
		}
		if err := writeMeta(tx, t.id, &treeMeta{}); err != nil {
			return err
		}
		return putJobTx(tx, &rec)
	})
}

// openOwnTreeStore gives an ephemeral engine's tree job its own store, named
// by direction, bucket, prefix and folder; a job found there is resumed.
func (e *Engine) openOwnTreeStore(t *transfer) error {
	s := t.spec
	sum := sha256.Sum256([]byte(string(s.Direction) + "\x00" + s.Bucket + "\x00" + s.Key + "\x00" + s.LocalPath + s.modeTag()))
	name := "tree-" + hex.EncodeToString(sum[:10])
	st, err := openJobStore(filepath.Join(e.opts.CheckpointDir, name+".db"))
	if err != nil {
		return err
	}
	t.tree.store, t.tree.ownStore = st, true
	t.id = ID(name)
	recs, _ := st.loadJobs()
	for _, r := range recs {
		if r.ID != t.id || r.Tree == nil {
			continue
		}
		var m treeMeta
		st.db.View(func(tx *bolt.Tx) error { m, err = readMeta(tx, t.id); return err })
		if err != nil {
			return err
		}
		t.tree.meta = m
		t.tree.started, t.tree.elapsed = r.Tree.Started, r.Tree.Elapsed
		t.retries, t.added = r.Retries, r.Added
		// A rerun takes again what failed or was skipped last time (the
		// command may now say how to treat existing files).
		return e.retryItems(t, ItemFailed, ItemSkipped)
	}
	return e.createTreeRecord(t)
}

func (ts *treeState) closeStore() {
	if ts != nil && ts.ownStore && ts.store != nil {
		ts.store.close()
		ts.store = nil
	}
}

// retryFailedItems moves a tree's failed items back to pending.
func (e *Engine) retryFailedItems(t *transfer) error { return e.retryItems(t, ItemFailed) }

// retryItems moves a tree's items in the given states back to pending.
func (e *Engine) retryItems(t *transfer, states ...ItemState) error {
	return e.updateTree(t, func(tb treeBuckets, m *treeMeta) error {
		for _, st := range states {
			c := tb.state[st].Cursor()
			var seqs [][]byte
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				seqs = append(seqs, append([]byte(nil), k...))
			}
			for _, k := range seqs {
				it, err := decodeItem(k, tb.items.Get(k))
				if err != nil {
					return err
				}
				if it.fixed {
					continue // skipped by what it is (an unsafe key, a link): stays skipped
				}
				it.state, it.reason, it.errInfo = ItemPending, "", nil
				if err := tb.putItem(&it, st); err != nil {
					return err
				}
				m.adjust(st, ItemPending, it.size)
			}
		}
		return nil
	})
}

// RetryItem queues one failed or skipped item of a tree job again; the job
// runs again if it had ended.
func (e *Engine) RetryItem(job ID, seq uint64) error {
	e.mu.Lock()
	t, err := e.get(job)
	e.mu.Unlock()
	if err != nil {
		return err
	}
	if t.tree == nil {
		return fmt.Errorf("%w: %s is not a folder job", ErrInvalidState, job)
	}
	err = e.updateTree(t, func(tb treeBuckets, m *treeMeta) error {
		k := seqKey(seq)
		v := tb.items.Get(k)
		if v == nil {
			return fmt.Errorf("%w: item %d of job %s", ErrNotFound, seq, job)
		}
		it, err := decodeItem(k, v)
		if err != nil {
			return err
		}
		if it.state != ItemFailed && it.state != ItemSkipped {
			return fmt.Errorf("%w: retry a %s item", ErrInvalidState, it.state)
		}
		old := it.state
		it.state, it.reason, it.errInfo = ItemPending, "", nil
		m.adjust(old, ItemPending, it.size)
		return tb.putItem(&it, old)
	})
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requeueTreeLocked(t)
	return nil
}

// requeueTreeLocked makes a tree with pending items run again.
func (e *Engine) requeueTreeLocked(t *transfer) {
	switch {
	case t.running:
		t.tree.rescan.Store(true)
	case t.state.Finished():
		e.setStateLocked(t, StateQueued)
		t.err, t.errInfo, t.finished = "", nil, time.Time{}
	}
	e.changedLocked()
	e.scheduleLocked()
}

// SetFileParallel changes how many items of a tree job are in flight.
func (e *Engine) SetFileParallel(id ID, n int) error {
	if n < 1 || n > MaxFileParallel {
		return fmt.Errorf("files in flight %d out of range (1–%d)", n, MaxFileParallel)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.get(id)
	if err != nil {
		return err
	}
	if t.tree == nil {
		return fmt.Errorf("%w: %s is not a folder job", ErrInvalidState, id)
	}
	t.tree.fileParallel = n
	if t.tree.sem != nil {
		t.tree.sem.setLimit(n)
	}
	e.changedLocked()
	return nil
}

// treeSnapLocked fills a tree job's figures into its snapshot.
func (e *Engine) treeSnapLocked(t *transfer, js *JobSnapshot) {
	ts := t.tree
	js.Tree = true
	js.Listing = !ts.meta.ListingDone
	js.Items = ts.meta.counts()
	js.Items.Active = int64(len(ts.active))
	js.Items.Pending = max(js.Items.Pending-js.Items.Active, 0)
	js.FileParallel = ts.fileParallel
	js.FilteredBytes = ts.meta.FilteredBytes
	js.UnchangedBytes = ts.meta.UnchangedBytes
	js.Extras, js.ExtrasBytes = ts.meta.Extras, ts.meta.ExtrasBytes
	js.Started = ts.started
	js.Elapsed = ts.elapsed
	if t.running && !ts.runStart.IsZero() {
		js.Elapsed += time.Since(ts.runStart)
	}
	js.Size = ts.meta.BytesTotal
	js.Done = ts.meta.BytesDone + ts.activeBytes()
	if js.Size >= 0 && js.Done > js.Size && js.Listing {
		js.Size = js.Done
	}
	if t.running {
		js.ETA = ETA(js.Size, js.Done, js.Speed)
		if js.Listing {
			js.ETA = 0
		}
	}
}
