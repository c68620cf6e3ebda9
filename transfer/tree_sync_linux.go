//go:build linux

package transfer

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// haveSyncFS: a batch of small files is made durable with one syncfs(2)
// (one journal commit) instead of one fdatasync per file.
const haveSyncFS = true

// syncFS makes every write on the file system holding f durable.
func syncFS(f *os.File) error {
	for {
		err := unix.Syncfs(int(f.Fd()))
		if err != unix.EINTR {
			if err != nil {
				return &os.PathError{Op: "syncfs", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}

// placeAt, in the folder open as dir, gives name its modification time and
// renames it to dest, replacing dest only when force. Both are names in
// dir, so no path is walked again and no link on the way can be followed.
// A taken dest is an error matching os.ErrExist.
func placeAt(_ *os.Root, _ string, dir *os.File, name, dest string, mtime time.Time, force bool) error {
	fd := int(dir.Fd())
	if !mtime.IsZero() {
		ts := []unix.Timespec{unix.NsecToTimespec(time.Now().UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
		if err := unix.UtimesNanoAt(fd, name, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("set modification time of %s: %w", name, err)
		}
	}
	if force {
		if err := unix.Renameat(fd, name, fd, dest); err != nil {
			return &os.LinkError{Op: "rename", Old: name, New: dest, Err: err}
		}
		return nil
	}
	err := unix.Renameat2(fd, name, fd, dest, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		// A file system without the flag: a hard link fails if dest exists.
		if err = unix.Linkat(fd, name, fd, dest, 0); err == nil {
			unix.Unlinkat(fd, name, 0)
		}
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: name, New: dest, Err: err}
	}
	return nil
}

func deviceOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev)
	}
	return 0
}
