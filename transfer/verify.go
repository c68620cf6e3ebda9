package transfer

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"ossq/internal/crc64x"
)

// maxVerifyReaders bounds the parallel reads that check a resumed temp
// file: enough to keep a fast disk busy, few enough not to thrash a slow one.
const maxVerifyReaders = 4

// verifyDoneParts re-reads the bytes each part claims done (per the
// checkpoint) and compares their CRC64 with the recorded one, up to limit
// parts at once. A part whose bytes differ is reset to fetch again; its
// number is returned. Only a read error is an error.
func verifyDoneParts(ctx context.Context, r io.ReaderAt, parts []*part, limit int) ([]int, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, min(limit, maxVerifyReaders)))
	var mu sync.Mutex
	var bad []int
	for _, p := range parts {
		done, want, _ := p.progress()
		if done == 0 {
			continue
		}
		g.Go(func() error {
			got, err := crcOfRange(gctx, r, p.off, done)
			if err != nil {
				return fmt.Errorf("verify part %d on disk: %w", p.number, err)
			}
			if got != want {
				p.mu.Lock()
				p.crc = 0
				p.done.Store(0)
				p.mu.Unlock()
				p.state.Store(partPending)
				mu.Lock()
				bad = append(bad, p.number)
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return bad, nil
}

// crcOfRange is the CRC64 of n bytes of r from off.
func crcOfRange(ctx context.Context, r io.ReaderAt, off, n int64) (uint64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var crc uint64
	for n > 0 {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		k := min(int64(len(buf)), n)
		m, err := r.ReadAt(buf[:k], off)
		crc = crc64x.Update(crc, buf[:m])
		off += int64(m)
		n -= int64(m)
		if err == io.EOF && n > 0 {
			return 0, fmt.Errorf("temp file is shorter than the checkpoint says: %w", io.ErrUnexpectedEOF)
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
	}
	return crc, nil
}

// verifyResumedParts checks a resumed download's done parts against the
// temp file's bytes before trusting them; parts that differ are fetched
// again, with a notice.
func (e *Engine) verifyResumedParts(ctx context.Context, t *transfer, h *tempHandle, parts []*part) error {
	e.setState(t, StateVerifying)
	bad, err := verifyDoneParts(ctx, h.file, parts, t.parallel)
	e.setState(t, StateRunning)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		nums := make([]string, len(bad))
		slices.Sort(bad)
		for i, n := range bad {
			nums[i] = fmt.Sprint(n)
		}
		e.noticef(t, "resumed: %d part(s) on disk did not match the checkpoint (part %s); fetching them again",
			len(bad), strings.Join(nums, ", "))
	}
	return nil
}
