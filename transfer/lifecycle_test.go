package transfer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
)

func TestSecondEngineOnStateDirIsRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	e1 := env.open(opts)
	_, err := Open(env.store, opts)
	if !errors.Is(err, ErrStateLocked) {
		t.Fatalf("second Open: %v, want ErrStateLocked", err)
	}
	if !strings.Contains(err.Error(), opts.StateDir) {
		t.Errorf("error does not name the state dir: %v", err)
	}
	// The headless mode runs beside the owner.
	eph := opts
	eph.Ephemeral = true
	e3, err := Open(env.store, eph)
	if err != nil {
		t.Fatalf("ephemeral Open beside the owner: %v", err)
	}
	e3.Close()
	e1.Close()
	e4, err := Open(env.store, opts)
	if err != nil {
		t.Fatalf("Open after the owner closed: %v", err)
	}
	e4.Close()
}

func TestTwoTransfersToOneDestinationAreRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "a", 2<<20, 1, "")
	env.srv.PutGenerated(testBucket, "b", 2<<20, 2, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	opts := env.testOptions()
	e := env.open(opts)
	dest := filepath.Join(env.dir, "same")
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "a", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "b", LocalPath: dest}); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Add in one engine: %v, want ErrBusy", err)
	}
	waitProgress(t, e, id, 100<<10)
	// Another process (here: a headless engine sharing the checkpoint dir).
	other := opts
	other.Ephemeral = true
	e2, err := Open(env.store, other)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if _, err := e2.Add(Spec{Direction: Download, Bucket: testBucket, Key: "a", LocalPath: dest}); !errors.Is(err, ErrBusy) {
		t.Fatalf("Add in a second engine: %v, want ErrBusy", err)
	}
	env.srv.SetFaults(ossemu.Faults{})
	mustDone(t, e, id)
	// Once the first is done the destination is free again.
	id2, err := e2.Add(Spec{Direction: Download, Bucket: testBucket, Key: "b", LocalPath: dest})
	if err != nil {
		t.Fatalf("Add after the first finished: %v", err)
	}
	mustDone(t, e2, id2)
	assertGenerated(t, dest, 2<<20, 2)
}

func TestOnExistsPolicies(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "k.txt", []byte("new"))
	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "k.txt")
	os.WriteFile(dest, []byte("old"), 0o644)
	if _, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "k.txt", LocalPath: dest, OnExists: ExistsAsk}); !errors.Is(err, ErrDestinationExists) {
		t.Fatalf("ask: %v", err)
	}
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "k.txt", LocalPath: dest, OnExists: ExistsSkip})
	if ts := waitFor(t, e, id); ts.State != StateDone || !strings.Contains(ts.Notice, "skipped") {
		t.Fatalf("skip: %s %q", ts.State, ts.Notice)
	}
	assertFile(t, dest, []byte("old"))
	id, _ = e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "k.txt", LocalPath: dest, OnExists: ExistsRename})
	ts := mustDone(t, e, id)
	if filepath.Base(ts.LocalPath) != "k (1).txt" {
		t.Fatalf("rename: saved as %s", ts.LocalPath)
	}
	assertFile(t, ts.LocalPath, []byte("new"))
	assertFile(t, dest, []byte("old"))
	// Two renames queued together get two different free names.
	env.srv.PutBytes(testBucket, "big.bin", generated(1<<20, 3))
	big := filepath.Join(env.dir, "big.bin")
	os.WriteFile(big, []byte("old"), 0o644)
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 1 << 20})
	r1, err1 := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "big.bin", LocalPath: big, OnExists: ExistsRename})
	r2, err2 := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "big.bin", LocalPath: big, OnExists: ExistsRename})
	if err1 != nil || err2 != nil {
		t.Fatalf("two renames: %v, %v", err1, err2)
	}
	t1, t2 := mustDone(t, e, r1), mustDone(t, e, r2)
	if t1.LocalPath == t2.LocalPath {
		t.Fatalf("both renames chose %s", t1.LocalPath)
	}
	env.srv.SetFaults(ossemu.Faults{})
	id, _ = e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "k.txt", LocalPath: dest, OnExists: ExistsOverwrite})
	mustDone(t, e, id)
	assertFile(t, dest, []byte("new"))
}

