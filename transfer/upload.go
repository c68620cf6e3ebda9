package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"ossq/internal/crc64x"
	"ossq/internal/ossname"
)

// uploadPartSize applies OSS's limits: every part but the last ≥ 100 KiB,
// at most 10,000 parts (grow the part size if needed).
func uploadPartSize(size, want int64) int64 {
	ps := max(want, ossname.MinPartSize)
	if (size+ps-1)/ps > ossname.MaxParts {
		ps = (size + ossname.MaxParts - 1) / ossname.MaxParts
		ps = (ps + 4095) &^ 4095
	}
	return ps
}

// fileStamp is what "the source file is unchanged" means: size and mtime.
type fileStamp struct {
	size  int64
	mtime int64
}

func statStamp(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, fmt.Errorf("source: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fileStamp{}, fmt.Errorf("source %s is not a regular file", path)
	}
	return fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}, nil
}

func (e *Engine) upload(ctx context.Context, t *transfer) error {
	src := t.spec.LocalPath
	stamp, err := statStamp(src)
	if err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open source: %w", err)
	}
	defer f.Close()

	// PutObject takes at most 5 GiB, whatever the threshold says.
	// An upload taking over a multipart upload stays multipart.
	if t.spec.AdoptUploadID == "" && stamp.size < e.opts.MultipartThreshold && stamp.size <= ossname.MaxPutSize {
		return e.uploadSingle(ctx, t, f, stamp)
	}
	partSize := uploadPartSize(stamp.size, t.partSize)
	cp, err := e.resumeUpload(ctx, t, stamp, partSize)
	if errors.Is(err, errAlreadyComplete) {
		return nil
	}
	if err != nil {
		return err
	}
	fresh := cp == nil
	if cp == nil {
		var id string
		if err := e.withRetry(ctx, t, func() error {
			// Not canceled by Pause or Cancel: abandoned mid-flight, the
			// server may create an upload whose ID we never learn (an orphan).
			ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			var err error
			id, err = e.storeOf(t).InitiateMultipart(ictx, t.spec.Bucket, t.spec.Key)
			return err
		}); err != nil {
			return err
		}
		if ctx.Err() != nil {
			// Stopped meanwhile, before any part or checkpoint: drop it now.
			if err := abortUpload(context.WithoutCancel(ctx), e.storeOf(t), t.spec.Bucket, t.spec.Key, id); err != nil {
				e.log.Warn("abort of an unused multipart upload failed", "upload_id", id, "err", err)
			}
			return ctx.Err()
		}
		cp = &checkpoint{Direction: Upload, Bucket: t.spec.Bucket, Key: t.spec.Key, LocalPath: src,
			PartSize: partSize, Size: stamp.size, FileMTime: stamp.mtime, UploadID: id}
		cp.Parts = make([]cpPart, partCount(stamp.size, partSize))
		for i := range cp.Parts {
			cp.Parts[i].Number = i + 1
		}
	}
	parts := make([]*part, len(cp.Parts))
	for i, cpp := range cp.Parts {
		off, n := partRange(stamp.size, cp.PartSize, i)
		p := &part{number: i + 1, off: off, size: n}
		if cpp.ETag != "" && cpp.Done == n {
			p.done.Store(n)
			p.crc, p.etag = cpp.CRC, cpp.ETag
			p.state.Store(partDone)
		}
		parts[i] = p
	}
	e.mu.Lock()
	t.size, t.partSize, t.parts, t.single, t.uploadID = stamp.size, cp.PartSize, parts, false, cp.UploadID
	e.changedLocked()
	e.mu.Unlock()

	owner := newCheckpointOwner(t.cpPath, cp, parts, nil)
	if err := owner.write(); err != nil && !fresh {
		return err
	} else if err != nil { // the upload ID must be on disk before any part
		// Unrecorded, a new upload could never be resumed or found again.
		if aerr := abortUpload(context.WithoutCancel(ctx), e.storeOf(t), t.spec.Bucket, t.spec.Key, cp.UploadID); aerr != nil {
			e.log.Warn("abort of an unrecorded multipart upload failed", "upload_id", cp.UploadID, "err", aerr)
		}
		e.mu.Lock()
		t.uploadID = ""
		e.mu.Unlock()
		return err
	}
	err = e.runParts(ctx, t, parts, owner, func(ctx context.Context, p *part) error {
		return e.sendPart(ctx, t, f, p, cp.UploadID, stamp)
	})
	if err != nil {
		if classify(err) == classNoUpload {
			e.noticef(t, "restarted: the multipart upload disappeared from the server")
			return fmt.Errorf("%w: %w", errObjectChanged, err)
		}
		return err
	}

	e.setState(t, StateVerifying)
	if now, err := statStamp(src); err != nil {
		return err
	} else if now != stamp {
		return fmt.Errorf("before complete: %w", errObjectChanged)
	}
	done := make([]UploadedPart, len(parts))
	for i, p := range parts {
		_, _, etag := p.progress()
		done[i] = UploadedPart{Number: p.number, ETag: etag, Size: p.size}
	}
	want := joinCRCs(parts)
	var serverCRC string
	err = e.withRetry(ctx, t, func() error {
		var err error
		serverCRC, err = e.storeOf(t).CompleteMultipart(ctx, t.spec.Bucket, t.spec.Key, cp.UploadID, done)
		return err
	})
	if classify(err) == classNoUpload {
		// An earlier attempt may have committed with its answer lost, or
		// the server may still be assembling it: then the object is, or
		// soon will be, exactly this file.
		complete, herr := e.awaitCompletedObject(ctx, t, stamp.size, want, completeWait(done))
		if herr != nil {
			return herr
		}
		if complete {
			err, serverCRC = nil, ""
			e.noticef(t, "completed: the server had finished the upload, its first answer was lost")
		}
	}
	if err != nil {
		return err
	}
	if got, ok := parseCRC64(serverCRC); ok && got != want {
		return crcMismatch("CompleteMultipartUpload", "server's CRC64 %d differs from the local file's %d", got, want)
	}
	e.dropFinishedState(t)
	return nil
}

