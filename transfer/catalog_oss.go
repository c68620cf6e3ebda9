package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"ossq/internal/ossname"
)

// The CatalogStore calls on the SDK client.

func (s *ossStore) ListUploadsPage(ctx context.Context, bucket, prefix, keyMarker, uploadIDMarker string) (UploadsPage, error) {
	req := &oss.ListMultipartUploadsRequest{Bucket: oss.Ptr(bucket), MaxUploads: ossname.MaxListPage}
	if prefix != "" {
		req.Prefix = oss.Ptr(prefix)
	}
	if keyMarker != "" {
		req.KeyMarker = oss.Ptr(keyMarker)
	}
	if uploadIDMarker != "" {
		req.UploadIdMarker = oss.Ptr(uploadIDMarker)
	}
	var res *oss.ListMultipartUploadsResult
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) {
		res, err = c.ListMultipartUploads(ctx, req)
		return err
	})
	if err != nil {
		return UploadsPage{}, wrapOSS("ListMultipartUploads", err)
	}
	var page UploadsPage
	for _, u := range res.Uploads {
		iu := IncompleteUpload{Bucket: bucket, Key: str(u.Key), UploadID: str(u.UploadId)}
		if u.Initiated != nil {
			iu.Initiated = *u.Initiated
		}
		page.Uploads = append(page.Uploads, iu)
	}
	if res.IsTruncated {
		page.NextKeyMarker, page.NextUploadIDMarker = str(res.NextKeyMarker), str(res.NextUploadIdMarker)
		if page.NextKeyMarker == "" && page.NextUploadIDMarker == "" {
			return page, wrapOSS("ListMultipartUploads", errors.New("truncated listing without a next marker"))
		}
	}
	return page, nil
}

func (s *ossStore) ListVersionsPage(ctx context.Context, bucket, prefix, delimiter, keyMarker, versionIDMarker string, max int) (VersionsPage, error) {
	req := &oss.ListObjectVersionsRequest{Bucket: oss.Ptr(bucket), IsMix: true}
	if prefix != "" {
		req.Prefix = oss.Ptr(prefix)
	}
	if delimiter != "" {
		req.Delimiter = oss.Ptr(delimiter)
	}
	if keyMarker != "" {
		req.KeyMarker = oss.Ptr(keyMarker)
	}
	if versionIDMarker != "" {
		req.VersionIdMarker = oss.Ptr(versionIDMarker)
	}
	if max > 0 {
		req.MaxKeys = int32(min(max, ossname.MaxListPage))
	}
	var res *oss.ListObjectVersionsResult
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) {
		res, err = c.ListObjectVersions(ctx, req)
		return err
	})
	if err != nil {
		return VersionsPage{}, wrapOSS("ListObjectVersions", err)
	}
	page := VersionsPage{Truncated: res.IsTruncated, NextKeyMarker: str(res.NextKeyMarker), NextVersionIDMarker: str(res.NextVersionIdMarker)}
	for _, p := range res.CommonPrefixes {
		page.Prefixes = append(page.Prefixes, str(p.Prefix))
	}
	for _, m := range res.ObjectVersionsDeleteMarkers {
		v := Version{Key: str(m.Key), VersionID: str(m.VersionId), IsLatest: m.IsLatest, DeleteMarker: m.IsDeleteMarker(),
			Size: m.Size, ETag: str(m.ETag), StorageClass: str(m.StorageClass)}
		if m.LastModified != nil {
			v.LastModified = *m.LastModified
		}
		page.Versions = append(page.Versions, v)
	}
	if page.Truncated && page.NextKeyMarker == "" {
		return page, wrapOSS("ListObjectVersions", errors.New("truncated listing without a next key marker"))
	}
	return page, nil
}

func (s *ossStore) BucketVersioning(ctx context.Context, bucket string) (string, error) {
	var res *oss.GetBucketVersioningResult
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) {
		res, err = c.GetBucketVersioning(ctx, &oss.GetBucketVersioningRequest{Bucket: oss.Ptr(bucket)})
		return err
	})
	if err != nil {
		return "", wrapOSS("GetBucketVersioning", err)
	}
	return str(res.VersionStatus), nil
}

