package ossemutest

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"ossq/internal/ossemu"
)

// DefaultRegion is the region a Server reports unless WithRegion says otherwise.
const DefaultRegion = "cn-hangzhou"

// DefaultBucket is the bucket a Server creates unless WithBucket or
// WithoutBucket says otherwise.
const DefaultBucket = "bkt"

// Server is a running emulator; the embedded *ossemu.Server gives the
// seeding, fault and stats API (PutBytes, SetFaults, Stats, ...).
type Server struct {
	*ossemu.Server
	t        testing.TB
	Endpoint string // "http://127.0.0.1:PORT"
	Region   string
	// AccessKeyID and AccessKeySecret are the one key pair the server accepts;
	// both "" when it is anonymous (checks no signature).
	AccessKeyID, AccessKeySecret string
	Bucket                       string // the bucket NewServer created; "" with WithoutBucket
}

type settings struct {
	cfg    ossemu.Config
	bucket string
}

// Option configures NewServer.
type Option func(*settings)

// WithCredentials makes the server check signatures against one key pair.
func WithCredentials(accessKeyID, secret string) Option {
	return func(s *settings) { s.cfg.Credentials = map[string]string{accessKeyID: secret} }
}

// WithRegion sets the region the server reports.
func WithRegion(region string) Option { return func(s *settings) { s.cfg.Region = region } }

// WithBucket names the bucket NewServer creates (DefaultBucket otherwise).
func WithBucket(name string) Option { return func(s *settings) { s.bucket = name } }

// WithoutBucket starts the server with no bucket.
func WithoutBucket() Option { return func(s *settings) { s.bucket = "" } }

// WithConfig edits the rest of the ossemu.Config (faults, STS, compression,
// clock, ...). Root is always the test's temp dir.
func WithConfig(edit func(*ossemu.Config)) Option { return func(s *settings) { edit(&s.cfg) } }

// NewServer starts an emulator on 127.0.0.1 for the life of t. Its storage
// skips fsyncs (Config.NoSync): a test's server never sees a power loss.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	set := settings{cfg: ossemu.Config{Region: DefaultRegion, NoSync: true}, bucket: DefaultBucket}
	for _, o := range opts {
		o(&set)
	}
	set.cfg.Root = t.TempDir()
	srv, err := ossemu.New(set.cfg)
	if err != nil {
		t.Fatalf("ossemutest: ossemu.New: %v", err)
	}
	endpoint, err := srv.Start("127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatalf("ossemutest: Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	s := &Server{Server: srv, t: t, Endpoint: endpoint, Region: set.cfg.Region, Bucket: set.bucket}
	if s.Region == "" {
		s.Region = DefaultRegion
	}
	for ak, secret := range set.cfg.Credentials {
		s.AccessKeyID, s.AccessKeySecret = ak, secret
	}
	if set.bucket != "" {
		s.MustCreateBucket(set.bucket)
	}
	return s
}

// MustCreateBucket creates a bucket or fails the test.
func (s *Server) MustCreateBucket(name string) {
	s.t.Helper()
	if err := s.CreateBucket(name); err != nil {
		s.t.Fatalf("ossemutest: CreateBucket %q: %v", name, err)
	}
}

// MustPut stores data at key in the default bucket or fails the test.
func (s *Server) MustPut(key string, data []byte) {
	s.t.Helper()
	if err := s.PutBytes(s.Bucket, key, data); err != nil {
		s.t.Fatalf("ossemutest: PutBytes %s/%s: %v", s.Bucket, key, err)
	}
}

// SDKConfig is an SDK configuration for the server: its endpoint, region and
// keys (anonymous when it has none).
func (s *Server) SDKConfig() *oss.Config {
	provider := credentials.NewAnonymousCredentialsProvider()
	if s.AccessKeyID != "" {
		provider = credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.AccessKeySecret)
	}
	return oss.LoadDefaultConfig().WithEndpoint(s.Endpoint).WithRegion(s.Region).
		WithCredentialsProvider(provider)
}

// Client is an unmodified SDK client for the server.
func (s *Server) Client() *oss.Client { return oss.NewClient(s.SDKConfig()) }

// Object reads key of the default bucket back through the SDK, whole and
// exactly its Content-Length (ReadExactly), or fails the test.
func (s *Server) Object(key string) []byte {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := s.Client().GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(s.Bucket), Key: oss.Ptr(key)})
	if err != nil {
		s.t.Fatalf("ossemutest: GetObject %s: %v", key, err)
	}
	defer res.Body.Close()
	return ReadExactly(s.t, res.Body, res.ContentLength)
}

// Logger is a *slog.Logger whose records go to t.Log, so a failing test
// shows the trail of the code under test (the engine takes one as
// transfer.Options.Logger). Records that arrive after the test has ended
// (from goroutines still winding down) are dropped, since t.Log would panic.
func Logger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// ReadExactly reads a body of size bytes into one buffer of that size,
// failing t if it is shorter or longer. io.ReadAll's growing copies of a
// big body cost seconds of page faults under -race.
func ReadExactly(t testing.TB, r io.Reader, size int64) []byte {
	t.Helper()
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		t.Fatalf("read %d bytes: %v", size, err)
	}
	if n, _ := r.Read(make([]byte, 1)); n != 0 {
		t.Fatalf("body longer than %d bytes", size)
	}
	return b
}
