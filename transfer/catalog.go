package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ossq/internal/ossname"
)

// The catalog: what a front end does to a bucket's contents besides moving
// bytes — incomplete uploads, versions, delete, share, new folder, copy.
// NewOSSStore's store implements CatalogStore; a Catalog over it is the API
// the CLI and the TUI call. Every error wraps *OSSError.

// CatalogStore is the set of calls a Catalog needs beyond Store.
type CatalogStore interface {
	Store
	VersionReader
	// ListUploadsPage lists one page (≤ 1000) of incomplete multipart uploads.
	ListUploadsPage(ctx context.Context, bucket, prefix, keyMarker, uploadIDMarker string) (UploadsPage, error)
	// ListVersionsPage lists one page (≤ max, ≤ 1000) of object versions and delete markers.
	ListVersionsPage(ctx context.Context, bucket, prefix, delimiter, keyMarker, versionIDMarker string, max int) (VersionsPage, error)
	// BucketVersioning is "" (never enabled), "Enabled" or "Suspended".
	BucketVersioning(ctx context.Context, bucket string) (string, error)
	// DeleteBatch deletes up to 1000 objects (or versions) in one request.
	DeleteBatch(ctx context.Context, bucket string, objs []ObjectRef) ([]Deleted, error)
	// PresignGet signs a GET of the object (a version when ref.VersionID is set).
	PresignGet(ctx context.Context, ref ObjectRef, expires time.Duration) (Presigned, error)
	// CopyObject copies src (a version when src.VersionID is set) to dst in one request.
	CopyObject(ctx context.Context, src ObjectRef, dstBucket, dstKey string) (CopyResult, error)
	// UploadPartCopy copies [off, off+n) of src into part number of a
	// multipart upload; ifMatch, when set, must be src's ETag (412 if not).
	UploadPartCopy(ctx context.Context, src ObjectRef, dstBucket, dstKey, uploadID string, number int, off, n int64, ifMatch string) (etag string, err error)
}

// ObjectRef names an object in a bucket, optionally one of its versions.
type ObjectRef struct {
	Bucket    string
	Key       string
	VersionID string // "" = the current version
}

// IncompleteUpload is a multipart upload that was started and never
// completed or aborted; its parts are billed storage.
type IncompleteUpload struct {
	Bucket    string
	Key       string
	UploadID  string
	Initiated time.Time
	Parts     int   // from ListParts
	Bytes     int64 // sum of the parts' sizes
}

// UploadsPage is one page of ListMultipartUploads.
type UploadsPage struct {
	Uploads []IncompleteUpload // Parts and Bytes are not filled by the store
	// NextKeyMarker / NextUploadIDMarker continue a truncated listing ("" when done).
	NextKeyMarker, NextUploadIDMarker string
}

// Version is one version of an object or a delete marker.
type Version struct {
	Key          string
	VersionID    string // "null" for objects written without versioning
	IsLatest     bool
	DeleteMarker bool
	Size         int64
	ETag         string
	LastModified time.Time
	StorageClass string
}

// VersionsPage is one page of ListObjectVersions, in key order, each key's
// versions newest first.
type VersionsPage struct {
	Versions []Version // versions and delete markers, merged in listing order
	Prefixes []string
	// NextKeyMarker / NextVersionIDMarker continue a truncated listing.
	NextKeyMarker, NextVersionIDMarker string
	Truncated                          bool
}

// Deleted is what one delete did.
type Deleted struct {
	Key          string
	VersionID    string // the version removed, or the delete marker added
	DeleteMarker bool   // a delete marker was added (or removed, with a version ID)
}

// Presigned is a signed URL anyone can GET until Expires.
type Presigned struct {
	URL     string
	Expires time.Time
}

// Catalog runs catalog operations over a CatalogStore.
type Catalog struct {
	store CatalogStore
	// CopyPartSize is the part size of multipart copies (0 = 64 MiB).
	CopyPartSize int64
	// MultipartCopyThreshold: objects larger than this are copied with
	// UploadPartCopy (0 = 1 GiB, what OSS recommends).
	MultipartCopyThreshold int64
}

// ErrNoCatalog is returned when the store cannot do catalog operations.
var ErrNoCatalog = errors.New("this store cannot list uploads or versions, delete, share or copy")

// NewCatalog returns a Catalog over s, or ErrNoCatalog if s lacks the calls.
func NewCatalog(s Store) (*Catalog, error) {
	cs, ok := s.(CatalogStore)
	if !ok {
		return nil, ErrNoCatalog
	}
	return &Catalog{store: cs}, nil
}

// deleteBatchSize is DeleteMultipleObjects' limit.
const deleteBatchSize = ossname.MaxDeleteBatch

