package transfer

import (
	"errors"
	"fmt"
	"os"
	"ossq/internal/units"
)

var (
	// errFolderInTheWay: a folder has the destination file's name (OSS
	// holds both "a/b" and "a/b/c"; on disk one name cannot be both).
	errFolderInTheWay = fmt.Errorf("%w", ErrDestinationExists)
	// errFileInTheWay: a file has the name of a folder a destination needs.
	errFileInTheWay = fmt.Errorf("%w", ErrDestinationExists)
	// errNeverFits: the object is larger than the whole file system.
	errNeverFits = errors.New("the object is larger than the file system it would be saved to")
)

// abandonsWork reports whether a failure means no later run can finish
// from what this one left (the object is gone, the destination can never
// take the file), so its temp file, checkpoint and multipart upload are
// removed at once instead of staying behind forever. Transient failures
// that ran out of retries, and a destination that merely appeared (ask:
// a retry with overwrite reuses the download), are not such failures.
func abandonsWork(err error) bool {
	switch {
	case err == nil, classify(err) != classPermanent:
		return false
	case errors.Is(err, ErrDestinationSymlink), errors.Is(err, ErrPathSymlink),
		errors.Is(err, errFolderInTheWay), errors.Is(err, errFileInTheWay),
		errors.Is(err, errNeverFits):
		return true
	}
	if httpStatus(err) == 404 || Code(err) == CodeNoSuchKey || Code(err) == CodeNoSuchBucket {
		return true
	}
	// An upload whose source file is gone.
	return errors.Is(err, os.ErrNotExist)
}

// checkFits refuses, before any byte is written, an object larger than
// the whole file system of dir: it could never fit, however much is freed.
func checkFits(dir *destDir, size int64) error {
	if capacity, ok := fsCapacity(dir.path); ok && size > capacity {
		return fmt.Errorf("%w: %s, the file system of %s holds %s in all", errNeverFits, units.FormatSize(size), dir.path, units.FormatSize(capacity))
	}
	return nil
}

// diskFullDetail adds to a disk-full error what the paused download keeps
// and where, so the user knows what to free or delete.
func diskFullDetail(err error, h *tempHandle, size int64) error {
	fi, serr := h.file.Stat()
	if serr != nil {
		return err
	}
	// Name the file once: a write error already says which (the summary
	// is cut at maxSummary, and a long path twice would push the sizes and
	// the advice past it).
	where := "in " + h.path()
	if pe := (*os.PathError)(nil); errors.As(err, &pe) && pe.Path == h.path() {
		where = "there"
	}
	return fmt.Errorf("%w; the partial download is kept %s (it takes %s of the %s file): free space and resume, or cancel to delete it",
		err, where, units.FormatSize(allocatedBytes(fi)), units.FormatSize(size))
}

// discardAbandoned removes what a permanently failed transfer left (see
// abandonsWork) and says so in its notice.
func (e *Engine) discardAbandoned(t *transfer) {
	e.mu.Lock()
	temp, upload := t.tempPath, t.uploadID
	e.mu.Unlock()
	if temp == "" && t.cpPath != "" {
		if cp, err := readCheckpoint(t.cpPath); err == nil {
			temp, upload = cp.TempPath, cp.UploadID
		}
	}
	hadCheckpoint := t.cpPath != "" && fileExists(t.cpPath)
	e.discardArtifacts(t)
	switch {
	case temp != "":
		e.noticef(t, "removed the partial download %s: this failure cannot be resumed", temp)
	case upload != "":
		e.noticef(t, "aborted multipart upload %s: this failure cannot be resumed", upload)
	case hadCheckpoint:
		e.noticef(t, "removed the checkpoint: this failure cannot be resumed")
	}
}
