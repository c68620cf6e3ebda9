package transfer

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
	"ossq/internal/ossname"
)

// TestTreeJobResumesListingAndSkipsDoneItems: a folder job stopped midway
// (its listing held back by the backlog) continues after a restart where it
// stopped: no page is listed twice, no object whose file was in place is
// fetched again, every file ends identical, no temp file is left.
func TestTreeJobResumesListingAndSkipsDoneItems(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "crash/restart test")
	// Four listing pages of 100 (OSS's are 1,000; the shape is what counts).
	const count, size, pageSize = 400, 1 << 10, 100
	env := newTestEnv(t)
	if err := env.srv.GenerateObjects(testBucket, "logs/", count, size); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{Latency: time.Millisecond})
	opts := env.testOptions()
	opts.listPage = pageSize
	opts.listLookahead = 50 // the listing stays about half a page ahead, so a stop lands mid-listing
	root := filepath.Join(env.dir, "out")
	e1 := env.open(opts)
	id, err := e1.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "logs/", LocalPath: root})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; jobOf(t, e1, id).Items.Done < 80; i++ {
		if i > 3000 {
			t.Fatalf("only %+v after 30 s", jobOf(t, e1, id).Items)
		}
		time.Sleep(10 * time.Millisecond)
	}
	first := jobOf(t, e1, id)
	if !first.Listing || first.Items.Total >= count {
		t.Fatalf("stopped with %+v (listing %v); the test needs a stop mid-listing", first.Items, first.Listing)
	}
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	env.quiesce()
	run1 := env.srv.Stats()
	present := map[string]bool{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !looksLikeTempName(d.Name()) {
			rel, _ := filepath.Rel(root, p)
			present[testBucket+"/logs/"+filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if len(present) < 80 {
		t.Fatalf("%d files in place after %d items done", len(present), first.Items.Done)
	}
	env.srv.ResetStats()

	e2 := env.open(opts)
	mustDone(t, e2, id)
	run2 := env.srv.Stats()
	js := jobOf(t, e2, id)
	if js.Items.Done != count || js.Items.Failed != 0 || js.Items.Skipped != 0 || js.Size != count*size || js.Done != count*size {
		t.Fatalf("after resume: %+v, %d of %d bytes", js.Items, js.Done, js.Size)
	}
	// A page being listed at the stop is listed again; no other.
	if l1, l2 := run1.Requests["ListObjectsV2"], run2.Requests["ListObjectsV2"]; l2 >= count/pageSize || l1+l2 > count/pageSize+1 {
		t.Errorf("%d + %d listing pages for %d: the restart must go on from the saved position", l1, l2, count/pageSize)
	}
	for key := range present {
		if n := run2.GetsByKey[key]; n != 0 {
			t.Errorf("%s was in place before the restart and was fetched %d more times", key, n)
		}
	}
	temps := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			if looksLikeTempName(d.Name()) {
				temps++
				return nil
			}
			var i int
			fmt.Sscanf(d.Name(), "%08d", &i)
			assertGenerated(t, p, size, int64(i))
		}
		return nil
	})
	if temps != 0 {
		t.Errorf("%d temp files left in the destination", temps)
	}
}