func TestBadInputIsAnErrorNotAPanic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	e := env.open(env.testOptions())
	bad := []Spec{
		{},
		{Direction: "sideways", Bucket: testBucket, Key: "k", LocalPath: "x"},
		{Direction: Download, Key: "k", LocalPath: "x"},
		{Direction: Download, Bucket: testBucket, LocalPath: "x"},
		{Direction: Download, Bucket: testBucket, Key: "k"},
		{Direction: Download, Bucket: testBucket, Key: "k", LocalPath: "x", Parallel: -1},
		{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: filepath.Join(env.dir, "missing")},
		{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: env.dir},
	}
	for i, s := range bad {
		if _, err := e.Add(s); err == nil {
			t.Errorf("spec %d accepted: %+v", i, s)
		}
	}
	for _, f := range []func() error{
		func() error { return e.Pause("nope") }, func() error { return e.Resume("nope") },
		func() error { return e.Cancel("nope") }, func() error { return e.Retry("nope") },
		func() error { return e.Remove("nope") }, func() error { return e.Move("nope", 1) },
		func() error { return e.SetParallel("nope", 2) },
	} {
		if err := f(); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown ID: %v, want ErrNotFound", err)
		}
	}
	if _, err := Open(nil, env.testOptions()); err == nil {
		t.Error("Open without a store accepted")
	}
	if _, err := Open(env.store, Options{}); err == nil {
		t.Error("Open without any directory accepted")
	}
	if _, err := NewOSSStore(ClientOptions{}); err == nil {
		t.Error("store without endpoint accepted")
	}
	if _, err := NewOSSStore(ClientOptions{Endpoint: env.endpoint}); err == nil {
		t.Error("store without credentials accepted")
	}
	if _, err := NewOSSStore(ClientOptions{Endpoint: env.endpoint, Anonymous: true, SignatureVersion: "v3"}); err == nil {
		t.Error("unknown signature version accepted")
	}
	if _, err := e.AddTree(Spec{Direction: Upload, Bucket: testBucket, Key: "p/", LocalPath: filepath.Join(env.dir, "missing")}); err == nil {
		t.Error("AddTree of a missing folder accepted")
	}
}

