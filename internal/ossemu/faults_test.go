package ossemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// downloadGenerated runs the SDK Downloader (CRC check on) for a generated
// object and compares the file with GeneratedReader.
func downloadGenerated(t *testing.T, c *oss.Client, key string, size, seed int64) error {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "out.bin")
	d := c.NewDownloader(func(o *oss.DownloaderOptions) { o.PartSize = 256 << 10; o.ParallelNum = 3 })
	if _, err := d.DownloadFile(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key)}, dst); err != nil {
		return err
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		return err
	}
	mustEqualBytes(t, "download of "+key, got, GeneratedBytes(size, seed))
	return nil
}

func TestFaultFailNthIsRetriedBySDK(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	s.PutBytes(testBucket, "k", []byte("v"))
	s.SetFaults(Faults{FailNth: []int{1, 2}})
	_, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	st := s.Stats()
	if string(b) != "v" || st.InjectedFailures != 2 || st.Requests[opGetObject] != 3 {
		t.Fatalf("body %q, stats %+v", b, st)
	}
	// Every request failing: the SDK gives up after its 3 attempts with a 5xx code.
	s.SetFaults(Faults{FailRate: 1, Seed: 3})
	_, err := c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	if code := errorCode(err); code != "InternalError" && code != "ServiceUnavailable" {
		t.Fatalf("FailRate 1: %v", err)
	}
	// OnlyMethods limits faults to the listed methods.
	s.SetFaults(Faults{FailRate: 1, OnlyMethods: []string{"PUT"}})
	getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	_, err = c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k"), Body: strings.NewReader("x")},
		func(o *oss.Options) { o.RetryMaxAttempts = oss.Ptr(1) })
	if err == nil {
		t.Fatal("PUT succeeded with FailRate 1 on PUT")
	}
}

func TestFaultDecisionsAreDeterministic(t *testing.T) {
	t.Parallel()
	pattern := func() string {
		s := openServer(t, Config{Faults: Faults{Seed: 99, FailRate: 0.3}})
		var b strings.Builder
		for range 40 {
			q := &request{r: httptestRequest("GET")}
			if s.faultsFor(q).fail != nil {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	first, second := pattern(), pattern()
	if first != second || !strings.Contains(first, "x") || !strings.Contains(first, ".") {
		t.Fatalf("fault patterns %q vs %q", first, second)
	}
}

func httptestRequest(method string) *http.Request {
	r, _ := http.NewRequest(method, "http://127.0.0.1/bkt/k", nil)
	return r
}

func TestFaultResetsStallsTruncationsDownloaderRecovers(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	const size, seed = 2<<20 + 333, 11
	if err := s.PutGenerated(testBucket, "g", size, seed, ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		f     Faults
		check func(Stats) bool
	}{
		{"reset", Faults{Seed: 1, ResetRate: 0.5, ResetAfter: 64 << 10, OnlyMethods: []string{"GET"}}, func(st Stats) bool { return st.InjectedResets > 0 }},
		{"stall", Faults{Seed: 2, StallRate: 0.5, Stall: 50 * time.Millisecond}, func(st Stats) bool { return st.InjectedStalls > 0 }},
		{"truncate", Faults{Seed: 3, TruncateRate: 0.5, OnlyMethods: []string{"GET"}}, func(st Stats) bool { return st.InjectedTruncations > 0 }},
		{"rate and latency", Faults{RatePerConn: 64 << 20, Latency: 5 * time.Millisecond}, func(st Stats) bool { return true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetStats()
			s.SetFaults(tc.f)
			defer s.SetFaults(Faults{})
			if err := downloadGenerated(t, c, "g", size, seed); err != nil {
				t.Fatalf("download: %v", err)
			}
			// Uploads (request bodies) pass through the same faults.
			up := c.NewUploader(func(o *oss.UploaderOptions) { o.PartSize = minPartSize })
			body := randomBytes(3*minPartSize+5, 6)
			if _, err := up.UploadFrom(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("up-" + tc.name)}, bytes.NewReader(body)); err != nil {
				t.Fatalf("upload: %v", err)
			}
			st := s.Stats()
			s.SetFaults(Faults{}) // verify the upload without GET faults in the way
			_, got := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("up-" + tc.name)})
			mustEqualBytes(t, "uploaded object", got, body)
			if !tc.check(st) {
				t.Fatalf("fault never fired: %+v", st)
			}
		})
	}
}

