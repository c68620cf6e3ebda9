//go:build linux

package transfer

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to begin writing a finished part to disk
// now, without waiting, so the fdatasync before the next checkpoint (and
// the final one) has little left to do and disk writes overlap the network.
func startWriteback(f tempFile, off, n int64) {
	if osf, ok := f.(interface{ Fd() uintptr }); ok && n > 0 {
		unix.SyncFileRange(int(osf.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
	}
}

// dataSync makes the file's data (and its size) durable; fdatasync skips
// the timestamps fsync would also flush.
func dataSync(f tempFile) error {
	if osf, ok := f.(*os.File); ok {
		for {
			err := unix.Fdatasync(int(osf.Fd()))
			if err != unix.EINTR {
				if err != nil {
					return &os.PathError{Op: "fdatasync", Path: osf.Name(), Err: err}
				}
				return nil
			}
		}
	}
	return f.Sync()
}

// renameAtNoReplace renames oldName to newName inside dir only if newName
// does not exist (an error matching os.ErrExist otherwise), atomically with
// RENAME_NOREPLACE; errNoAtomicNoReplace where the file system lacks it.
func renameAtNoReplace(dir *os.File, oldName, newName string) error {
	fd := int(dir.Fd())
	err := unix.Renameat2(fd, oldName, fd, newName, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		return errNoAtomicNoReplace
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldName, New: newName, Err: err}
	}
	return nil
}

// newFileMode is the mode a plain file creation gets now: 0666 minus the
// umask, read from /proc (reading it with umask(2) would briefly change it
// for the whole process).
func newFileMode(dir string) os.FileMode {
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range bytes.Split(status, []byte("\n")) {
			if v, ok := bytes.CutPrefix(line, []byte("Umask:")); ok {
				if mask, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 8, 32); err == nil {
					return 0o666 &^ os.FileMode(mask)
				}
			}
		}
	}
	return probeFileMode(dir)
}

// fsCapacity is the total size of the file system holding dir.
func fsCapacity(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Bsize <= 0 {
		return 0, false
	}
	return int64(st.Blocks) * st.Bsize, true
}

// changeTime is the inode's change time (ctime), which a rename sets.
func changeTime(fi os.FileInfo) (time.Time, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(st.Ctim.Sec, st.Ctim.Nsec), true
}
