package ossemu

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

func TestSeedDemoIsCompleteAndIdempotent(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s, endpoint := startServer(t, Config{Root: root})
	if err := SeedDemo(s); err != nil {
		t.Fatal(err)
	}
	c := newClient(endpoint, testAK, testSecret)
	ctx := testContext(t)
	big, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(DemoMediaBucket), Key: oss.Ptr("videos/2024/keynote-4k.mp4")})
	if err != nil || big.ContentLength != 4<<30 {
		t.Fatalf("4 GiB demo object: %v %+v", err, big)
	}
	// The tail of the 4 GiB object is served like stored bytes.
	const tail = 3 << 20
	res, got := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(DemoMediaBucket), Key: oss.Ptr("videos/2024/keynote-4k.mp4"),
		Range: oss.Ptr("bytes=" + itoa(4<<30-tail) + "-"), RangeBehavior: oss.Ptr("standard")})
	r := GeneratedReader(4<<30, 1001)
	r.Seek(4<<30-tail, io.SeekStart)
	want, _ := io.ReadAll(r)
	mustEqualBytes(t, "tail of the 4 GiB object", got, want)
	if res.StatusCode != 206 || oss.ToString(res.HashCRC64) != oss.ToString(big.HashCRC64) {
		t.Fatalf("status %d crc %q vs HEAD %q", res.StatusCode, oss.ToString(res.HashCRC64), oss.ToString(big.HashCRC64))
	}
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(DemoMediaBucket), Key: oss.Ptr("archive/cold-backup.tar")})
	wantCode(t, "demo archive object", err, "InvalidObjectState")

	count := func(bucket string) int {
		n := 0
		p := c.NewListObjectsV2Paginator(&oss.ListObjectsV2Request{Bucket: oss.Ptr(bucket)}, func(o *oss.PaginatorOptions) { o.Limit = 1000 })
		for i := 0; p.HasNext() && i < 10; i++ {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Contents)
		}
		return n
	}
	if n := count(DemoLogsBucket); n != 500 {
		t.Fatalf("demo-logs has %d objects", n)
	}
	if n := count(DemoOddBucket); n < 10 {
		t.Fatalf("demo-odd has %d objects", n)
	}
	for _, key := range []string{"日本語/ファイル.txt", "../escape-attempt.txt", "a//b", "./dot-slash-start.txt", "plus+sign+name.txt", "100% done.txt"} {
		if _, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(DemoOddBucket), Key: oss.Ptr(key)}); err != nil {
			t.Fatalf("odd key %q: %v", key, err)
		}
	}

	// Seeding again (same store, after a restart) changes nothing.
	before := big.LastModified
	s.Close()
	s2 := openServer(t, Config{Root: root})
	if err := SeedDemo(s2); err != nil {
		t.Fatal(err)
	}
	current, e := s2.store.currentObject(DemoMediaBucket, "videos/2024/keynote-4k.mp4")
	if e != nil {
		t.Fatal(e)
	}
	after := current.LastModified
	if before == nil || !after.Truncate(time.Second).Equal(before.Truncate(time.Second)) {
		t.Fatalf("re-seeding rewrote the object: %v -> %v", before, after)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
