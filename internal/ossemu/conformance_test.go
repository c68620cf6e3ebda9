package ossemu

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want %s", what, code)
	}
	if got := errorCode(err); got != code {
		t.Fatalf("%s: error %v, want code %s", what, err, code)
	}
}

func putString(t *testing.T, c *oss.Client, key, body string) {
	t.Helper()
	_, err := c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %q: %v", key, err)
	}
}

func getBytes(t *testing.T, c *oss.Client, req *oss.GetObjectRequest) (*oss.GetObjectResult, []byte) {
	t.Helper()
	res, err := c.GetObject(testContext(t), req)
	if err != nil {
		t.Fatalf("GetObject %q: %v", oss.ToString(req.Key), err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return res, b
}

// oddKeys are names OSS allows that break naive path handling.
var oddKeys = []string{
	"日本語/ファイル.txt", "with space.txt", "plus+sign", "percent%20literal", "a//b", "../escape-attempt.txt",
	"./dot-start", "dir/", "ctrl\x0cchar", "tilde~and-dash_", "q?mark&amp=1#frag", strings.Repeat("L", 1023),
}

func TestOddKeysRoundTripAndStayInsideRoot(t *testing.T) {
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

func TestListingPaginatorsV1V2DelimiterStartAfter(t *testing.T) {
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	var keys []string
	for _, d := range []string{"a", "b", "c+d", "e f"} {
		for i := range 4 {
			keys = append(keys, fmt.Sprintf("logs/%s/%02d.log", d, i))
		}
	}
	keys = append(keys, "logs/top.txt", "other/x", "logs0")
	for i, k := range keys {
		if err := s.PutGenerated(testBucket, k, int64(10+i), int64(i), ""); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(keys)

	type page struct{ objs, prefixes []string }
	collectV2 := func(req *oss.ListObjectsV2Request, limit int32) (all page, pages int) {
		p := c.NewListObjectsV2Paginator(req, func(o *oss.PaginatorOptions) { o.Limit = limit })
		for p.HasNext() && pages < 100 {
			res, err := p.NextPage(testContext(t))
			if err != nil {
				t.Fatalf("V2 page: %v", err)
			}
			pages++
			if int(res.KeyCount) != len(res.Contents)+len(res.CommonPrefixes) || len(res.Contents)+len(res.CommonPrefixes) > int(limit) {
				t.Fatalf("KeyCount %d, %d contents, %d prefixes, limit %d", res.KeyCount, len(res.Contents), len(res.CommonPrefixes), limit)
			}
			for _, o := range res.Contents {
				all.objs = append(all.objs, oss.ToString(o.Key))
			}
			for _, cp := range res.CommonPrefixes {
				all.prefixes = append(all.prefixes, oss.ToString(cp.Prefix))
			}
		}
		return all, pages
	}
	all, pages := collectV2(&oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket)}, 4)
	if !slices.Equal(all.objs, keys) || pages != (len(keys)+3)/4 {
		t.Fatalf("flat V2 listing: %d pages %q", pages, all.objs)
	}
	grouped, _ := collectV2(&oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), Prefix: oss.Ptr("logs/"), Delimiter: oss.Ptr("/")}, 2)
	if want := []string{"logs/a/", "logs/b/", "logs/c+d/", "logs/e f/"}; !slices.Equal(grouped.prefixes, want) || !slices.Equal(grouped.objs, []string{"logs/top.txt"}) {
		t.Fatalf("grouped V2: prefixes %q objs %q", grouped.prefixes, grouped.objs)
	}
	after, _ := collectV2(&oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), StartAfter: oss.Ptr("logs/e f/03.log")}, 1000)
	if want := []string{"logs/top.txt", "logs0", "other/x"}; !slices.Equal(after.objs, want) {
		t.Fatalf("start-after: %q", after.objs)
	}

	// V1: marker pagination with a delimiter at the top level.
	var v1objs, v1prefixes []string
	p1 := c.NewListObjectsPaginator(&oss.ListObjectsRequest{Bucket: oss.Ptr(testBucket), Delimiter: oss.Ptr("/")}, func(o *oss.PaginatorOptions) { o.Limit = 1 })
	for n := 0; p1.HasNext() && n < 100; n++ {
		res, err := p1.NextPage(testContext(t))
		if err != nil {
			t.Fatalf("V1 page: %v", err)
		}
		for _, o := range res.Contents {
			v1objs = append(v1objs, oss.ToString(o.Key))
		}
		for _, cp := range res.CommonPrefixes {
			v1prefixes = append(v1prefixes, oss.ToString(cp.Prefix))
		}
	}
	if !slices.Equal(v1prefixes, []string{"logs/", "other/"}) || !slices.Equal(v1objs, []string{"logs0"}) {
		t.Fatalf("V1 grouped: prefixes %q objs %q", v1prefixes, v1objs)
	}

	// Bad parameters are clear errors.
	_, err := c.ListObjectsV2(testContext(t), &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), MaxKeys: 1001})
	wantCode(t, "max-keys 1001", err, "InvalidArgument")
	_, err = c.ListObjectsV2(testContext(t), &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), ContinuationToken: oss.Ptr("!!not-a-token")})
	wantCode(t, "bad continuation token", err, "InvalidArgument")
	_, err = c.ListObjectsV2(testContext(t), &oss.ListObjectsV2Request{Bucket: oss.Ptr("no-such-bucket")})
	wantCode(t, "list missing bucket", err, "NoSuchBucket")
}

