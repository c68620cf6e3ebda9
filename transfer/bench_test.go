package transfer

// Benchmarks run only with -bench; see the commands in each comment.
// Sizes and settings come from the environment so the same code measures
// a quick run or the full 1 GiB / 4 GiB figures:
//   OSSQ_BENCH_SIZE      object size for the big-object benchmarks (default 1GiB)
//   OSSQ_BENCH_PART      part size (default 8MiB), same for ossq and the SDK
//   OSSQ_BENCH_PARALLEL  parts in flight (default 4), same for ossq and the SDK
//   OSSQ_BENCH_NOCHECKPOINT=1  ossq without checkpoints (the SDK runs without)

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"ossq/internal/ossemu"
	"ossq/internal/testenv"
)

func TestMain(m *testing.M) {
	if os.Getenv("OSSQ_EMU_CHILD") == "1" {
		os.Exit(runEmuChild())
	}
	// Eight at a time: most tests here wait (fsyncs, rate caps, credential
	// expiry) more than they compute; 8 took 14 s where 4 took 19 s.
	os.Exit(testenv.Run(m, 8))
}

// runEmuChild serves an emulator from a separate process, so a benchmark
// that measures its own RSS does not count the server's memory.
func runEmuChild() int {
	size, _ := strconv.ParseInt(os.Getenv("OSSQ_EMU_SIZE"), 10, 64)
	dir, err := os.MkdirTemp("", "ossq-emu-child-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	srv, err := ossemu.New(ossemu.Config{Root: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	ep, err := srv.Start("127.0.0.1:0")
	if err == nil {
		err = srv.CreateBucket(testBucket)
	}
	if err == nil {
		err = srv.PutGenerated(testBucket, "big", size, 1, "")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(ep)
	io.Copy(io.Discard, os.Stdin) // until the parent closes our stdin
	return 0
}

func envSize(name string, def int64) int64 {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	mult := int64(1)
	for suf, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(v, suf) {
			v, mult = strings.TrimSuffix(v, suf), m
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		panic(fmt.Sprintf("%s=%q: want bytes or a number with KiB/MiB/GiB", name, os.Getenv(name)))
	}
	return n * mult
}

func benchSettings() (size, part int64, parallel int) {
	return envSize("OSSQ_BENCH_SIZE", 1<<30), envSize("OSSQ_BENCH_PART", 8<<20), int(envSize("OSSQ_BENCH_PARALLEL", 4))
}

func benchOptions(env *testEnv, part int64, parallel int) Options {
	return Options{PartSize: part, Parallel: parallel, MaxActive: 4, MultipartThreshold: part,
		StateDir: filepath.Join(env.dir, "state"), Ephemeral: true, OnExists: ExistsOverwrite, Retries: 3}
}

func mbps(bytes int64, d time.Duration) float64 { return float64(bytes) / (1 << 20) / d.Seconds() }

// cpuTime is this process's user+system CPU time so far. Wall-clock MB/s
// swings with whatever else the machine runs; CPU seconds per GiB (client
// and in-process server together, the server's share being the same for
// both sides) is the steadier comparison.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ossq download vs the SDK's Downloader, same server, part size, parallelism.
//
//	go test -run '^$' -bench DownloadVsSDK -benchtime 5x -v ./transfer/   (-v logs each round)
func BenchmarkDownloadVsSDK(b *testing.B) {
	size, part, parallel := benchSettings()
	env := newBenchEnv(b)
	if err := env.srv.PutGenerated(testBucket, "big", size, 1, ""); err != nil {
		b.Fatal(err)
	}
	e := env.open(benchOptions(env, part, parallel))
	d := env.client.NewDownloader(func(o *oss.DownloaderOptions) { o.PartSize, o.ParallelNum = part, parallel })
	ours, theirs := filepath.Join(env.dir, "ours"), filepath.Join(env.dir, "sdk")
	var last ID // the transfer to remove between rounds
	sideBySide(b, size, contender{
		run: func() {
			id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "big", LocalPath: ours, NoCheckpoint: os.Getenv("OSSQ_BENCH_NOCHECKPOINT") == "1"})
			if err != nil {
				b.Fatal(err)
			}
			if ts := waitFor(b, e, id); ts.State != StateDone {
				b.Fatalf("ossq: %s %s", ts.State, ts.Err)
			}
			last = id
		},
		clean: func() { e.Remove(last); os.Remove(ours) },
	}, contender{
		run: func() {
			if _, err := d.DownloadFile(context.Background(), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("big")}, theirs); err != nil {
				b.Fatal(err)
			}
		},
		clean: func() { os.Remove(theirs) },
	})
}

