package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/transfer"
)

// planEnv is a real engine (with a queue) over the embedded server, for the
// plan prompts' model tests.
type planEnv struct {
	t     *testing.T
	srv   *ossemu.Server
	store transfer.Store
	eng   *transfer.Engine
	dl    string // the download folder
}

func newPlanEnv(t *testing.T) *planEnv {
	t.Helper()
	srv, err := ossemu.New(ossemu.Config{Root: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	endpoint, err := srv.Start("127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.CreateBucket("plan"); err != nil {
		t.Fatal(err)
	}
	for key, size := range map[string]int{"photos/a.jpg": 10, "photos/b.jpg": 20, "photos/c.jpg": 30, "photos/sub/e.jpg": 40,
		"photos/d.tmp": 5, "photos/old.jpg": 50} {
		if err := srv.PutBytes("plan", key, []byte(strings.Repeat("x", size))); err != nil {
			t.Fatal(err)
		}
	}
	store, err := transfer.NewOSSStore(transfer.ClientOptions{Endpoint: endpoint, Region: "cn-hangzhou", Anonymous: true,
		ConnectTimeout: 2 * time.Second, ReadTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := transfer.Open(store, transfer.Options{StateDir: filepath.Join(t.TempDir(), "state"), MaxActive: 2, Retries: 2,
		RetryDelay: 5 * time.Millisecond, OnExists: transfer.ExistsAsk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	p := &planEnv{t: t, srv: srv, store: store, eng: eng, dl: t.TempDir()}
	// photos/old.jpg is already there, same size and newer: unchanged.
	old := filepath.Join(p.dl, "photos", "old.jpg")
	os.MkdirAll(filepath.Dir(old), 0o755)
	os.WriteFile(old, []byte(strings.Repeat("x", 50)), 0o644)
	later := time.Now().Add(time.Hour)
	os.Chtimes(old, later, later)
	return p
}

// quietEngine is the real engine without its event channel: the harness
// runs each command to its end, and a wait for the next event never ends.
// These tests read the engine through windows, as the tick does.
type quietEngine struct{ *transfer.Engine }

func (quietEngine) Events() <-chan transfer.Event { return nil }

func (p *planEnv) harness(opts Options) *harness {
	p.t.Helper()
	opts.DownloadDir = p.dl
	h := newHarness(p.t, nil, Deps{Engine: quietEngine{p.eng}, Catalog: StoreCatalog(p.store), StartBucket: "plan", Options: opts}, 100, 30)
	for range 10 {
		if e := h.m.browser.current(); e != nil && e.key == "photos/" {
			return h
		}
		h.press("down")
	}
	p.t.Fatalf("photos/ not in the browser: %+v", h.m.browser.entries)
	return nil
}

// waitPlans waits for the prompt's plan jobs to end, then reads them as the
// tick would.
func (p *planEnv) waitPlans(h *harness) []transfer.ID {
	p.t.Helper()
	f := h.m.planFor()
	if f == nil || len(f.ids) == 0 {
		p.t.Fatalf("no plan: prompt %+v", h.m.prompt)
	}
	ids := f.ids
	for _, id := range ids {
		p.wait(id)
	}
	h.run(h.m.fetch())
	return ids
}

func (p *planEnv) wait(id transfer.ID) transfer.TransferSnapshot {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ts, err := p.eng.Wait(ctx, id)
	if err != nil {
		p.t.Fatalf("wait %s: %v", id, err)
	}
	return ts
}

func (p *planEnv) planGone(id transfer.ID) bool {
	_, found := p.eng.Get(id)
	return !found && len(p.eng.Window(transfer.WindowRequest{Plans: []transfer.ID{id}}).Plans) == 0
}

// TestDownloadPlanCountsWhatTheRealRunDoes: the download prompt of a
// folder shows the plan of the config's filter and compare mode; enter
// removes the plan job and queues the real one, which does exactly what
// the plan said, and its row keeps the counts.
func TestDownloadPlanCountsWhatTheRealRunDoes(t *testing.T) {
	p := newPlanEnv(t)
	h := p.harness(Options{Filters: "--exclude *.tmp", Compare: "update"})
	h.press("d")
	ids := p.waitPlans(h)
	const want = "plan: 4 files · 100 B · 1 unchanged skipped · 1 filtered"
	if v := h.view(); !strings.Contains(v, want) {
		t.Fatalf("plan line missing %q:\n%s", want, v)
	}
	if w := p.eng.Window(transfer.WindowRequest{Limit: 10}); w.JobsTotal != 0 || w.Totals.Running+w.Totals.Done != 0 {
		t.Fatalf("the plan shows as queued work: %+v", w)
	}
	h.press("enter")
	if !p.planGone(ids[0]) {
		t.Fatal("enter left the plan job")
	}
	w := p.eng.Window(transfer.WindowRequest{Limit: 10})
	if len(w.Jobs) != 1 {
		t.Fatalf("queued %d jobs", len(w.Jobs))
	}
	real := p.wait(w.Jobs[0].ID)
	js := p.eng.Window(transfer.WindowRequest{Limit: 10}).Jobs[0]
	if real.State != transfer.StateDone || js.Items.Done != 4 || js.Items.Unchanged != 1 || js.Items.Filtered != 1 || js.Size != 100 || js.Done != 100 {
		t.Fatalf("real run: %s %q, items %+v, %d/%d bytes", real.State, real.Err, js.Items, js.Done, js.Size)
	}
	if _, err := os.Stat(filepath.Join(p.dl, "photos", "d.tmp")); !os.IsNotExist(err) {
		t.Fatalf("the filtered object was downloaded: %v", err)
	}
	h.run(h.m.fetch())
	h.press("tab")
	if v := h.view(); !strings.Contains(v, "files 4/4 · 1 unchanged · 1 filtered") {
		t.Fatalf("the job row lost the counts:\n%s", v)
	}
}

// TestUploadPlanCountsWhatTheRealRunDoes: the upload prompt of a local
// folder plans with the filter typed into it.
func TestUploadPlanCountsWhatTheRealRunDoes(t *testing.T) {
	p := newPlanEnv(t)
	local := filepath.Join(p.dl, "photos")
	hourAgo := time.Now().Add(-time.Hour)
	for name, size := range map[string]int{"a.jpg": 10, "b.jpg": 20, "big.bin": 100} {
		os.WriteFile(filepath.Join(local, name), []byte(strings.Repeat("y", size)), 0o644)
		os.Chtimes(filepath.Join(local, name), hourAgo, hourAgo)
	}
	// b.jpg is at its destination already, as large and newer: unchanged.
	if err := p.srv.PutBytes("plan", "photos/photos/b.jpg", []byte(strings.Repeat("y", 20))); err != nil {
		t.Fatal(err)
	}
	h := p.harness(Options{})
	h.press("enter") // into photos/
	h.press("u")
	for range 10 {
		if e := h.m.picker.current(); e != nil && e.name == "photos" {
			break
		}
		h.press("down")
	}
	h.press(" ", "U")
	if h.m.prompt == nil || h.m.prompt.kind != promptUploadPlan {
		t.Fatalf("U on a folder: prompt %+v", h.m.prompt)
	}
	h.typeText("--max-size 30")
	h.press("tab", "right") // compare: update
	ids := p.waitPlans(h)
	// a.jpg moves, b.jpg is unchanged, big.bin and old.jpg are too big.
	const want = "plan: 1 file · 10 B · 1 unchanged skipped · 2 filtered"
	if v := h.view(); !strings.Contains(v, want) {
		t.Fatalf("plan line missing %q:\n%s", want, v)
	}
	h.press("enter")
	if !p.planGone(ids[0]) {
		t.Fatal("enter left the plan job")
	}
	w := p.eng.Window(transfer.WindowRequest{Limit: 10})
	if len(w.Jobs) != 1 {
		t.Fatalf("queued %d jobs", len(w.Jobs))
	}
	p.wait(w.Jobs[0].ID)
	js := p.eng.Window(transfer.WindowRequest{Limit: 10}).Jobs[0]
	if js.State != transfer.StateDone || js.Items.Done != 1 || js.Items.Unchanged != 1 || js.Items.Filtered != 2 || js.Done != 10 {
		t.Fatalf("real run: %s %q, items %+v, %d bytes", js.State, js.Err, js.Items, js.Done)
	}
}

// TestPlanFilterErrorIsShownAndEscRemovesThePlan: a filter line that does
// not read is said inline, plans nothing and cannot be queued; esc closes
// the prompt and removes the plan job.
func TestPlanFilterErrorIsShownAndEscRemovesThePlan(t *testing.T) {
	p := newPlanEnv(t)
	h := p.harness(Options{})
	h.press("d")
	first := p.waitPlans(h)
	h.press("tab")
	h.typeText("--min-size lots")
	if v := h.view(); !strings.Contains(v, `filter: --min-size: size "lots"`) {
		t.Fatalf("no inline filter error:\n%s", v)
	}
	if f := h.m.planFor(); f == nil || len(f.ids) != 0 || !p.planGone(first[0]) {
		t.Fatal("a filter that does not read kept a plan")
	}
	h.press("enter")
	if h.m.prompt == nil || !strings.Contains(h.view(), "fix the filter line first") {
		t.Fatalf("enter queued with a bad filter:\n%s", h.view())
	}
	for range len("lots") {
		h.press("backspace")
	}
	h.typeText("1")
	ids := p.waitPlans(h)
	if v := h.view(); !strings.Contains(v, "plan: 5 files · 105 B · 1 skipped") || strings.Contains(v, "filter:") {
		t.Fatalf("after fixing the filter:\n%s", v)
	}
	h.press("esc")
	if h.m.prompt != nil || !p.planGone(ids[0]) {
		t.Fatal("esc left the prompt or its plan job")
	}
	if w := p.eng.Window(transfer.WindowRequest{Limit: 10}); w.JobsTotal != 0 {
		t.Fatalf("esc queued something: %+v", w.Jobs)
	}
}

// TestQuitFromAPlanPromptRemovesThePlanAndDoesNotAsk: ctrl+c in a plan
// prompt removes its plan job first, so the quit check finds nothing
// running and quits without asking.
func TestQuitFromAPlanPromptRemovesThePlanAndDoesNotAsk(t *testing.T) {
	p := newPlanEnv(t)
	h := p.harness(Options{Compare: "checksum"})
	h.press("d")
	ids := p.waitPlans(h)
	h.press("ctrl+c")
	if !h.m.quitting || h.m.prompt != nil {
		t.Fatalf("ctrl+c: quitting %v, prompt %+v", h.m.quitting, h.m.prompt)
	}
	if !p.planGone(ids[0]) {
		t.Fatal("quitting left the plan job")
	}
}