func TestRawListEncodingURL(t *testing.T) {
	s, endpoint := startServer(t, Config{})
	if err := s.PutBytes(testBucket, "a+b c/d", []byte("x")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(endpoint + "/" + testBucket + "/?list-type=2&encoding-type=url&delimiter=%2F")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Prefix>a%2Bb+c%2F</Prefix>") ||
		!strings.Contains(string(body), "<EncodingType>url</EncodingType>") || resp.Header.Get("x-oss-request-id") == "" {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
}

func TestGetRangeConditionalAndCRC(t *testing.T) {
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

func TestMultipartLimitsAndPaginators(t *testing.T) {
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	ctx := testContext(t)
	init, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj")})
	if err != nil {
		t.Fatal(err)
	}
	id := init.UploadId
	parts := [][]byte{randomBytes(minPartSize, 1), randomBytes(minPartSize-1, 2), randomBytes(10, 3)}
	var etags []*string
	var crcs []uint64
	for i, p := range parts {
		res, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: id, PartNumber: int32(i + 1), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		etags = append(etags, res.ETag)
		crcs = append(crcs, crc64.Checksum(p, crc64.MakeTable(crc64.ECMA)))
	}
	_, err = c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: id, PartNumber: 10001, Body: strings.NewReader("x")})
	wantCode(t, "part number 10001", err, "InvalidArgument")

	// ListParts paginator, one part per page: sizes, ETags and CRCs as uploaded.
	var listed []oss.Part
	lp := c.NewListPartsPaginator(&oss.ListPartsRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: id}, func(o *oss.PaginatorOptions) { o.Limit = 1 })
	for n := 0; lp.HasNext() && n < 10; n++ {
		page, err := lp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, page.Parts...)
	}
	if len(listed) != 3 {
		t.Fatalf("ListParts gave %d parts", len(listed))
	}
	for i, p := range listed {
		if int(p.PartNumber) != i+1 || p.Size != int64(len(parts[i])) || oss.ToString(p.ETag) != oss.ToString(etags[i]) ||
			oss.ToString(p.HashCRC64) != strconv.FormatUint(crcs[i], 10) {
			t.Fatalf("part %d listed as %+v", i+1, p)
		}
	}

	complete := func(ps ...oss.UploadPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: id,
			CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: ps}})
		return err
	}
	up := func(n int32) oss.UploadPart { return oss.UploadPart{PartNumber: n, ETag: etags[n-1]} }
	wantCode(t, "part 2 below 100 KiB", complete(up(1), up(2), up(3)), "EntityTooSmall")
	wantCode(t, "duplicate part numbers", complete(up(1), up(1)), "InvalidPartOrder")
	wantCode(t, "wrong ETag", complete(up(1), oss.UploadPart{PartNumber: 3, ETag: oss.Ptr(`"00000000000000000000000000000000"`)}), "InvalidPart")
	wantCode(t, "missing part", complete(up(1), oss.UploadPart{PartNumber: 7, ETag: etags[0]}), "InvalidPart")

	// A failed Complete keeps the upload; skipping part 2 is legal.
	res, err := c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: id,
		CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: []oss.UploadPart{up(1), up(3)}}})
	if err != nil {
		t.Fatalf("Complete(1,3): %v", err)
	}
	want := append(slices.Clone(parts[0]), parts[2]...)
	got, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj")})
	mustEqualBytes(t, "completed object", b, want)
	if oss.ToString(got.ETag) != oss.ToString(res.ETag) || !strings.HasSuffix(oss.ToString(res.ETag), `-2"`) ||
		oss.ToString(got.HashCRC64) != strconv.FormatUint(crc64.Checksum(want, crc64.MakeTable(crc64.ECMA)), 10) {
		t.Fatalf("complete ETag %q, GET ETag %q, CRC %q", oss.ToString(res.ETag), oss.ToString(got.ETag), oss.ToString(got.HashCRC64))
	}
	_, err = c.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: id})
	wantCode(t, "abort after complete", err, "NoSuchUpload")
	_, err = c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: id, PartNumber: 1, Body: strings.NewReader("x")})
	wantCode(t, "upload part after complete", err, "NoSuchUpload")

	// x-oss-forbid-overwrite on Complete refuses to replace the object just made.
	again, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj")})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: again.UploadId, PartNumber: 1, Body: strings.NewReader("tiny")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: again.UploadId,
		ForbidOverwrite: oss.Ptr("true"), CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: []oss.UploadPart{{PartNumber: 1, ETag: p1.ETag}}}})
	wantCode(t, "complete with forbid-overwrite", err, "FileAlreadyExists")
	if _, err := c.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/obj"), UploadId: again.UploadId}); err != nil {
		t.Fatalf("abort after refused complete: %v", err)
	}

	// ListMultipartUploads paginator over several uploads, then Abort them all.
	var ids []string
	for i := range 5 {
		r, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(fmt.Sprintf("u/%d", i%3))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, oss.ToString(r.UploadId))
	}
	var seen []string
	mp := c.NewListMultipartUploadsPaginator(&oss.ListMultipartUploadsRequest{Bucket: oss.Ptr(testBucket)}, func(o *oss.PaginatorOptions) { o.Limit = 2 })
	for n := 0; mp.HasNext() && n < 10; n++ {
		page, err := mp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Uploads {
			seen = append(seen, oss.ToString(u.UploadId))
			if _, err := c.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: u.Key, UploadId: u.UploadId}); err != nil {
				t.Fatalf("abort %s: %v", oss.ToString(u.UploadId), err)
			}
		}
	}
	slices.Sort(seen)
	slices.Sort(ids)
	if !slices.Equal(seen, ids) {
		t.Fatalf("ListMultipartUploads saw %q, want %q", seen, ids)
	}
	s.store.mu.RLock()
	n := len(s.store.uploads)
	s.store.mu.RUnlock()
	if n != 0 {
		t.Fatalf("%d uploads left after abort", n)
	}
}

