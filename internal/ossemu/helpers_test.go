package ossemu

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

const (
	testAK     = "LTAI-test-key-id"
	testSecret = "test-secret-value"
	testBucket = "bkt"
)

// openServer makes an emulator that does not listen yet, closed at cleanup;
// it skips fsyncs (a test's server never sees a power loss).
func openServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	cfg.NoSync = true
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// listen starts s on loopback and returns its endpoint.
func listen(t testing.TB, s *Server) string {
	t.Helper()
	endpoint, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return endpoint
}

// startServer starts an emulator on loopback with a bucket, closed at cleanup.
func startServer(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	s := openServer(t, cfg)
	endpoint := listen(t, s)
	if err := s.CreateBucket(testBucket); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	return s, endpoint
}

// newClient builds an unmodified SDK client for endpoint.
func newClient(endpoint, ak, secret string, opts ...func(*oss.Config)) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, secret)).
		WithRegion("cn-hangzhou").
		WithEndpoint(endpoint)
	for _, o := range opts {
		o(cfg)
	}
	return oss.NewClient(cfg)
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0xABCDEF))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func mustEqualBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s: content differs at byte %d (got %d bytes, want %d)", what, i, len(got), len(want))
	}
}

func asServiceError(err error, target **oss.ServiceError) bool { return errors.As(err, target) }

// errorCode is the OSS error code of an SDK error ("" if not a service error).
func errorCode(err error) string {
	var se *oss.ServiceError
	if asServiceError(err, &se) {
		return se.Code
	}
	return ""
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want %s", what, code)
	}
	if got := errorCode(err); got != code {
		t.Fatalf("%s: error %v, want code %s", what, err, code)
	}
}

func putString(t *testing.T, c *oss.Client, key, body string) {
	t.Helper()
	_, err := c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %q: %v", key, err)
	}
}

func getBytes(t *testing.T, c *oss.Client, req *oss.GetObjectRequest) (*oss.GetObjectResult, []byte) {
	t.Helper()
	res, err := c.GetObject(testContext(t), req)
	if err != nil {
		t.Fatalf("GetObject %q: %v", oss.ToString(req.Key), err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return res, b
}
