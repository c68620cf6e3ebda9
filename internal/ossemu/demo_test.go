package ossemu

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

func TestSeedDemoIsCompleteAndIdempotent(t *testing.T) {
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
	s2, err := New(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := SeedDemo(s2); err != nil {
		t.Fatal(err)
	}
	s2.mu.RLock()
	after := s2.buckets[DemoMediaBucket].objects["videos/2024/keynote-4k.mp4"].LastModified
	s2.mu.RUnlock()
	if before == nil || !after.Truncate(time.Second).Equal(before.Truncate(time.Second)) {
		t.Fatalf("re-seeding rewrote the object: %v -> %v", before, after)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"512": 512, "100KiB": 100 << 10, "20MiB": 20 << 20, "20MiB/s": 20 << 20,
		"1.5GB": 3 << 29, "2k": 2048, "6M": 6 << 20, "1GiB": 1 << 30, "0": 0} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MiB", "12XB", "-5", "1.2.3M", "9999999999TB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func TestServeCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--bogus"}, {"--rate", "12XB"}, {"--fail-rate", "2"}, {"--access-key-id", "only-id"},
		{"--bucket", "Bad_Name"}, {"--addr", "nonsense"}, {"extra-arg"}, {"--fail-nth", "0"}, {"--replace-after", "bkt/k"},
		{"--replace-after", "nokey=5"}, {"--latency", "fast"},
	} {
		var stderr bytes.Buffer
		if code := serve(context.Background(), args, io.Discard, &stderr); code != 2 || stderr.Len() == 0 {
			t.Fatalf("serve %q: exit %d, stderr %q; want 2 and a message", args, code, stderr.String())
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	root := t.TempDir()
	go func() {
		code := serve(ctx, []string{"--root", root, "--bucket", "one", "--bucket", "two", "--rate", "64MiB", "--latency", "1ms", "--fail-nth", "1000000", "--replace-after", "one/x=1MiB",
			"--access-key-id", testAK, "--access-key-secret", testSecret, "--demo-data"}, pw, io.Discard)
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^endpoint: http://127\.0\.0\.1:\d+\n$`).MatchString(line) {
		t.Fatalf("first line %q", line)
	}
	go io.Copy(io.Discard, pr)
	endpoint := strings.TrimSpace(strings.TrimPrefix(line, "endpoint: "))
	c := newClient(endpoint, testAK, testSecret)
	// the four demo buckets (demo-versions among them) and the two of --bucket
	lb, err := c.ListBuckets(testContext(t), &oss.ListBucketsRequest{})
	if err != nil || len(lb.Buckets) != 6 {
		t.Fatalf("ListBuckets: %v %+v", err, lb)
	}
	resp, err := http.Get(endpoint + "/one/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("unsigned request with keys configured: status %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
}
