package transfer

import (
	"fmt"
	"ossq/internal/ossemu"
	"path/filepath"
	"testing"
	"time"
)

// TestPlanJobsRunAtOnceAndStayOutOfTheQueue: a dry-run tree in a queue is a
// prompt's preview. It starts though every MaxActive slot is taken, no jobs
// window or total shows it, WindowRequest.Plans reads its figures, Remove
// drops it once ended, and a plan left behind is gone after a reopen.
func TestPlanJobsRunAtOnceAndStayOutOfTheQueue(t *testing.T) {
	env := newTestEnv(t)
	for i := range 6 {
		env.srv.PutBytes(testBucket, fmt.Sprintf("plan/f%d.txt", i), []byte(fmt.Sprintf("file %d", i)))
	}
	env.srv.PutBytes(testBucket, "slow.bin", randomData(1<<20, 3))
	opts := env.testOptions()
	opts.MaxActive = 1
	e := env.open(opts)
	// The one slot: a download held to 1 KiB/s (about 17 minutes), canceled below.
	e.SetBandwidthLimit(1 << 10)
	slow, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "slow.bin", LocalPath: filepath.Join(env.dir, "slow.bin")})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, slow, 1)

	spec := Spec{Direction: Download, Bucket: testBucket, Key: "plan/", LocalPath: filepath.Join(env.dir, "plan"), DryRun: true,
		Filter: nil, Compare: CompareUpdate}
	plan, err := e.AddTree(spec)
	if err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, plan); ts.State != StateDone {
		t.Fatalf("plan: %s %q", ts.State, ts.Err)
	}
	w := e.Window(WindowRequest{Limit: 100, Plans: []ID{plan, "no-such-job"}})
	for _, j := range w.Jobs {
		if j.ID == plan {
			t.Fatal("a jobs window lists the plan")
		}
	}
	if w.JobsTotal != 1 || w.Totals.Running != 1 || w.Totals.Done != 0 {
		t.Errorf("jobs %d, totals %+v: want the slow job alone", w.JobsTotal, w.Totals)
	}
	checkTotals(t, e)
	if len(w.Plans) != 1 || w.Plans[0].Items.Done != 6 || w.Plans[0].Size != int64(len("file 0"))*6 || w.Plans[0].Listing {
		t.Fatalf("plans %+v", w.Plans)
	}
	if err := e.Remove(plan); err != nil {
		t.Fatal(err)
	}
	if w := e.Window(WindowRequest{Plans: []ID{plan}}); len(w.Plans) != 0 {
		t.Fatal("removed plan still read")
	}
	if ls := treeItems(t, e, plan, ""); len(ls) != 0 {
		t.Fatalf("removed plan's items: %d", len(ls))
	}

	left, err := e.AddTree(spec)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, left)
	if err := e.Cancel(slow); err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, slow)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	again := env.open(opts)
	if w := again.Window(WindowRequest{Plans: []ID{left}}); len(w.Plans) != 0 || w.JobsTotal != 1 {
		t.Fatalf("after reopen: plans %d, jobs %d (want the canceled job only)", len(w.Plans), w.JobsTotal)
	}
}

// TestPlanTakesNothingFromARealJob: a plan that has not ended (paused here,
// mid-listing) neither makes the real job of the same folder busy nor takes
// its files: the real job moves every item.
func TestPlanTakesNothingFromARealJob(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for i := range 6 {
		env.srv.PutBytes(testBucket, fmt.Sprintf("plan/f%d.txt", i), []byte(fmt.Sprintf("file %d", i)))
	}
	e := env.open(env.testOptions())
	spec := Spec{Direction: Download, Bucket: testBucket, Key: "plan/", LocalPath: filepath.Join(env.dir, "plan"), DryRun: true,
		Compare: CompareUpdate}
	// The listing takes a second, so the pause lands while the plan lists.
	env.srv.SetFaults(ossemu.Faults{Latency: time.Second})
	plan, err := e.AddTree(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Pause(plan); err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, plan); ts.State != StatePaused {
		t.Fatalf("plan %s, want paused (the test needs it unfinished)", ts.State)
	}
	env.srv.SetFaults(ossemu.Faults{})

	spec.DryRun = false
	real, err := e.AddTree(spec)
	if err != nil {
		t.Fatalf("the real job beside a plan: %v", err)
	}
	mustDone(t, e, real)
	if js := jobOf(t, e, real); js.Items.Done != 6 || js.Items.Skipped != 0 {
		t.Fatalf("real job beside a plan: %+v", js.Items)
	}
	for i := range 6 {
		assertFile(t, filepath.Join(env.dir, "plan", fmt.Sprintf("f%d.txt", i)), []byte(fmt.Sprintf("file %d", i)))
	}
}
