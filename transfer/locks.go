package transfer

import (
	"errors"
	"fmt"
	"os"

	"github.com/gofrs/flock"
)

// fileLock is an flock(2) lock on a small file. flock conflicts between
// separate opens even inside one process, so it guards a destination against
// a second transfer here or in another ossq.
type fileLock struct {
	fl *flock.Flock
}

// tryLockFile takes the lock without waiting. The lock file may be removed
// by its holder when it is done (removeAndUnlock), so after locking we check
// the path still names the inode we locked, and try again if not.
func tryLockFile(path string) (*fileLock, bool, error) {
	for attempt := 0; attempt < 5; attempt++ {
		fl := flock.New(path, flock.SetPermissions(0o600))
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
		onDisk, err2 := os.Stat(path)
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

func (l *fileLock) unlock() {
	if l == nil {
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
	os.Remove(l.fl.Path())
	l.unlock()
}