// resumeUpload reconciles a saved checkpoint with the server. It returns nil
// (with a notice) when the upload must start over; a transient ListParts
// failure is returned as an error so the UploadId is kept for later.
func (e *Engine) resumeUpload(ctx context.Context, t *transfer, stamp fileStamp, partSize int64) (*checkpoint, error) {
	if t.cpPath == "" {
		return e.adoptUpload(ctx, t, stamp, partSize)
	}
	cp, err := readCheckpoint(t.cpPath)
	if errors.Is(err, os.ErrNotExist) {
		return e.adoptUpload(ctx, t, stamp, partSize)
	}
	reason := ""
	switch {
	case err != nil:
		reason = err.Error()
		// Unusable, but the upload it recorded must not become an orphan.
		if data, rerr := readCheckpointBytes(t.cpPath); rerr == nil {
			if old := salvageCheckpoint(data); old.belongsTo(t.spec) {
				cp = old
			}
		}
	case cp.mismatch(t.spec, stamp.pin()) != "":
		reason = cp.mismatch(t.spec, stamp.pin())
	case cp.UploadID == "":
		reason = "checkpoint has no upload ID"
	case cp.PartSize < ossname.MinPartSize && cp.Size > cp.PartSize:
		reason = "checkpoint has an invalid part size"
	}
	if reason == "" {
		var listed []UploadedPart
		err := e.withRetry(ctx, t, func() error {
			var err error
			listed, err = e.storeOf(t).ListParts(ctx, t.spec.Bucket, t.spec.Key, cp.UploadID)
			return err
		})
		switch {
		case err == nil:
			reconcileParts(cp, listed)
			return cp, nil
		case classify(err) == classNoUpload:
			complete, herr := e.alreadyCompleted(ctx, t, cp)
			if herr != nil {
				return nil, herr // keep the checkpoint: find out on a later run
			}
			if complete {
				os.Remove(t.cpPath)
				e.noticef(t, "already complete: the upload finished before the last run stopped")
				return nil, errAlreadyComplete
			}
			reason = "the multipart upload no longer exists on the server"
			cp.UploadID = ""
		default:
			return nil, err // keep the checkpoint and its UploadId: retry later
		}
	}
	if cp != nil && cp.UploadID != "" && cp.Bucket != "" && cp.Key != "" {
		// The old upload's parts are useless now; unaborted it would stay
		// on the server (and be billed) until a lifecycle rule removes it.
		if err := e.abortStaleUpload(ctx, t, cp.Bucket, cp.Key, cp.UploadID); err != nil {
			return nil, err // keep the checkpoint: abort it on a later run
		}
	}
	os.Remove(t.cpPath)
	e.noticef(t, "started over: %s", reason)
	return nil, nil
}