// Queue control: MaxActive, order, Move, PauseAll/ResumeAll, SetParallel
// applying to a running transfer, Remove, and the lifecycle events.
func TestQueueControl(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for i, k := range []string{"a", "b", "c"} {
		env.srv.PutGenerated(testBucket, k, 2<<20, int64(i), "")
	}
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 128 << 10})
	opts := env.testOptions()
	opts.MaxActive = 1
	opts.Parallel = 1
	e := env.open(opts)
	var ids []ID
	for _, k := range []string{"a", "b", "c"} {
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: k, LocalPath: filepath.Join(env.dir, k)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	snap := e.Snapshot()
	if snap.Transfers[0].State != StateRunning || snap.Transfers[1].State != StateQueued || snap.Queued != 2 || snap.Active != 3 {
		t.Fatalf("with MaxActive 1: states %s %s %s, queued %d active %d", snap.Transfers[0].State, snap.Transfers[1].State, snap.Transfers[2].State, snap.Queued, snap.Active)
	}
	if err := e.Move(ids[2], -5); err != nil {
		t.Fatal(err)
	}
	if s := e.Snapshot(); s.Transfers[0].ID != ids[2] || s.Transfers[1].ID != ids[0] {
		t.Fatalf("Move to front: order %s %s %s", s.Transfers[0].Key, s.Transfers[1].Key, s.Transfers[2].Key)
	}
	// SetParallel on the running one: more parts become active.
	waitProgress(t, e, ids[0], 64<<10)
	if err := e.SetParallel(ids[0], 6); err != nil {
		t.Fatal(err)
	}
	sawMany := false
	for i := 0; i < 500 && !sawMany; i++ {
		ts, _ := e.Get(ids[0])
		active := 0
		for _, p := range ts.Parts {
			if p.State == PartActive {
				active++
			}
		}
		sawMany = active > 1
		time.Sleep(10 * time.Millisecond)
	}
	if !sawMany {
		t.Error("SetParallel(6) did not put more parts in flight")
	}
	e.PauseAll()
	for _, id := range ids {
		if ts := waitFor(t, e, id); ts.State != StatePaused {
			t.Fatalf("%s after PauseAll: %s", ts.Key, ts.State)
		}
	}
	if s := e.Snapshot(); s.Active != 0 {
		t.Fatalf("active %d after PauseAll", s.Active)
	}
	env.srv.SetFaults(ossemu.Faults{})
	e.SetBandwidthLimit(64 << 20)
	if s := e.Snapshot(); s.BandwidthLimit != 64<<20 {
		t.Errorf("bandwidth limit %d in snapshot", s.BandwidthLimit)
	}
	e.ResumeAll()
	for _, id := range ids {
		mustDone(t, e, id)
	}
	for i, k := range []string{"a", "b", "c"} {
		assertGenerated(t, filepath.Join(env.dir, k), 2<<20, int64(i))
	}
	if err := e.Pause(ids[0]); !errors.Is(err, ErrInvalidState) {
		t.Errorf("pause of a done transfer: %v", err)
	}
	if err := e.Remove(ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Get(ids[1]); ok {
		t.Error("removed transfer still listed")
	}
	e.Close()
	seen := map[EventKind]int{}
	for ev := range e.Events() {
		if ev.ID == ids[0] {
			seen[ev.Kind]++
		}
		if ev.Kind == EventRemoved && ev.ID != ids[1] {
			t.Errorf("removed event for %s", ev.ID)
		}
	}
	for _, k := range []EventKind{EventAdded, EventStarted, EventPaused, EventDone} {
		if seen[k] == 0 {
			t.Errorf("no %s event for the first transfer (saw %v)", k, seen)
		}
	}
}

// Events are never dropped, even when nobody reads until the end.
func TestEventsAreNotDroppedForASlowReader(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	e := env.open(env.testOptions())
	var ids []ID
	for i := 0; i < 30; i++ {
		key := fmt.Sprintf("many/%02d", i)
		env.srv.PutBytes(testBucket, key, []byte("x"))
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: key, LocalPath: filepath.Join(env.dir, "many", key)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		mustDone(t, e, id)
	}
	e.Close()
	done := 0
	for ev := range e.Events() {
		if ev.Kind == EventDone {
			done++
		}
	}
	if done != 30 {
		t.Errorf("%d done events, want 30", done)
	}
}

// A folder's small objects come with one GET each, no HEAD.
func TestTreeFetchesSmallObjectsWithoutHead(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for i := 0; i < 30; i++ {
		env.srv.PutBytes(testBucket, fmt.Sprintf("many/%02d", i), []byte("x"))
	}
	e := env.open(env.testOptions())
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "many/", LocalPath: filepath.Join(env.dir, "many")})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	if js := jobOf(t, e, id); js.Items.Done != 30 {
		t.Fatalf("items %+v, want 30 done", js.Items)
	}
	st := env.srv.Stats()
	if st.Requests["HeadObject"] != 0 || st.Requests["GetObject"] != 30 {
		t.Errorf("%d HEADs and %d GETs for 30 small listed objects; want 0 and 30", st.Requests["HeadObject"], st.Requests["GetObject"])
	}
}

func TestBandwidthLimitedTransferCompletes(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", 1<<20, 3, "")
	opts := env.testOptions()
	opts.BandwidthLimit = 4 << 20
	e := env.open(opts)
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: filepath.Join(env.dir, "obj")})
	e.SetBandwidthLimit(2 << 20) // changes while running
	mustDone(t, e, id)
	assertGenerated(t, filepath.Join(env.dir, "obj"), 1<<20, 3)
	e.SetBandwidthLimit(0)
	if e.Snapshot().BandwidthLimit != 0 {
		t.Error("limit not cleared")
	}
}

