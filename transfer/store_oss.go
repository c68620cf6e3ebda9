package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// ossStore is the Store over the real OSS SDK client.
type ossStore struct {
	client *oss.Client
	// completer sends CompleteMultipartUpload: its connections may stay
	// silent far longer than the read timeout while the server assembles
	// the parts; a context deadline (completeTimeout) bounds each call.
	completer   *oss.Client
	readTimeout time.Duration
}

// maxCompleteTimeout bounds one CompleteMultipartUpload call.
const maxCompleteTimeout = 15 * time.Minute

// NewOSSStore builds the SDK client from plain options. Credentials are held
// by the SDK's provider only; they are never logged or persisted.
func NewOSSStore(o ClientOptions) (Store, error) {
	if strings.TrimSpace(o.Endpoint) == "" {
		return nil, errors.New("oss client: endpoint is required")
	}
	cfg := oss.LoadDefaultConfig().WithEndpoint(o.Endpoint)
	if o.Region != "" {
		cfg = cfg.WithRegion(o.Region)
	}
	switch strings.ToLower(o.SignatureVersion) {
	case "", "v4":
		cfg = cfg.WithSignatureVersion(oss.SignatureVersionV4)
	case "v1":
		cfg = cfg.WithSignatureVersion(oss.SignatureVersionV1)
	default:
		return nil, fmt.Errorf("oss client: signature version %q: want v1 or v4", o.SignatureVersion)
	}
	switch {
	case o.Anonymous:
		cfg = cfg.WithCredentialsProvider(credentials.NewAnonymousCredentialsProvider())
	case o.AccessKeyID != "" && o.AccessKeySecret != "":
		if o.SessionToken != "" {
			cfg = cfg.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.AccessKeySecret, o.SessionToken))
		} else {
			cfg = cfg.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.AccessKeySecret))
		}
	default:
		return nil, errors.New("oss client: no credentials: set an access key ID and secret, or anonymous access")
	}
	if o.UseCName && o.UsePathStyle {
		return nil, errors.New("oss client: cname and path style are mutually exclusive")
	}
	if o.UseCName {
		cfg = cfg.WithUseCName(true)
	}
	if o.UsePathStyle {
		cfg = cfg.WithUsePathStyle(true)
	}
	if o.Proxy != "" {
		cfg = cfg.WithProxyHost(o.Proxy)
	}
	if o.ConnectTimeout > 0 {
		cfg = cfg.WithConnectTimeout(o.ConnectTimeout)
	}
	if o.ReadTimeout > 0 {
		cfg = cfg.WithReadWriteTimeout(o.ReadTimeout)
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
	readTimeout := o.ReadTimeout
	if readTimeout <= 0 {
		readTimeout = 10 * time.Second // the SDK's default
	}
	ccfg := *cfg
	ccfg.WithReadWriteTimeout(maxCompleteTimeout)
	return &ossStore{client: oss.NewClient(cfg), completer: oss.NewClient(&ccfg), readTimeout: readTimeout}, nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *ossStore) ListBuckets(ctx context.Context) ([]Bucket, error) {
	var out []Bucket
	p := s.client.NewListBucketsPaginator(&oss.ListBucketsRequest{})
	for p.HasNext() {
		page, err := p.NextPage(ctx)
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
			out = append(out, bk)
		}
	}
	return out, nil
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
		if max > 1000 {
			max = 1000
		}
		req.MaxKeys = int32(max)
	}
	res, err := s.client.ListObjectsV2(ctx, req)
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
	res, err := s.client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key)})
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
	_, err := s.client.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
		RestoreRequest: &oss.RestoreRequest{Days: int32(days)}})
	if err != nil {
		return wrapOSS("RestoreObject", err)
	}
	return nil
}

// GetRange asks for bytes=off-(off+n-1) with standard range behaviour and
// checks that the server answered exactly that range; the returned body
// fails with errShortBody if it ends early.
func (s *ossStore) GetRange(ctx context.Context, bucket, key string, off, n int64, ifMatch string) (io.ReadCloser, error) {
	if off < 0 {
		return nil, fmt.Errorf("GetRange: negative offset %d", off)
	}
	req := &oss.GetObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key)}
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
	res, err := s.client.GetObject(ctx, req)
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
	res, err := s.client.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
		RequestCommon: oss.RequestCommon{Headers: map[string]string{"Accept-Encoding": "identity"}}})
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

func (s *ossStore) PutObject(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) (string, string, error) {
	res, err := s.client.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
		Body: body, ContentLength: oss.Ptr(size)})
	if err != nil {
		return "", "", wrapOSS("PutObject", err)
	}
	return str(res.ETag), str(res.HashCRC64), nil
}

func (s *ossStore) InitiateMultipart(ctx context.Context, bucket, key string) (string, error) {
	res, err := s.client.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key)})
	if err != nil {
		return "", wrapOSS("InitiateMultipartUpload", err)
	}
	if str(res.UploadId) == "" {
		return "", wrapOSS("InitiateMultipartUpload", errors.New("server returned no upload ID"))
	}
	return str(res.UploadId), nil
}

func (s *ossStore) UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body io.ReadSeeker, size int64) (string, string, error) {
	res, err := s.client.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
		UploadId: oss.Ptr(uploadID), PartNumber: int32(number), Body: body, ContentLength: oss.Ptr(size)})
	if err != nil {
		return "", "", wrapOSS(fmt.Sprintf("UploadPart %d", number), err)
	}
	return str(res.ETag), str(res.HashCRC64), nil
}

func (s *ossStore) ListParts(ctx context.Context, bucket, key, uploadID string) ([]UploadedPart, error) {
	var out []UploadedPart
	p := s.client.NewListPartsPaginator(&oss.ListPartsRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key), UploadId: oss.Ptr(uploadID)})
	for pages := 0; p.HasNext(); pages++ {
		if pages > 20 { // 10000 parts at 1000 a page, with slack
			return nil, wrapOSS("ListParts", errors.New("too many pages"))
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrapOSS("ListParts", err)
		}
		for _, pt := range page.Parts {
			out = append(out, UploadedPart{Number: int(pt.PartNumber), ETag: str(pt.ETag), Size: pt.Size, CRC64: str(pt.HashCRC64)})
		}
	}
	return out, nil
}

func (s *ossStore) CompleteMultipart(ctx context.Context, bucket, key, uploadID string, parts []UploadedPart) (string, error) {
	up := make([]oss.UploadPart, len(parts))
	for i, p := range parts {
		up[i] = oss.UploadPart{PartNumber: int32(p.Number), ETag: oss.Ptr(p.ETag)}
	}
	ctx, cancel := context.WithTimeout(ctx, min(s.readTimeout+completeAllowance(parts), maxCompleteTimeout))
	defer cancel()
	res, err := s.completer.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key),
		UploadId: oss.Ptr(uploadID), CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: up}})
	if err != nil {
		return "", wrapOSS("CompleteMultipartUpload", err)
	}
	return str(res.HashCRC64), nil
}

func (s *ossStore) AbortMultipart(ctx context.Context, bucket, key, uploadID string) error {
	_, err := s.client.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key), UploadId: oss.Ptr(uploadID)})
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