// newBenchEnv is a test env whose ossq store and SDK client both allow a
// request two minutes: completing a 1 GiB multipart upload copies and
// fsyncs the whole object, which on a busy shared disk outlasts both the
// suite's 5 s and the SDK's default 10 s (a retry then finds NoSuchUpload).
func newBenchEnv(b *testing.B) *testEnv {
	const timeout = 2 * time.Minute
	env := newTestEnv(b)
	store, err := NewOSSStore(ClientOptions{Endpoint: env.endpoint, Region: "cn-hangzhou", Anonymous: true, ReadTimeout: timeout})
	if err != nil {
		b.Fatalf("NewOSSStore: %v", err)
	}
	env.store = store
	env.client = oss.NewClient(oss.LoadDefaultConfig().WithEndpoint(env.endpoint).WithRegion("cn-hangzhou").
		WithCredentialsProvider(credentials.NewAnonymousCredentialsProvider()).WithReadWriteTimeout(timeout))
	return env
}

// contender is one side of a side-by-side benchmark: run is timed, clean
// (counted in CPU, not in wall time) resets for the next round.
type contender struct{ run, clean func() }

// sideBySide runs ossq and the SDK b.N times each, alternating who goes
// first so neither always gets a warm cache, and reports both throughputs,
// the median of the per-round ratios (a round is one run of each, back to
// back, so both see about the same machine load) and the CPU seconds per
// GiB of each (medians of the rounds).
func sideBySide(b *testing.B, size int64, ours, sdk contender) {
	var oursDur, sdkDur time.Duration
	var ratios, oursCPU, sdkCPU []float64
	measure := func(c contender, dur *time.Duration, cpus *[]float64) time.Duration {
		start, cpu0 := time.Now(), cpuTime()
		c.run()
		took := time.Since(start)
		*dur += took
		if c.clean != nil {
			c.clean()
		}
		*cpus = append(*cpus, (cpuTime()-cpu0).Seconds()/(float64(size)/(1<<30)))
		return took
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var o, s time.Duration
		if i%2 == 0 {
			o = measure(ours, &oursDur, &oursCPU)
			s = measure(sdk, &sdkDur, &sdkCPU)
		} else {
			s = measure(sdk, &sdkDur, &sdkCPU)
			o = measure(ours, &oursDur, &oursCPU)
		}
		ratios = append(ratios, s.Seconds()/o.Seconds())
		b.Logf("round %d: ossq %.2f s, sdk %.2f s, ossq/sdk %.2f, load %s", i+1, o.Seconds(), s.Seconds(), ratios[i], loadAverage())
	}
	n := int64(b.N) * size
	b.ReportMetric(mbps(n, oursDur), "ossq-MB/s")
	b.ReportMetric(mbps(n, sdkDur), "sdk-MB/s")
	b.ReportMetric(median(ratios), "ossq/sdk")
	b.ReportMetric(median(oursCPU), "ossq-cpu-s/GiB")
	b.ReportMetric(median(sdkCPU), "sdk-cpu-s/GiB")
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loadAverage is the machine's 1, 5 and 15 minute load, for the log.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

// ossq upload vs the SDK's Uploader.
//
//	go test -run '^$' -bench UploadVsSDK -benchtime 5x -v ./transfer/
func BenchmarkUploadVsSDK(b *testing.B) {
	size, part, parallel := benchSettings()
	env := newBenchEnv(b)
	src := filepath.Join(env.dir, "src")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, ossemu.GeneratedReader(size, 5)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	e := env.open(benchOptions(env, part, parallel))
	u := env.client.NewUploader(func(o *oss.UploaderOptions) { o.PartSize, o.ParallelNum = part, parallel })
	var last ID // the transfer to remove between rounds
	sideBySide(b, size, contender{
		run: func() {
			id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "ours", LocalPath: src, NoCheckpoint: os.Getenv("OSSQ_BENCH_NOCHECKPOINT") == "1"})
			if err != nil {
				b.Fatal(err)
			}
			if ts := waitFor(b, e, id); ts.State != StateDone {
				b.Fatalf("ossq: %s %s", ts.State, ts.Err)
			}
			last = id
		},
		clean: func() { e.Remove(last) },
	}, contender{
		run: func() {
			if _, err := u.UploadFile(context.Background(), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("sdk")}, src); err != nil {
				b.Fatal(err)
			}
		},
	})
}

