package transfer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// WalkKind says what a WalkEntry is.
type WalkKind string

const (
	WalkFile       WalkKind = "file"       // a regular file (or, when following, a link to one): upload it
	WalkSymlink    WalkKind = "symlink"    // a symbolic link not followed, or dangling
	WalkSpecial    WalkKind = "special"    // a FIFO, device or socket: never uploaded
	WalkLoop       WalkKind = "loop"       // a followed link back to a folder above it
	WalkUnreadable WalkKind = "unreadable" // a folder that could not be listed, or an entry that could not be stat'ed
)

// WalkEntry is one item a folder walk met. Only WalkFile entries are to be
// uploaded; every other kind carries the reason it is left out.
type WalkEntry struct {
	Rel     string // relative to the root, '/'-separated: the key suffix
	Path    string // local path to open (through the links followed)
	Size    int64
	ModTime time.Time
	Kind    WalkKind
	Reason  string // why a non-file entry is skipped; "" for WalkFile
}

// WalkOptions tune WalkFolder.
type WalkOptions struct {
	// FollowSymlinks uploads what links point at: a link to a file as a
	// file, a link to a folder as a folder. A link back to a folder above
	// it (same device and inode) is reported as WalkLoop, not followed.
	FollowSymlinks bool
	// StartAfter, when set, yields only entries whose Rel sorts after it
	// (plain byte order), without reading the folders wholly before it: a
	// walk interrupted after yielding X resumes with StartAfter X.
	StartAfter string
}

// readDir is os.ReadDir; tests replace it to make a folder unreadable,
// which file modes cannot do for root.
var readDir = os.ReadDir

// WalkFolder walks the folder root and calls fn for every regular file and
// every entry it leaves out (symlinks, FIFOs, devices, sockets, loops,
// unreadable folders), so a caller can report each one. Entries come in
// the byte order of Rel — the order OSS lists keys in — so a walk and a
// listing of the destination can be merged in one pass, and StartAfter
// resumes exactly. A symlinked root is followed. An error from fn stops the
// walk and is returned; a root that is missing or not a folder is an error.
func WalkFolder(root string, opts WalkOptions, fn func(WalkEntry) error) error {
	info, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("source folder: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("source %s is not a folder", root)
	}
	w := &walker{opts: opts, fn: fn}
	return w.dir(root, "", []fs.FileInfo{info})
}

type walker struct {
	opts WalkOptions
	fn   func(WalkEntry) error
}

// child is one directory entry, resolved, with its sort key: a folder sorts
// as "name/", so that per-folder order equals the byte order of full paths.
type child struct {
	name, sortKey string
	path          string
	info          fs.FileInfo // of the target when a link is followed
	entry         WalkEntry   // prepared when the child is not a folder to enter
	isDir         bool
}

// dir walks one folder; ancestors are the folders above it (and itself),
// compared by device and inode (os.SameFile) to catch link loops.
func (w *walker) dir(path, rel string, ancestors []fs.FileInfo) error {
	entries, err := readDir(path)
	if err != nil && rel == "" {
		return fmt.Errorf("source folder: %w", err)
	}
	if err != nil {
		return w.emitIfAfter(WalkEntry{Rel: rel, Path: path, Kind: WalkUnreadable, Reason: "folder could not be read: " + errText(err)})
	}
	// Only names and types are held for the sort (a folder of 100,000
	// files costs its names, not 100,000 stats); each entry is resolved as
	// it is emitted. A followed link is resolved first: its target decides
	// whether it sorts as a folder.
	type pending struct {
		e        fs.DirEntry
		sortKey  string
		isDir    bool
		resolved *child
	}
	children := make([]pending, 0, len(entries))
	for _, e := range entries {
		p := pending{e: e, sortKey: joinRel(rel, e.Name())}
		switch {
		case e.Type()&fs.ModeSymlink != 0 && w.opts.FollowSymlinks:
			c := w.resolve(path, rel, e, ancestors)
			p.resolved, p.isDir, p.sortKey = &c, c.isDir, c.sortKey
		case e.IsDir():
			p.isDir, p.sortKey = true, p.sortKey+"/"
		}
		children = append(children, p)
	}
	entries = nil
	slices.SortFunc(children, func(a, b pending) int { return strings.Compare(a.sortKey, b.sortKey) })
	for i := range children {
		p := &children[i]
		if after := w.opts.StartAfter; after != "" && !p.isDir && p.sortKey <= after {
			continue // before the resume point: not even stat'ed
		}
		// Every path under a folder starts with its sortKey ("name/"):
		// skip it whole when all of them sort before StartAfter.
		if after := w.opts.StartAfter; after != "" && p.isDir && p.sortKey < after && !strings.HasPrefix(after, p.sortKey) {
			continue
		}
		c := p.resolved
		if c == nil {
			r := w.resolve(path, rel, p.e, ancestors)
			c = &r
		}
		p.e, p.resolved = nil, nil
		if !c.isDir {
			if err := w.emitIfAfter(c.entry); err != nil {
				return err
			}
			continue
		}
		if err := w.dir(c.path, joinRel(rel, c.name), append(ancestors, c.info)); err != nil {
			return err
		}
	}
	return nil
}

// resolve classifies one entry, following a link when asked to.
func (w *walker) resolve(dir, rel string, e fs.DirEntry, ancestors []fs.FileInfo) child {
	name := e.Name()
	c := child{name: name, sortKey: joinRel(rel, name), path: filepath.Join(dir, name)}
	c.entry = WalkEntry{Rel: c.sortKey, Path: c.path}
	info, err := e.Info()
	if err != nil {
		c.entry.Kind, c.entry.Reason = WalkUnreadable, "could not be read: "+errText(err)
		return c
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if !w.opts.FollowSymlinks {
			c.entry.Kind, c.entry.Reason = WalkSymlink, "symbolic link, not followed (--follow-symlinks follows it)"
			return c
		}
		target, err := os.Stat(c.path)
		if err != nil {
			c.entry.Kind, c.entry.Reason = WalkSymlink, "dangling symbolic link: "+errText(err)
			return c
		}
		if target.IsDir() && slices.ContainsFunc(ancestors, func(a fs.FileInfo) bool { return os.SameFile(a, target) }) {
			c.entry.Kind, c.entry.Reason = WalkLoop, "symbolic link loop: leads back to a folder that contains it"
			return c
		}
		info = target
	}
	c.info = info
	switch mode := info.Mode(); {
	case mode.IsDir():
		c.isDir, c.sortKey = true, c.sortKey+"/"
	case mode.IsRegular():
		c.entry.Kind, c.entry.Size, c.entry.ModTime = WalkFile, info.Size(), info.ModTime()
	case mode&fs.ModeNamedPipe != 0:
		c.entry.Kind, c.entry.Reason = WalkSpecial, "named pipe (FIFO), not a regular file"
	case mode&fs.ModeSocket != 0:
		c.entry.Kind, c.entry.Reason = WalkSpecial, "socket, not a regular file"
	case mode&fs.ModeDevice != 0:
		c.entry.Kind, c.entry.Reason = WalkSpecial, "device, not a regular file"
	default:
		c.entry.Kind, c.entry.Reason = WalkSpecial, fmt.Sprintf("not a regular file (mode %s)", mode.Type())
	}
	return c
}

func (w *walker) emitIfAfter(e WalkEntry) error {
	if w.opts.StartAfter != "" && e.Rel <= w.opts.StartAfter {
		return nil
	}
	return w.fn(e)
}

func joinRel(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel + "/" + name
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