// Faults at a few percent — 5xx, resets, short stalls, truncations — and
// every transfer still ends byte-identical, with no multipart upload left.
func TestFaultInjectionEndsIdentical(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	opts.Retries = 10
	opts.MaxActive = 4
	const n = 4
	var downloads, uploads []ID
	var payloads [][]byte
	for i := 0; i < n; i++ {
		env.srv.PutGenerated(testBucket, "d/"+string(rune('a'+i)), int64(2<<20+i*1000), int64(i), "")
	}
	env.srv.SetFaults(ossemu.Faults{Seed: 99, FailRate: 0.04, ResetRate: 0.04, ResetAfter: 40 << 10,
		StallRate: 0.03, Stall: 150 * time.Millisecond, TruncateRate: 0.04})
	e := env.open(opts)
	for i := 0; i < n; i++ {
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "d/" + string(rune('a'+i)), LocalPath: filepath.Join(env.dir, "d", string(rune('a'+i)))})
		if err != nil {
			t.Fatal(err)
		}
		downloads = append(downloads, id)
		data := randomData(1<<20+i*777, uint64(i+100))
		p := filepath.Join(env.dir, "u"+string(rune('a'+i)))
		os.WriteFile(p, data, 0o644)
		payloads = append(payloads, data)
		id, err = e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "u/" + string(rune('a'+i)), LocalPath: p})
		if err != nil {
			t.Fatal(err)
		}
		uploads = append(uploads, id)
	}
	retries := 0
	for i, id := range downloads {
		retries += mustDone(t, e, id).Retries
		assertGenerated(t, filepath.Join(env.dir, "d", string(rune('a'+i))), int64(2<<20+i*1000), int64(i))
	}
	for _, id := range uploads {
		retries += mustDone(t, e, id).Retries
	}
	st := env.srv.Stats()
	env.srv.SetFaults(ossemu.Faults{})
	for i := range uploads {
		if got := env.srv.Object("u/" + string(rune('a'+i))); string(got) != string(payloads[i]) {
			t.Errorf("upload %d differs", i)
		}
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("multipart uploads left: %v", u)
	}
	if st.InjectedFailures+st.InjectedResets+st.InjectedTruncations == 0 {
		t.Fatalf("no faults were injected (%+v): the test proves nothing", st)
	}
	t.Logf("injected: %d failures, %d resets, %d stalls, %d truncations; engine retries %d",
		st.InjectedFailures, st.InjectedResets, st.InjectedStalls, st.InjectedTruncations, retries)
}

// copyTree copies a state directory as it is at this instant, as a crash
// (kill -9, power loss after sync) would leave it.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			return nil // renamed away while we walked
		}
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A crash leaves the queue file and checkpoints as they were at some
// instant; a new engine on that state resumes what was running, keeps what
// was paused paused, and the download ends byte-identical.
func TestResumeFromCrashState(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "crash/restart test")
	env := newTestEnv(t)
	const size = 3 << 20
	env.srv.PutGenerated(testBucket, "run", size, 31, "")
	env.srv.PutGenerated(testBucket, "held", 1<<20, 32, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
	opts := env.testOptions()
	e1 := env.open(opts)
	run, _ := e1.Add(Spec{Direction: Download, Bucket: testBucket, Key: "run", LocalPath: filepath.Join(env.dir, "run")})
	held, _ := e1.Add(Spec{Direction: Download, Bucket: testBucket, Key: "held", LocalPath: filepath.Join(env.dir, "held")})
	e1.Pause(held)
	waitFor(t, e1, held)
	waitProgress(t, e1, run, 1<<20)
	// Wait (bounded) until the queue file records both entries, as it would
	// well before a real crash.
	for i := 0; i < 300; i++ {
		recs, _ := e1.db.loadJobs()
		if len(recs) == 2 && slices.ContainsFunc(recs, func(r queueRecord) bool { return r.ID == held && r.State == StatePaused }) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	crashed := filepath.Join(env.dir, "crashed-state")
	copyTree(t, opts.StateDir, crashed)
	e1.Close()

	env.srv.SetFaults(ossemu.Faults{})
	opts2 := opts
	opts2.StateDir, opts2.CheckpointDir = crashed, ""
	e2 := env.open(opts2)
	ts := mustDone(t, e2, run)
	if strings.Contains(ts.Notice, "started over") {
		t.Errorf("resume from the crash state started over: %q", ts.Notice)
	}
	assertGenerated(t, filepath.Join(env.dir, "run"), size, 31)
	if h, ok := e2.Get(held); !ok || h.State != StatePaused {
		t.Errorf("paused transfer after restart: %+v", h.State)
	}
}

// Pause then Resume at once, before the transfer has wound down: it is
// queued again when it stops, and finishes.
func TestPauseThenImmediateResume(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "obj", 2<<20, 41, "")
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 512 << 10})
	e := env.open(env.testOptions())
	dest := filepath.Join(env.dir, "obj")
	id, _ := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: dest})
	waitProgress(t, e, id, 200<<10)
	for i := 0; i < 3; i++ {
		if err := e.Pause(id); err != nil {
			t.Fatal(err)
		}
		if err := e.Resume(id); err != nil {
			t.Fatalf("resume right after pause: %v", err)
		}
	}
	env.srv.SetFaults(ossemu.Faults{})
	mustDone(t, e, id)
	assertGenerated(t, dest, 2<<20, 41)
}

