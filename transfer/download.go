package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"ossq/internal/ossname"
	"path/filepath"
	"strings"
	"sync"
)

// copyBufferSize is each worker's buffer: large enough for few syscalls,
// small enough that 16 workers stay far under the memory budget.
const copyBufferSize = 256 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

// tempFile is what a download needs of its temp file.
type tempFile interface {
	io.WriterAt
	Sync() error
	Close() error
	Stat() (os.FileInfo, error)
	Truncate(size int64) error
}

// archiveClasses must be restored before a GET succeeds.
var archiveClasses = map[string]bool{"Archive": true, "ColdArchive": true, "DeepColdArchive": true}

func restored(obj Object) bool {
	return strings.Contains(strings.ReplaceAll(obj.Restore, " ", ""), `ongoing-request="false"`)
}

// downloadPartSize picks the part size: one part below the threshold, else
// the configured size grown so there are at most 10,000 parts.
func (e *Engine) downloadPartSize(t *transfer, size int64) (int64, bool) {
	if size < e.opts.MultipartThreshold {
		return max(size, 1), true
	}
	ps := t.partSize
	if n := (size + ps - 1) / ps; n > ossname.MaxParts {
		ps = (size + ossname.MaxParts - 1) / ossname.MaxParts
	}
	return ps, false
}

// onceCloser makes Close idempotent, so the body can be closed both by the
// worker that used it and by the download that opened it.
type onceCloser struct {
	io.ReadCloser
	once sync.Once
	err  error
}

func (c *onceCloser) Close() error {
	c.once.Do(func() { c.err = c.ReadCloser.Close() })
	return c.err
}

// objectOpener is an optional Store method: one GET that yields the
// object's metadata and its body (NewOSSStore's store has it).
type objectOpener interface {
	OpenObject(ctx context.Context, bucket, key string) (Object, io.ReadCloser, error)
}

// statObject learns the object's metadata: with a HEAD, or — for an object
// the listing showed to be small, with no checkpoint to resume — with the
// GET itself, whose body is returned for the download to use.
func (e *Engine) statObject(ctx context.Context, t *transfer) (Object, io.ReadCloser, error) {
	var obj Object
	var body io.ReadCloser
	opener, canOpen := e.storeOf(t).(objectOpener)
	if canOpen && t.spec.VersionID == "" && t.sizeHint >= 0 && t.sizeHint < e.opts.MultipartThreshold {
		if _, err := os.Stat(t.cpPath); t.cpPath == "" || errors.Is(err, os.ErrNotExist) {
			err := e.withRetry(ctx, t, func() error {
				var err error
				obj, body, err = opener.OpenObject(ctx, t.spec.Bucket, t.spec.Key)
				return err
			})
			if err != nil {
				if !errors.Is(err, errNoContentLength) && Code(err) != CodeInvalidObjectState {
					return Object{}, nil, err
				}
				// Not restored: fall through to HEAD, which names the storage
				// class. No length (a compressed answer): HEAD + ranged GETs.
			}
			if err == nil {
				return obj, body, nil
			}
		}
	}
	err := e.withRetry(ctx, t, func() error {
		var err error
		obj, err = e.headObject(ctx, t)
		return err
	})
	return obj, nil, err
}

func archivedError(op, class string) error {
	return &OSSError{Info: ErrorInfo{Op: op, Code: "InvalidObjectState",
		Message: fmt.Sprintf("object is in %s storage; restore it first", class)},
		Err: fmt.Errorf("object is in %s storage; restore it first: %w", class, ErrArchived)}
}

