package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/retry"

	"ossq/internal/ossname"
)

// ossStore is the Store over the real OSS SDK client: one client per
// endpoint a bucket needs (store_oss_route.go), one credentials cache.
type ossStore struct {
	opts   ClientOptions
	http   *http.Client
	creds  *credentialCache // nil when anonymous
	base   *oss.Client
	sigVer oss.SignatureVersionType
	routes regionRoutes
	// completeHTTP carries CompleteMultipartUpload: its connections may stay
	// silent far longer than the read timeout while the server assembles
	// the parts; a context deadline (completeAllowance) bounds each call.
	completeHTTP *http.Client
	readTimeout  time.Duration
}

// maxCompleteTimeout bounds one CompleteMultipartUpload call.
const maxCompleteTimeout = 15 * time.Minute

// NewOSSStore builds the SDK client from plain options. Credentials are held
// by the SDK's provider only; they are never logged or persisted.
func NewOSSStore(o ClientOptions) (Store, error) {
	if strings.TrimSpace(o.Endpoint) == "" {
		return nil, errors.New("oss client: endpoint is required")
	}
	s := &ossStore{opts: o}
	switch strings.ToLower(o.SignatureVersion) {
	case "", "v4":
		s.sigVer = oss.SignatureVersionV4
	case "v1":
		s.sigVer = oss.SignatureVersionV1
	default:
		return nil, fmt.Errorf("oss client: signature version %q: want v1 or v4", o.SignatureVersion)
	}
	switch {
	case o.Anonymous:
	case o.Credentials != nil:
		s.creds = newCredentialCache(o.CredentialSource, o.Credentials)
	case o.AccessKeyID != "" && o.AccessKeySecret != "":
		source := o.CredentialSource
		if source == "" {
			source = "the profile's keys"
		}
		s.creds = newCredentialCache(source, StaticCredentials(o.AccessKeyID, o.AccessKeySecret, o.SessionToken))
	default:
		return nil, errors.New("oss client: no credentials: set an access key ID and secret, or anonymous access")
	}
	if o.UseCName && o.UsePathStyle {
		return nil, errors.New("oss client: cname and path style are mutually exclusive")
	}
	httpClient, err := newHTTPClient(o)
	if err != nil {
		return nil, fmt.Errorf("oss client: %w", err)
	}
	s.http = httpClient
	long := o
	long.ReadTimeout = maxCompleteTimeout
	if s.completeHTTP, err = newHTTPClient(long); err != nil {
		return nil, fmt.Errorf("oss client: %w", err)
	}
	s.readTimeout = o.ReadTimeout
	if s.readTimeout <= 0 {
		s.readTimeout = 10 * time.Second // the SDK's default
	}
	s.base = oss.NewClient(s.newConfig(o.Endpoint, o.Region))
	return s, nil
}

// newConfig is the SDK configuration for one endpoint and region.
func (s *ossStore) newConfig(endpoint, region string) *oss.Config {
	return s.newConfigWith(endpoint, region, s.http)
}

func (s *ossStore) newConfigWith(endpoint, region string, hc *http.Client) *oss.Config {
	o := s.opts
	cfg := oss.LoadDefaultConfig().WithEndpoint(endpoint).WithSignatureVersion(s.sigVer).WithHttpClient(hc)
	if region != "" {
		cfg = cfg.WithRegion(region)
	}
	if s.creds == nil {
		cfg = cfg.WithCredentialsProvider(credentials.NewAnonymousCredentialsProvider())
	} else {
		cfg = cfg.WithCredentialsProvider(s.creds)
	}
	if o.UseCName {
		cfg = cfg.WithUseCName(true)
	}
	if o.UsePathStyle {
		cfg = cfg.WithUsePathStyle(true)
	}
	if o.Retries > 0 {
		cfg = cfg.WithRetryMaxAttempts(o.Retries)
	}
	// Our parts are CRC-checked by the engine; the SDK's own download check
	// only applies to its file helpers, and on ranged GETs it is meaningless.
	cfg = cfg.WithDisableDownloadCRC64Check(true)
	// The engine computes every part's CRC64 itself while reading the file
	// and compares it with the server's; the SDK doing it again would only
	// double the CPU cost.
	cfg = cfg.WithDisableUploadCRC64Check(true)
	return cfg
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *ossStore) ListBuckets(ctx context.Context) ([]Bucket, error) {
	var out []Bucket
	req := &oss.ListBucketsRequest{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			return nil, wrapOSS("ListBuckets", errors.New("too many pages"))
		}
		var page *oss.ListBucketsResult
		err := s.do(ctx, "", nil, func(c *oss.Client) (err error) { page, err = c.ListBuckets(ctx, req); return err })
		if err != nil {
			return nil, wrapOSS("ListBuckets", err)
		}
		for _, b := range page.Buckets {
			bk := Bucket{Name: str(b.Name), Region: str(b.Region), StorageClass: str(b.StorageClass)}
			if bk.Region == "" {
				bk.Region = strings.TrimPrefix(str(b.Location), "oss-")
			}
			if b.CreationDate != nil {
				bk.Created = *b.CreationDate
			}
			s.learnRegion(bk.Name, bk.Region)
			out = append(out, bk)
		}
		if !page.IsTruncated || str(page.NextMarker) == "" {
			return out, nil
		}
		req = &oss.ListBucketsRequest{Marker: page.NextMarker}
	}
}

