package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ossq/internal/ossemu"
)

// serveCommand runs `ossq serve`: the embedded server in the foreground
// until SIGINT or SIGTERM. The first stdout line is exactly
// "endpoint: http://HOST:PORT". It returns the exit code (2 for bad flags).
func serveCommand(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// byteSize is a flag value accepting human sizes ("20MiB", "1.5GB", "512k"),
// read by the server's own parser.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }
func (b *byteSize) Set(v string) error {
	n, err := ossemu.ParseSize(v)
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

// serveFlags are `ossq serve`'s flags before they become an ossemu.ServeConfig.
type serveFlags struct {
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
	stsTTL                     time.Duration
	stsRole                    string
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	f.resetAfter = byteSize(1 << 20)
	fs.StringVar(&f.root, "root", "", "storage directory (default: a temporary directory removed on exit)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "listen address (loopback by default)")
	fs.StringVar(&f.ak, "access-key-id", "", "require signed requests with this AccessKeyId (needs --access-key-secret)")
	fs.StringVar(&f.sk, "access-key-secret", "", "secret for --access-key-id")
	fs.StringVar(&f.region, "region", "cn-hangzhou", "region reported in listings")
	fs.Var(&f.buckets, "bucket", "bucket to create if missing (repeatable)")
	fs.DurationVar(&f.stsTTL, "sts-ttl", 0, "hand out temporary credentials that expire after this long, e.g. 30s (0 = off)")
	fs.StringVar(&f.stsRole, "sts-role", ossemu.DefaultSTSRole, "RAM role name the metadata endpoint reports (with --sts-ttl)")
	fs.Var(&f.rate, "rate", "bandwidth cap per TCP connection, e.g. 20MiB (0 = none)")
	fs.DurationVar(&f.latency, "latency", 0, "latency added before each response, e.g. 30ms")
	fs.Float64Var(&f.failRate, "fail-rate", 0, "fraction of requests answered 500/503 (0..1)")
	fs.Float64Var(&f.resetRate, "reset-rate", 0, "fraction of GET bodies reset mid-way (0..1)")
	fs.Var(&f.resetAfter, "reset-after", "body bytes sent before an injected reset")
	fs.Float64Var(&f.stallRate, "stall-rate", 0, "fraction of GET bodies that stall mid-way (0..1)")
	fs.DurationVar(&f.stall, "stall", 2*time.Second, "length of an injected stall")
	fs.Float64Var(&f.truncateRate, "truncate-rate", 0, "fraction of GET bodies cut short (0..1)")
	fs.Float64Var(&f.bodyResetRate, "body-reset-rate", 0, "fraction of upload bodies (PutObject, UploadPart) whose connection is reset mid-way (0..1)")
	fs.Float64Var(&f.bodyCutRate, "body-truncate-rate", 0, "fraction of upload bodies cut short and stored as if complete, as a broken proxy would (0..1)")
	fs.StringVar(&f.failNth, "fail-nth", "", "fail exactly these request numbers, e.g. 3,7 (1-based)")
	fs.Var(&f.replaceAfter, "replace-after", "bucket/key=SIZE: replace the object's content after SIZE body bytes were served (repeatable)")
	fs.Int64Var(&f.seed, "seed", 1, "seed for deterministic fault decisions")
	fs.BoolVar(&f.demo, "demo-data", false, "create the demo buckets and objects (idempotent)")
	fs.Var(&f.generate, "generate", "BUCKET/PREFIX:COUNT:SIZE: hold COUNT generated objects of SIZE under the prefix, in memory (repeatable; the bucket is created)")
}

// config turns the parsed flags into the server's configuration; an error
// names the flag at fault.
func (f *serveFlags) config() (ossemu.ServeConfig, error) {
	if (f.ak == "") != (f.sk == "") {
		return ossemu.ServeConfig{}, errors.New("--access-key-id and --access-key-secret go together")
	}
	if f.stsTTL < 0 {
		return ossemu.ServeConfig{}, errors.New("--sts-ttl must not be negative")
	}
	faults := ossemu.Faults{
		Seed: f.seed, RatePerConn: int64(f.rate), Latency: f.latency, FailRate: f.failRate, ResetRate: f.resetRate,
		ResetAfter: int64(f.resetAfter), StallRate: f.stallRate, Stall: f.stall, TruncateRate: f.truncateRate,
		BodyResetRate: f.bodyResetRate, BodyTruncateRate: f.bodyCutRate,
	}
	for _, field := range strings.Split(f.failNth, ",") {
		if field = strings.TrimSpace(field); field == "" {
			continue
		}
		n, err := strconv.Atoi(field)
		if err != nil || n < 1 {
			return ossemu.ServeConfig{}, fmt.Errorf("--fail-nth wants 1-based request numbers like 3,7; got %q", field)
		}
		faults.FailNth = append(faults.FailNth, n)
	}
	for _, spec := range f.replaceAfter {
		target, size, ok := strings.Cut(spec, "=")
		n, err := ossemu.ParseSize(size)
		if !ok || err != nil {
			return ossemu.ServeConfig{}, fmt.Errorf("--replace-after wants bucket/key=SIZE, got %q", spec)
		}
		if faults.ReplaceAfter == nil {
			faults.ReplaceAfter = map[string]int64{}
		}
		faults.ReplaceAfter[target] = n
	}
	cfg := ossemu.ServeConfig{
		Config: ossemu.Config{Root: f.root, Region: f.region, Faults: faults, STSTTL: f.stsTTL, STSRole: f.stsRole},
		Addr:   f.addr, Buckets: f.buckets, DemoData: f.demo,
	}
	if f.ak != "" {
		cfg.Credentials = map[string]string{f.ak: f.sk}
	}
	for _, g := range f.generate {
		spec, err := parseGenerate(g)
		if err != nil {
			return ossemu.ServeConfig{}, fmt.Errorf("--generate %s: %v", g, err)
		}
		cfg.Generate = append(cfg.Generate, spec)
	}
	return cfg, cfg.Validate()
}

// parseGenerate reads BUCKET/PREFIX:COUNT:SIZE; the server vets the values.
func parseGenerate(v string) (ossemu.GenerateSpec, error) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return ossemu.GenerateSpec{}, errors.New("want BUCKET/PREFIX:COUNT:SIZE, e.g. data/logs/:100000:1KiB")
	}
	var g ossemu.GenerateSpec
	g.Bucket, g.Prefix, _ = strings.Cut(parts[0], "/")
	count, err := strconv.Atoi(parts[1])
	if err != nil || count < 0 {
		return ossemu.GenerateSpec{}, fmt.Errorf("invalid count %q", parts[1])
	}
	g.Count = count
	if g.Size, err = ossemu.ParseSize(parts[2]); err != nil {
		return ossemu.GenerateSpec{}, err
	}
	return g, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ossq serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	f.register(fs)
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
	cfg, err := f.config()
	if err != nil {
		fmt.Fprintf(stderr, "ossq serve: %v\n", err)
		return 2
	}
	if err := ossemu.Serve(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "ossq serve: %v\n", err)
		return 1
	}
	return 0
}
