package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ossq/internal/crc64x"
)

// renamedReason marks a done item saved under a free name because its own
// was taken; the item's path is the one written.
const renamedReason = "saved under another name (destination existed)"

// errItemSkipped marks an item that is skipped, not failed; skipf gives the reason.
var errItemSkipped = errors.New("skipped")

type skipError struct{ reason string }

func (e *skipError) Error() string        { return "skipped: " + e.reason }
func (e *skipError) Is(target error) bool { return target == errItemSkipped }

func skipf(format string, args ...any) error { return &skipError{fmt.Sprintf(format, args...)} }

// existsSkip is the skip for an item whose destination exists: asked for
// (on_exists = skip), or because nothing may be overwritten unasked.
func existsSkip(policy OnExists) error {
	if policy == ExistsSkip {
		return skipf("destination exists (on_exists = skip)")
	}
	return skipf("%s", ReasonDestinationExists)
}

// ReasonDestinationExists is the reason of an item skipped because its
// destination exists and the policy is ask: a front end offers the choice.
const ReasonDestinationExists = "destination exists"

func skipReason(err error) string {
	var s *skipError
	if errors.As(err, &s) {
		return s.reason
	}
	return err.Error()
}

// treeTempName is an item's temp file: beside its destination, named from
// the job and the item, so after a crash the next run knows the name it
// may have left without sweeping the folder.
func treeTempName(rel string, job ID, seq uint64) string {
	h := sha256.Sum256([]byte(string(job) + "\x00" + strconv.FormatUint(seq, 10)))
	return tempPrefix(rel) + hex.EncodeToString(h[:tempSuffixLen/2]) + tempExt
}

// pathError says plainly when a path under the root cannot be used because
// it would lead outside (a symbolic link on the way, planted meanwhile).
func pathError(rel string, err error) error {
	if strings.Contains(err.Error(), "escapes") {
		return fmt.Errorf("%w: %s", ErrPathSymlink, rel)
	}
	return err
}

// mkdirs makes rel's folder under root, once per run.
func (r *treeRun) mkdirs(dir string) error {
	if dir == "." || dir == "" || r.t.spec.DryRun {
		return nil
	}
	if _, ok := r.dirs.Load(dir); ok {
		return nil
	}
	// Walked one name at a time: a link on the way fails the item
	// (ErrPathSymlink), even one that stays inside the folder.
	d, err := (&destTree{root: r.root, path: r.ts.root, create: true}).dir(filepath.ToSlash(dir))
	if err != nil {
		return err
	}
	d.close()
	r.dirs.Store(dir, true)
	return nil
}

// downloadSmall fetches one item below the multipart threshold with one GET
// into a temp file; the committer syncs it and moves it into place.
func (r *treeRun) downloadSmall(ctx context.Context, a *activeItem) (itemResult, error) {
	res := itemResult{it: a.it, old: ItemPending}
	it := &res.it
	rel := filepath.FromSlash(it.rel)
	dest := rel
	resumed := it.seq <= r.resumeUpTo
	if err := r.mkdirs(filepath.Dir(rel)); err != nil {
		return res, err
	}
	if fi, err := r.root.Lstat(rel); err == nil {
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			return res, skipf("destination is a symbolic link")
		case fi.IsDir():
			return res, fmt.Errorf("%w: %s is a folder (another key uses this name as a prefix)", ErrDestinationExists, it.rel)
		case resumed && placedBefore(fi, *it):
			return res, nil // placed before the last run stopped, not yet recorded
		}
		switch r.t.spec.OnExists {
		case ExistsOverwrite:
			res.force = true
		case ExistsRename:
			alt, err := freeName(rel, r.exists)
			if err != nil {
				return res, err
			}
			dest = alt
			it.rel = filepath.ToSlash(alt)
			it.reason = renamedReason
		default:
			return res, existsSkip(r.t.spec.OnExists)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return res, pathError(it.rel, err)
	}
	if r.t.spec.DryRun {
		return res, nil // decided as a real run would; nothing moves
	}
	if err := r.mkdirs(filepath.Dir(dest)); err != nil {
		return res, err
	}
	temp := treeTempName(dest, r.t.id, it.seq)
	if resumed {
		r.root.Remove(temp) // a temp file the last run left
	}
	f, err := r.root.OpenFile(temp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return res, fmt.Errorf("create temp file: %w", pathError(temp, err))
	}
	err = r.e.withRetry(ctx, r.t, func() error {
		_, err := r.fetchInto(ctx, a, it, f)
		return err
	})
	if err == nil {
		err = f.Chmod(r.fileMode)
	}
	if err != nil {
		f.Close()
		r.root.Remove(temp)
		return res, err
	}
	res.temp, res.f, res.dest, res.mtime = filepath.ToSlash(temp), f, filepath.ToSlash(dest), time.Unix(0, it.mtime)
	return res, nil
}

