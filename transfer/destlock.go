package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A download's lock is a hidden file beside its destination,
// ".NAME.ossq-lock", flocked while a transfer writes there and removed when
// nothing is left to resume. Living where the destination is, it is the
// same lock for every ossq process, whatever its state or checkpoint
// folder, and whichever symlinked path names the folder.
const (
	lockPrefix = "."
	lockExt    = ".ossq-lock"
)

// destLockName is the lock file's name for a destination file name; a name
// too long to take the affixes is cut and tagged with a hash, as temp
// names are.
func destLockName(base string) string {
	if max := maxNameBytes - len(lockPrefix) - len(lockExt); len(base) > max {
		h := sha256.Sum256([]byte(base))
		tag := "~" + hex.EncodeToString(h[:4])
		base = truncateUTF8(base, max-len(tag)) + tag
	}
	return lockPrefix + base + lockExt
}

// looksLikeLockName reports whether a file name has the form of a
// destination lock, which downloads never write.
func looksLikeLockName(name string) bool {
	return len(name) > len(lockPrefix)+len(lockExt) && strings.HasPrefix(name, lockPrefix) && strings.HasSuffix(name, lockExt)
}

// destLockPath is the lock's path with the destination folder's symbolic
// links resolved (as far as the folder exists), so one destination has one
// key whatever path reaches it.
func destLockPath(dest string) string {
	dir, base := filepath.Split(dest)
	return filepath.Join(resolveExisting(filepath.Clean(dir)), destLockName(base))
}

// resolveExisting resolves symbolic links in the longest existing leading
// part of path and appends the rest unchanged.
func resolveExisting(path string) string {
	rest := ""
	for d := path; ; {
		if real, err := filepath.EvalSymlinks(d); err == nil {
			return filepath.Join(real, rest)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return path
		}
		rest = filepath.Join(filepath.Base(d), rest)
		d = parent
	}
}

// destLock is a held destination lock: the lock file, opened (never through
// a symbolic link) in the destination's folder, which stays open with it.
type destLock struct {
	dir  *destDir
	name string
	file *os.File
}

// tryLockDest takes the lock of spec's destination without waiting. With
// create it makes the folder (through the tree, for a tree item) and the
// lock file if needed; without (a probe), a missing folder or lock file
// means nobody holds it: free, with a nil lock.
func tryLockDest(spec Spec, create bool) (*destLock, bool, error) {
	dir, err := openDownloadDir(spec, create)
	if !create && errors.Is(err, os.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	name := destLockName(filepath.Base(spec.LocalPath))
	flags := os.O_RDONLY | oNoFollow
	if create {
		flags |= os.O_CREATE
	}
	free := false // a probe that found no lock file
	lock, ok, err := lockStillAtPath(func() (*destLock, lockTry, error) {
		f, err := dir.root.OpenFile(name, flags, 0o600)
		if !create && errors.Is(err, os.ErrNotExist) {
			free = true
			return nil, lockBusy, nil
		}
		if err != nil {
			return nil, lockBusy, fmt.Errorf("lock %s: %w", dir.abs(name), err)
		}
		ok, err := flockTry(f)
		if err != nil || !ok {
			f.Close()
			if err != nil {
				return nil, lockBusy, fmt.Errorf("lock %s: %w", dir.abs(name), err)
			}
			return nil, lockBusy, nil
		}
		held, err1 := f.Stat()
		onDisk, err2 := dir.root.Lstat(name)
		if err1 == nil && err2 == nil && os.SameFile(held, onDisk) {
			return &destLock{dir: dir, name: name, file: f}, lockTaken, nil
		}
		f.Close()
		return nil, lockMoved, nil
	})
	if !ok {
		dir.close()
	}
	return lock, ok || free, err
}

// unlock lets go, first removing the lock file (only if its name is still
// the file held) when remove is set.
func (l *destLock) unlock(remove bool) {
	if remove {
		held, err1 := l.file.Stat()
		onDisk, err2 := l.dir.root.Lstat(l.name)
		if err1 == nil && err2 == nil && os.SameFile(held, onDisk) {
			l.dir.root.Remove(l.name)
		}
	}
	l.file.Close() // closing the only descriptor releases the flock
	l.dir.close()
}
