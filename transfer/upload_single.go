package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"ossq/internal/ossname"
)

// maxStableAttempts bounds how often a single-request upload is sent
// again because the file changed while it was read.
const maxStableAttempts = 3

// errUnstableSource: the file changed during every attempt of a
// single-request upload.
var errUnstableSource = errors.New("the local file kept changing while it was uploaded")

// uploadSingle sends a file below the multipart threshold with one
// PutObject. The file is checked around each send (stat of the open file
// and of its path before and after, and the CRC64 of what was sent against
// a fresh read): a file that changed meanwhile is sent again, up to
// maxStableAttempts times, and then fails saying whether the object now
// holds an inconsistent copy.
func (e *Engine) uploadSingle(ctx context.Context, t *transfer, f *os.File, stamp fileStamp) error {
	p := &part{number: 1, size: stamp.size}
	e.mu.Lock()
	t.size, t.parts, t.single = stamp.size, []*part{p}, true
	e.changedLocked()
	e.mu.Unlock()
	torn := false // the server took bytes that changed while they were read
	reason := ""
	orig := f // upload's, closed by it
	defer func() {
		if f != orig {
			f.Close()
		}
	}()
	for attempt := 1; attempt <= maxStableAttempts; attempt++ {
		if attempt > 1 {
			if f != orig {
				f.Close()
			}
			var err error
			if f, stamp, err = reopenSource(t.spec.LocalPath); err != nil {
				p.state.Store(partFailed)
				return err
			}
			if stamp.size > ossname.MaxPutSize || stamp.size >= e.opts.MultipartThreshold {
				return fmt.Errorf("local file grew to %d bytes while it was uploaded: %w", stamp.size, errObjectChanged)
			}
			e.noticef(t, "local file changed while it was uploaded (%s); sending it again (attempt %d of %d)", reason, attempt, maxStableAttempts)
		}
		tornNow, why, err := e.putStable(ctx, t, f, p, stamp)
		if err != nil {
			p.state.Store(partFailed)
			return err
		}
		if why == "" {
			p.state.Store(partDone)
			return nil
		}
		if why != whyShrank { // a send the server refused left the object as it was
			torn = tornNow
		}
		reason = why
	}
	p.state.Store(partFailed)
	outcome := "the object was left as it was before"
	if torn {
		outcome = fmt.Sprintf("oss://%s/%s now holds an inconsistent copy (a mix of versions of the file): upload it again once the file stops changing",
			t.spec.Bucket, t.spec.Key)
	}
	return fmt.Errorf("%w (%d attempts; last: %s); %s", errUnstableSource, maxStableAttempts, reason, outcome)
}

const whyShrank = "it became shorter while it was read"

// reopenSource opens the file at path afresh (it may have been replaced).
func reopenSource(path string) (*os.File, fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("open source: %w", err)
	}
	stamp, err := fdStamp(f)
	if err != nil {
		f.Close()
		return nil, fileStamp{}, err
	}
	return f, stamp, nil
}

func fdStamp(f *os.File) (fileStamp, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileStamp{}, fmt.Errorf("source: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fileStamp{}, fmt.Errorf("source %s is not a regular file", f.Name())
	}
	return fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}, nil
}

// putStable sends the file once (with transport retries) and reports, if
// the file changed while it was read, how (why) and whether the server
// took bytes of more than one version (torn); why == "" means the object
// is exactly the file.
func (e *Engine) putStable(ctx context.Context, t *transfer, f *os.File, p *part, stamp fileStamp) (torn bool, why string, err error) {
	p.size = stamp.size
	p.done.Store(0)
	p.state.Store(partActive)
	e.mu.Lock()
	t.size = stamp.size
	e.mu.Unlock()
	var r *partReader
	err = e.withRetry(ctx, t, func() error {
		// A fresh reader per attempt: after a reset the HTTP transport may
		// still be reading the last attempt's body.
		r = e.newPartReader(ctx, io.NewSectionReader(f, 0, stamp.size), p)
		_, crc, err := e.storeOf(t).PutObject(ctx, t.spec.Bucket, t.spec.Key, r, stamp.size)
		if r.shrank {
			return errSourceShrank // not a transport error to retry
		}
		if err != nil {
			return err
		}
		if err := r.verify(crc); err != nil {
			return fmt.Errorf("PutObject: %w", err)
		}
		return nil
	})
	if errors.Is(err, errSourceShrank) {
		return false, whyShrank, nil
	}
	if err != nil {
		return false, "", err
	}
	if now, err := fdStamp(f); err != nil {
		return true, "", err
	} else if now != stamp {
		return true, "it was modified while it was read", nil
	}
	if got, err := crcOfRange(ctx, f, 0, stamp.size); err != nil {
		return true, "", fmt.Errorf("read source again: %w", err)
	} else if got != r.crc {
		return true, "its content changed while it was read", nil
	}
	if now, err := statStamp(t.spec.LocalPath); err != nil {
		return true, "", err
	} else if now != stamp {
		return false, "it was replaced while it was read", nil // what was sent is the old file, whole
	}
	return false, "", nil
}
