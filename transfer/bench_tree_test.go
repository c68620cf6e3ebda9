package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"ossq/internal/ossemu"
)

// BenchmarkFolderJob downloads a prefix of OSSQ_BENCH_COUNT (default
// 10,000) generated 1 KiB objects as one job, store on (not ephemeral), and
// reports files/s. OSSQ_BENCH_LATENCY adds server latency per request.
//
//	go test -run '^$' -bench FolderJob -benchtime 1x ./transfer/
//	OSSQ_BENCH_COUNT=100000 OSSQ_BENCH_LATENCY=5ms go test -run '^$' -bench FolderJob -benchtime 1x ./transfer/
//
// The side-by-side with rclone and the RSS figures come from
// transfer/testdata/bench-folder.sh, which runs both as separate processes.
func BenchmarkFolderJob(b *testing.B) {
	count := 10_000
	if v := os.Getenv("OSSQ_BENCH_COUNT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		count = n
	}
	var latency time.Duration
	if v := os.Getenv("OSSQ_BENCH_LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		latency = d
	}
	env := newTestEnv(b)
	if err := env.srv.GenerateObjects(testBucket, "small/", count, 1<<10); err != nil {
		b.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{Latency: latency})
	opts := benchOptions(env, 8<<20, 4)
	opts.Ephemeral = false
	e := env.open(opts)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "small/", LocalPath: filepath.Join(env.dir, fmt.Sprintf("out-%d", i))})
		if err != nil {
			b.Fatal(err)
		}
		if ts := waitFor(b, e, id); ts.State != StateDone {
			b.Fatalf("%s %s", ts.State, ts.Err)
		}
		total += time.Since(start)
		e.Remove(id)
	}
	b.ReportMetric(float64(count*b.N)/total.Seconds(), "files/s")
}
