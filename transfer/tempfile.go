package transfer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// errTempReplaced: the name of a temp file in use no longer refers to the
// file ossq opened (someone replaced it, e.g. with a symbolic link). The
// download starts over with a new temp file.
var errTempReplaced = errors.New("the temp file was replaced by another file while in use")

// errTempUnusable: the temp file a checkpoint names is not a regular file
// of ours, so its bytes cannot be trusted or written.
var errTempUnusable = errors.New("temp file is not a regular file owned by this user")

// wrapTempFile lets a test put a full disk under a temp file's writes.
var wrapTempFile = func(f *os.File) tempFile { return f }

// tempHandle is a download's temp file, opened once (never through a
// symbolic link) and used through that descriptor for the whole run.
// Before any operation by name it checks the name still refers to the
// opened file (device and inode), so a file swapped in meanwhile is never
// chmodded, renamed into place or deleted.
type tempHandle struct {
	dir  *destDir
	name string
	file *os.File
	w    tempFile    // file, or a test's wrapper around it
	id   os.FileInfo // fstat at open: the file's identity
}

// createTemp creates a new temp file in dir: exclusive, private, and
// refusing any existing name (a symbolic link planted there included).
func createTemp(dir *destDir, name string) (*tempHandle, error) {
	f, err := dir.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create temp file: %w", err)
	}
	return newTempHandle(dir, name, f)
}

// reopenTemp opens a checkpoint's temp file to resume into it. Anything
// but a regular file owned by this user with a single name is refused
// (errTempUnusable): its bytes may belong to some other file.
func reopenTemp(dir *destDir, name string) (*tempHandle, error) {
	fi, err := dir.root.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || !ownedByUs(fi) || linkCount(fi) > 1 {
		return nil, fmt.Errorf("%w (%s, %s)", errTempUnusable, dir.abs(name), describeFileKind(fi))
	}
	f, err := dir.root.OpenFile(name, os.O_RDWR|oNoFollow, 0)
	if err != nil {
		return nil, fmt.Errorf("open temp file: %w", err)
	}
	h, err := newTempHandle(dir, name, f)
	if err != nil {
		return nil, err
	}
	if !os.SameFile(fi, h.id) {
		h.close()
		return nil, fmt.Errorf("%w (%s)", errTempReplaced, dir.abs(name))
	}
	return h, nil
}

func newTempHandle(dir *destDir, name string, f *os.File) (*tempHandle, error) {
	id, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("temp file: %w", err)
	}
	return &tempHandle{dir: dir, name: name, file: f, w: wrapTempFile(f), id: id}, nil
}

func describeFileKind(fi os.FileInfo) string {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return "a symbolic link"
	case !fi.Mode().IsRegular():
		return "not a regular file"
	case !ownedByUs(fi):
		return "owned by another user"
	case linkCount(fi) > 1:
		return "it has other names (hard links)"
	}
	return "a regular file"
}

// path is the temp file's absolute path.
func (h *tempHandle) path() string { return h.dir.abs(h.name) }

// check reports errTempReplaced unless the name still refers to the file
// this handle opened.
func (h *tempHandle) check() error {
	fi, err := h.dir.root.Lstat(h.name)
	if err != nil || !os.SameFile(fi, h.id) {
		return fmt.Errorf("%w (%s)", errTempReplaced, h.path())
	}
	return nil
}

// finish makes the verified temp file ready to be moved into place: the
// mode a new file would get, the object's modification time, all durable.
// Chmod goes through the descriptor; the time, which only has a by-name
// call, after checking the name. A file system that keeps no times is
// not an error: timeErr says so, for the log.
func (h *tempHandle) finish(mode os.FileMode, mtime time.Time) (timeErr, err error) {
	if err := h.file.Chmod(mode); err != nil {
		return nil, fmt.Errorf("set temp file mode: %w", err)
	}
	if !mtime.IsZero() {
		if err := h.check(); err != nil {
			return nil, err
		}
		timeErr = h.dir.root.Chtimes(h.name, time.Now(), mtime)
	}
	if err := h.w.Sync(); err != nil {
		return timeErr, fmt.Errorf("sync temp file: %w", err)
	}
	return timeErr, nil
}

// moveTo renames the temp file to name in the same folder (replacing what
// is there only if replace), after checking it is still our file. A
// symbolic link at name is never replaced or written through.
func (h *tempHandle) moveTo(name string, replace bool) error {
	if err := h.check(); err != nil {
		return err
	}
	if err := h.dir.refuseSymlink(name); err != nil {
		return err
	}
	var err error
	if replace {
		err = h.dir.root.Rename(h.name, name)
	} else {
		err = h.dir.renameNoReplace(h.name, name)
	}
	if err == nil {
		h.name = name
	}
	return err
}

// remove deletes the temp file if its name is still ours.
func (h *tempHandle) remove() {
	if h.check() == nil {
		h.dir.root.Remove(h.name)
	}
}

func (h *tempHandle) close() error {
	if h == nil || h.file == nil {
		return nil
	}
	err := h.file.Close()
	h.file = nil
	return err
}

// removeOurTemp deletes a download's temp file (or whatever sits under its
// reserved name, a symbolic link only as a link) through the destination's
// folder (reached as the download reaches it), and only if the name has
// our temp form for the destination.
func removeOurTemp(tempPath string, spec Spec) {
	if tempPath == "" || !isOurTemp(tempPath, spec.LocalPath) {
		return
	}
	dir, err := openDownloadDir(spec, false)
	if err != nil {
		return
	}
	defer dir.close()
	dir.root.Remove(filepath.Base(tempPath))
}
