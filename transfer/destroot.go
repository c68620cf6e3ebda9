package transfer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

var (
	// ErrDestinationSymlink: the destination file itself is a symbolic link
	// (dangling or not); ossq never writes through one.
	ErrDestinationSymlink = errors.New("destination is a symbolic link")
	// ErrPathSymlink: a folder between a tree's destination and one of its
	// files is a symbolic link; following it could leave the chosen folder.
	ErrPathSymlink = errors.New("path crosses a symbolic link")
)

// destDir is one destination folder, opened as an os.Root. Every file
// operation names an entry directly inside it, so nothing can reach
// outside the folder through ".." or a symbolic link, and a folder renamed
// or replaced meanwhile is still the one that was opened.
type destDir struct {
	root *os.Root
	path string // absolute, for messages and for the paths shown to users
}

// openDestDir opens the folder of a single download's destination,
// creating it first if needed (create). The user chose this path, so
// symbolic links on the way to it are theirs to have.
func openDestDir(path string, create bool) (*destDir, error) {
	if create {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return nil, fmt.Errorf("create destination folder: %w", err)
		}
	}
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, fmt.Errorf("open destination folder: %w", err)
	}
	return &destDir{root: root, path: path}, nil
}

func (d *destDir) close() {
	if d != nil {
		d.root.Close()
	}
}

// abs is the path of an entry of d, for messages and snapshots.
func (d *destDir) abs(name string) string { return filepath.Join(d.path, name) }

// refuseSymlink fails with ErrDestinationSymlink if name is a symbolic link.
func (d *destDir) refuseSymlink(name string) error {
	fi, err := d.root.Lstat(name)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%w: %s", ErrDestinationSymlink, d.abs(name))
	}
	return nil
}

// checkDownloadDest is checked when a download is queued: a symlink (even
// dangling) at the destination is refused at once, and so is a name of the
// form reserved for destination locks.
func checkDownloadDest(path string) error {
	if looksLikeLockName(filepath.Base(path)) {
		return fmt.Errorf("destination %s: the name has the form reserved for ossq locks (.*%s)", path, lockExt)
	}
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%w: %s", ErrDestinationSymlink, path)
	}
	return nil
}

// sync makes the folder's entries (a created temp file, a rename) durable.
func (d *destDir) sync() error {
	f, err := d.root.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	// Some file systems refuse fsync on directories (EINVAL); the rename
	// itself still happened, so only real I/O errors count.
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// renameNoReplace moves oldName to newName only if newName does not exist
// (an error matching os.ErrExist otherwise): atomically where the file
// system can, else with a hard link, else check-then-rename.
func (d *destDir) renameNoReplace(oldName, newName string) error {
	dir, err := d.root.Open(".")
	if err != nil {
		return err
	}
	err = renameAtNoReplace(dir, oldName, newName)
	dir.Close()
	if !errors.Is(err, errNoAtomicNoReplace) {
		return err
	}
	if err := d.root.Link(oldName, newName); err == nil {
		return d.root.Remove(oldName)
	} else if errors.Is(err, os.ErrExist) {
		return err
	}
	if _, err := d.root.Lstat(newName); err == nil {
		return &os.LinkError{Op: "rename", Old: d.abs(oldName), New: d.abs(newName), Err: os.ErrExist}
	}
	return d.root.Rename(oldName, newName)
}

// errNoAtomicNoReplace: the platform or file system has no atomic
// no-replace rename.
var errNoAtomicNoReplace = errors.New("no atomic no-replace rename")

// removeStaleTemps deletes earlier temp files of the destination whose
// temp name prefix is stemMarker (left by a crash, a discarded checkpoint
// or a run without checkpoint), except keep. Holding the destination lock
// makes every such name ours; a symbolic link under such a name is removed
// too (the link, never what it points to).
func (d *destDir) removeStaleTemps(stemMarker, keep string) {
	dir, err := d.root.Open(".")
	if err != nil {
		return
	}
	// Names only: ReadDir would stat every entry, and a Downloads folder
	// holds thousands; only the few names of our temp form are looked at.
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return
	}
	for _, name := range names {
		if name == keep || !isTempNameFor(name, stemMarker) {
			continue
		}
		if fi, err := d.root.Lstat(name); err == nil && (fi.Mode().IsRegular() || fi.Mode()&fs.ModeSymlink != 0) {
			d.root.Remove(name)
		}
	}
}