func TestAuthV4AndV1(t *testing.T) {
	s, endpoint := startServer(t, Config{Credentials: map[string]string{testAK: testSecret}})
	if err := s.PutBytes(testBucket, "dir/a b+c%d~é.txt", []byte("signed")); err != nil {
		t.Fatal(err)
	}
	noRetry := func(c *oss.Config) { c.WithRetryMaxAttempts(1) }
	v1 := func(c *oss.Config) { c.WithSignatureVersion(oss.SignatureVersionV1) }
	for _, tc := range []struct {
		name    string
		ak, sk  string
		version func(*oss.Config)
		code    string
	}{
		{"v4 right keys", testAK, testSecret, func(*oss.Config) {}, ""},
		{"v1 right keys", testAK, testSecret, v1, ""},
		{"v4 wrong key id", "nobody", testSecret, func(*oss.Config) {}, "InvalidAccessKeyId"},
		{"v1 wrong key id", "nobody", testSecret, v1, "InvalidAccessKeyId"},
		{"v4 wrong secret", testAK, "wrong", func(*oss.Config) {}, "SignatureDoesNotMatch"},
		{"v1 wrong secret", testAK, "wrong", v1, "SignatureDoesNotMatch"},
		{"v4 additional headers", testAK, testSecret, func(c *oss.Config) { c.WithAdditionalHeaders([]string{"User-Agent", "x-oss-meta-a"}) }, ""},
		{"v4 additional headers wrong secret", testAK, "wrong", func(c *oss.Config) { c.WithAdditionalHeaders([]string{"User-Agent"}) }, "SignatureDoesNotMatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(endpoint, tc.ak, tc.sk, noRetry, tc.version)
			ctx := testContext(t)
			// A spread of request shapes: query sub-resources, odd keys, metadata headers, list params.
			_, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("up/é+ %.txt"), Body: strings.NewReader("x"), Metadata: map[string]string{"a": " b "}})
			if tc.code != "" {
				wantCode(t, "PutObject", err, tc.code)
				_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt")})
				wantCode(t, "HeadObject", err, tc.code)
				return
			}
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			_, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt"), ResponseContentType: oss.Ptr("text/x")})
			if string(b) != "signed" {
				t.Fatalf("got %q", b)
			}
			if _, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), Prefix: oss.Ptr("dir/a b"), Delimiter: oss.Ptr("/"), ContinuationToken: oss.Ptr("ZGly"), MaxKeys: 2}); err != nil {
				t.Fatalf("ListObjectsV2: %v", err)
			}
			if _, err := c.ListBuckets(ctx, &oss.ListBucketsRequest{}); err != nil {
				t.Fatalf("ListBuckets: %v", err)
			}
			up := c.NewUploader(func(o *oss.UploaderOptions) { o.PartSize = minPartSize })
			if _, err := up.UploadFrom(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/signed")}, bytes.NewReader(randomBytes(3*minPartSize, 9))); err != nil {
				t.Fatalf("multipart upload: %v", err)
			}
			for _, method := range []string{"GET", "HEAD"} {
				pre, err := c.Presign(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt")})
				if method == "HEAD" {
					pre, err = c.Presign(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt")})
				}
				if err != nil {
					t.Fatal(err)
				}
				hreq, _ := http.NewRequest(pre.Method, pre.URL, nil)
				for k, v := range pre.SignedHeaders {
					hreq.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(hreq)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("presigned %s: status %d", method, resp.StatusCode)
				}
			}
		})
	}

	// Keys configured, no signature at all.
	anon := oss.NewClient(oss.LoadDefaultConfig().WithCredentialsProvider(credentials.NewAnonymousCredentialsProvider()).
		WithRegion("cn-hangzhou").WithEndpoint(endpoint))
	_, err := anon.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt")})
	wantCode(t, "anonymous request", err, "AccessDenied")
}

