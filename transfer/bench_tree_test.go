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

// BenchmarkWindowOfMillionItemTree: a window of 50 rows of a 1,000,000-item
// folder job (items written straight into the store), at the start, the
// middle and the end of the list, all items and done items only; the size
// of queue.db is reported.
//
//	go test -run '^$' -bench WindowOfMillionItemTree ./transfer/
func BenchmarkWindowOfMillionItemTree(b *testing.B) {
	const count = 1_000_000
	dir := b.TempDir()
	e, err := Open(discardStore{}, Options{StateDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	root := filepath.Join(dir, "out")
	t, err := e.newTree(Spec{Direction: Download, Bucket: "b", Key: "logs/", LocalPath: root})
	if err != nil {
		b.Fatal(err)
	}
	t.state = StatePaused
	e.mu.Lock()
	e.appendLocked(t)
	e.mu.Unlock()
	run := &treeRun{e: e, t: t, ts: t.tree}
	for start := 0; start < count; start += 10_000 {
		items := make([]treeItem, 10_000)
		for i := range items {
			n := start + i
			items[i] = treeItem{key: fmt.Sprintf("logs/%02d/%08d.log", n%100, n), rel: fmt.Sprintf("%02d/%08d.log", n%100, n), size: 1 << 10, state: ItemPending}
			if n%2 == 0 {
				items[i].state = ItemDone
			}
		}
		if err := run.record(items, func(*treeMeta) {}); err != nil {
			b.Fatal(err)
		}
	}
	dbSize := 0.0
	if fi, err := os.Stat(filepath.Join(dir, queueDBName)); err == nil {
		dbSize = float64(fi.Size()) / (1 << 20)
	}
	for _, c := range []struct {
		name   string
		state  ItemState
		offset int
	}{{"all/start", "", 0}, {"all/middle", "", count / 2}, {"all/end", "", count - 50},
		{"done/start", ItemDone, 0}, {"done/middle", ItemDone, count / 4}, {"done/end", ItemDone, count/2 - 50}} {
		b.Run(c.name, func(b *testing.B) {
			// Scrolling: each window a few rows on from the last, as a held key does.
			req := WindowRequest{Limit: 50, Items: &ItemsRequest{Job: t.id, State: c.state, Offset: c.offset, Limit: 50}}
			e.Window(req)
			i := 0
			for b.Loop() {
				req.Items.Offset = c.offset - i%50
				if w := e.Window(req); len(w.Items) != 50 {
					b.Fatalf("%d items", len(w.Items))
				}
				i++
			}
			b.ReportMetric(dbSize, "queue.db-MB")
		})
	}
}

// discardStore is a Store for benchmarks that never reach OSS.
type discardStore struct{ Store }
