package transfer

import (
	"bytes"
	"context"
	"hash/crc64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
)

const testBucket = "bkt"

// crcTable is the standard library's CRC64 table: tests check the engine's
// own CRC code against it.
var crcTable = crc64.MakeTable(crc64.ECMA)

// testEnv is an ossemu server on loopback plus the real SDK store over it.
type testEnv struct {
	t        testing.TB
	srv      *ossemutest.Server
	endpoint string
	store    Store
	client   *oss.Client // for checks the Store does not expose (ListMultipartUploads)
	dir      string
}

func newTestEnv(t testing.TB, opts ...ossemutest.Option) *testEnv {
	t.Helper()
	srv := ossemutest.NewServer(t, append([]ossemutest.Option{ossemutest.WithBucket(testBucket)}, opts...)...)
	return &testEnv{t: t, srv: srv, endpoint: srv.Endpoint, store: newTestStore(t, srv), client: srv.Client(), dir: t.TempDir()}
}

// newTestStore is the engine's SDK store over srv, with quick timeouts
// (edits change the options first).
func newTestStore(t testing.TB, srv *ossemutest.Server, edits ...func(*ClientOptions)) Store {
	t.Helper()
	opts := ClientOptions{Endpoint: srv.Endpoint, Region: srv.Region,
		AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret, Anonymous: srv.AccessKeyID == "",
		Retries: 2, ReadTimeout: 5 * time.Second, ConnectTimeout: 2 * time.Second}
	for _, edit := range edits {
		edit(&opts)
	}
	store, err := NewOSSStore(opts)
	if err != nil {
		t.Fatalf("NewOSSStore: %v", err)
	}
	return store
}

// storeWith is another store over the test's server, its options edited.
func (env *testEnv) storeWith(edit func(*ClientOptions)) Store {
	env.t.Helper()
	return newTestStore(env.t, env.srv, edit)
}

// testOptions are small parts and fast retries so the suite stays quick.
func (env *testEnv) testOptions() Options {
	return Options{
		PartSize:           128 << 10,
		Parallel:           4,
		MaxActive:          3,
		MultipartThreshold: 256 << 10,
		StateDir:           filepath.Join(env.dir, "state"),
		Retries:            6,
		RetryDelay:         5 * time.Millisecond,
		OnExists:           ExistsOverwrite,
		ResumeOnStart:      true,
		Logger:             ossemutest.Logger(env.t),
	}
}

func (env *testEnv) open(opts Options) *Engine {
	env.t.Helper()
	e, err := Open(env.store, opts)
	if err != nil {
		env.t.Fatalf("Open: %v", err)
	}
	env.t.Cleanup(func() { e.Close() })
	return e
}

func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitFor blocks until the transfer pauses or finishes (bounded by 60 s).
func waitFor(t testing.TB, e *Engine, id ID) TransferSnapshot {
	t.Helper()
	ts, err := e.Wait(testCtx(t, 60*time.Second), id)
	if err != nil {
		t.Fatalf("Wait(%s): %v (state %s, err %q)", id, err, ts.State, ts.Err)
	}
	return ts
}

func mustDone(t testing.TB, e *Engine, id ID) TransferSnapshot {
	t.Helper()
	ts := waitFor(t, e, id)
	if ts.State != StateDone {
		t.Fatalf("transfer %s: state %s, err %q, info %+v", ts.Key, ts.State, ts.Err, ts.ErrInfo)
	}
	return ts
}

// waitProgress polls until the transfer has at least n bytes done; bounded.
func waitProgress(t testing.TB, e *Engine, id ID, n int64) {
	t.Helper()
	for i := 0; i < 3000; i++ {
		ts, _ := e.Get(id)
		if ts.Done >= n {
			return
		}
		if ts.State.Finished() || ts.State == StatePaused {
			t.Fatalf("transfer ended (%s, %q) before reaching %d bytes", ts.State, ts.Err, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("transfer %s never reached %d bytes", id, n)
}

func generated(size, seed int64) []byte { return ossemu.GeneratedBytes(size, seed) }

// randomData is n pseudo-random bytes, the same for the same seed, filled in
// bulk (a generator call per byte took ~10 s for 32 MiB under -race).
func randomData(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), 'd'}).Read(b)
	return b
}

