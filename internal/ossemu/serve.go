package ossemu

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// ServeConfig is a server run in the foreground, as `ossq serve` runs it:
// the server's Config, where it listens and what it holds from the start.
type ServeConfig struct {
	Config
	Addr     string         // listen address, e.g. "127.0.0.1:0"
	Buckets  []string       // buckets to create if missing
	Generate []GenerateSpec // in-memory generated objects (see GenerateObjects)
	DemoData bool           // seed the demo buckets and objects (see SeedDemo)
}

// GenerateSpec asks for Count generated objects of Size bytes under
// Bucket/Prefix; the bucket is created.
type GenerateSpec struct {
	Bucket, Prefix string
	Count          int
	Size           int64
}

// Validate reports the first setting Serve would refuse, before anything
// is created.
func (c ServeConfig) Validate() error {
	if err := validateFaults(c.Faults); err != nil {
		return err
	}
	for _, b := range c.Buckets {
		if !validBucketName(b) {
			return fmt.Errorf("invalid bucket name %q (3-63 of a-z, 0-9, '-')", b)
		}
	}
	for _, g := range c.Generate {
		if !validBucketName(g.Bucket) {
			return fmt.Errorf("generate: invalid bucket name %q", g.Bucket)
		}
		if err := checkGenerate(g.Prefix, g.Count, g.Size); err != nil {
			return fmt.Errorf("generate %s/%s: %w", g.Bucket, g.Prefix, err)
		}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("invalid listen address %q: %v", c.Addr, err)
	}
	return nil
}

// Serve runs the server until ctx ends, then closes it. The first line on
// stdout is exactly "endpoint: http://HOST:PORT"; progress and hints go to
// stderr.
func Serve(ctx context.Context, cfg ServeConfig, stdout, stderr io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	if !isLoopbackHost(host) {
		fmt.Fprintf(stderr, "WARNING: ossq serve is binding %s, which is NOT a loopback address.\n"+
			"WARNING: anyone who can reach it can read and write the emulator's data", cfg.Addr)
		if len(cfg.Credentials) == 0 {
			fmt.Fprint(stderr, " WITHOUT ANY AUTHENTICATION")
		}
		fmt.Fprintln(stderr, ".")
	}
	s, err := New(cfg.Config)
	if err != nil {
		return err
	}
	defer s.Close()
	if cfg.Root == "" {
		fmt.Fprintf(stderr, "ossq serve: no --root given; storing in temporary %s (deleted on exit)\n", s.Root())
	}
	for _, b := range cfg.Buckets {
		if err := s.CreateBucket(b); err != nil {
			return err
		}
	}
	for _, g := range cfg.Generate {
		if err := s.CreateBucket(g.Bucket); err != nil {
			return err
		}
		start := time.Now()
		if err := s.GenerateObjects(g.Bucket, g.Prefix, g.Count, g.Size); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "ossq serve: %d objects under oss://%s/%s ready in %v\n", g.Count, g.Bucket, g.Prefix, time.Since(start).Round(time.Millisecond))
	}
	if cfg.DemoData {
		start := time.Now()
		if err := SeedDemo(s); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "ossq serve: demo data ready in %v\n", time.Since(start).Round(time.Millisecond))
	}
	endpoint, err := s.Start(cfg.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "endpoint: %s\n", endpoint)
	fmt.Fprintf(stderr, "ossq serve: region %s (ossq --endpoint %s --region %s)\n", s.region, endpoint, s.region)
	if s.sts != nil {
		fmt.Fprintf(stderr, "ossq serve: temporary credentials (valid %v) from\n"+
			"  ECS metadata style: metadata_endpoint = %q (role %s)\n"+
			"  credentials URI:    credentials_uri = \"%s%s\"\n"+
			"  STS AssumeRole:     sts_endpoint = %q (signed with --access-key-id)\n",
			s.sts.ttl, endpoint, s.sts.role, endpoint, CredentialsURIPath, endpoint)
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "ossq serve: shutting down")
	if err := s.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseSize parses a byte count with an optional unit: B; K, KB, KiB and so
// on up to T, TB, TiB, all powers of 1024 (what ossq's config means by them,
// held to it by a test outside this package). A trailing "/s" is allowed, so
// rates read naturally ("20MiB/s").
func ParseSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	s = strings.TrimSuffix(s, "/s")
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	f, err := strconv.ParseFloat(num, 64)
	if num == "" || err != nil || f < 0 {
		return 0, fmt.Errorf("invalid size %q (examples: 512, 100KiB, 20MiB, 1.5GB)", v)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1 << 10,
		"m": 1 << 20, "mib": 1 << 20, "mb": 1 << 20,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1 << 30,
		"t": 1 << 40, "tib": 1 << 40, "tb": 1 << 40,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("invalid size unit in %q (use B, KB, MB, GB, KiB, MiB, GiB)", v)
	}
	n := f * mult
	if n > math.MaxInt64/2 {
		return 0, fmt.Errorf("size %q is too large", v)
	}
	return int64(math.Round(n)), nil
}