func TestFaultReplaceAfterChangesETagMidDownload(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	const size, seed = 2 << 20, 21
	if err := s.PutGenerated(testBucket, "changing", size, seed, ""); err != nil {
		t.Fatal(err)
	}
	head, _ := c.HeadObject(testContext(t), &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("changing")})
	s.SetFaults(Faults{ReplaceAfter: map[string]int64{testBucket + "/changing": 512 << 10}})
	err := downloadGenerated(t, c, "changing", size, seed)
	if err == nil || !strings.Contains(err.Error(), "etag") && !strings.Contains(err.Error(), "ETag") {
		t.Fatalf("download across a replace: %v, want an ETag change error", err)
	}
	after, _ := c.HeadObject(testContext(t), &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("changing")})
	if oss.ToString(after.ETag) == oss.ToString(head.ETag) || after.ContentLength != size || s.Stats().InjectedReplacements != 1 {
		t.Fatalf("ETag %q -> %q, size %d, stats %+v", oss.ToString(head.ETag), oss.ToString(after.ETag), after.ContentLength, s.Stats())
	}
	// ReplaceObject (Go API) likewise gives a new ETag.
	if err := s.ReplaceObject(testBucket, "changing", []byte("new")); err != nil {
		t.Fatal(err)
	}
	_, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("changing")})
	if string(b) != "new" {
		t.Fatalf("after ReplaceObject: %q", b)
	}
}

func TestFaultResetIsAConnectionReset(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	s.PutGenerated(testBucket, "g", 1<<20, 1, "")
	s.SetFaults(Faults{ResetRate: 1, ResetAfter: 1000})
	resp, err := http.Get(endpoint + "/" + testBucket + "/g")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil || n >= 1<<20 {
		t.Fatalf("read %d bytes, err %v: want an error before the end", n, err)
	}
	var opErr *net.OpError
	if n != 1000 || !(errors.As(err, &opErr) || errors.Is(err, io.ErrUnexpectedEOF)) {
		t.Fatalf("read %d bytes then %v; want 1000 bytes then a reset", n, err)
	}
}

// TestInvalidFaultsRejected: New refuses bad faults before it makes
// anything, so a refused server leaves no temporary root behind. (Not
// parallel: it points TMPDIR at a folder of its own to look.)
func TestInvalidFaultsRejected(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, f := range []Faults{{FailRate: 2}, {ResetRate: -0.1}, {FailNth: []int{0}}, {Latency: -1}, {ReplaceAfter: map[string]int64{"nokey": 1}}} {
		if _, err := New(Config{Faults: f}); err == nil {
			t.Fatalf("New accepted %+v", f)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("refused servers left %d temporary roots", len(left))
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s1, endpoint := startServer(t, Config{Root: root})
	c := newClient(endpoint, testAK, testSecret)
	ctx := testContext(t)
	data := randomBytes(300<<10, 4)
	putString(t, c, "keep/a.txt", "alpha")
	up := c.NewUploader(func(o *oss.UploaderOptions) { o.PartSize = minPartSize })
	if _, err := up.UploadFrom(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("keep/mp.bin")}, strings.NewReader(string(data))); err != nil {
		t.Fatal(err)
	}
	if err := s1.PutGenerated(testBucket, "keep/gen.bin", 5<<20, 8, classColdArchive); err != nil {
		t.Fatal(err)
	}
	init, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("open/upload")})
	if err != nil {
		t.Fatal(err)
	}
	part1 := randomBytes(minPartSize, 5)
	p1, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("open/upload"), UploadId: init.UploadId, PartNumber: 1, Body: strings.NewReader(string(part1))})
	if err != nil {
		t.Fatal(err)
	}
	headBefore, _ := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("keep/mp.bin")})
	// Leftovers of an interrupted write must be cleaned up, not served.
	os.WriteFile(filepath.Join(root, "buckets", testBucket, "obj", "deadbeef-0000.data"), []byte("orphan"), 0o600)
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	endpoint2 := listen(t, openServer(t, Config{Root: root}))
	c2 := newClient(endpoint2, testAK, testSecret)
	_, b := getBytes(t, c2, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("keep/a.txt")})
	if string(b) != "alpha" {
		t.Fatalf("a.txt after restart: %q", b)
	}
	got, b := getBytes(t, c2, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("keep/mp.bin")})
	mustEqualBytes(t, "multipart object after restart", b, data)
	if oss.ToString(got.ETag) != oss.ToString(headBefore.ETag) || oss.ToString(got.HashCRC64) != oss.ToString(headBefore.HashCRC64) {
		t.Fatalf("ETag/CRC changed across restart")
	}
	head, err := c2.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("keep/gen.bin")})
	if err != nil || head.ContentLength != 5<<20 || oss.ToString(head.StorageClass) != classColdArchive {
		t.Fatalf("generated after restart: %v %+v", err, head)
	}
	// The open upload survived: list its part and complete it.
	parts, err := c2.ListParts(ctx, &oss.ListPartsRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("open/upload"), UploadId: init.UploadId})
	if err != nil || len(parts.Parts) != 1 || oss.ToString(parts.Parts[0].ETag) != oss.ToString(p1.ETag) {
		t.Fatalf("ListParts after restart: %v %+v", err, parts)
	}
	if _, err := c2.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("open/upload"), UploadId: init.UploadId,
		CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: []oss.UploadPart{{PartNumber: 1, ETag: p1.ETag}}}}); err != nil {
		t.Fatalf("Complete after restart: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "buckets", testBucket, "obj", "deadbeef-0000.data")); !os.IsNotExist(err) {
		t.Fatalf("orphan data file not removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "uploads", oss.ToString(init.UploadId))); !os.IsNotExist(err) {
		t.Fatalf("completed upload dir still there: %v", err)
	}
	// State files are private.
	filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", path, info.Mode().Perm())
		}
		return nil
	})
}