// abortStaleUpload aborts an upload a checkpoint recorded, with retries.
// Gone already is fine; a transient failure is returned so the checkpoint
// (and with it the upload ID) is kept for a later run; a permanent one is
// logged and shown, since nothing more can be done about it.
func (e *Engine) abortStaleUpload(ctx context.Context, t *transfer, bucket, key, id string) error {
	err := e.withRetry(ctx, t, func() error { return abortUpload(ctx, e.storeOf(t), bucket, key, id) })
	switch {
	case err == nil:
		return nil
	case classify(err) == classTransient || ctx.Err() != nil:
		return err
	}
	e.log.Warn("abort of stale multipart upload failed", "upload_id", id, "err", err)
	e.noticef(t, "could not abort the old multipart upload %s: %v", id, err)
	return nil
}

// errAlreadyComplete: the checkpointed upload turned out to be completed
// already (Complete succeeded but its answer was lost).
var errAlreadyComplete = errors.New("upload already complete")

// alreadyCompleted reports whether the object on the server is exactly what
// a fully uploaded checkpoint describes: same size and the same combined
// CRC64. Then a lost CompleteMultipartUpload answer needs no re-upload.
// A HEAD that fails transiently is an error (so the upload is not
// needlessly started over), not a "no".
func (e *Engine) alreadyCompleted(ctx context.Context, t *transfer, cp *checkpoint) (bool, error) {
	for i, p := range cp.Parts {
		if _, size := partRange(cp.Size, cp.PartSize, i); p.ETag == "" || p.Done != size {
			return false, nil
		}
	}
	return e.objectMatches(ctx, t, cp.Size, joinCRCs(cp.Parts))
}

// objectMatches reports whether the object on the server has this size and
// combined CRC64. Only transient or cancel errors are returned as errors; an
// object that is missing or unreadable simply does not match.
func (e *Engine) objectMatches(ctx context.Context, t *transfer, size int64, want uint64) (bool, error) {
	var obj Object
	err := e.withRetry(ctx, t, func() error {
		var err error
		obj, err = e.storeOf(t).HeadObject(ctx, t.spec.Bucket, t.spec.Key)
		return err
	})
	if err != nil {
		if c := classify(err); c == classTransient || c == classCanceled || ctx.Err() != nil {
			return false, err
		}
		return false, nil
	}
	got, ok := parseCRC64(obj.CRC64)
	return ok && obj.Size == size && got == want, nil
}

// reconcileParts keeps a checkpointed part only if the server lists it with
// the same ETag and size.
func reconcileParts(cp *checkpoint, listed []UploadedPart) {
	byNum := make(map[int]UploadedPart, len(listed))
	for _, p := range listed {
		byNum[p.Number] = p
	}
	for i := range cp.Parts {
		c := &cp.Parts[i]
		_, size := partRange(cp.Size, cp.PartSize, i)
		s, ok := byNum[c.Number]
		if c.ETag == "" || !ok || s.Size != size || !sameETag(s.ETag, c.ETag) {
			c.Done, c.CRC, c.ETag = 0, 0, ""
			continue
		}
		if sc, ok := parseCRC64(s.CRC64); ok && sc != c.CRC {
			c.Done, c.CRC, c.ETag = 0, 0, ""
		}
	}
}

func sameETag(a, b string) bool {
	return strings.EqualFold(strings.Trim(a, `"`), strings.Trim(b, `"`))
}

// sendPart uploads one part with retries, then checks the source file did
// not change while it was read.
func (e *Engine) sendPart(ctx context.Context, t *transfer, f *os.File, p *part, uploadID string, stamp fileStamp) error {
	// A fresh reader per attempt: after a reset the HTTP transport may still
	// be reading the last attempt's body.
	if err := e.retryPart(ctx, t, p, func() error {
		return e.sendPartOnce(ctx, t, e.newPartReader(ctx, io.NewSectionReader(f, p.off, p.size), p), p, uploadID)
	}); err != nil {
		return err
	}
	if now, err := statStamp(t.spec.LocalPath); err != nil {
		return err
	} else if now != stamp {
		return fmt.Errorf("part %d: %w", p.number, errObjectChanged)
	}
	return nil
}

func (e *Engine) sendPartOnce(ctx context.Context, t *transfer, r *partReader, p *part, uploadID string) error {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	etag, crc, err := e.storeOf(t).UploadPart(ctx, t.spec.Bucket, t.spec.Key, uploadID, p.number, r, p.size)
	if r.shrank {
		return errSourceShrank // whatever the SDK made of it
	}
	if err != nil {
		return err
	}
	if err := r.verify(crc); err != nil {
		return err
	}
	if etag == "" {
		return errors.New("server returned no ETag")
	}
	p.mu.Lock()
	p.crc, p.etag = r.crc, etag
	p.done.Store(p.size)
	p.mu.Unlock()
	return nil
}

