package ossemu

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// The SDK's listing paginators and raw listings against the server.

func TestListingPaginatorsV1V2DelimiterStartAfter(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// ListPageSize caps every listing below what the client asks, and the
// pages still chain: objects (V1 and V2), versions, uploads and parts.
func TestListPageSizeCapsEveryListing(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{ListPageSize: 2})
	c := newClient(endpoint, testAK, testSecret)
	for i := range 5 {
		if err := s.PutGenerated(testBucket, fmt.Sprintf("k%d", i), 10, int64(i), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.InitiateMultipartUpload(testContext(t), &oss.InitiateMultipartUploadRequest{
			Bucket: oss.Ptr(testBucket), Key: oss.Ptr(fmt.Sprintf("u%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := testContext(t)
	var sizes []int
	v2 := c.NewListObjectsV2Paginator(&oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket)}, func(o *oss.PaginatorOptions) { o.Limit = 1000 })
	sizes = append(sizes, pageSizes(t, ctx, v2, func(r *oss.ListObjectsV2Result) int { return len(r.Contents) })...)
	v1 := c.NewListObjectsPaginator(&oss.ListObjectsRequest{Bucket: oss.Ptr(testBucket)}, func(o *oss.PaginatorOptions) { o.Limit = 1000 })
	sizes = append(sizes, pageSizes(t, ctx, v1, func(r *oss.ListObjectsResult) int { return len(r.Contents) })...)
	versions := c.NewListObjectVersionsPaginator(&oss.ListObjectVersionsRequest{Bucket: oss.Ptr(testBucket)}, func(o *oss.PaginatorOptions) { o.Limit = 1000 })
	sizes = append(sizes, pageSizes(t, ctx, versions, func(r *oss.ListObjectVersionsResult) int { return len(r.ObjectVersions) })...)
	uploads := c.NewListMultipartUploadsPaginator(&oss.ListMultipartUploadsRequest{Bucket: oss.Ptr(testBucket)}, func(o *oss.PaginatorOptions) { o.Limit = 1000 })
	sizes = append(sizes, pageSizes(t, ctx, uploads, func(r *oss.ListMultipartUploadsResult) int { return len(r.Uploads) })...)
	up, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("parts")})
	if err != nil {
		t.Fatal(err)
	}
	for n := int32(1); n <= 5; n++ {
		if _, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("parts"), UploadId: up.UploadId,
			PartNumber: n, Body: strings.NewReader("p")}); err != nil {
			t.Fatal(err)
		}
	}
	parts := c.NewListPartsPaginator(&oss.ListPartsRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("parts"), UploadId: up.UploadId}, func(o *oss.PaginatorOptions) { o.Limit = 1000 })
	sizes = append(sizes, pageSizes(t, ctx, parts, func(r *oss.ListPartsResult) int { return len(r.Parts) })...)
	if got, want := fmt.Sprint(sizes), "[2 2 1 2 2 1 2 2 1 2 2 1 2 2 1]"; got != want {
		t.Fatalf("page sizes (V2, V1, versions, uploads, parts) %s, want %s", got, want)
	}
	// The page holds fewer; the answer still names what was asked, as OSS does.
	res, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), MaxKeys: 1000})
	if err != nil || res.MaxKeys != 1000 || len(res.Contents) != 2 {
		t.Fatalf("ListObjectsV2 max-keys 1000: MaxKeys %d, %d keys, %v", res.MaxKeys, len(res.Contents), err)
	}
}

// paginator is what the SDK's listing paginators have in common.
type paginator[R any] interface {
	HasNext() bool
	NextPage(ctx context.Context, optFns ...func(*oss.Options)) (R, error)
}

// pageSizes walks p to its end (at most 10 pages), counting each page's
// entries with count.
func pageSizes[R any](t *testing.T, ctx context.Context, p paginator[R], count func(R) int) []int {
	t.Helper()
	var sizes []int
	for p.HasNext() && len(sizes) < 10 {
		res, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, count(res))
	}
	return sizes
}