func TestVirtualHostedAddressing(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{Credentials: map[string]string{testAK: testSecret}})
	s.PutBytes(testBucket, "vh/key.txt", []byte("virtual"))
	addr := strings.TrimPrefix(endpoint, "http://")
	_, port, _ := net.SplitHostPort(addr)
	// bkt.localhost does not resolve here; dial loopback whatever the host says.
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}}}
	for _, version := range []oss.SignatureVersionType{oss.SignatureVersionV4, oss.SignatureVersionV1} {
		c := newClient("http://localhost:"+port, testAK, testSecret, func(c *oss.Config) { c.WithHttpClient(hc).WithSignatureVersion(version) })
		_, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("vh/key.txt")})
		if string(b) != "virtual" {
			t.Fatalf("virtual-hosted GET: %q", b)
		}
		putString(t, c, "vh/put.txt", "via host")
		res, err := c.ListObjectsV2(testContext(t), &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), Prefix: oss.Ptr("vh/")})
		if err != nil || len(res.Contents) != 2 {
			t.Fatalf("virtual-hosted list (signature %v): %v %+v", version, err, res)
		}
	}
	if st := s.Stats(); st.Errors["SignatureDoesNotMatch"] != 0 {
		t.Fatalf("signature errors under virtual hosting: %v", st.Errors)
	}
}

func TestGeneratedContentAndCRC(t *testing.T) {
	t.Parallel()
	sizes := []int64{0, 1, 7, genBodySize - 1, genBodySize, genBodySize + 3, genBlockSize, genBlockSize + 1, 3*genBlockSize + 12345}
	for _, size := range sizes {
		data := GeneratedBytes(size, 77)
		if int64(len(data)) != size {
			t.Fatalf("size %d: read %d bytes", size, len(data))
		}
		if streamed, err := io.ReadAll(GeneratedReader(size, 77)); err != nil || !bytes.Equal(streamed, data) {
			t.Fatalf("size %d: GeneratedReader's bytes differ from GeneratedBytes' (%v)", size, err)
		}
		if got, want := generatedCRC64(size, 77), crc64Of(data); got != want {
			t.Fatalf("size %d: fast CRC %d, direct %d", size, got, want)
		}
		// Random access agrees with sequential reads (ranged GETs use ReadAt).
		if size > 10 {
			r := GeneratedReader(size, 77)
			off := size / 3
			r.Seek(off, io.SeekStart)
			buf := make([]byte, min(size-off, 5000))
			io.ReadFull(r, buf)
			mustEqualBytes(t, fmt.Sprintf("size %d at %d", size, off), buf, data[off:off+int64(len(buf))])
		}
	}
	// Different blocks differ (parts written at a wrong offset are detectable).
	a := GeneratedBytes(2*genBlockSize, 1)
	if string(a[:genBlockSize]) == string(a[genBlockSize:]) {
		t.Fatal("consecutive generated blocks are identical")
	}
}

func crc64Of(b []byte) uint64 {
	return crc64.Checksum(b, crc64.MakeTable(crc64.ECMA))
}

func TestSetFaultsClampsInvalidValues(t *testing.T) {
	t.Parallel()
	s := openServer(t, Config{})
	s.SetFaults(Faults{FailRate: 7, ResetRate: -1, Latency: -time.Second, FailNth: []int{0, 3}, RatePerConn: -5})
	f := s.CurrentFaults()
	if f.FailRate != 1 || f.ResetRate != 0 || f.Latency != 0 || !slices.Equal(f.FailNth, []int{3}) || f.RatePerConn != 0 {
		t.Fatalf("clamped faults = %+v", f)
	}
}