func assertFile(t testing.TB, path string, want []byte) {
	t.Helper()
	if same, err := ossemutest.SameContent(path, bytes.NewReader(want)); err != nil {
		t.Fatalf("read %s: %v", path, err)
	} else if !same {
		got, _ := os.ReadFile(path)
		t.Fatalf("%s: %d bytes (crc %x), want %d bytes (crc %x)", path, len(got), crc64.Checksum(got, crcTable), len(want), crc64.Checksum(want, crcTable))
	}
}

// assertGenerated is assertFile for a generated object's content, without
// making the content whole.
func assertGenerated(t testing.TB, path string, size, seed int64) {
	t.Helper()
	if same, err := ossemutest.SameContent(path, ossemu.GeneratedReader(size, seed)); err != nil {
		t.Fatalf("read %s: %v", path, err)
	} else if !same {
		assertFile(t, path, generated(size, seed)) // says how it differs
	}
}

// openUploads lists multipart uploads still open in the bucket.
func (env *testEnv) openUploads() []string {
	env.t.Helper()
	res, err := env.client.ListMultipartUploads(testCtx(env.t, 30*time.Second), &oss.ListMultipartUploadsRequest{Bucket: oss.Ptr(testBucket)})
	if err != nil {
		env.t.Fatalf("ListMultipartUploads: %v", err)
	}
	var out []string
	for _, u := range res.Uploads {
		out = append(out, oss.ToString(u.Key)+" "+oss.ToString(u.UploadId))
	}
	return out
}

// recordedBytes sums the bytes a download checkpoint claims.
func recordedBytes(t testing.TB, path string) int64 {
	t.Helper()
	cp, err := readCheckpoint(path)
	if err != nil {
		t.Fatalf("read checkpoint: %v", err)
	}
	var n int64
	for _, p := range cp.Parts {
		n += p.Done
	}
	return n
}

// quiesce waits until the server has no request in hand (handlers of
// requests the client already abandoned can still be writing, and count
// what they write), so a following ResetStats counts only new work.
func (env *testEnv) quiesce() {
	env.t.Helper()
	if !env.srv.WaitIdle(10 * time.Second) {
		env.t.Fatal("the server was still serving requests 10 s after the clients stopped")
	}
}

// jobOf returns a job's window row.
func jobOf(t testing.TB, e *Engine, id ID) JobSnapshot {
	t.Helper()
	w := e.Window(WindowRequest{Limit: 10000, Plans: []ID{id}})
	for _, js := range append(w.Jobs, w.Plans...) { // a dry run in a queue is a plan
		if js.ID == id {
			return js
		}
	}
	t.Fatalf("job %s not in the queue", id)
	return JobSnapshot{}
}

// treeItems pages through a tree job's items of one state ("" = all).
func treeItems(t testing.TB, e *Engine, id ID, st ItemState) []ItemSnapshot {
	t.Helper()
	var out []ItemSnapshot
	for page := 0; page < 1000; page++ {
		w := e.Window(WindowRequest{Limit: 1, Items: &ItemsRequest{Job: id, State: st, Offset: len(out), Limit: 500}})
		out = append(out, w.Items...)
		if len(w.Items) == 0 || int64(len(out)) >= w.ItemsTotal {
			return out
		}
	}
	t.Fatal("too many pages of items")
	return nil
}

// reasonsOf maps each listed item's key to its reason.
func reasonsOf(items []ItemSnapshot) map[string]string {
	m := map[string]string{}
	for _, it := range items {
		m[it.Key] = it.Reason
	}
	return m
}

// checkTotals recounts the queue's states and compares them with the
// engine's incremental counts.
func checkTotals(t testing.TB, e *Engine) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	recount := map[State]int{}
	for _, j := range e.order {
		if !j.plan {
			recount[j.state]++
		}
	}
	for _, st := range []State{StateQueued, StateRunning, StatePaused, StateVerifying, StateRetrying, StateFailed, StateDone, StateCanceled} {
		if recount[st] != e.counts[st] {
			t.Errorf("%s: %d jobs in the queue, counted %d", st, recount[st], e.counts[st])
		}
	}
}

// skipIfShort leaves a test out of `go test -short`, the fast inner loop:
// kill/restart and crash tests, big data sets, real-time waits. CI runs
// everything (.ci/run).
func skipIfShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skip(what + ": skipped with -short")
	}
}
