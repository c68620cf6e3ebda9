package ossemu

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
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

// ParseSize never panics, never accepts a negative size, and reads its
// own plain-number answer back unchanged.
func FuzzParseSize(f *testing.F) {
	for _, seed := range []string{"512", "100KiB", "20MiB/s", "1.5GB", "2k", " 6 M ", "", "-5", "1e9", "9999999999TB", ".", "1.2.3M"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		n, err := ParseSize(v)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d", v, n)
		}
		if back, err := ParseSize(strconv.FormatInt(n, 10)); err != nil || back != n {
			t.Fatalf("ParseSize(%q) = %d, but %d reads back as %d, %v", v, n, n, back, err)
		}
	})
}

func TestServeConfigValidateNamesWhatIsWrong(t *testing.T) {
	t.Parallel()
	good := ServeConfig{Addr: "127.0.0.1:0", Buckets: []string{"one"}, Generate: []GenerateSpec{{Bucket: "gen", Prefix: "p/", Count: 3, Size: 10}}}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*ServeConfig)
		want string
	}{
		{"bucket name", func(c *ServeConfig) { c.Buckets = []string{"Bad_Name"} }, "Bad_Name"},
		{"generate bucket", func(c *ServeConfig) { c.Generate[0].Bucket = "x" }, `"x"`},
		{"generate size", func(c *ServeConfig) { c.Generate[0].Size = 1 << 40 }, "out of range"},
		{"generate count", func(c *ServeConfig) { c.Generate[0].Count = -1 }, "out of range"},
		{"address", func(c *ServeConfig) { c.Addr = "nonsense" }, "nonsense"},
		{"faults", func(c *ServeConfig) { c.Faults.FailRate = 2 }, "FailRate"},
	} {
		cfg := good
		cfg.Generate = append([]GenerateSpec(nil), good.Generate...)
		tc.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
}

// Serve creates what its config asks for, prints the endpoint first and
// stops when its context ends.
func TestServeHoldsGeneratedObjectsUntilCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	cfg := ServeConfig{Addr: "127.0.0.1:0", Buckets: []string{"one"}, Generate: []GenerateSpec{{Bucket: "gen", Prefix: "p/", Count: 5, Size: 100}}}
	go func() {
		done <- Serve(ctx, cfg, pw, &stderr)
		pw.Close()
	}()
	line := make([]byte, 256)
	n, err := pr.Read(line)
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	endpoint, ok := strings.CutPrefix(strings.TrimSpace(string(line[:n])), "endpoint: ")
	if !ok {
		t.Fatalf("first line %q", line[:n])
	}
	c := newClient(endpoint, testAK, testSecret)
	res, err := c.ListObjectsV2(testContext(t), &oss.ListObjectsV2Request{Bucket: oss.Ptr("gen"), Prefix: oss.Ptr("p/")})
	if err != nil || len(res.Contents) != 5 {
		t.Fatalf("generated objects: %v %+v", err, res)
	}
	if _, err := c.GetBucketInfo(testContext(t), &oss.GetBucketInfoRequest{Bucket: oss.Ptr("one")}); err != nil {
		t.Fatalf("bucket one: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}
