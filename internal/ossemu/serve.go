package ossemu

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Serve runs `ossq serve`: the emulator in the foreground until SIGINT or
// SIGTERM. The first stdout line is exactly "endpoint: http://HOST:PORT".
// It returns the process exit code (2 for bad flags).
func Serve(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// byteSize is a flag value accepting human sizes ("20MiB", "1.5GB", "512k").
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }
func (b *byteSize) Set(v string) error {
	n, err := ParseSize(v)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

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

// parseGenerate reads BUCKET/PREFIX:COUNT:SIZE.
func parseGenerate(v string) (bucket, prefix string, count int, size int64, err error) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return "", "", 0, 0, errors.New("want BUCKET/PREFIX:COUNT:SIZE, e.g. data/logs/:100000:1KiB")
	}
	bucket, prefix, _ = strings.Cut(parts[0], "/")
	if !validBucketName(bucket) {
		return "", "", 0, 0, fmt.Errorf("invalid bucket name %q", bucket)
	}
	if count, err = strconv.Atoi(parts[1]); err != nil || count < 0 {
		return "", "", 0, 0, fmt.Errorf("invalid count %q", parts[1])
	}
	if size, err = ParseSize(parts[2]); err != nil {
		return "", "", 0, 0, err
	}
	return bucket, prefix, count, size, nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ossq serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		root, addr, ak, sk, region string
		buckets, replaceAfter      stringList
		generate                   stringList
		failNth                    string
		rate, resetAfter           byteSize
		latency, stall             time.Duration
		failRate, resetRate        float64
		stallRate, truncateRate    float64
		bodyResetRate, bodyCutRate float64
		seed                       int64
		demo                       bool
	)
	resetAfter = byteSize(1 << 20)
	fs.StringVar(&root, "root", "", "storage directory (default: a temporary directory removed on exit)")
	fs.StringVar(&addr, "addr", "127.0.0.1:0", "listen address (loopback by default)")
	fs.StringVar(&ak, "access-key-id", "", "require signed requests with this AccessKeyId (needs --access-key-secret)")
	fs.StringVar(&sk, "access-key-secret", "", "secret for --access-key-id")
	fs.StringVar(&region, "region", "cn-hangzhou", "region reported in listings")
	fs.Var(&buckets, "bucket", "bucket to create if missing (repeatable)")
	var (
		stsTTL  time.Duration
		stsRole string
	)
	fs.DurationVar(&stsTTL, "sts-ttl", 0, "hand out temporary credentials that expire after this long, e.g. 30s (0 = off)")
	fs.StringVar(&stsRole, "sts-role", DefaultSTSRole, "RAM role name the metadata endpoint reports (with --sts-ttl)")
	fs.Var(&rate, "rate", "bandwidth cap per TCP connection, e.g. 20MiB (0 = none)")
	fs.DurationVar(&latency, "latency", 0, "latency added before each response, e.g. 30ms")
	fs.Float64Var(&failRate, "fail-rate", 0, "fraction of requests answered 500/503 (0..1)")
	fs.Float64Var(&resetRate, "reset-rate", 0, "fraction of GET bodies reset mid-way (0..1)")
	fs.Var(&resetAfter, "reset-after", "body bytes sent before an injected reset")
	fs.Float64Var(&stallRate, "stall-rate", 0, "fraction of GET bodies that stall mid-way (0..1)")
	fs.DurationVar(&stall, "stall", 2*time.Second, "length of an injected stall")
	fs.Float64Var(&truncateRate, "truncate-rate", 0, "fraction of GET bodies cut short (0..1)")
	fs.Float64Var(&bodyResetRate, "body-reset-rate", 0, "fraction of upload bodies (PutObject, UploadPart) whose connection is reset mid-way (0..1)")
	fs.Float64Var(&bodyCutRate, "body-truncate-rate", 0, "fraction of upload bodies cut short and stored as if complete, as a broken proxy would (0..1)")
	fs.StringVar(&failNth, "fail-nth", "", "fail exactly these request numbers, e.g. 3,7 (1-based)")
	fs.Var(&replaceAfter, "replace-after", "bucket/key=SIZE: replace the object's content after SIZE body bytes were served (repeatable)")
	fs.Int64Var(&seed, "seed", 1, "seed for deterministic fault decisions")
	fs.BoolVar(&demo, "demo-data", false, "create the demo buckets and objects (idempotent)")
	fs.Var(&generate, "generate", "BUCKET/PREFIX:COUNT:SIZE: hold COUNT generated objects of SIZE under the prefix, in memory (repeatable; the bucket is created)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ossq serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if (ak == "") != (sk == "") {
		fmt.Fprintln(stderr, "ossq serve: --access-key-id and --access-key-secret go together")
		return 2
	}
	faults := Faults{
		Seed: seed, RatePerConn: int64(rate), Latency: latency, FailRate: failRate, ResetRate: resetRate,
		ResetAfter: int64(resetAfter), StallRate: stallRate, Stall: stall, TruncateRate: truncateRate,
		BodyResetRate: bodyResetRate, BodyTruncateRate: bodyCutRate,
	}
	for _, field := range splitNonEmpty(failNth, ",") {
		n, err := strconv.Atoi(field)
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "ossq serve: --fail-nth wants 1-based request numbers like 3,7; got %q\n", field)
			return 2
		}
		faults.FailNth = append(faults.FailNth, n)
	}
	for _, spec := range replaceAfter {
		target, size, ok := strings.Cut(spec, "=")
		n, err := ParseSize(size)
		if !ok || err != nil {
			fmt.Fprintf(stderr, "ossq serve: --replace-after wants bucket/key=SIZE, got %q\n", spec)
			return 2
		}
		if faults.ReplaceAfter == nil {
			faults.ReplaceAfter = map[string]int64{}
		}
		faults.ReplaceAfter[target] = n
	}
	if err := validateFaults(faults); err != nil {
		fmt.Fprintf(stderr, "ossq serve: %v\n", err)
		return 2
	}
	for _, b := range buckets {
		if !validBucketName(b) {
			fmt.Fprintf(stderr, "ossq serve: invalid bucket name %q (3-63 of a-z, 0-9, '-')\n", b)
			return 2
		}
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "ossq serve: invalid --addr %q: %v\n", addr, err)
		return 2
	}
	if !isLoopbackHost(host) {
		fmt.Fprintf(stderr, "WARNING: ossq serve is binding %s, which is NOT a loopback address.\n"+
			"WARNING: anyone who can reach it can read and write the emulator's data", addr)
		if ak == "" {
			fmt.Fprint(stderr, " WITHOUT ANY AUTHENTICATION")
		}
		fmt.Fprintln(stderr, ".")
	}
	if stsTTL < 0 {
		fmt.Fprintln(stderr, "ossq serve: --sts-ttl must not be negative")
		return 2
	}
	cfg := Config{Root: root, Region: region, Faults: faults, STSTTL: stsTTL, STSRole: stsRole}
	if ak != "" {
		cfg.Credentials = map[string]string{ak: sk}
	}
	s, err := New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "ossq serve: %v\n", err)
		return 1
	}
	defer s.Close()
	if root == "" {
		fmt.Fprintf(stderr, "ossq serve: no --root given; storing in temporary %s (deleted on exit)\n", s.Root())
	}
	for _, b := range buckets {
		if err := s.CreateBucket(b); err != nil {
			fmt.Fprintf(stderr, "ossq serve: %v\n", err)
			return 1
		}
	}
	for _, g := range generate {
		bucket, prefix, count, size, err := parseGenerate(g)
		if err == nil {
			if err = s.CreateBucket(bucket); err == nil {
				start := time.Now()
				err = s.GenerateObjects(bucket, prefix, count, size)
				fmt.Fprintf(stderr, "ossq serve: %d objects under oss://%s/%s ready in %v\n", count, bucket, prefix, time.Since(start).Round(time.Millisecond))
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "ossq serve: --generate %s: %v\n", g, err)
			return 2
		}
	}
	if demo {
		start := time.Now()
		if err := SeedDemo(s); err != nil {
			fmt.Fprintf(stderr, "ossq serve: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "ossq serve: demo data ready in %v\n", time.Since(start).Round(time.Millisecond))
	}
	endpoint, err := s.Start(addr)
	if err != nil {
		fmt.Fprintf(stderr, "ossq serve: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "endpoint: %s\n", endpoint)
	fmt.Fprintf(stderr, "ossq serve: region %s (ossq --endpoint %s --region %s)\n", region, endpoint, region)
	if stsTTL > 0 {
		fmt.Fprintf(stderr, "ossq serve: temporary credentials (valid %v) from\n"+
			"  ECS metadata style: metadata_endpoint = %q (role %s)\n"+
			"  credentials URI:    credentials_uri = \"%s%s\"\n"+
			"  STS AssumeRole:     sts_endpoint = %q (signed with --access-key-id)\n",
			stsTTL, endpoint, stsRole, endpoint, CredentialsURIPath, endpoint)
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "ossq serve: shutting down")
	if err := s.Close(); err != nil {
		fmt.Fprintf(stderr, "ossq serve: close: %v\n", err)
		return 1
	}
	return 0
}
