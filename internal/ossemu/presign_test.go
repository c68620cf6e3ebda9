package ossemu

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// A presigned GET works from a plain HTTP client (as curl would send it),
// for a pinned version too, until the server's clock passes its expiry.
func TestPresignedGetWorksUntilItExpires(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64
	_, endpoint := startServer(t, Config{
		Credentials: map[string]string{testAK: testSecret},
		Now:         func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
	})
	for _, sig := range []string{"v1", "v4"} {
		t.Run(sig, func(t *testing.T) {
			offset.Store(0)
			c := newClient(endpoint, testAK, testSecret, func(cfg *oss.Config) {
				if sig == "v1" {
					cfg.WithSignatureVersion(oss.SignatureVersionV1)
				}
			})
			enableVersioning(t, c, "Enabled")
			old := putVersion(t, c, "shared.txt", "old "+sig)
			putVersion(t, c, "shared.txt", "new "+sig)
			fetch := func(req *oss.GetObjectRequest) (int, string) {
				pre, err := c.Presign(testContext(t), req, oss.PresignExpires(time.Hour))
				if err != nil {
					t.Fatalf("Presign: %v", err)
				}
				resp, err := http.Get(pre.URL)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			if status, body := fetch(&oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("shared.txt")}); status != 200 || body != "new "+sig {
				t.Fatalf("presigned GET: %d %q", status, body)
			}
			if status, body := fetch(&oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("shared.txt"), VersionId: oss.Ptr(old)}); status != 200 || body != "old "+sig {
				t.Fatalf("presigned GET of a version: %d %q", status, body)
			}
			pre, err := c.Presign(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("shared.txt")}, oss.PresignExpires(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			offset.Store(int64(2 * time.Hour))
			resp, err := http.Get(pre.URL)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>AccessDenied</Code>") {
				t.Fatalf("expired presigned GET: %d %s, want 403 AccessDenied", resp.StatusCode, b)
			}
		})
	}
}
