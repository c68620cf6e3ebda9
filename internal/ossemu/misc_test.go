package ossemu

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

func TestSetFaultsClampsInvalidValues(t *testing.T) {
	s := openServer(t, Config{})
	s.SetFaults(Faults{FailRate: 7, ResetRate: -1, Latency: -time.Second, FailNth: []int{0, 3}, RatePerConn: -5})
	f := s.CurrentFaults()
	if f.FailRate != 1 || f.ResetRate != 0 || f.Latency != 0 || !slices.Equal(f.FailNth, []int{3}) || f.RatePerConn != 0 {
		t.Fatalf("clamped faults = %+v", f)
	}
}

func TestListMultipartUploadsPrefixDelimiterAndPutBucket(t *testing.T) {
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
