package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// CopyResult is what one server-side copy made.
type CopyResult struct {
	VersionID string // the new version on a versioned destination bucket
	CRC64     string // the destination's CRC64 as the server reported it
	Bytes     int64
	Parts     int // UploadPartCopy requests; 0 for a single CopyObject
}

// CopyProgress is called as copied bytes accumulate (after each part, or once
// per object for single-request copies).
type CopyProgress func(doneBytes, totalBytes int64)

const (
	defaultCopyPartSize  = 64 << 20
	defaultCopyThreshold = 1 << 30
	copyParallel         = 4
)

// CopyObject copies src (a version when src.VersionID is set) to dst on the
// server: one CopyObject up to MultipartCopyThreshold, UploadPartCopy above
// it. The destination's CRC64 must equal the source's.
func (c *Catalog) CopyObject(ctx context.Context, src, dst ObjectRef, progress CopyProgress) (CopyResult, error) {
	if src.Bucket == dst.Bucket && src.Key == dst.Key && src.VersionID == "" {
		return CopyResult{}, fmt.Errorf("copy: oss://%s/%s onto itself", src.Bucket, src.Key)
	}
	obj, err := c.store.HeadObjectVersion(ctx, src.Bucket, src.Key, src.VersionID)
	if err != nil {
		return CopyResult{}, err
	}
	if NeedsRestore(obj) {
		return CopyResult{}, archivedError("CopyObject", obj.StorageClass)
	}
	var res CopyResult
	if obj.Size <= c.copyThreshold() {
		res, err = c.store.CopyObject(ctx, src, dst.Bucket, dst.Key)
	} else {
		res, err = c.copyMultipart(ctx, src, dst, obj, progress)
	}
	if err != nil {
		return res, err
	}
	res.Bytes = obj.Size
	if want, ok := parseCRC64(obj.CRC64); ok {
		if got, ok := parseCRC64(res.CRC64); ok && got != want {
			return res, crcMismatch("CopyObject", "copy's CRC64 %d differs from the source's %d", got, want)
		}
	}
	if progress != nil && res.Parts == 0 {
		progress(obj.Size, obj.Size)
	}
	return res, nil
}

func (c *Catalog) copyThreshold() int64 {
	if c.MultipartCopyThreshold > 0 {
		return c.MultipartCopyThreshold
	}
	return defaultCopyThreshold
}

func (c *Catalog) copyPartSize(size int64) int64 {
	ps := c.CopyPartSize
	if ps <= 0 {
		ps = defaultCopyPartSize
	}
	return uploadPartSize(size, ps)
}

func (c *Catalog) copyMultipart(ctx context.Context, src, dst ObjectRef, obj Object, progress CopyProgress) (CopyResult, error) {
	partSize := c.copyPartSize(obj.Size)
	id, err := c.store.InitiateMultipart(ctx, dst.Bucket, dst.Key)
	if err != nil {
		return CopyResult{}, err
	}
	n := partCount(obj.Size, partSize)
	parts := make([]UploadedPart, n)
	var mu sync.Mutex // progress is called from one part at a time
	var done int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(copyParallel)
	for i := range n {
		g.Go(func() error {
			off, size := partRange(obj.Size, partSize, i)
			// Pinned to what HEAD saw: a replaced source fails the part (412).
			etag, err := c.store.UploadPartCopy(gctx, src, dst.Bucket, dst.Key, id, i+1, off, size, obj.ETag)
			if err != nil {
				return err
			}
			parts[i] = UploadedPart{Number: i + 1, ETag: etag, Size: size}
			if progress != nil {
				mu.Lock()
				done += size
				progress(done, obj.Size)
				mu.Unlock()
			}
			return nil
		})
	}
	err = g.Wait()
	var crc string
	if err == nil {
		crc, err = c.store.CompleteMultipart(ctx, dst.Bucket, dst.Key, id, parts)
	}
	if err != nil {
		if aerr := abortUpload(context.WithoutCancel(ctx), c.store, dst.Bucket, dst.Key, id); aerr != nil {
			err = errors.Join(err, fmt.Errorf("abort of the copy's upload %s: %w", id, aerr))
		}
		return CopyResult{}, err
	}
	return CopyResult{CRC64: crc, Parts: n}, nil
}

// CopySummary totals a prefix copy.
type CopySummary struct {
	Objects int
	Bytes   int64
}

// CopyPrefix copies every object under srcPrefix to dstPrefix (keys keep
// what follows the prefix). progress gets the running totals after each object.
func (c *Catalog) CopyPrefix(ctx context.Context, srcBucket, srcPrefix, dstBucket, dstPrefix string, progress func(CopySummary)) (CopySummary, error) {
	var sum CopySummary
	if !strings.HasSuffix(srcPrefix, "/") && srcPrefix != "" || !strings.HasSuffix(dstPrefix, "/") && dstPrefix != "" {
		return sum, fmt.Errorf("copy prefix: %q and %q must both end in '/'", srcPrefix, dstPrefix)
	}
	if srcBucket == dstBucket && strings.HasPrefix(dstPrefix, srcPrefix) {
		return sum, fmt.Errorf("copy prefix: oss://%s/%s is inside oss://%s/%s", dstBucket, dstPrefix, srcBucket, srcPrefix)
	}
	err := c.walkPrefix(ctx, srcBucket, srcPrefix, func(objs []Object) error {
		for _, o := range objs {
			dst := ObjectRef{Bucket: dstBucket, Key: dstPrefix + strings.TrimPrefix(o.Key, srcPrefix)}
			if _, err := c.CopyObject(ctx, ObjectRef{Bucket: srcBucket, Key: o.Key}, dst, nil); err != nil {
				return fmt.Errorf("copy %s: %w", o.Key, err)
			}
			sum.Objects++
			sum.Bytes += o.Size
			if progress != nil {
				progress(sum)
			}
		}
		return nil
	})
	return sum, err
}

// MoveObject copies src to dst, then deletes src (on a versioned bucket
// that adds a delete marker; the data stays as an older version).
func (c *Catalog) MoveObject(ctx context.Context, src, dst ObjectRef, progress CopyProgress) (CopyResult, error) {
	res, err := c.CopyObject(ctx, src, dst, progress)
	if err != nil {
		return res, err
	}
	if _, err := c.store.DeleteBatch(ctx, src.Bucket, []ObjectRef{{Bucket: src.Bucket, Key: src.Key, VersionID: src.VersionID}}); err != nil {
		return res, fmt.Errorf("move: copied, but the source stays: %w", err)
	}
	return res, nil
}