// TestOverlappingTreeJobsAreRefused: the same prefix into the same folder
// twice is refused as a whole; a job whose items land on files another
// unfinished job writes is refused item by item, each with the reason.
func TestOverlappingTreeJobsAreRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for i := 0; i < 5; i++ {
		if err := env.srv.PutBytes(testBucket, fmt.Sprintf("tree/f%d.txt", i), randomData(64<<10, uint64(i))); err != nil {
			t.Fatal(err)
		}
	}
	env.srv.PutBytes(testBucket, "other.txt", []byte("not in the first job"))
	e := env.open(env.testOptions())
	// Object bodies stall (listings do not), so the first job stays
	// unfinished until the test lets it go: a pause ends the stalled GETs.
	env.srv.SetFaults(ossemu.Faults{StallRate: 1, Stall: time.Minute})
	root := filepath.Join(env.dir, "out")
	first, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "tree/", LocalPath: filepath.Join(root, "tree")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "tree/", LocalPath: filepath.Join(root, "tree")}); !errors.Is(err, ErrBusy) {
		t.Fatalf("same tree again: %v, want ErrBusy", err)
	}
	for i := 0; jobOf(t, e, first).Items.Total < 5; i++ {
		if i > 500 {
			t.Fatal("the first job never listed its 5 objects")
		}
		time.Sleep(10 * time.Millisecond)
	}
	whole, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "", LocalPath: root})
	if err != nil {
		t.Fatal(err)
	}
	// The whole-bucket job skips the first job's files while that job
	// still runs: wait for it before letting the first job finish.
	for i := 0; jobOf(t, e, whole).Items.Skipped < 5; i++ {
		if i > 3000 {
			t.Fatalf("whole-bucket job after 30 s: %+v, want the first job's 5 files skipped", jobOf(t, e, whole).Items)
		}
		time.Sleep(10 * time.Millisecond)
	}
	env.srv.SetFaults(ossemu.Faults{})
	for _, id := range []ID{first, whole} {
		// A job whose GETs went out after the faults were lifted may be
		// done already: it needs no release.
		if err := e.Pause(id); err != nil {
			if js := jobOf(t, e, id); js.State != StateDone {
				t.Fatalf("pause: %v (state %s)", err, js.State)
			}
			continue
		}
		waitFor(t, e, id)
		if err := e.Resume(id); err != nil {
			t.Fatal(err)
		}
	}
	mustDone(t, e, first)
	if ts := waitFor(t, e, whole); ts.State != StateDone {
		t.Fatalf("whole bucket: %s %q", ts.State, ts.Err)
	}
	skipped := reasonsOf(treeItems(t, e, whole, ItemSkipped))
	if len(skipped) != 5 {
		t.Fatalf("skipped %v, want the 5 files of the first job", skipped)
	}
	for k, r := range skipped {
		if !strings.Contains(r, "another job ("+string(first)+") already writes this file") {
			t.Errorf("%s skipped for %q", k, r)
		}
	}
	assertFile(t, filepath.Join(root, "other.txt"), []byte("not in the first job"))
}
