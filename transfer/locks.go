package transfer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

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
	for attempt := 0; attempt < 5; attempt++ {
		fl := flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|oNoFollow))
		ok, err := fl.TryLock()
		if err != nil {
			fl.Close()
			return nil, false, fmt.Errorf("lock %s: %w", path, err)
		}
		if !ok {
			fl.Close()
			return nil, false, nil
		}
		held, err1 := fl.Stat()
		onDisk, err2 := os.Lstat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, onDisk) {
			return &fileLock{fl: fl}, true, nil
		}
		fl.Unlock()
		fl.Close()
		if err1 != nil {
			return nil, false, fmt.Errorf("lock %s: %w", path, err1)
		}
		if err2 != nil && !errors.Is(err2, os.ErrNotExist) {
			return nil, false, fmt.Errorf("lock %s: %w", path, err2)
		}
	}
	return nil, false, nil
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