func (e *Engine) download(ctx context.Context, t *transfer) error {
	obj, firstBody, err := e.statObject(ctx, t)
	if err != nil {
		return err
	}
	defer func() {
		if firstBody != nil {
			firstBody.Close()
		}
	}()
	if NeedsRestore(obj) {
		return archivedError("HeadObject", obj.StorageClass)
	}
	if obj.Size < 0 {
		return fmt.Errorf("HeadObject: server reported size %d", obj.Size)
	}
	dest := t.spec.LocalPath
	dir, err := openDownloadDir(t.spec, true)
	if err != nil {
		return err
	}
	defer dir.close()
	destName := filepath.Base(dest)
	if err := dir.refuseSymlink(destName); err != nil {
		return err
	}
	partSize, single := e.downloadPartSize(t, obj.Size)

	if e.completedBeforeCrash(t, dir, obj) {
		os.Remove(t.cpPath)
		e.mu.Lock()
		t.size = obj.Size
		e.mu.Unlock()
		e.noticef(t, "already complete: the file was in place before the last run stopped")
		return nil
	}
	stemMarker := filepath.Base(tempPrefix(dest))
	cp, h := e.loadDownloadCheckpoint(t, dir, obj)
	freshTemp := cp == nil
	if cp != nil {
		dir.removeStaleTemps(stemMarker, h.name)
		partSize = cp.PartSize
		single = len(cp.Parts) == 1 && obj.Size < e.opts.MultipartThreshold
	} else {
		dir.removeStaleTemps(stemMarker, "")
		cp = &checkpoint{Direction: Download, Bucket: t.spec.Bucket, Key: t.spec.Key, LocalPath: dest,
			PartSize: partSize, Size: obj.Size, ETag: obj.ETag, VersionID: obj.VersionID,
			LastModified: obj.LastModified.UnixNano(), CRC64: obj.CRC64, TempPath: tempPathFor(dest)}
		cp.Parts = make([]cpPart, partCount(obj.Size, partSize))
		for i := range cp.Parts {
			cp.Parts[i].Number = i + 1
		}
		if h, err = createTemp(dir, filepath.Base(cp.TempPath)); err != nil {
			return err
		}
	}
	defer h.close()
	f := h.w
	if fi, err := f.Stat(); err != nil {
		return fmt.Errorf("temp file: %w", err)
	} else if fi.Size() != obj.Size {
		if err := checkFits(dir, obj.Size); err != nil {
			h.remove()
			return err
		}
		// Preallocate the length (sparse) so parts can be written at any offset.
		if err := f.Truncate(obj.Size); err != nil {
			return fmt.Errorf("size temp file: %w", err)
		}
	}

	parts := make([]*part, len(cp.Parts))
	for i, cpp := range cp.Parts {
		off, n := partRange(obj.Size, partSize, i)
		p := &part{number: i + 1, off: off, size: n, crc: cpp.CRC}
		p.done.Store(cpp.Done)
		if cpp.Done == n {
			p.state.Store(partDone)
		}
		parts[i] = p
	}
	if !freshTemp {
		if err := e.verifyResumedParts(ctx, t, h, parts); err != nil {
			return err
		}
	}
	e.mu.Lock()
	t.size, t.partSize, t.parts, t.single, t.tempPath = obj.Size, partSize, parts, single, cp.TempPath
	e.changedLocked()
	e.mu.Unlock()

	cpPath := t.cpPath
	if single && len(cp.Parts) == 1 && cp.Parts[0].Done == 0 {
		// One small request: a checkpoint would cost more fsyncs than the
		// bytes it could save; a crash just fetches it again.
		cpPath = ""
	}
	// The owner records the temp path at once (a crash before the first
	// part must not orphan a temp file nobody knows about) while the
	// workers already fetch: the syncs this takes are not in their way.
	owner := newDownloadOwner(cpPath, cp, parts, f, func() error {
		if !freshTemp {
			return nil
		}
		// The temp file's name must be durable before any checkpoint
		// claims bytes in it.
		if err := dir.sync(); err != nil {
			return fmt.Errorf("sync destination folder: %w", err)
		}
		return nil
	})
	if len(parts) != 1 && firstBody != nil {
		firstBody.Close() // the object grew past one part since the listing
		firstBody = nil
	}
	// Only a one-part download has a first body, and its one worker is the
	// only reader of this variable.
	var first io.ReadCloser
	if firstBody != nil {
		oc := &onceCloser{ReadCloser: firstBody}
		defer oc.Close() // in case no worker ever took it (part already done, paused)
		first, firstBody = oc, nil
	}
	if err := e.runParts(ctx, t, parts, owner, func(ctx context.Context, p *part) error {
		return e.fetchPart(ctx, t, f, p, obj.ETag, first)
	}); err != nil {
		if classify(err) == classDiskFull {
			return diskFullDetail(err, h, obj.Size)
		}
		if owner.allDone() {
			// Paused or closed just after the last part: the owner left
			// this checkpoint to us, so save it (a resume fetches nothing).
			if werr := owner.write(); werr != nil {
				e.log.Warn("could not save the checkpoint", "path", t.cpPath, "err", werr)
			}
		}
		return err
	}

	// The owner left the last checkpoint to this function: none is needed
	// once the file is in place (it is deleted then); a stop before that
	// saves one, so a later run (say with overwrite) fetches nothing again.
	saveLast := owner.write
	defer func() {
		if saveLast == nil {
			return
		}
		if err := saveLast(); err != nil {
			e.log.Warn("could not save the checkpoint", "path", t.cpPath, "err", err)
		}
	}()
	e.setState(t, StateVerifying)
	if want, ok := parseCRC64(obj.CRC64); ok {
		if got := joinCRCs(parts); got != want {
			return fmt.Errorf("whole object: local %d, server %d: %w (%w)", got, want, errCRCMismatch, errObjectChanged)
		}
	}
	if testHookBeforeMove != nil {
		testHookBeforeMove(h.path())
	}
	// The temp file is private while it fills; the finished file gets the
	// mode any newly created file would, and the object's time.
	if timeErr, err := h.finish(newFileMode(dir.path), obj.LastModified); err != nil {
		// A failed fsync is not retried: a second one may report success
		// for pages already lost, and the checkpoint would claim them.
		saveLast = nil
		return err
	} else if timeErr != nil {
		e.log.Warn("could not set modification time", "path", dest, "err", timeErr)
	}
	saveLast = owner.saveDurable // finish synced the data; the file is closed next
	if err := h.close(); err != nil {
		return fmt.Errorf("close temp file: %w", err)
	}
	destName, err = e.moveIntoPlace(t, h, destName)
	if errors.Is(err, errSkippedExisting) {
		saveLast = nil
		h.remove()
		e.dropFinishedState(t)
		return nil
	}
	if err != nil {
		return err
	}
	saveLast = nil
	if dest = dir.abs(destName); dest != t.spec.LocalPath {
		e.mu.Lock()
		t.spec.LocalPath = dest
		e.mu.Unlock()
		e.noticef(t, "saved as %s (destination appeared meanwhile)", destName)
	}
	if err := dir.sync(); err != nil {
		return fmt.Errorf("sync destination folder: %w", err)
	}
	e.dropFinishedState(t)
	return nil
}