func (s *ossStore) ListObjects(ctx context.Context, bucket, prefix, delimiter, token string, max int) (Page, error) {
	req := &oss.ListObjectsV2Request{Bucket: oss.Ptr(bucket), EncodingType: oss.Ptr("url")}
	if prefix != "" {
		req.Prefix = oss.Ptr(prefix)
	}
	if delimiter != "" {
		req.Delimiter = oss.Ptr(delimiter)
	}
	if token != "" {
		req.ContinuationToken = oss.Ptr(token)
	}
	if max > 0 {
		if max > ossname.MaxListPage {
			max = ossname.MaxListPage
		}
		req.MaxKeys = int32(max)
	}
	var res *oss.ListObjectsV2Result
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) { res, err = c.ListObjectsV2(ctx, req); return err })
	if err != nil {
		return Page{}, wrapOSS("ListObjects", err)
	}
	var page Page
	for _, p := range res.CommonPrefixes {
		page.Prefixes = append(page.Prefixes, str(p.Prefix))
	}
	for _, o := range res.Contents {
		obj := Object{Key: str(o.Key), Size: o.Size, ETag: str(o.ETag), StorageClass: str(o.StorageClass),
			ObjectType: str(o.Type), Restore: str(o.RestoreInfo)}
		if o.LastModified != nil {
			obj.LastModified = *o.LastModified
		}
		page.Objects = append(page.Objects, obj)
	}
	if res.IsTruncated {
		page.NextToken = str(res.NextContinuationToken)
		if page.NextToken == "" {
			// A truncated page without a token would make callers loop forever.
			return page, &OSSError{Info: ErrorInfo{Op: "ListObjects", Message: "truncated listing without a continuation token"},
				Err: errors.New("truncated listing without a continuation token")}
		}
	}
	return page, nil
}

func (s *ossStore) HeadObject(ctx context.Context, bucket, key string) (Object, error) {
	return s.HeadObjectVersion(ctx, bucket, key, "")
}

// HeadObjectVersion HEADs one version of the object ("" = the current one).
func (s *ossStore) HeadObjectVersion(ctx context.Context, bucket, key, versionID string) (Object, error) {
	req := &oss.HeadObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key)}
	if versionID != "" {
		req.VersionId = oss.Ptr(versionID)
	}
	var res *oss.HeadObjectResult
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) {
		res, err = c.HeadObject(ctx, req)
		return err
	})
	if err != nil {
		return Object{}, wrapOSS("HeadObject", err)
	}
	obj := Object{Key: key, Size: res.ContentLength, ETag: str(res.ETag), StorageClass: str(res.StorageClass),
		ContentType: str(res.ContentType), CRC64: str(res.HashCRC64), VersionID: str(res.VersionId),
		ObjectType: str(res.ObjectType), Restore: str(res.Restore)}
	if res.LastModified != nil {
		obj.LastModified = *res.LastModified
	}
	return obj, nil
}

// RestoreObject asks OSS to restore an Archive, ColdArchive or
// DeepColdArchive object for days; OSS answers 202 at first and 409
// RestoreAlreadyInProgress while it works.
func (s *ossStore) RestoreObject(ctx context.Context, bucket, key string, days int) error {
	err := s.do(ctx, bucket, nil, func(c *oss.Client) error {
		_, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
			RestoreRequest: &oss.RestoreRequest{Days: int32(days)}})
		return err
	})
	if err != nil {
		return wrapOSS("RestoreObject", err)
	}
	return nil
}

// GetRange asks for bytes=off-(off+n-1) with standard range behaviour and
// checks that the server answered exactly that range; the returned body
// fails with errShortBody if it ends early.
func (s *ossStore) GetRange(ctx context.Context, bucket, key string, off, n int64, ifMatch string) (io.ReadCloser, error) {
	return s.GetRangeVersion(ctx, bucket, key, "", off, n, ifMatch)
}

