package transfer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// fileLock is an flock(2) lock on a small file. flock conflicts between
// separate opens even inside one process, so it guards a destination against
// a second transfer here or in another ossq.
//
// A download's lock lives beside its destination (destLock); every other
// lock (the queue, an upload's object) is a file at a path (fl).
type fileLock struct {
	fl   *flock.Flock
	dest *destLock
}

// tryLockFile takes the lock without waiting. The lock file may be removed
// by its holder when it is done (removeAndUnlock), so after locking we check
// the path still names the inode we locked, and try again if not.
func tryLockFile(path string) (*fileLock, bool, error) {
	return lockStillAtPath(func() (*fileLock, lockTry, error) {
		fl := flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|oNoFollow))
		ok, err := fl.TryLock()
		if err != nil || !ok {
			fl.Close()
			if err != nil {
				return nil, lockBusy, fmt.Errorf("lock %s: %w", path, err)
			}
			return nil, lockBusy, nil
		}
		held, err1 := fl.Stat()
		onDisk, err2 := os.Lstat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, onDisk) {
			return &fileLock{fl: fl}, lockTaken, nil
		}
		fl.Unlock()
		fl.Close()
		if err1 != nil {
			return nil, lockBusy, fmt.Errorf("lock %s: %w", path, err1)
		}
		if err2 != nil && !errors.Is(err2, os.ErrNotExist) {
			return nil, lockBusy, fmt.Errorf("lock %s: %w", path, err2)
		}
		return nil, lockMoved, nil
	})
}

// lockTry is how one try at a lock file went.
type lockTry int

const (
	lockBusy  lockTry = iota // someone holds it (or the try failed)
	lockTaken                // held, and the file is still the one at the path
	lockMoved                // held a file its holder had removed as it let go: try again
)

// relockAttempts bounds the tries at a lock file removed under us.
const relockAttempts = 5

// lockStillAtPath repeats try while the file it locked turns out to be one
// its previous holder removed as it let go (removeAndUnlock): a lock on a
// nameless file guards nothing. After relockAttempts such tries it is busy.
func lockStillAtPath[L any](try func() (L, lockTry, error)) (L, bool, error) {
	for range relockAttempts {
		l, got, err := try()
		if err != nil || got != lockMoved {
			return l, got == lockTaken, err
		}
	}
	var none L
	return none, false, nil
}

// targetLockPath is where t's lock lives: for a download beside the
// destination (destLockPath), for an upload in the checkpoint folder,
// named after the object.
func targetLockPath(checkpointDir string, s Spec) string {
	if s.Direction == Download {
		return destLockPath(s.LocalPath)
	}
	return filepath.Join(checkpointDir, lockName(s.Direction, s.Bucket, s.Key, s.LocalPath))
}

// lockRetryDelay is the pause between tries of a lock whose holder is
// expected to let go soon; graceLockAttempts (about 1 s) is how long a run
// waits for one (a cleanup about to finish).
const (
	lockRetryDelay    = 100 * time.Millisecond
	graceLockAttempts = 10
)

// waitLock takes t's lock, trying again every lockRetryDelay for up to
// attempts more tries while someone holds it. nil (and no error) means
// still busy after that.
func waitLock(ctx context.Context, t *transfer, attempts int) (*fileLock, error) {
	for attempt := 0; ; attempt++ {
		lock, ok, err := tryLockTarget(t, true)
		if err != nil || ok {
			return lock, err
		}
		if attempt >= attempts {
			return nil, nil
		}
		select {
		case <-time.After(lockRetryDelay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// tryLockTarget takes t's lock without waiting (false: someone holds it).
// create says the destination folder and lock file may be created; a
// probe (create false) creates nothing, and finds a lock whose file does
// not exist free, returning a nil lock.
func tryLockTarget(t *transfer, create bool) (*fileLock, bool, error) {
	if t.spec.Direction != Download || !destLocksSupported {
		return tryLockFile(t.lockPath)
	}
	d, ok, err := tryLockDest(t.spec, create)
	if err != nil || d == nil {
		return nil, ok, err
	}
	return &fileLock{dest: d}, true, nil
}

func (l *fileLock) unlock() {
	if l == nil {
		return
	}
	if l.dest != nil {
		l.dest.unlock(false)
		return
	}
	l.fl.Unlock()
	l.fl.Close()
}

// removeAndUnlock deletes the lock file while still holding it, so nobody
// can be left holding a lock on a file that no longer has a name.
func (l *fileLock) removeAndUnlock() {
	if l == nil {
		return
	}
	if l.dest != nil {
		l.dest.unlock(true)
		return
	}
	os.Remove(l.fl.Path())
	l.unlock()
}
