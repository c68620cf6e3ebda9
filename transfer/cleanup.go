package transfer

// Cleanup of what a canceled, removed or abandoned transfer left behind:
// its multipart upload, temp file and checkpoint.

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// cleanupAsyncLocked removes what a canceled or removed transfer left:
// the multipart upload (network, so in the background), the temp file and
// the checkpoint.
func (e *Engine) cleanupAsyncLocked(t *transfer) {
	if e.targetAdoptedLocked(t) {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		// The lock may still be held for a moment (a run winding down, a
		// CLI transfer of the same target): retry, bounded, then give up.
		lock, err := waitLock(context.Background(), t, cleanupLockAttempts)
		if err != nil || lock == nil {
			return // someone else owns this destination: leave it to them
		}
		e.mu.Lock()
		adopted := e.targetAdoptedLocked(t)
		e.mu.Unlock()
		if adopted {
			lock.unlock()
			return
		}
		e.discardArtifacts(t)
		lock.removeAndUnlock()
	}()
}

// cleanupLockAttempts bounds how long (×lockRetryDelay) a cleanup waits for the lock.
const cleanupLockAttempts = 30

// abortTimeout bounds one AbortMultipartUpload.
const abortTimeout = 30 * time.Second

// abortUpload aborts a multipart upload, bounded by abortTimeout; an upload
// that is gone already (completed or aborted) counts as aborted. Cleanup
// paths pass context.WithoutCancel(ctx): the abort must outlive the cancel
// that caused it. What a failure means is the caller's to say.
func abortUpload(ctx context.Context, s Store, bucket, key, uploadID string) error {
	actx, cancel := context.WithTimeout(ctx, abortTimeout)
	defer cancel()
	err := s.AbortMultipart(actx, bucket, key, uploadID)
	if classify(err) == classNoUpload {
		return nil
	}
	return err
}

// targetAdoptedLocked reports whether a newer unfinished transfer to the
// same target (added again after t failed) owns t's checkpoint, temp file
// and upload now, so cleaning up after t would destroy its work.
func (e *Engine) targetAdoptedLocked(t *transfer) bool {
	for _, o := range e.order {
		if o != t && t.cpPath != "" && o.cpPath == t.cpPath && !o.state.Finished() {
			return true
		}
	}
	return false
}

// discardArtifacts aborts the transfer's multipart upload (if any) and
// deletes its temp file and checkpoint.
func (e *Engine) discardArtifacts(t *transfer) {
	e.mu.Lock()
	uploadID, tempPath := t.uploadID, t.tempPath
	t.uploadID, t.tempPath = "", ""
	e.mu.Unlock()
	if t.cpPath != "" {
		if cp, err := readCheckpoint(t.cpPath); err == nil {
			if uploadID == "" {
				uploadID = cp.UploadID
			}
			if tempPath == "" {
				tempPath = cp.TempPath
			}
		}
	}
	if uploadID != "" {
		ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
		err := e.withRetry(ctx, nil, func() error { return abortUpload(ctx, e.storeOf(t), t.spec.Bucket, t.spec.Key, uploadID) })
		cancel()
		if err != nil {
			e.log.Warn("abort multipart upload failed", "bucket", t.spec.Bucket, "key", t.spec.Key, "upload_id", uploadID, "err", err)
			e.noticef(t, "could not abort multipart upload %s: %v", uploadID, err)
		}
	}
	removeOurTemp(tempPath, t.spec)
	if t.cpPath != "" {
		os.Remove(t.cpPath)
	}
}

// isOurTemp guards deletes: only a file named like our temp files, beside
// the destination, is ever removed.
func isOurTemp(tempPath, dest string) bool {
	return filepath.Dir(tempPath) == filepath.Dir(dest) &&
		isTempNameFor(filepath.Base(tempPath), filepath.Base(tempPrefix(dest)))
}
