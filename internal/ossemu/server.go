package ossemu

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Server.
type Config struct {
	Root        string            // storage dir; "" = temp dir removed on Close
	Credentials map[string]string // AccessKeyID -> Secret; empty = anonymous (no auth checked)
	Region      string            // e.g. "cn-hangzhou" (reported in listings; not enforced in V4 scope)
	Faults      Faults
	Now         func() time.Time // optional clock, for skew tests
	// RestoreDelay is how long a RestoreObject stays "ongoing" before the
	// archive object becomes readable; 0 restores at once.
	RestoreDelay time.Duration
	// VirtualHostBases are host names under which "<bucket>.<base>" selects
	// the bucket (virtual-hosted style). "localhost" and
	// "oss-<region>.aliyuncs.com" are always accepted.
	VirtualHostBases []string
	// CompressText makes full GETs of text objects (text/*, JSON, XML,
	// JavaScript) of 1 KiB or more gzip-compressed when the client accepts
	// gzip, dropping Content-Length and ETag — what OSS does, and a trap for
	// clients that trust those headers on a plain GET. Off by default.
	CompressText bool
	// STSTTL, when set, makes the server issue temporary credentials that
	// live this long (see sts.go); STSRole is the RAM role name it reports
	// (DefaultSTSRole when empty).
	STSTTL  time.Duration
	STSRole string
	// ListPageSize, when set, caps every listing page (objects, versions,
	// uploads, parts) below what the client asks; OSS clients must follow
	// IsTruncated whatever the page holds. Tests page through a few hundred
	// objects with it instead of thousands.
	ListPageSize int
	// NoSync skips every fsync: for a server whose data need not survive a
	// power loss (the tests' servers). A killed process still loses nothing.
	NoSync bool
}

// Server is the emulator. Create it with New; it is safe for concurrent use.
type Server struct {
	cfg      Config
	root     string
	tempRoot bool
	region   string

	store  *storage // everything stored; the handlers call it
	faults atomic.Pointer[faultState]
	sts    *stsState // nil: no temporary credentials
	stats  statsCounters
	// serving counts requests whose handler has not returned (WaitIdle).
	serving atomic.Int64

	srvMu    sync.Mutex
	httpSrv  *http.Server
	endpoint string
	closed   atomic.Bool
	closeCh  chan struct{}
}

// New opens (or creates) the store under cfg.Root and loads it.
func New(cfg Config) (*Server, error) {
	s := &Server{
		cfg:     cfg,
		root:    cfg.Root,
		region:  cfg.Region,
		closeCh: make(chan struct{}),
		sts:     newSTS(cfg.STSTTL, cfg.STSRole),
	}
	if s.region == "" {
		s.region = "cn-hangzhou"
	}
	for ak, sk := range cfg.Credentials {
		if ak == "" || sk == "" {
			return nil, errors.New("ossemu: credentials need a non-empty AccessKeyID and secret")
		}
	}
	if err := validateFaults(cfg.Faults); err != nil {
		return nil, err
	}
	if s.root == "" {
		dir, err := os.MkdirTemp("", "ossemu-*")
		if err != nil {
			return nil, fmt.Errorf("ossemu: temp root: %w", err)
		}
		s.root = dir
		s.tempRoot = true
	} else if err := os.MkdirAll(s.root, 0o700); err != nil {
		return nil, fmt.Errorf("ossemu: root %s: %w", s.root, err)
	}
	s.faults.Store(newFaultState(cfg.Faults))
	store, err := openStorage(s.root, s.now, cfg.NoSync)
	if err != nil {
		if s.tempRoot {
			os.RemoveAll(s.root)
		}
		return nil, fmt.Errorf("ossemu: load %s: %w", s.root, err)
	}
	s.store = store
	return s, nil
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC()
	}
	return time.Now().UTC()
}

// Root is the storage directory in use.
func (s *Server) Root() string { return s.root }

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background.
// It returns the endpoint URL, e.g. "http://127.0.0.1:40123".
func (s *Server) Start(addr string) (string, error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.closed.Load() {
		return "", errors.New("ossemu: server is closed")
	}
	if s.httpSrv != nil {
		return "", errors.New("ossemu: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("ossemu: listen %s: %w", addr, err)
	}
	s.httpSrv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	s.endpoint = "http://" + ln.Addr().String()
	limited := &limitedListener{Listener: ln, server: s}
	go s.httpSrv.Serve(limited)
	return s.endpoint, nil
}

// Endpoint is the URL returned by Start ("" before Start).
func (s *Server) Endpoint() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.endpoint
}

// Handler serves the OSS API. Use it to mount the emulator in another
// server; the per-connection rate limit only applies to servers made by Start.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Close stops serving (dropping open connections) and removes a temporary root.
func (s *Server) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.closeCh)
	s.srvMu.Lock()
	var err error
	if s.httpSrv != nil {
		err = s.httpSrv.Close()
	}
	s.srvMu.Unlock()
	if s.tempRoot {
		if rmErr := os.RemoveAll(s.root); rmErr != nil && err == nil {
			err = rmErr
		}
	}
	return err
}

// CreateBucket creates bucket name if it does not exist.
func (s *Server) CreateBucket(name string) error {
	_, err := s.store.createBucket(name, classStandard)
	if err != nil && !errors.Is(err, errBucketExists) {
		return err
	}
	return nil
}

// hostID is what OSS reports as HostId: the host the request addressed.
func hostID(r *http.Request) string {
	h := r.Host
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return h
}
