package ossemu

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash/crc64"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// The SDK against the object calls: odd keys, reads (ranges, conditions, CRC64), writes and deletes.

// oddKeys are names OSS allows that break naive path handling.
var oddKeys = []string{
	"日本語/ファイル.txt", "with space.txt", "plus+sign", "percent%20literal", "a//b", "../escape-attempt.txt",
	"./dot-start", "dir/", "ctrl\x0cchar", "tilde~and-dash_", "q?mark&amp=1#frag", strings.Repeat("L", 1023),
}

func TestOddKeysRoundTripAndStayInsideRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s, endpoint := startServer(t, Config{Root: root})
	c := newClient(endpoint, testAK, testSecret)
	for i, key := range oddKeys {
		putString(t, c, key, fmt.Sprintf("body-%d", i))
	}
	for i, key := range oddKeys {
		_, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key)})
		if string(b) != fmt.Sprintf("body-%d", i) {
			t.Fatalf("key %q: got %q", key, b)
		}
	}
	// Listing returns every key exactly, in byte order.
	var listed []string
	p := c.NewListObjectsV2Paginator(&oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket)}, func(o *oss.PaginatorOptions) { o.Limit = 5 })
	for pages := 0; p.HasNext() && pages < 100; pages++ {
		page, err := p.NextPage(testContext(t))
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, o := range page.Contents {
			listed = append(listed, oss.ToString(o.Key))
		}
	}
	want := slices.Clone(oddKeys)
	sort.Strings(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("listed %q\nwant %q", listed, want)
	}
	// Nothing was written outside the root (keys are hashed into file names).
	parent := filepath.Dir(root)
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.Contains(e.Name(), "escape") {
			t.Fatalf("found %q outside the root", e.Name())
		}
	}
	// Keys OSS rejects.
	_, err := c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(strings.Repeat("x", 1024)), Body: strings.NewReader("x")})
	wantCode(t, "1024-byte key", err, "InvalidObjectName")
	_, err = c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("/leading"), Body: strings.NewReader("x")})
	wantCode(t, "leading slash key", err, "InvalidObjectName")
	if s.Stats().Errors["InvalidObjectName"] != 2 {
		t.Fatalf("errors = %v", s.Stats().Errors)
	}
}

func TestGetRangeConditionalAndCRC(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	data := randomBytes(1000, 7)
	if err := s.PutBytes(testBucket, "obj", data); err != nil {
		t.Fatal(err)
	}
	wholeCRC := strconv.FormatUint(crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)), 10)
	sum := md5.Sum(data)
	wantETag := `"` + strings.ToUpper(fmt.Sprintf("%x", sum)) + `"`
	req := func(rng string, standard bool) *oss.GetObjectRequest {
		r := &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("obj"), Range: oss.Ptr(rng)}
		if standard {
			r.RangeBehavior = oss.Ptr("standard")
		}
		return r
	}
	res, b := getBytes(t, c, req("bytes=10-19", true))
	if res.StatusCode != 206 || oss.ToString(res.ContentRange) != "bytes 10-19/1000" || !bytes.Equal(b, data[10:20]) ||
		oss.ToString(res.HashCRC64) != wholeCRC || oss.ToString(res.ETag) != wantETag {
		t.Fatalf("206: status %d range %q crc %q etag %q", res.StatusCode, oss.ToString(res.ContentRange), oss.ToString(res.HashCRC64), oss.ToString(res.ETag))
	}
	res, b = getBytes(t, c, req("bytes=990-2000", true))
	if res.StatusCode != 206 || oss.ToString(res.ContentRange) != "bytes 990-999/1000" || !bytes.Equal(b, data[990:]) {
		t.Fatalf("standard end past size: status %d range %q", res.StatusCode, oss.ToString(res.ContentRange))
	}
	res, b = getBytes(t, c, req("bytes=990-2000", false))
	if res.StatusCode != 200 || !bytes.Equal(b, data) {
		t.Fatalf("non-standard end past size: status %d, %d bytes", res.StatusCode, len(b))
	}
	res, b = getBytes(t, c, req("bytes=-5", true))
	if res.StatusCode != 206 || !bytes.Equal(b, data[995:]) {
		t.Fatalf("suffix range: status %d", res.StatusCode)
	}
	_, err := c.GetObject(testContext(t), req("bytes=1000-1001", true))
	wantCode(t, "start past end, standard", err, "InvalidRange")
	res, b = getBytes(t, c, req("bytes=1000-1001", false))
	if res.StatusCode != 200 || len(b) != 1000 {
		t.Fatalf("start past end, non-standard: status %d", res.StatusCode)
	}
	before := s.Stats().GetBodyBytes
	getBytes(t, c, req("bytes=100-199", true))
	if got := s.Stats().GetBodyBytes - before; got != 100 {
		t.Fatalf("GetBodyBytes grew by %d, want 100", got)
	}

	// Conditional requests.
	_, err = c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("obj"), IfMatch: oss.Ptr(`"0000"`)})
	wantCode(t, "If-Match mismatch", err, "PreconditionFailed")
	getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("obj"), IfMatch: oss.Ptr(wantETag)})
	_, err = c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("obj"), IfNoneMatch: oss.Ptr(wantETag)})
	var se *oss.ServiceError
	if !asServiceError(err, &se) || se.StatusCode != 304 {
		t.Fatalf("If-None-Match match: %v, want 304", err)
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	_, err = c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("obj"), IfModifiedSince: oss.Ptr(future)})
	if !asServiceError(err, &se) || se.StatusCode != 304 {
		t.Fatalf("If-Modified-Since future: %v, want 304", err)
	}
	_, err = c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("obj"), IfUnmodifiedSince: oss.Ptr(past)})
	wantCode(t, "If-Unmodified-Since past", err, "PreconditionFailed")

	// HEAD: success and errors (carried in x-oss-err, so the SDK sees real codes).
	head, err := c.HeadObject(testContext(t), &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("obj")})
	if err != nil || head.ContentLength != 1000 || oss.ToString(head.HashCRC64) != wholeCRC || oss.ToString(head.ETag) != wantETag {
		t.Fatalf("HeadObject: %v %+v", err, head)
	}
	_, err = c.HeadObject(testContext(t), &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("missing")})
	wantCode(t, "HEAD missing key", err, "NoSuchKey")
	_, err = c.HeadObject(testContext(t), &oss.HeadObjectRequest{Bucket: oss.Ptr("nobucket"), Key: oss.Ptr("k")})
	wantCode(t, "HEAD missing bucket", err, "NoSuchBucket")
	_, err = c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("missing")})
	wantCode(t, "GET missing key", err, "NoSuchKey")
	if ok, err := c.IsObjectExist(testContext(t), testBucket, "obj"); err != nil || !ok {
		t.Fatalf("IsObjectExist(obj) = %v, %v", ok, err)
	}
	if ok, err := c.IsObjectExist(testContext(t), testBucket, "missing"); err != nil || ok {
		t.Fatalf("IsObjectExist(missing) = %v, %v", ok, err)
	}
	if ok, err := c.IsBucketExist(testContext(t), "nobucket"); err != nil || ok {
		t.Fatalf("IsBucketExist(nobucket) = %v, %v", ok, err)
	}
	if ok, err := c.IsBucketExist(testContext(t), testBucket); err != nil || !ok {
		t.Fatalf("IsBucketExist(bkt) = %v, %v", ok, err)
	}
}