// TestTreeItemWindowsByState: a job's items can be read in windows of any
// state, with the live state of active items; failed items retry.
func TestTreeItemWindowsByState(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for i := range 25 {
		env.srv.PutBytes(testBucket, fmt.Sprintf("w/f%02d", i), []byte(strings.Repeat("x", i)))
	}
	env.srv.PutGenerated(testBucket, "w/cold", 10, 1, "Archive")
	env.srv.PutBytes(testBucket, "w/bad//name", []byte("unsafe"))
	e := env.open(env.testOptions())
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "w/", LocalPath: filepath.Join(env.dir, "w")})
	if err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, id); ts.State != StateFailed || !strings.Contains(ts.Err, "1 of 27 items failed") {
		t.Fatalf("job: %s %q, want failed with 1 of 27", ts.State, ts.Err)
	}
	all := treeItems(t, e, id, "")
	if len(all) != 27 {
		t.Fatalf("%d items, want 27", len(all))
	}
	for i, it := range all {
		if it.Seq != uint64(i+1) {
			t.Fatalf("item %d has seq %d", i, it.Seq)
		}
	}
	w := e.Window(WindowRequest{Items: &ItemsRequest{Job: id, Offset: 10, Limit: 5}})
	if len(w.Items) != 5 || w.Items[0].Seq != 11 || w.ItemsTotal != 27 {
		t.Fatalf("window 10+5: %d items from seq %d of %d", len(w.Items), w.Items[0].Seq, w.ItemsTotal)
	}
	if got := treeItems(t, e, id, ItemDone); len(got) != 25 {
		t.Errorf("%d done, want 25", len(got))
	}
	failed := treeItems(t, e, id, ItemFailed)
	if len(failed) != 1 || failed[0].Key != "w/cold" || failed[0].ErrInfo == nil {
		t.Fatalf("failed %+v, want w/cold with its error", failed)
	}
	if sk := treeItems(t, e, id, ItemSkipped); len(sk) != 1 || !strings.Contains(sk[0].Reason, "empty path segment") {
		t.Fatalf("skipped %+v, want the unsafe key with its reason", sk)
	}
	if w := e.Window(WindowRequest{Filter: FilterFailed}); w.JobsTotal != 1 {
		t.Errorf("failed filter: %d jobs", w.JobsTotal)
	}
	// Restored, the failed item goes through on retry; done ones are not fetched again.
	if err := env.store.(Restorer).RestoreObject(testCtx(t, 10*time.Second), testBucket, "w/cold", 1); err != nil {
		t.Fatal(err)
	}
	env.srv.ResetStats()
	if err := e.Retry(id); err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	if js := jobOf(t, e, id); js.Items.Done != 26 || js.Items.Failed != 0 || js.Items.Skipped != 1 || js.Done != 310 || js.Size != 310 {
		t.Fatalf("after retry: %+v, %d of %d bytes (want 310 of 310: the skipped key is not to move)", js.Items, js.Done, js.Size)
	}
	if n := env.srv.Stats().Requests["GetObject"]; n != 1 {
		t.Errorf("retry made %d GETs, want 1 (the failed item only)", n)
	}
	if err := e.RetryItem(id, all[len(all)-1].Seq+100); err == nil {
		t.Error("RetryItem of a missing item accepted")
	}
	checkTotals(t, e)
	if n := e.ClearFinished(); n != 1 {
		t.Errorf("ClearFinished removed %d jobs, want 1", n)
	}
	if w := e.Window(WindowRequest{}); w.JobsTotal != 0 {
		t.Errorf("%d jobs left after clearing", w.JobsTotal)
	}
}

// TestJobWindowFollowsReordersAndRemovals: windows return the right rows
// after moves and removals, and the order survives a restart.
func TestJobWindowFollowsReordersAndRemovals(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	opts.ResumeOnStart = false
	e := env.open(opts)
	var ids []ID
	for i := range 6 {
		key := fmt.Sprintf("o%d", i)
		env.srv.PutBytes(testBucket, key, []byte(key))
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: key, LocalPath: filepath.Join(env.dir, key)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		mustDone(t, e, id)
	}
	e.Move(ids[5], -5) // 5 0 1 2 3 4
	e.Move(ids[1], 2)  // 5 0 2 3 1 4
	e.Remove(ids[3])   // 5 0 2 1 4
	want := []ID{ids[5], ids[0], ids[2], ids[1], ids[4]}
	check := func(e *Engine, when string) {
		t.Helper()
		w := e.Window(WindowRequest{Offset: 1, Limit: 3})
		if w.JobsTotal != 5 || len(w.Jobs) != 3 {
			t.Fatalf("%s: %d of %d jobs", when, len(w.Jobs), w.JobsTotal)
		}
		for i, js := range w.Jobs {
			if js.ID != want[i+1] {
				t.Errorf("%s: row %d is %s, want %s", when, i+1, js.Key, want[i+1])
			}
		}
	}
	check(e, "before restart")
	checkTotals(t, e)
	if tt := e.Window(WindowRequest{}).Totals; tt.Done != 5 || tt.Running+tt.Queued+tt.Paused+tt.Failed != 0 {
		t.Errorf("totals %+v, want 5 done", tt)
	}
	e.Close()
	e2 := env.open(opts)
	check(e2, "after restart")
	checkTotals(t, e2)
}