// fetchInto GETs the object into f from its start. The body must have the
// size the listing gave (or, if the object was replaced since, the new
// object's) and its CRC64 where the server sends one; anything short or
// different is retried.
func (r *treeRun) fetchInto(ctx context.Context, a *activeItem, it *treeItem, f *os.File) (Object, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Object{}, err
	}
	if err := f.Truncate(0); err != nil {
		return Object{}, fmt.Errorf("temp file: %w", err)
	}
	a.done.Store(0)
	obj, body, err := r.open(ctx, it.key)
	if err != nil {
		return obj, err
	}
	defer body.Close()
	if NeedsRestore(obj) {
		return obj, archivedError("GetObject", obj.StorageClass)
	}
	if obj.ETag == it.etag && obj.Size != it.size {
		return obj, fmt.Errorf("GetObject: %d bytes announced, the listing said %d: %w", obj.Size, it.size, errShortBody)
	}
	if obj.ETag != it.etag { // replaced since the listing: take the object as it is now
		it.size, it.etag, it.mtime = obj.Size, obj.ETag, obj.LastModified.UnixNano()
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var crc uint64
	var n int64
	for {
		chunk := min(r.e.chunkLimit(), len(buf))
		m, rerr := io.ReadAtLeast(body, buf[:chunk], min(chunk, copyBufferSize/4))
		if m > 0 {
			if err := r.e.waitBandwidth(ctx, m); err != nil {
				return obj, err
			}
			if _, err := f.Write(buf[:m]); err != nil {
				return obj, fmt.Errorf("write temp file: %w", err)
			}
			crc = crc64x.Update(crc, buf[:m])
			n += int64(m)
			a.done.Store(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return obj, rerr
		}
	}
	if n != obj.Size {
		return obj, fmt.Errorf("GetObject: %d of %d bytes: %w", n, obj.Size, errShortBody)
	}
	if want, ok := parseCRC64(obj.CRC64); ok && want != crc {
		return obj, fmt.Errorf("GetObject: CRC64 %d, server %d: %w", crc, want, errCRCMismatch)
	}
	return obj, nil
}

// open GETs a whole object with its metadata: one request where the store
// can, else HEAD then GET.
func (r *treeRun) open(ctx context.Context, key string) (Object, io.ReadCloser, error) {
	b := r.t.spec.Bucket
	if opener, ok := r.e.storeOf(r.t).(objectOpener); ok {
		obj, body, err := opener.OpenObject(ctx, b, key)
		if Code(err) == CodeInvalidObjectState {
			// Not restored: HEAD names the storage class for the message.
			if head, herr := r.e.storeOf(r.t).HeadObject(ctx, b, key); herr == nil && NeedsRestore(head) {
				return head, nil, archivedError("GetObject", head.StorageClass)
			}
		}
		return obj, body, err
	}
	obj, err := r.e.storeOf(r.t).HeadObject(ctx, b, key)
	if err != nil {
		return obj, nil, err
	}
	body, err := r.e.storeOf(r.t).GetRange(ctx, b, key, 0, -1, obj.ETag)
	return obj, body, err
}

// runSub runs an item as a transfer of its own (uploads, and downloads
// large enough for parts): its parts, checkpoint and resume are those of a
// single job; the tree's lock stands for its destination.
func (r *treeRun) runSub(ctx context.Context, a *activeItem) error {
	it := a.it
	e, t := r.e, r.t
	local := filepath.Join(r.ts.root, filepath.FromSlash(it.rel))
	if t.spec.Direction == Download {
		if err := r.mkdirs(filepath.Dir(filepath.FromSlash(it.rel))); err != nil {
			return err
		}
		if fi, err := r.root.Lstat(filepath.FromSlash(it.rel)); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return skipf("destination is a symbolic link")
		}

	}
	sub := &transfer{id: t.id, spec: Spec{Direction: t.spec.Direction, Bucket: t.spec.Bucket, Key: it.key,
		LocalPath: local, OnExists: t.spec.OnExists, NoCheckpoint: t.spec.NoCheckpoint},
		state: StateRunning, running: true, size: -1, sizeHint: it.size,
		parallel: t.parallel, partSize: t.partSize, sem: newDynSem(t.parallel), added: time.Now(), store: t.store}
	if t.spec.Direction == Download {
		if fi, err := os.Lstat(local); err == nil && it.seq <= r.resumeUpTo && placedBefore(fi, it) {
			return nil // placed before the last run stopped, not yet recorded
		} else if err == nil && t.spec.OnExists != ExistsOverwrite && t.spec.OnExists != ExistsRename {
			return existsSkip(t.spec.OnExists)
		}
	}
	if t.spec.DryRun {
		return nil
	}
	if t.spec.Direction == Download {
		sub.spec.TreeRoot = r.ts.root // each folder on the way is reached through the tree's root
	}
	e.derivePaths(sub)
	e.mu.Lock()
	a.sub = sub
	e.mu.Unlock()
	err := e.execute(ctx, sub)
	if err != nil && ctx.Err() != nil {
		e.mu.Lock()
		cancel := t.intent == intentCancel
		e.mu.Unlock()
		if cancel || t.spec.NoCheckpoint {
			e.discardArtifacts(sub)
		}
		return err
	}
	if errors.Is(err, ErrDestinationExists) && t.spec.OnExists != ExistsOverwrite {
		return existsSkip(t.spec.OnExists)
	}
	if err != nil && classify(err) != classCredentials && classify(err) != classDiskFull {
		e.discardArtifacts(sub) // a permanent failure keeps nothing half-made
	}
	return err
}

// placedBefore recognises an item's file that a run placed before it was
// killed, unrecorded: a regular file of the item's size with its
// modification time (compared to the second: a GET's Last-Modified header
// has no finer grain than that, a listing's may).
func placedBefore(fi os.FileInfo, it treeItem) bool {
	return fi.Mode().IsRegular() && fi.Size() == it.size && it.mtime != 0 &&
		fi.ModTime().Unix() == time.Unix(0, it.mtime).Unix()
}

// within reports whether path is dir or under it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
