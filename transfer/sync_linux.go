//go:build linux

package transfer

import (
	"os"

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