func (s *ossStore) DeleteBatch(ctx context.Context, bucket string, objs []ObjectRef) ([]Deleted, error) {
	if len(objs) == 0 || len(objs) > deleteBatchSize {
		return nil, fmt.Errorf("DeleteMultipleObjects: %d objects, want 1–%d", len(objs), deleteBatchSize)
	}
	req := &oss.DeleteMultipleObjectsRequest{Bucket: oss.Ptr(bucket), Objects: make([]oss.DeleteObject, len(objs))}
	for i, o := range objs {
		req.Objects[i] = oss.DeleteObject{Key: oss.Ptr(o.Key)}
		if o.VersionID != "" {
			req.Objects[i].VersionId = oss.Ptr(o.VersionID)
		}
	}
	var res *oss.DeleteMultipleObjectsResult
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) {
		res, err = c.DeleteMultipleObjects(ctx, req)
		return err
	})
	if err != nil {
		return nil, wrapOSS("DeleteMultipleObjects", err)
	}
	out := make([]Deleted, 0, len(res.DeletedObjects))
	for _, d := range res.DeletedObjects {
		del := Deleted{Key: str(d.Key), VersionID: str(d.VersionId), DeleteMarker: d.DeleteMarker}
		if mv := str(d.DeleteMarkerVersionId); mv != "" {
			del.VersionID = mv
		}
		out = append(out, del)
	}
	return out, nil
}

func (s *ossStore) PresignGet(ctx context.Context, ref ObjectRef, expires time.Duration) (Presigned, error) {
	req := &oss.GetObjectRequest{Bucket: oss.Ptr(ref.Bucket), Key: oss.Ptr(ref.Key)}
	if ref.VersionID != "" {
		req.VersionId = oss.Ptr(ref.VersionID)
	}
	var res *oss.PresignResult
	err := s.do(ctx, ref.Bucket, nil, func(c *oss.Client) (err error) {
		res, err = c.Presign(ctx, req, oss.PresignExpires(expires))
		return err
	})
	if err != nil {
		return Presigned{}, wrapOSS("Presign", err)
	}
	return Presigned{URL: res.URL, Expires: res.Expiration}, nil
}

func (s *ossStore) CopyObject(ctx context.Context, src ObjectRef, dstBucket, dstKey string) (CopyResult, error) {
	req := &oss.CopyObjectRequest{Bucket: oss.Ptr(dstBucket), Key: oss.Ptr(dstKey), SourceBucket: oss.Ptr(src.Bucket), SourceKey: oss.Ptr(src.Key)}
	if src.VersionID != "" {
		req.SourceVersionId = oss.Ptr(src.VersionID)
	}
	var res *oss.CopyObjectResult
	err := s.do(ctx, dstBucket, nil, func(c *oss.Client) (err error) {
		res, err = c.CopyObject(ctx, req)
		return err
	})
	if err != nil {
		return CopyResult{}, wrapOSS("CopyObject", err)
	}
	return CopyResult{VersionID: str(res.VersionId), CRC64: str(res.HashCRC64)}, nil
}

func (s *ossStore) UploadPartCopy(ctx context.Context, src ObjectRef, dstBucket, dstKey, uploadID string, number int, off, n int64, ifMatch string) (string, error) {
	req := &oss.UploadPartCopyRequest{Bucket: oss.Ptr(dstBucket), Key: oss.Ptr(dstKey), UploadId: oss.Ptr(uploadID),
		PartNumber: int32(number), SourceBucket: oss.Ptr(src.Bucket), SourceKey: oss.Ptr(src.Key),
		Range: oss.Ptr(fmt.Sprintf("bytes=%d-%d", off, off+n-1))}
	if src.VersionID != "" {
		req.SourceVersionId = oss.Ptr(src.VersionID)
	}
	if ifMatch != "" {
		req.IfMatch = oss.Ptr(ifMatch)
	}
	var res *oss.UploadPartCopyResult
	err := s.do(ctx, dstBucket, nil, func(c *oss.Client) (err error) {
		res, err = c.UploadPartCopy(ctx, req)
		return err
	})
	if err != nil {
		return "", wrapOSS(fmt.Sprintf("UploadPartCopy %d", number), err)
	}
	etag := str(res.ETag)
	if strings.TrimSpace(etag) == "" {
		return "", wrapOSS(fmt.Sprintf("UploadPartCopy %d", number), errors.New("server returned no ETag"))
	}
	return etag, nil
}

var _ CatalogStore = (*ossStore)(nil)