// With a per-connection cap C and N parts in flight the download should
// reach close to N·C (goal ≥ 0.9). OSSQ_BENCH_CAP sets C (default 4MiB).
//
//	go test -run '^$' -bench CappedConnections -benchtime 1x ./transfer/
func BenchmarkCappedConnections(b *testing.B) {
	capPerConn := envSize("OSSQ_BENCH_CAP", 4<<20)
	const n = 8
	size := capPerConn * n * 4 // about 4 s at full speed
	part := size / (n * 4)
	env := newTestEnv(b)
	env.srv.PutGenerated(testBucket, "big", size, 1, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: capPerConn})
	e := env.open(benchOptions(env, part, n))
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "big", LocalPath: filepath.Join(env.dir, "big")})
		if ts := waitFor(b, e, id); ts.State != StateDone {
			b.Fatalf("%s %s", ts.State, ts.Err)
		}
		total += time.Since(start)
		e.Remove(id)
	}
	got := float64(int64(b.N)*size) / total.Seconds()
	b.ReportMetric(got/(1<<20), "MB/s")
	b.ReportMetric(got/float64(n*capPerConn), "of-N·C")
}

// 2,000 small objects: AddTree vs a sequential SDK GetObject loop (goal
// ≥ 5×). OSSQ_BENCH_LATENCY adds server latency per request (default 0).
//
//	go test -run '^$' -bench SmallObjects -benchtime 1x ./transfer/
//	OSSQ_BENCH_LATENCY=5ms go test -run '^$' -bench SmallObjects -benchtime 1x ./transfer/
func BenchmarkSmallObjects(b *testing.B) {
	const count = 2000
	latency := time.Duration(0)
	if v := os.Getenv("OSSQ_BENCH_LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		latency = d
	}
	env := newTestEnv(b)
	for i := 0; i < count; i++ {
		if err := env.srv.PutBytes(testBucket, fmt.Sprintf("small/%02d/obj-%04d.txt", i%20, i), randomData(4<<10, uint64(i))); err != nil {
			b.Fatal(err)
		}
	}
	env.srv.SetFaults(ossemu.Faults{Latency: latency})
	opts := benchOptions(env, 8<<20, 4)
	opts.MaxActive = 32
	e := env.open(opts)
	var oursDur, sdkDur, addTreeDur time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		root := filepath.Join(env.dir, fmt.Sprintf("ours-%d", i))
		start := time.Now()
		id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "small/", LocalPath: root})
		if err != nil {
			b.Fatalf("AddTree: %v", err)
		}
		addTreeDur += time.Since(start)
		if ts := waitFor(b, e, id); ts.State != StateDone {
			b.Fatalf("%s %s", ts.State, ts.Err)
		}
		oursDur += time.Since(start)
		e.Remove(id)

		sdkRoot := filepath.Join(env.dir, fmt.Sprintf("sdk-%d", i))
		start = time.Now()
		p := env.client.NewListObjectsV2Paginator(&oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), Prefix: oss.Ptr("small/")})
		got := 0
		for p.HasNext() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			for _, o := range page.Contents {
				key := oss.ToString(o.Key)
				res, err := env.client.GetObject(context.Background(), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key)})
				if err != nil {
					b.Fatal(err)
				}
				dst := filepath.Join(sdkRoot, filepath.FromSlash(strings.TrimPrefix(key, "small/")))
				os.MkdirAll(filepath.Dir(dst), 0o755)
				f, err := os.Create(dst)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(f, res.Body)
				res.Body.Close()
				f.Close()
				got++
			}
		}
		sdkDur += time.Since(start)
		if got != count {
			b.Fatalf("sdk loop got %d", got)
		}
	}
	b.ReportMetric(addTreeDur.Seconds()*1000/float64(b.N), "addtree-ms")
	b.ReportMetric(float64(b.N*count)/oursDur.Seconds(), "ossq-obj/s")
	b.ReportMetric(float64(b.N*count)/sdkDur.Seconds(), "sdk-obj/s")
	b.ReportMetric(sdkDur.Seconds()/oursDur.Seconds(), "ossq/sdk")
}