// GetRangeVersion is GetRange of one version of the object ("" = the current one).
func (s *ossStore) GetRangeVersion(ctx context.Context, bucket, key, versionID string, off, n int64, ifMatch string) (io.ReadCloser, error) {
	if off < 0 {
		return nil, fmt.Errorf("GetRange: negative offset %d", off)
	}
	req := &oss.GetObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key)}
	if versionID != "" {
		req.VersionId = oss.Ptr(versionID)
	}
	ranged := off > 0 || n >= 0
	if n == 0 {
		return io.NopCloser(strings.NewReader("")), nil
	}
	if ranged {
		if n > 0 {
			req.Range = oss.Ptr(fmt.Sprintf("bytes=%d-%d", off, off+n-1))
		} else {
			req.Range = oss.Ptr(fmt.Sprintf("bytes=%d-", off))
		}
		req.RangeBehavior = oss.Ptr("standard")
	}
	if ifMatch != "" {
		req.IfMatch = oss.Ptr(ifMatch)
	}
	op := "GetObject"
	if ranged {
		op = fmt.Sprintf("GetObject bytes %d-", off)
	}
	var res *oss.GetObjectResult
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) { res, err = c.GetObject(ctx, req); return err })
	if err != nil {
		return nil, wrapOSS(op, err)
	}
	want := res.ContentLength
	if ranged {
		start, err := contentRangeStart(str(res.ContentRange))
		switch {
		case err != nil && off == 0 && res.StatusCode == 200 && (n < 0 || res.ContentLength == n):
			// A 200 with the whole object is the same bytes as bytes=0-.
		case err != nil:
			res.Body.Close()
			return nil, wrapOSS(op, fmt.Errorf("bad Content-Range %q: %w", str(res.ContentRange), err))
		case start != off:
			res.Body.Close()
			return nil, wrapOSS(op, fmt.Errorf("server sent range starting at %d, asked for %d", start, off))
		}
		if n > 0 && res.ContentLength != n {
			res.Body.Close()
			return nil, wrapOSS(op, fmt.Errorf("server sent %d bytes, asked for %d: %w", res.ContentLength, n, errShortBody))
		}
	}
	if want < 0 {
		want = n
	}
	return &exactBody{rc: res.Body, left: want}, nil
}

// OpenObject GETs the whole object and returns its metadata from the
// response headers with the body, saving the HEAD round trip for small
// objects. It implements the optional objectOpener interface.
//
// Without a Range header Go's transport would ask for gzip on its own, and
// OSS then compresses text objects and drops Content-Length and ETag; the
// transport's silent gunzip would leave a body whose length nobody knows.
// So the GET asks for the stored bytes (identity), and a response that still
// lacks a length is refused with errNoContentLength (the caller then uses
// HEAD and ranged GETs).
func (s *ossStore) OpenObject(ctx context.Context, bucket, key string) (Object, io.ReadCloser, error) {
	var res *oss.GetObjectResult
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) {
		res, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
			RequestCommon: oss.RequestCommon{Headers: map[string]string{"Accept-Encoding": "identity"}}})
		return err
	})
	if err != nil {
		return Object{}, nil, wrapOSS("GetObject", err)
	}
	if res.Headers.Get("Content-Length") == "" {
		res.Body.Close()
		return Object{}, nil, wrapOSS("GetObject", errNoContentLength)
	}
	obj := Object{Key: key, Size: res.ContentLength, ETag: str(res.ETag), StorageClass: str(res.StorageClass),
		ContentType: str(res.ContentType), CRC64: str(res.HashCRC64), VersionID: str(res.VersionId),
		ObjectType: str(res.ObjectType), Restore: str(res.Restore)}
	if res.LastModified != nil {
		obj.LastModified = *res.LastModified
	}
	if obj.Size < 0 {
		res.Body.Close()
		return Object{}, nil, wrapOSS("GetObject", errors.New("response has no Content-Length"))
	}
	return obj, &exactBody{rc: res.Body, left: obj.Size}, nil
}

// contentRangeStart parses "bytes a-b/total" and returns a.
func contentRangeStart(cr string) (int64, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(cr), "bytes ")
	if !ok {
		return 0, errors.New("missing bytes unit")
	}
	a, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, errors.New("missing '-'")
	}
	return strconv.ParseInt(strings.TrimSpace(a), 10, 64)
}

// exactBody turns an early EOF into errShortBody and refuses extra bytes, so
// a truncating server can never pass a part off as complete.
type exactBody struct {
	rc   io.ReadCloser
	left int64 // -1: unknown length
}

