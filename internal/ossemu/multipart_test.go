package ossemu

import (
	"bytes"
	"fmt"
	"hash/crc64"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

func TestMultipartLimitsAndPaginators(t *testing.T) {
	t.Parallel()
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

func TestListMultipartUploadsPrefixDelimiterAndPutBucket(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	ctx := testContext(t)
	for _, key := range []string{"a/1", "a/2", "b/x/1", "b/y", "top"} {
		if _, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key)}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	p := c.NewListMultipartUploadsPaginator(&oss.ListMultipartUploadsRequest{Bucket: oss.Ptr(testBucket), Delimiter: oss.Ptr("/")}, func(o *oss.PaginatorOptions) { o.Limit = 1 })
	for n := 0; p.HasNext() && n < 20; n++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Uploads {
			keys = append(keys, oss.ToString(u.Key))
		}
	}
	// The SDK does not surface CommonPrefixes here; paging must still end
	// after prefix-only pages, with only the ungrouped upload listed.
	if !slices.Equal(keys, []string{"top"}) {
		t.Fatalf("grouped uploads: keys %q", keys)
	}
	resp, body := rawDo(t, "GET", endpoint+"/"+testBucket+"/?uploads&delimiter=%2F", "", nil)
	for _, want := range []string{"<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>", "<CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>", "<Key>top</Key>"} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Fatalf("raw grouped uploads lack %s: %d %s", want, resp.StatusCode, body)
		}
	}

	res, err := c.ListMultipartUploads(ctx, &oss.ListMultipartUploadsRequest{Bucket: oss.Ptr(testBucket), Prefix: oss.Ptr("b/")})
	if err != nil || len(res.Uploads) != 2 {
		t.Fatalf("prefix b/: %v %+v", err, res)
	}
	_, err = c.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: oss.Ptr(testBucket)})
	wantCode(t, "delete bucket with open uploads", err, "BucketNotEmpty")

	// PutBucket with a storage class; repeating it is harmless.
	for range 2 {
		if _, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("ia-bucket"),
			CreateBucketConfiguration: &oss.CreateBucketConfiguration{StorageClass: oss.StorageClassIA}}); err != nil {
			t.Fatalf("PutBucket: %v", err)
		}
	}
	info, err := c.GetBucketInfo(ctx, &oss.GetBucketInfoRequest{Bucket: oss.Ptr("ia-bucket")})
	if err != nil || oss.ToString(info.BucketInfo.StorageClass) != "IA" {
		t.Fatalf("GetBucketInfo: %v %+v", err, info)
	}
	loc, err := c.GetBucketLocation(ctx, &oss.GetBucketLocationRequest{Bucket: oss.Ptr("ia-bucket")})
	if err != nil || oss.ToString(loc.LocationConstraint) != "oss-cn-hangzhou" {
		t.Fatalf("GetBucketLocation: %v %+v", err, loc)
	}
}