// testHookBeforeMove, when set by a test, runs after the download verified
// and before it touches the temp file by name, to swap the file there.
var testHookBeforeMove func(tempPath string)

// dropFinishedState forgets what only an unfinished transfer needs: its
// checkpoint file, temp path and upload ID.
func (e *Engine) dropFinishedState(t *transfer) {
	if t.cpPath != "" {
		os.Remove(t.cpPath)
	}
	e.mu.Lock()
	t.tempPath, t.uploadID = "", ""
	e.mu.Unlock()
}

// errSkippedExisting: OnExists skip found the destination taken at the end.
var errSkippedExisting = errors.New("skipped: destination exists")

// moveIntoPlace renames the finished temp file to name, in the folder it
// is in. OnExists was checked at Add, but a file may have appeared since
// (while queued, running, or before a restart): only overwrite replaces it;
// ask fails with ErrDestinationExists (the checkpoint stays, so a later
// overwrite needs no new download), rename picks a free name, skip drops
// the download. It returns the name the file now has.
func (e *Engine) moveIntoPlace(t *transfer, h *tempHandle, name string) (string, error) {
	folderInTheWay := func() error {
		if fi, err := h.dir.root.Lstat(name); err == nil && fi.IsDir() {
			return fmt.Errorf("%w: %s is a folder (another key uses this name as a prefix)", errFolderInTheWay, h.dir.abs(name))
		}
		return nil
	}
	if t.spec.OnExists == ExistsOverwrite {
		if err := h.moveTo(name, true); err != nil {
			if ferr := folderInTheWay(); ferr != nil {
				return name, ferr
			}
			return name, fmt.Errorf("move into place: %w", err)
		}
		return name, nil
	}
	for attempt := 0; ; attempt++ {
		err := h.moveTo(name, false)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return name, fmt.Errorf("move into place: %w", err)
		}
		switch t.spec.OnExists {
		case ExistsSkip:
			e.noticef(t, "%s", errSkippedExisting.Error())
			return name, errSkippedExisting
		case ExistsRename:
			if attempt >= 10 {
				return name, fmt.Errorf("move into place: %w", err)
			}
			e.mu.Lock()
			alt, rerr := renameFree(t.spec.LocalPath, e.destTakenLocked)
			e.mu.Unlock()
			if rerr != nil {
				return name, rerr
			}
			name = filepath.Base(alt)
			continue
		default:
			if ferr := folderInTheWay(); ferr != nil {
				return name, ferr
			}
			return name, fmt.Errorf("%w: %s (it appeared after the download was queued)", ErrDestinationExists, h.dir.abs(name))
		}
	}
}