func (b *exactBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	if b.left > 0 && int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	if b.left > 0 {
		b.left -= int64(n)
	}
	if err == io.EOF && b.left > 0 {
		return n, errShortBody
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return n, errShortBody
	}
	if b.left == 0 && err == nil {
		return n, nil
	}
	return n, err
}

func (b *exactBody) Close() error { return b.rc.Close() }

// noBodyRetry turns the SDK's retry off for a request with a body: after a
// reset the transport may still read the body while the SDK would rewind
// it (a data race). The engine retries with a fresh reader instead.
func noBodyRetry(o *oss.Options) { o.Retryer = retry.NopRetryer{} }

func (s *ossStore) PutObject(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) (string, string, error) {
	var res *oss.PutObjectResult
	err := s.do(ctx, bucket, body, func(c *oss.Client) (err error) {
		res, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
			Body: body, ContentLength: oss.Ptr(size)}, noBodyRetry)
		return err
	})
	if err != nil {
		return "", "", wrapOSS("PutObject", err)
	}
	return str(res.ETag), str(res.HashCRC64), nil
}

func (s *ossStore) InitiateMultipart(ctx context.Context, bucket, key string) (string, error) {
	var res *oss.InitiateMultipartUploadResult
	err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) {
		res, err = c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key)})
		return err
	})
	if err != nil {
		return "", wrapOSS("InitiateMultipartUpload", err)
	}
	if str(res.UploadId) == "" {
		return "", wrapOSS("InitiateMultipartUpload", errors.New("server returned no upload ID"))
	}
	return str(res.UploadId), nil
}

func (s *ossStore) UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body io.ReadSeeker, size int64) (string, string, error) {
	var res *oss.UploadPartResult
	err := s.do(ctx, bucket, body, func(c *oss.Client) (err error) {
		res, err = c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
			UploadId: oss.Ptr(uploadID), PartNumber: int32(number), Body: body, ContentLength: oss.Ptr(size)}, noBodyRetry)
		return err
	})
	if err != nil {
		return "", "", wrapOSS(fmt.Sprintf("UploadPart %d", number), err)
	}
	return str(res.ETag), str(res.HashCRC64), nil
}

func (s *ossStore) ListParts(ctx context.Context, bucket, key, uploadID string) ([]UploadedPart, error) {
	var out []UploadedPart
	var marker int32
	for pages := 0; ; pages++ {
		if pages > 20 { // 10000 parts at 1000 a page, with slack
			return nil, wrapOSS("ListParts", errors.New("too many pages"))
		}
		req := &oss.ListPartsRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key), UploadId: oss.Ptr(uploadID), PartNumberMarker: marker}
		var page *oss.ListPartsResult
		err := s.do(ctx, bucket, nil, func(c *oss.Client) (err error) { page, err = c.ListParts(ctx, req); return err })
		if err != nil {
			return nil, wrapOSS("ListParts", err)
		}
		for _, pt := range page.Parts {
			out = append(out, UploadedPart{Number: int(pt.PartNumber), ETag: str(pt.ETag), Size: pt.Size, CRC64: str(pt.HashCRC64)})
		}
		if !page.IsTruncated || page.NextPartNumberMarker <= marker {
			return out, nil
		}
		marker = page.NextPartNumberMarker
	}
}

func (s *ossStore) CompleteMultipart(ctx context.Context, bucket, key, uploadID string, parts []UploadedPart) (string, error) {
	up := make([]oss.UploadPart, len(parts))
	for i, p := range parts {
		up[i] = oss.UploadPart{PartNumber: int32(p.Number), ETag: oss.Ptr(p.ETag)}
	}
	ctx, cancel := context.WithTimeout(ctx, min(s.readTimeout+completeAllowance(parts), maxCompleteTimeout))
	defer cancel()
	var res *oss.CompleteMultipartUploadResult
	err := s.do(ctx, bucket, nil, func(*oss.Client) (err error) {
		res, err = s.completerFor(bucket).CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
			UploadId: oss.Ptr(uploadID), CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: up}})
		return err
	})
	if err != nil {
		return "", wrapOSS("CompleteMultipartUpload", err)
	}
	return str(res.HashCRC64), nil
}

func (s *ossStore) AbortMultipart(ctx context.Context, bucket, key, uploadID string) error {
	err := s.do(ctx, bucket, nil, func(c *oss.Client) error {
		_, err := c.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key), UploadId: oss.Ptr(uploadID)})
		return err
	})
	return wrapOSS("AbortMultipartUpload", err)
}

// parseCRC64 reads OSS's decimal CRC64; ok is false when absent or malformed.
func parseCRC64(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	return v, err == nil
}