func TestPutObjectDigestOverwriteAndDelete(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	ctx := testContext(t)
	body := []byte("payload")
	sum := md5.Sum(body)
	good := base64.StdEncoding.EncodeToString(sum[:])
	res, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k"), Body: bytes.NewReader(body), ContentMD5: oss.Ptr(good),
		Metadata: map[string]string{"Owner": "ossq"}, StorageClass: oss.StorageClassIA})
	if err != nil || oss.ToString(res.ETag) != `"`+strings.ToUpper(fmt.Sprintf("%x", sum))+`"` {
		t.Fatalf("PutObject with right MD5: %v %v", err, res)
	}
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	if err != nil || head.Metadata["owner"] != "ossq" || oss.ToString(head.StorageClass) != "IA" || oss.ToString(head.ObjectType) != "Normal" {
		t.Fatalf("head after put: %v %+v", err, head)
	}
	wrong := md5.Sum([]byte("other"))
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k2"), Body: bytes.NewReader(body), ContentMD5: oss.Ptr(base64.StdEncoding.EncodeToString(wrong[:]))})
	wantCode(t, "wrong Content-MD5", err, "InvalidDigest")
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k2"), Body: bytes.NewReader(body), ContentMD5: oss.Ptr("bm90LW1kNQ==")})
	wantCode(t, "malformed Content-MD5", err, "InvalidDigest")
	if s.store.objectExists(testBucket, "k2") {
		t.Fatal("a rejected PutObject left an object behind")
	}
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k"), Body: bytes.NewReader(body), ForbidOverwrite: oss.Ptr("true")})
	wantCode(t, "forbid overwrite", err, "FileAlreadyExists")
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k"), Body: bytes.NewReader(body), StorageClass: "Glacier"})
	wantCode(t, "bad storage class", err, "InvalidArgument")
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("nobucket"), Key: oss.Ptr("k"), Body: bytes.NewReader(body)})
	wantCode(t, "put to missing bucket", err, "NoSuchBucket")

	// Delete: idempotent; bucket deletion refuses non-empty buckets.
	if _, err := c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("never-existed")}); err != nil {
		t.Fatalf("delete missing key: %v", err)
	}
	_, err = c.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: oss.Ptr(testBucket)})
	wantCode(t, "delete non-empty bucket", err, "BucketNotEmpty")
	putString(t, c, "k3", "x")
	del, err := c.DeleteMultipleObjects(ctx, &oss.DeleteMultipleObjectsRequest{Bucket: oss.Ptr(testBucket),
		Objects: []oss.DeleteObject{{Key: oss.Ptr("k")}, {Key: oss.Ptr("k3")}}})
	if err != nil || len(del.DeletedObjects) != 2 {
		t.Fatalf("DeleteMultipleObjects: %v %+v", err, del)
	}
	if _, err := c.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: oss.Ptr(testBucket)}); err != nil {
		t.Fatalf("delete empty bucket: %v", err)
	}
	if _, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("fresh-bucket")}); err != nil {
		t.Fatalf("PutBucket: %v", err)
	}
	lb, err := c.ListBuckets(ctx, &oss.ListBucketsRequest{})
	if err != nil || len(lb.Buckets) != 1 || oss.ToString(lb.Buckets[0].Name) != "fresh-bucket" {
		t.Fatalf("ListBuckets: %v %+v", err, lb)
	}
	if _, err := c.GetBucketInfo(ctx, &oss.GetBucketInfoRequest{Bucket: oss.Ptr("fresh-bucket")}); err != nil {
		t.Fatalf("GetBucketInfo: %v", err)
	}
}
