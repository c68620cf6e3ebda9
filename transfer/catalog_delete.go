package transfer

import (
	"context"
	"fmt"
	"strings"
)

// PrefixSummary is what lies under a prefix: what a delete or copy prompt says.
type PrefixSummary struct {
	Objects int
	Bytes   int64
}

// SummarizePrefix counts the objects (current versions) under prefix and
// their bytes, listing without a delimiter.
func (c *Catalog) SummarizePrefix(ctx context.Context, bucket, prefix string) (PrefixSummary, error) {
	var sum PrefixSummary
	err := c.walkPrefix(ctx, bucket, prefix, func(objs []Object) error {
		for _, o := range objs {
			sum.Objects++
			sum.Bytes += o.Size
		}
		return nil
	})
	return sum, err
}

// walkPrefix hands every page (≤ 1000 objects) under prefix to visit.
func (c *Catalog) walkPrefix(ctx context.Context, bucket, prefix string, visit func([]Object) error) error {
	token := ""
	for range maxListPages {
		page, err := c.store.ListObjects(ctx, bucket, prefix, "", token, deleteBatchSize)
		if err != nil {
			return err
		}
		if len(page.Objects) > 0 {
			if err := visit(page.Objects); err != nil {
				return err
			}
		}
		if page.NextToken == "" {
			return nil
		}
		token = page.NextToken
	}
	return fmt.Errorf("ListObjects: more than %d pages", maxListPages)
}

// DeleteProgress is called after each batch with the running totals.
type DeleteProgress func(done DeleteSummary)

// DeleteSummary says what a delete did.
type DeleteSummary struct {
	Objects int   // keys (or versions) deleted
	Bytes   int64 // their sizes, where known from the listing
	Batches int   // DeleteMultipleObjects requests
	// Markers counts delete markers added: on a versioned bucket a delete
	// hides the object and keeps its data as an older (billed) version.
	Markers int
}

// DeleteObjects deletes refs in batches of 1,000 (DeleteMultipleObjects),
// calling progress after each batch. refs may name versions (deleted for
// good) or plain keys (a delete marker on a versioned bucket).
func (c *Catalog) DeleteObjects(ctx context.Context, bucket string, refs []ObjectRef, progress DeleteProgress) (DeleteSummary, error) {
	var sum DeleteSummary
	for start := 0; start < len(refs); start += deleteBatchSize {
		batch := refs[start:min(start+deleteBatchSize, len(refs))]
		if err := c.deleteBatch(ctx, bucket, batch, &sum); err != nil {
			return sum, err
		}
		if progress != nil {
			progress(sum)
		}
	}
	return sum, nil
}

func (c *Catalog) deleteBatch(ctx context.Context, bucket string, batch []ObjectRef, sum *DeleteSummary) error {
	deleted, err := c.store.DeleteBatch(ctx, bucket, batch)
	if err != nil {
		return err
	}
	sum.Batches++
	sum.Objects += len(batch)
	for _, d := range deleted {
		if d.DeleteMarker && d.VersionID != "" {
			sum.Markers++
		}
	}
	return nil
}

// DeletePrefix deletes every object under prefix ("" is refused: a whole
// bucket is too easy to lose by a slip). Each listed page of up to 1,000
// objects is one DeleteMultipleObjects request.
func (c *Catalog) DeletePrefix(ctx context.Context, bucket, prefix string, progress DeleteProgress) (DeleteSummary, error) {
	var sum DeleteSummary
	if prefix == "" {
		return sum, fmt.Errorf("delete prefix: refusing to delete a whole bucket (%s); name a prefix", bucket)
	}
	if !strings.HasSuffix(prefix, "/") {
		return sum, fmt.Errorf("delete prefix: %q does not end in '/'", prefix)
	}
	err := c.walkPrefix(ctx, bucket, prefix, func(objs []Object) error {
		refs := make([]ObjectRef, len(objs))
		for i, o := range objs {
			refs[i] = ObjectRef{Bucket: bucket, Key: o.Key}
			sum.Bytes += o.Size
		}
		if err := c.deleteBatch(ctx, bucket, refs, &sum); err != nil {
			return err
		}
		if progress != nil {
			progress(sum)
		}
		return nil
	})
	return sum, err
}