// probeFileMode learns the mode a new file gets (0666 minus the umask) by
// creating one in dir; 0644 if that fails.
func probeFileMode(dir string) os.FileMode {
	probe := filepath.Join(dir, ".ossq-mode-probe-"+randomSuffix())
	f, err := os.OpenFile(probe, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666)
	if err != nil {
		return 0o644
	}
	defer os.Remove(probe)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0o644
	}
	return fi.Mode().Perm()
}

// completedBeforeCrash recognises a crash between moving the finished file
// into place and removing its checkpoint: the temp file gone, and the
// destination with the object's size and modification time (which only
// the verified download sets). The checkpoint need not claim every part:
// a download that completes does not write a last one, so it may lag the
// last parts. Without this the next run would download it all again.
func (e *Engine) completedBeforeCrash(t *transfer, dir *destDir, obj Object) bool {
	if t.cpPath == "" || obj.LastModified.IsZero() {
		return false
	}
	cp, err := readCheckpoint(t.cpPath)
	if err != nil || cp.mismatch(t.spec, objectPin(obj)) != "" {
		return false
	}
	if !isOurTemp(cp.TempPath, t.spec.LocalPath) {
		return false
	}
	if _, err := dir.root.Lstat(filepath.Base(cp.TempPath)); !errors.Is(err, os.ErrNotExist) {
		return false
	}
	fi, err := dir.root.Lstat(filepath.Base(t.spec.LocalPath))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != cp.Size || !fi.ModTime().Equal(obj.LastModified) {
		return false
	}
	if allPartsClaimed(cp) {
		return true
	}
	// The last checkpoint is not written once every part is in, so it may
	// claim less. The rename that placed our file changed its inode after
	// that checkpoint; an older file of the same size and time did not.
	cpInfo, err := os.Stat(t.cpPath)
	changed, ok := changeTime(fi)
	return err == nil && ok && !changed.Before(cpInfo.ModTime())
}

func allPartsClaimed(cp *checkpoint) bool {
	for i, p := range cp.Parts {
		if _, size := partRange(cp.Size, cp.PartSize, i); p.Done != size {
			return false
		}
	}
	return true
}

// loadDownloadCheckpoint returns the saved checkpoint, with its temp file
// reopened, if it still describes this object and destination; else nils,
// with the reason as a notice.
func (e *Engine) loadDownloadCheckpoint(t *transfer, dir *destDir, obj Object) (*checkpoint, *tempHandle) {
	if t.cpPath == "" {
		return nil, nil
	}
	cp, err := readCheckpoint(t.cpPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	reason := ""
	switch {
	case err != nil:
		reason = err.Error()
	case cp.mismatch(t.spec, objectPin(obj)) != "":
		reason = cp.mismatch(t.spec, objectPin(obj))
	case !isOurTemp(cp.TempPath, t.spec.LocalPath):
		reason = "checkpoint names an unexpected temp file"
	default:
		h, err := reopenTemp(dir, filepath.Base(cp.TempPath))
		switch {
		case errors.Is(err, os.ErrNotExist):
			reason = "temp file is missing"
		case err != nil:
			reason = err.Error()
		default:
			if fi, err := h.file.Stat(); err == nil && fi.Size() == obj.Size {
				return cp, h
			}
			h.close()
			reason = "temp file has the wrong size"
		}
	}
	if cp != nil && isOurTemp(cp.TempPath, t.spec.LocalPath) {
		// Only the name goes: a symbolic link there is removed, not followed.
		dir.root.Remove(filepath.Base(cp.TempPath))
	}
	os.Remove(t.cpPath)
	e.noticef(t, "started over: %s", reason)
	return nil, nil
}
