package transfer

// A transfer's parts: their state and progress, and the workers that run
// them (at most the transfer's parallel at once) for downloads and uploads.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"ossq/internal/crc64x"
)

const (
	partPending int32 = iota
	partActive
	partDone
	partRetrying
	partFailed
)

var partStateNames = [...]PartState{PartPending, PartActive, PartDone, PartRetrying, PartFailed}

// part is one range of a transfer. done is updated by the copy loop per
// buffer (an atomic, so snapshots never lock); crc and done change together
// under mu so the checkpoint owner reads a consistent pair.
type part struct {
	number int
	off    int64
	size   int64
	done   atomic.Int64
	state  atomic.Int32

	mu   sync.Mutex
	crc  uint64 // CRC64 of the first done bytes
	etag string // upload: the server's ETag once done
}

func (p *part) getState() PartState { return partStateNames[p.state.Load()] }

func (p *part) progress() (done int64, crc uint64, etag string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done.Load(), p.crc, p.etag
}

// runParts runs work for every unfinished part, at most t.parallel at once
// (changeable while running), with one goroutine owning the checkpoint.
// On return every worker has stopped and the last checkpoint is written —
// but a download's once every part is in, which its caller saves only if
// the file does not reach its place.
func (e *Engine) runParts(ctx context.Context, t *transfer, parts []*part, owner *checkpointOwner, work func(context.Context, *part) error) error {
	e.mu.Lock()
	sem := t.sem
	e.mu.Unlock()
	if sem == nil {
		sem = newDynSem(1)
	}
	gctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ownerDone := make(chan error, 1)
	stop := make(chan struct{})
	go func() { ownerDone <- owner.run(stop, cancel) }()

	g, wctx := errgroup.WithContext(gctx)
	for _, p := range parts {
		if p.state.Load() == partDone {
			continue
		}
		if err := sem.acquire(wctx); err != nil {
			break
		}
		g.Go(func() error {
			defer sem.release()
			p.state.Store(partActive)
			err := work(wctx, p)
			switch {
			case err == nil:
				p.state.Store(partDone)
				owner.partDone(p)
			case wctx.Err() != nil:
				p.state.Store(partPending)
			default:
				p.state.Store(partFailed)
			}
			return err
		})
	}
	werr := g.Wait()
	close(stop)
	oerr := <-ownerDone
	if oerr != nil {
		return oerr
	}
	if cause := context.Cause(gctx); cause != nil && !errors.Is(cause, context.Canceled) && werr == nil {
		return cause
	}
	if werr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return werr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, p := range parts {
		if p.state.Load() != partDone {
			return fmt.Errorf("part %d did not finish", p.number)
		}
	}
	return nil
}

// fetchPart downloads the rest of one part, retrying transient errors from
// where it stopped.
func (e *Engine) fetchPart(ctx context.Context, t *transfer, f tempFile, p *part, etag string, first io.ReadCloser) error {
	return e.retryPart(ctx, t, p, func() error {
		body := first // only the first attempt may use the already-open response
		first = nil
		return e.copyRange(ctx, t, f, p, etag, body)
	})
}

// copyRange streams [off+done, off+size) into the temp file at its offset,
// counting bytes and CRC as they land.
// body, when given, is an already-open response positioned at the part's
// start (the GET that also served as HEAD).
func (e *Engine) copyRange(ctx context.Context, t *transfer, f tempFile, p *part, etag string, body io.ReadCloser) error {
	done := p.done.Load()
	left := p.size - done
	if body != nil && done != 0 {
		body.Close()
		body = nil
	}
	if left == 0 {
		if body != nil {
			body.Close()
		}
		return nil
	}
	if body == nil {
		var err error
		body, err = e.getRange(ctx, t, p.off+done, left, etag)
		if err != nil {
			return err
		}
	}
	defer body.Close()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for left > 0 {
		chunk := min(int64(e.chunkLimit()), left, int64(len(buf)))
		// Gather at least a quarter buffer per write: fewer, larger pwrites.
		n, rerr := io.ReadAtLeast(body, buf[:chunk], int(min(chunk, copyBufferSize/4)))
		if rerr == io.ErrUnexpectedEOF {
			rerr = errShortBody
		}
		if n > 0 {
			if err := e.waitBandwidth(ctx, n); err != nil {
				return err
			}
			if _, err := f.WriteAt(buf[:n], p.off+done); err != nil {
				return fmt.Errorf("write temp file: %w", err)
			}
			done += int64(n)
			left -= int64(n)
			p.mu.Lock()
			p.crc = crc64x.Update(p.crc, buf[:n])
			p.done.Store(done)
			p.mu.Unlock()
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if left != 0 {
		return errShortBody
	}
	return nil
}
