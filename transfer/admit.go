package transfer

// Admission: a spec becomes a queued job once it is valid, its destination
// policy applied and its target free (in this engine and, by its lock, in
// any other ossq process).

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"ossq/internal/ossname"
	"path/filepath"
	"strconv"
	"time"
)

func newID() ID {
	var b [4]byte
	rand.Read(b[:])
	return ID(strconv.FormatInt(time.Now().UnixMilli(), 36) + "-" + hex.EncodeToString(b[:]))
}

// newTransfer validates a spec and derives its paths. resolve applies the
// OnExists policy (only for fresh Adds, not for reloaded queue entries).
func (e *Engine) newTransfer(spec Spec, resolve bool) (*transfer, error) {
	if resolve {
		e.recordProfile(&spec)
	}
	switch spec.Direction {
	case Download, Upload:
	default:
		return nil, fmt.Errorf("direction %q: want download or upload", spec.Direction)
	}
	if spec.Bucket == "" {
		return nil, errors.New("bucket is empty")
	}
	if spec.Key == "" || len(spec.Key) > ossname.MaxKeyLen {
		return nil, fmt.Errorf("object key must be 1–%d bytes, got %d", ossname.MaxKeyLen, len(spec.Key))
	}
	if spec.LocalPath == "" {
		return nil, errors.New("local path is empty")
	}
	if err := checkSpecParallel(spec.Parallel); err != nil {
		return nil, err
	}
	if err := ossname.CheckPartSize(spec.PartSize); err != nil {
		return nil, err
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
				e.setStateLocked(t, StateDone)
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

// busyWithLocked is the unfinished job that holds t's destination, if any.
// A plan writes nothing: it neither holds a destination nor waits for one.
func (e *Engine) busyWithLocked(t *transfer) *transfer {
	if t.plan {
		return nil
	}
	for _, o := range e.order {
		if o != t && !o.plan && o.lockPath == t.lockPath && !o.state.Finished() {
			return o
		}
	}
	return nil
}

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

// checkSpecParallel allows a spec's 0 (the engine's setting) or OSS's range.
func checkSpecParallel(n int) error {
	if n == 0 {
		return nil
	}
	return ossname.CheckParallel(n)
}