// partReader feeds one part to the SDK: seekable (so the SDK can retry),
// counting progress per read, computing CRC64, and paced by the global
// bandwidth limiter. It reads the source ahead in blocks of up to
// copyBufferSize: the HTTP client asks for a few KiB at a time, and one
// pread each would cost more than the copy out of the block.
type partReader struct {
	e    *Engine
	ctx  context.Context
	r    io.ReadSeeker
	size int64
	p    *part
	pos  int64 // bytes handed out so far; the source is ahead by len(ahead)
	crc  uint64
	// crcFrom0 is false after a seek to anywhere but the start: the CRC
	// then no longer covers bytes 0..pos.
	crcFrom0 bool
	block    []byte // read-ahead storage, allocated on the first Read
	ahead    []byte // the unread rest of block
	aheadErr error  // the source's error after ahead, reported once it is drained
	shrank   bool   // the source ended before size bytes
}

// errSourceShrank: the local file got shorter while it was being sent.
var errSourceShrank = fmt.Errorf("local file changed: it became shorter while it was read: %w", errObjectChanged)

func (e *Engine) newPartReader(ctx context.Context, r io.ReadSeeker, p *part) *partReader {
	return &partReader{e: e, ctx: ctx, r: r, size: p.size, p: p, crcFrom0: true}
}

func (r *partReader) Read(b []byte) (int, error) {
	if c := r.e.chunkLimit(); len(b) > c {
		b = b[:c]
	}
	n, err := r.readAhead(b)
	if err == io.EOF && r.pos+int64(n) < r.size {
		// Shorter than when the upload started: sending on would only earn
		// transport errors and retries of the same short body.
		r.shrank = true
		err = errSourceShrank
	}
	if n > 0 {
		if werr := r.e.waitBandwidth(r.ctx, n); werr != nil {
			return 0, werr
		}
		if r.crcFrom0 {
			r.crc = crc64x.Update(r.crc, b[:n])
		}
		r.pos += int64(n)
		r.p.done.Store(min(r.pos, r.size))
	}
	return n, err
}

// readAhead copies from the read-ahead block, refilling it with one large
// read of the source when empty; a caller asking for a whole block or more
// reads the source directly.
func (r *partReader) readAhead(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if len(r.ahead) == 0 {
		if err := r.aheadErr; err != nil {
			r.aheadErr = nil
			return 0, err
		}
		if r.block == nil {
			r.block = make([]byte, min(int64(copyBufferSize), max(r.size, 1)))
		}
		if len(b) >= len(r.block) {
			return r.r.Read(b)
		}
		n, err := r.r.Read(r.block)
		r.ahead, r.aheadErr = r.block[:n], err
		if n == 0 {
			r.aheadErr = nil
			return 0, err
		}
	}
	n := copy(b, r.ahead)
	r.ahead = r.ahead[n:]
	return n, nil
}

func (r *partReader) Seek(off int64, whence int) (int64, error) {
	target := off
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		target += r.pos
	case io.SeekEnd:
		target += r.size
	default:
		return r.pos, fmt.Errorf("part reader: invalid whence %d", whence)
	}
	if target < 0 {
		return r.pos, fmt.Errorf("part reader: seek to negative position %d", target)
	}
	if target != r.pos || target == 0 {
		// The source is ahead of pos by the read-ahead: move it exactly.
		if _, err := r.r.Seek(target, io.SeekStart); err != nil {
			return r.pos, err
		}
		r.ahead, r.aheadErr = nil, nil
	}
	if target == 0 {
		r.crc, r.crcFrom0 = 0, true
	} else if target != r.pos {
		r.crcFrom0 = false
	}
	r.pos = target
	r.p.done.Store(min(target, r.size))
	return target, nil
}

func (r *partReader) complete() bool { return r.crcFrom0 && r.pos == r.size }

// verify compares the CRC64 of what was sent with the server's (when it
// gave one). If the SDK did not read the body to the end in one pass, the
// CRC is computed over the section itself first.
func (r *partReader) verify(serverCRC string) error {
	if !r.complete() {
		if err := r.recompute(); err != nil {
			return err
		}
	}
	if got, ok := parseCRC64(serverCRC); ok && got != r.crc {
		return fmt.Errorf("server CRC64 %d, local %d: %w", got, r.crc, errCRCMismatch)
	}
	return nil
}

func (r *partReader) recompute() error {
	if _, err := r.r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	h := crc64x.New()
	n, err := io.Copy(h, io.LimitReader(r.r, r.size))
	if err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	if n != r.size {
		return fmt.Errorf("source shorter than expected: %w", errObjectChanged)
	}
	r.crc, r.crcFrom0, r.pos = h.Sum64(), true, r.size
	r.ahead, r.aheadErr = nil, nil
	return nil
}