// ListUploads lists one page of incomplete uploads under prefix, each with
// its parts and bytes from ListParts. token is "" for the first page and the
// returned next token after; next is "" on the last page.
func (c *Catalog) ListUploads(ctx context.Context, bucket, prefix, token string) (uploads []IncompleteUpload, next string, err error) {
	keyMarker, idMarker := splitUploadToken(token)
	page, err := c.store.ListUploadsPage(ctx, bucket, prefix, keyMarker, idMarker)
	if err != nil {
		return nil, "", err
	}
	for _, u := range page.Uploads {
		parts, err := c.store.ListParts(ctx, bucket, u.Key, u.UploadID)
		if err != nil {
			if Code(err) == CodeNoSuchUpload {
				continue // completed or aborted since the listing
			}
			return nil, "", err
		}
		u.Parts = len(parts)
		for _, p := range parts {
			u.Bytes += p.Size
		}
		uploads = append(uploads, u)
	}
	if page.NextKeyMarker != "" || page.NextUploadIDMarker != "" {
		next = page.NextKeyMarker + "\x00" + page.NextUploadIDMarker
	}
	return uploads, next, nil
}

func splitUploadToken(token string) (keyMarker, idMarker string) {
	keyMarker, idMarker, _ = strings.Cut(token, "\x00")
	return keyMarker, idMarker
}

// AllUploads lists every incomplete upload under prefix.
func (c *Catalog) AllUploads(ctx context.Context, bucket, prefix string) ([]IncompleteUpload, error) {
	var all []IncompleteUpload
	token := ""
	for range maxListPages {
		page, next, err := c.ListUploads(ctx, bucket, prefix, token)
		if err != nil {
			return all, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		token = next
	}
	return all, fmt.Errorf("ListMultipartUploads: more than %d pages", maxListPages)
}

// AbortUpload aborts one incomplete upload, freeing its parts.
func (c *Catalog) AbortUpload(ctx context.Context, bucket, key, uploadID string) error {
	return c.store.AbortMultipart(ctx, bucket, key, uploadID)
}

// ListVersions lists one page of versions (and delete markers) under prefix;
// pass the previous page's NextKeyMarker/NextVersionIDMarker to continue.
func (c *Catalog) ListVersions(ctx context.Context, bucket, prefix, delimiter, keyMarker, versionIDMarker string, max int) (VersionsPage, error) {
	return c.store.ListVersionsPage(ctx, bucket, prefix, delimiter, keyMarker, versionIDMarker, max)
}

// KeyVersions lists every version of exactly key, newest first.
func (c *Catalog) KeyVersions(ctx context.Context, bucket, key string) ([]Version, error) {
	var out []Version
	keyMarker, idMarker := "", ""
	for range maxListPages {
		page, err := c.store.ListVersionsPage(ctx, bucket, key, "", keyMarker, idMarker, ossname.MaxListPage)
		if err != nil {
			return out, err
		}
		for _, v := range page.Versions {
			if v.Key == key {
				out = append(out, v)
			}
		}
		if !page.Truncated || len(page.Versions) > 0 && page.Versions[len(page.Versions)-1].Key != key {
			return out, nil
		}
		keyMarker, idMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	return out, fmt.Errorf("ListObjectVersions: more than %d pages", maxListPages)
}

// Versioning reports the bucket's versioning status: "" (never enabled),
// "Enabled" or "Suspended". On a bucket that has versioning, a delete adds
// a delete marker and the data stays (billed) as older versions.
func (c *Catalog) Versioning(ctx context.Context, bucket string) (string, error) {
	return c.store.BucketVersioning(ctx, bucket)
}

// Presign returns a GET URL for the object valid for expires (at most 7 days,
// OSS's limit for V4 signatures).
func (c *Catalog) Presign(ctx context.Context, ref ObjectRef, expires time.Duration) (Presigned, error) {
	if expires <= 0 || expires > 7*24*time.Hour {
		return Presigned{}, fmt.Errorf("presign: expiry %v: want more than 0 and at most 7 days", expires)
	}
	return c.store.PresignGet(ctx, ref, expires)
}

// PutFolder creates the zero-byte "prefix/" object the OSS console shows as a
// folder.
func (c *Catalog) PutFolder(ctx context.Context, bucket, prefix string) error {
	if prefix == "" || prefix == "/" || strings.HasPrefix(prefix, "/") {
		return fmt.Errorf("new folder: %q is not a folder name", prefix)
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	_, _, err := c.store.PutObject(ctx, bucket, prefix, strings.NewReader(""), 0)
	return err
}

// RestoreVersion makes an older version the latest again by copying it onto
// its own key (the bucket keeps every version, so nothing is lost).
func (c *Catalog) RestoreVersion(ctx context.Context, bucket, key, versionID string) (newVersionID string, err error) {
	if versionID == "" {
		return "", errors.New("restore version: no version ID")
	}
	res, err := c.CopyObject(ctx, ObjectRef{Bucket: bucket, Key: key, VersionID: versionID}, ObjectRef{Bucket: bucket, Key: key}, nil)
	return res.VersionID, err
}
