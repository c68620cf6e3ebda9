package ossemu

import (
	"io"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// BenchmarkGet1GiB measures one SDK GetObject of a 1 GiB generated object
// over loopback (run with -bench; not part of the normal test run).
func BenchmarkGet1GiB(b *testing.B) {
	const size = 1 << 30
	s, endpoint := startServer(b, Config{})
	if err := s.PutGenerated(testBucket, "big", size, 1, ""); err != nil {
		b.Fatal(err)
	}
	c := newClient(endpoint, testAK, testSecret)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		res, err := c.GetObject(testContext(b), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("big"),
			Range: oss.Ptr("bytes=0-1073741823"), RangeBehavior: oss.Ptr("standard")})
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || n != size {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}

// BenchmarkGetRateLimited reports the throughput of one connection capped
// at 32 MiB/s, to check the per-connection limiter's accuracy.
func BenchmarkGetRateLimited(b *testing.B) {
	const size = 32 << 20
	s, endpoint := startServer(b, Config{Faults: Faults{RatePerConn: 32 << 20}})
	if err := s.PutGenerated(testBucket, "mid", size, 1, ""); err != nil {
		b.Fatal(err)
	}
	c := newClient(endpoint, testAK, testSecret)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		res, err := c.GetObject(testContext(b), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mid")})
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

func BenchmarkPutGenerated4GiB(b *testing.B) {
	s, _ := startServer(b, Config{})
	for i := range b.N {
		if err := s.PutGenerated(testBucket, "huge", 4<<30, int64(i), ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeedDemoFirstRun measures demo seeding into an empty root (the
// brief's budget is 2 s).
func BenchmarkSeedDemoFirstRun(b *testing.B) {
	for range b.N {
		b.StopTimer()
		s, err := New(Config{Root: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		genCache.Lock()
		genCache.bySeed, genCache.order = map[int64]*genBase{}, nil
		genCache.Unlock()
		b.StartTimer()
		if err := SeedDemo(s); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