// Peak RSS (VmHWM) of this process during a 4 GiB download at parallel 16,
// with the emulator in a child process so only the client is measured.
// Goal ≤ 64 MiB. OSSQ_BENCH_RSS_SIZE changes the size.
//
//	go test -run '^$' -bench PeakRSS -benchtime 1x ./transfer/
func BenchmarkPeakRSS(b *testing.B) {
	size := envSize("OSSQ_BENCH_RSS_SIZE", 4<<30)
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "OSSQ_EMU_CHILD=1", "OSSQ_EMU_SIZE="+strconv.FormatInt(size, 10))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("emulator child: %v", err)
	}
	endpoint := strings.TrimSpace(line)
	store, err := NewOSSStore(ClientOptions{Endpoint: endpoint, Region: "cn-hangzhou", Anonymous: true})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	e, err := Open(store, Options{PartSize: 8 << 20, Parallel: 16, StateDir: dir, Ephemeral: true, OnExists: ExistsOverwrite})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var peak int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM to the current RSS
		dest := filepath.Join(dir, "big")
		id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "big", LocalPath: dest})
		ts, err := e.Wait(context.Background(), id)
		if err != nil || ts.State != StateDone {
			b.Fatalf("%v %s %s", err, ts.State, ts.Err)
		}
		peak = max(peak, procStatusKiB("VmHWM"))
		e.Remove(id)
		os.Remove(dest)
	}
	b.SetBytes(size)
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
}

func procStatusKiB(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// Snapshot cost with 200 transfers, five of them with 10,000 parts.
//
//	go test -run '^$' -bench Snapshot ./transfer/
func BenchmarkSnapshot(b *testing.B) {
	env := newTestEnv(b)
	opts := env.testOptions()
	opts.Ephemeral = true
	e := env.open(opts)
	e.mu.Lock()
	for i := 0; i < 200; i++ {
		nparts := 8
		if i%40 == 0 {
			nparts = 10000
		}
		t := &transfer{id: ID(fmt.Sprint(i)), spec: Spec{Direction: Download, Bucket: testBucket, Key: fmt.Sprint("k", i), LocalPath: "/tmp/x"},
			state: StatePaused, size: int64(nparts) << 20, partSize: 1 << 20, parallel: 4}
		for p := 0; p < nparts; p++ {
			pt := &part{number: p + 1, off: int64(p) << 20, size: 1 << 20}
			pt.done.Store(int64(p % 1024))
			t.parts = append(t.parts, pt)
		}
		e.order = append(e.order, t)
		e.byID[t.id] = t
	}
	e.mu.Unlock()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := e.Snapshot()
		if len(s.Transfers) != 200 {
			b.Fatal(len(s.Transfers))
		}
	}
}

// The global bandwidth limit holds across transfers: three downloads under
// one limit L should together move at about L (reported as achieved/L).
//
//	go test -run '^$' -bench BandwidthLimit -benchtime 1x ./transfer/
func BenchmarkBandwidthLimit(b *testing.B) {
	const limit = 4 << 20
	env := newTestEnv(b)
	for i := 0; i < 3; i++ {
		env.srv.PutGenerated(testBucket, fmt.Sprint("o", i), 4<<20, int64(i), "")
	}
	opts := benchOptions(env, 1<<20, 4)
	opts.BandwidthLimit = limit
	e := env.open(opts)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		var ids []ID
		for j := 0; j < 3; j++ {
			id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: fmt.Sprint("o", j), LocalPath: filepath.Join(env.dir, fmt.Sprint("o", j))})
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
		}
		for _, id := range ids {
			if ts := waitFor(b, e, id); ts.State != StateDone {
				b.Fatalf("%s %s", ts.State, ts.Err)
			}
			e.Remove(id)
		}
		total += time.Since(start)
	}
	got := float64(int64(b.N)*3*(4<<20)) / total.Seconds()
	b.ReportMetric(got/(1<<20), "MB/s")
	b.ReportMetric(got/limit, "of-limit")
}