func TestClockSkew(t *testing.T) {
	serverAhead := func() time.Time { return time.Now().Add(time.Hour) }
	s, endpoint := startServer(t, Config{Credentials: map[string]string{testAK: testSecret}, Now: serverAhead})
	if err := s.PutBytes(testBucket, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	// The SDK reads Date from the RequestTimeTooSkewed answer, corrects its
	// clock and retries: the request succeeds after one skew error.
	c := newClient(endpoint, testAK, testSecret)
	_, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	if string(b) != "v" || s.Stats().Errors["RequestTimeTooSkewed"] != 1 {
		t.Fatalf("body %q errors %v", b, s.Stats().Errors)
	}
	// Without retries the code itself surfaces.
	c1 := newClient(endpoint, testAK, testSecret, func(c *oss.Config) { c.WithRetryMaxAttempts(1) })
	_, err := c1.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	wantCode(t, "skewed request", err, "RequestTimeTooSkewed")
	var se *oss.ServiceError
	asServiceError(err, &se)
	if d := time.Until(se.Timestamp); d < 50*time.Minute {
		t.Fatalf("error Date %v is not the server's (1 h ahead)", se.Timestamp)
	}
}

func TestArchiveRestore(t *testing.T) {
	var clockOffset atomic.Int64
	s, endpoint := startServer(t, Config{RestoreDelay: time.Hour, Now: func() time.Time { return time.Now().Add(time.Duration(clockOffset.Load())) }})
	c := newClient(endpoint, testAK, testSecret)
	ctx := testContext(t)
	if err := s.PutGenerated(testBucket, "cold.tar", 4096, 5, classArchive); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	wantCode(t, "GET archive", err, "InvalidObjectState")
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	if err != nil || oss.ToString(head.StorageClass) != "Archive" || head.Restore != nil {
		t.Fatalf("HEAD archive: %v %+v", err, head)
	}
	res, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	if err != nil || res.StatusCode != 202 {
		t.Fatalf("RestoreObject: %v %+v", err, res)
	}
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	wantCode(t, "restore in progress", err, "RestoreAlreadyInProgress")
	head, _ = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	if oss.ToString(head.Restore) != `ongoing-request="true"` {
		t.Fatalf("x-oss-restore while ongoing = %q", oss.ToString(head.Restore))
	}
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	wantCode(t, "GET while restoring", err, "InvalidObjectState")

	// Same store, clock moved past the restore: readable.
	clockOffset.Store(int64(2 * time.Hour))
	got, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	mustEqualBytes(t, "restored archive", b, readAllGenerated(t, 4096, 5))
	if !strings.HasPrefix(oss.ToString(got.Restore), `ongoing-request="false", expiry-date=`) {
		t.Fatalf("x-oss-restore after restore = %q", oss.ToString(got.Restore))
	}
	res, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("restore of a restored object: %v %+v", err, res)
	}
}