// destTree is a tree download's destination folder, opened as an os.Root:
// a file's folder is reached one name at a time and a symbolic link on the
// way is an error (ErrPathSymlink) for that file, never followed.
type destTree struct {
	root   *os.Root
	path   string
	create bool // dir creates missing folders
}

// openDestTree opens the folder the user chose; with create, missing
// folders (it and those dir is asked for) are created, else they are an
// error matching os.ErrNotExist.
func openDestTree(path string, create bool) (*destTree, error) {
	d, err := openDestDir(path, create)
	if err != nil {
		return nil, err
	}
	return &destTree{root: d.root, path: path, create: create}, nil
}

func (t *destTree) close() {
	if t != nil {
		t.root.Close()
	}
}

// dir opens the folder rel (slash-separated, relative to the tree; "" or
// "." is the tree itself), creating missing folders on the way if the tree
// was opened to. A symbolic link or a file where a folder should be is an
// error naming it.
func (t *destTree) dir(rel string) (*destDir, error) {
	cur, err := t.root.OpenRoot(".")
	if err != nil {
		return nil, err
	}
	rel = filepath.ToSlash(rel)
	if rel == "" || rel == "." {
		return &destDir{root: cur, path: t.path}, nil
	}
	segs := strings.Split(rel, "/")
	for i, seg := range segs {
		shown := strings.Join(segs[:i+1], "/")
		if seg == "" || seg == "." || seg == ".." {
			cur.Close()
			return nil, fmt.Errorf("folder %q: bad path segment %q", rel, seg)
		}
		fi, err := cur.Lstat(seg)
		if errors.Is(err, os.ErrNotExist) && t.create {
			if err := cur.Mkdir(seg, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				cur.Close()
				return nil, fmt.Errorf("create folder %s: %w", shown, err)
			}
			fi, err = cur.Lstat(seg)
		}
		if err != nil {
			cur.Close()
			return nil, fmt.Errorf("folder %s: %w", shown, err)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			cur.Close()
			return nil, fmt.Errorf("%w: %s", ErrPathSymlink, shown)
		case !fi.IsDir():
			cur.Close()
			return nil, fmt.Errorf("%w: %s is a file (another key uses this name as a file)", errFileInTheWay, shown)
		}
		next, err := cur.OpenRoot(seg)
		cur.Close()
		if err != nil {
			return nil, fmt.Errorf("open folder %s: %w", shown, err)
		}
		// Replaced by a link between the Lstat and the open: refuse too.
		if got, err := next.Lstat("."); err != nil || !os.SameFile(fi, got) {
			next.Close()
			return nil, fmt.Errorf("%w: %s (replaced while opening)", ErrPathSymlink, shown)
		}
		cur = next
	}
	return &destDir{root: cur, path: filepath.Join(t.path, filepath.FromSlash(rel))}, nil
}

// openDownloadDir opens the folder a download's temp file and destination
// live in: through its tree (spec.TreeRoot) when it is part of one, so no
// symbolic link between the tree and the file is followed; else the
// destination's own folder.
//
// create says missing folders are made; without it they are an error
// matching os.ErrNotExist.
func openDownloadDir(spec Spec, create bool) (*destDir, error) {
	dir := filepath.Dir(spec.LocalPath)
	if spec.TreeRoot == "" {
		return openDestDir(dir, create)
	}
	rel, err := filepath.Rel(spec.TreeRoot, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("destination %s is not inside its folder %s", spec.LocalPath, spec.TreeRoot)
	}
	tree, err := openDestTree(spec.TreeRoot, create)
	if err != nil {
		return nil, err
	}
	defer tree.close()
	return tree.dir(rel)
}
