package ossemu

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// TestSmokeUploaderDownloaderRoundTrip: the SDK's own Uploader (multipart)
// and Downloader (ranged, parallel) with CRC checks on, against the emulator.
func TestSmokeUploaderDownloaderRoundTrip(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	client := newClient(endpoint, testAK, testSecret)
	ctx := testContext(t)
	data := randomBytes(5<<20+12345, 1)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	up := client.NewUploader(func(o *oss.UploaderOptions) { o.PartSize = 1 << 20; o.ParallelNum = 3 })
	res, err := up.UploadFile(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/big file+1.bin")}, src)
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	if res.ETag == nil || !bytes.HasSuffix([]byte(*res.ETag), []byte(`-6"`)) {
		t.Fatalf("multipart ETag = %v, want a \"…-6\" ETag", oss.ToString(res.ETag))
	}
	dst := filepath.Join(dir, "dst.bin")
	down := client.NewDownloader(func(o *oss.DownloaderOptions) { o.PartSize = 1 << 20; o.ParallelNum = 4 })
	if _, err := down.DownloadFile(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/big file+1.bin")}, dst); err != nil {
		t.Fatalf("DownloadFile: %v", err)
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	mustEqualBytes(t, "downloaded file", got, data)
	if st := s.Stats(); st.Requests[opUploadPart] != 6 || st.Requests[opCompleteMultipart] != 1 {
		t.Fatalf("requests = %v, want 6 UploadPart and 1 Complete", st.Requests)
	}

	// A generated object downloads to exactly GeneratedReader's bytes.
	const genSize = 3<<20 + 777
	if err := s.PutGenerated(testBucket, "gen/obj.bin", genSize, 42, ""); err != nil {
		t.Fatal(err)
	}
	gdst := filepath.Join(dir, "gen.bin")
	if _, err := down.DownloadFile(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("gen/obj.bin")}, gdst); err != nil {
		t.Fatalf("DownloadFile generated: %v", err)
	}
	got, err = os.ReadFile(gdst)
	if err != nil {
		t.Fatal(err)
	}
	mustEqualBytes(t, "generated download", got, GeneratedBytes(genSize, 42))

	// Empty objects: Uploader sends a 0-byte PutObject; Downloader must cope.
	if _, err := up.UploadFrom(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("empty")}, bytes.NewReader(nil)); err != nil {
		t.Fatalf("UploadFrom empty: %v", err)
	}
	edst := filepath.Join(dir, "empty.bin")
	if _, err := down.DownloadFile(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("empty")}, edst); err != nil {
		t.Fatalf("DownloadFile empty: %v", err)
	}
	if fi, err := os.Stat(edst); err != nil || fi.Size() != 0 {
		t.Fatalf("empty download: %v %v", fi, err)
	}

	// Small objects go through PutObject (single request, Content-MD5 checked).
	small := []byte("hello, ossq")
	if _, err := up.UploadFrom(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("small.txt")}, bytes.NewReader(small)); err != nil {
		t.Fatalf("UploadFrom small: %v", err)
	}
	r, err := client.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("small.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer r.Body.Close()
	buf := new(bytes.Buffer)
	buf.ReadFrom(r.Body)
	mustEqualBytes(t, "small object", buf.Bytes(), small)
}