// TestFolderUploadResumesItsWalk: an upload job stopped midway goes on
// from the last file its walk recorded; no file is sent twice except those
// in flight at the stop, and every object ends identical.
func TestFolderUploadResumesItsWalk(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "crash/restart test")
	const count = 250
	env := newTestEnv(t)
	src := filepath.Join(env.dir, "src")
	for i := range count {
		p := filepath.Join(src, fmt.Sprintf("d%d", i%5), fmt.Sprintf("f%04d.txt", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(fmt.Sprintf("file %d", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env.srv.SetFaults(ossemu.Faults{Latency: time.Millisecond})
	opts := env.testOptions()
	opts.FileParallel = 8
	opts.walkBatch = 50 // five recorded batches (1,000 a batch outside tests)
	opts.listLookahead = 50
	e1 := env.open(opts)
	id, err := e1.AddTree(Spec{Direction: Upload, Bucket: testBucket, Key: "up/", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; jobOf(t, e1, id).Items.Done < 65; i++ {
		if i > 3000 {
			t.Fatalf("only %+v after 30 s", jobOf(t, e1, id).Items)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if js := jobOf(t, e1, id); !js.Listing {
		t.Fatalf("the walk had ended at the stop (%+v); the test needs a stop mid-walk", js.Items)
	}
	e1.Close()
	env.quiesce()
	puts1 := env.srv.Stats().Requests["PutObject"]
	e2 := env.open(opts)
	mustDone(t, e2, id)
	if js := jobOf(t, e2, id); js.Items.Done != count || js.Items.Total != count {
		t.Fatalf("after resume: %+v", js.Items)
	}
	if puts := env.srv.Stats().Requests["PutObject"]; puts > count+int64(opts.FileParallel) {
		t.Errorf("%d PutObjects (%d before the stop) for %d files: more than the files in flight sent twice", puts, puts1, count)
	}
	for i := 0; i < count; i += 15 {
		key := fmt.Sprintf("up/d%d/f%04d.txt", i%5, i)
		if got := env.srv.Object(key); string(got) != fmt.Sprintf("file %d", i) {
			t.Errorf("%s: %q", key, got)
		}
	}
}

// TestCanceledFolderJobLeavesNothing: cancel takes a running folder job's
// temp files, checkpoints and multipart uploads with it.
func TestCanceledFolderJobLeavesNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for i := range 4 {
		env.srv.PutGenerated(testBucket, fmt.Sprintf("big/%d.bin", i), 2<<20, int64(i), "")
		env.srv.PutGenerated(testBucket, fmt.Sprintf("big/small%d", i), 100<<10, int64(i), "")
	}
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	opts := env.testOptions()
	e := env.open(opts)
	root := filepath.Join(env.dir, "out")
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "big/", LocalPath: root})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, id, 1<<20)
	if err := e.Cancel(id); err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, id); ts.State != StateCanceled {
		t.Fatalf("state %s, want canceled", ts.State)
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && looksLikeTempName(d.Name()) {
			t.Errorf("temp file left: %s", p)
		}
		return nil
	})
	cps, _ := filepath.Glob(filepath.Join(opts.StateDir, "checkpoints", "*.cp"))
	if len(cps) != 0 {
		t.Errorf("checkpoints left: %v", cps)
	}
}

// listRecorder is the real store, noting the page size each listing asks.
type listRecorder struct {
	*ossStore
	mu    sync.Mutex
	asked []int
}

func (r *listRecorder) ListObjects(ctx context.Context, bucket, prefix, delimiter, token string, max int) (Page, error) {
	r.mu.Lock()
	r.asked = append(r.asked, max)
	r.mu.Unlock()
	return r.ossStore.ListObjects(ctx, bucket, prefix, delimiter, token, max)
}

// TestFolderJobAsksForFullListingPages: a folder job asks for OSS's largest
// page (ossname.MaxListPage) every time; a server answering with smaller
// pages (here 2 keys) changes how many it takes, not what it asks.
func TestFolderJobAsksForFullListingPages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, ossemutest.WithConfig(func(c *ossemu.Config) { c.ListPageSize = 2 }))
	for i := range 5 {
		if err := env.srv.PutBytes(testBucket, fmt.Sprintf("p/%d", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	rec := &listRecorder{ossStore: env.store.(*ossStore)}
	env.store = rec
	e := env.open(env.testOptions())
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "p/", LocalPath: filepath.Join(env.dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, id); ts.State != StateDone {
		t.Fatalf("folder job: %s %q", ts.State, ts.Err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := fmt.Sprint([]int{ossname.MaxListPage, ossname.MaxListPage, ossname.MaxListPage})
	if got := fmt.Sprint(rec.asked); got != want {
		t.Fatalf("listing pages asked for %s keys, want %s (5 keys in pages of 2)", got, want)
	}
}
