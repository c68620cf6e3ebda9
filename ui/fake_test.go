package ui

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/transfer"
)

// fakeEngine is an EngineAPI over a fixed Snapshot of single jobs plus
// tree jobs whose items are computed on demand (a 1,000,000-item tree costs
// nothing until a window asks for some), and records every call. Only the
// UI is under test with it; the flow test uses the real engine.
type fakeEngine struct {
	mu sync.Mutex
	// refuseExisting makes Add answer like the engine with policy ask when
	// the destination exists.
	refuseExisting bool
	snap           transfer.Snapshot
	trees          []*fakeTree
	store          *fakeStore
	calls          []string
	added          []transfer.Spec
	treeSpecs      []transfer.Spec
	planSpecs      []transfer.Spec
	bandwidth      int64
	windows        []transfer.WindowRequest
}

func newFakeEngine() *fakeEngine { return &fakeEngine{store: newFakeStore()} }

func (f *fakeEngine) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeEngine) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeEngine) setSnapshot(s transfer.Snapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = s
}

// addTreeJob adds a tree job after the single jobs.
func (f *fakeEngine) addTreeJob(t *fakeTree) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trees = append(f.trees, t)
	f.snap.Version++
}

// fakeTree is a tree job of n items laid out by state: done first, then
// active, failed, skipped, the rest pending.
type fakeTree struct {
	job                                 transfer.JobSnapshot
	done, active, failed, skipped, size int64
}

func (t *fakeTree) snapshot() transfer.JobSnapshot {
	j := t.job
	j.Tree = true
	n := j.Items.Total
	j.Items.Done, j.Items.Active, j.Items.Failed, j.Items.Skipped = t.done, t.active, t.failed, t.skipped
	j.Items.Pending = n - t.done - t.active - t.failed - t.skipped
	if j.FileParallel == 0 {
		j.FileParallel = 4
	}
	return j
}

// stateOf is the state of 0-based item k, and where its state's block starts.
func (t *fakeTree) blocks() []struct {
	state      transfer.ItemState
	start, len int64
} {
	n := t.job.Items.Total
	out := []struct {
		state      transfer.ItemState
		start, len int64
	}{
		{transfer.ItemDone, 0, t.done},
		{transfer.ItemActive, t.done, t.active},
		{transfer.ItemFailed, t.done + t.active, t.failed},
		{transfer.ItemSkipped, t.done + t.active + t.failed, t.skipped},
	}
	rest := t.done + t.active + t.failed + t.skipped
	return append(out, struct {
		state      transfer.ItemState
		start, len int64
	}{transfer.ItemPending, rest, n - rest})
}

func (t *fakeTree) item(k int64, st transfer.ItemState, detail uint64) transfer.ItemSnapshot {
	size := t.size
	if size == 0 {
		size = 1024 * (k%100 + 1)
	}
	x := transfer.ItemSnapshot{Job: t.job.ID, Seq: uint64(k + 1), Key: fmt.Sprintf("%sfile-%07d.log", t.job.Key, k+1),
		LocalPath: fmt.Sprintf("%s/file-%07d.log", t.job.LocalPath, k+1), Size: size, State: st}
	switch st {
	case transfer.ItemDone:
		x.Done = size
	case transfer.ItemActive:
		x.Done = size / 2
	case transfer.ItemFailed:
		x.Reason = "InternalError: We encountered an internal error. Please try again."
		x.ErrInfo = &transfer.ErrorInfo{Op: "GetObject", Code: "InternalError", Message: "We encountered an internal error. Please try again.",
			RequestID: "5F1D2C3B4A59687766554433", HostID: "bench.oss-cn-hangzhou.aliyuncs.com", Status: 500}
	case transfer.ItemSkipped:
		x.Reason = "exists (on_exists = skip)"
	}
	if detail == x.Seq {
		for p := range 4 {
			part := transfer.PartSnapshot{Number: p + 1, Offset: int64(p) * size / 4, Size: size / 4, State: transfer.PartPending}
			if st == transfer.ItemDone || p < 2 {
				part.State, part.Done = transfer.PartDone, part.Size
			}
			x.Parts = append(x.Parts, part)
		}
	}
	return x
}

// items answers an ItemsRequest in O(limit).
func (t *fakeTree) items(r *transfer.ItemsRequest) ([]transfer.ItemSnapshot, int64) {
	var out []transfer.ItemSnapshot
	if r.State == "" {
		n := t.job.Items.Total
		for k := int64(r.Offset); k < n && len(out) < r.Limit; k++ {
			st := transfer.ItemPending
			for _, b := range t.blocks() {
				if k >= b.start && k < b.start+b.len {
					st = b.state
				}
			}
			out = append(out, t.item(k, st, r.Detail))
		}
		return out, n
	}
	for _, b := range t.blocks() {
		if b.state != r.State {
			continue
		}
		for k := int64(r.Offset); k < b.len && len(out) < r.Limit; k++ {
			out = append(out, t.item(b.start+k, b.state, r.Detail))
		}
		return out, b.len
	}
	return nil, 0
}

func (f *fakeEngine) Window(req transfer.WindowRequest) transfer.Window {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.windows = append(f.windows, req)
	if req.Limit <= 0 {
		req.Limit = 100
	}
	w := transfer.Window{Version: f.snap.Version, BandwidthLimit: f.snap.BandwidthLimit, Totals: transfer.Totals{Speed: f.snap.Speed}}
	var all []transfer.JobSnapshot
	for _, t := range f.snap.Transfers {
		all = append(all, transfer.JobSnapshot{TransferSnapshot: t, FileParallel: 1})
	}
	for _, t := range f.trees {
		all = append(all, t.snapshot())
	}
	for i := range all {
		j := &all[i]
		switch j.State {
		case transfer.StateRunning, transfer.StateRetrying, transfer.StateVerifying:
			w.Totals.Running++
		case transfer.StateQueued:
			w.Totals.Queued++
		case transfer.StatePaused:
			w.Totals.Paused++
		case transfer.StateFailed:
			w.Totals.Failed++
		case transfer.StateDone:
			w.Totals.Done++
		case transfer.StateCanceled:
			w.Totals.Canceled++
		}
		if !fakeMatches(j, req.Filter) {
			continue
		}
		if w.JobsTotal >= req.Offset && len(w.Jobs) < req.Limit {
			if !slices.Contains(req.PartsFor, j.ID) {
				j.Parts = nil
			}
			w.Jobs = append(w.Jobs, *j)
		}
		w.JobsTotal++
	}
	if req.Items != nil {
		for _, t := range f.trees {
			if t.job.ID == req.Items.Job {
				w.Items, w.ItemsTotal = t.items(req.Items)
			}
		}
	}
	return w
}

func fakeMatches(j *transfer.JobSnapshot, f transfer.JobFilter) bool {
	switch f {
	case transfer.FilterActive:
		return j.State.Active()
	case transfer.FilterPaused:
		return j.State == transfer.StatePaused
	case transfer.FilterFailed:
		return j.State == transfer.StateFailed || j.Items.Failed > 0
	case transfer.FilterDone:
		return j.State == transfer.StateDone
	case transfer.FilterSkipped:
		return j.Items.Skipped > 0
	}
	return true
}

func (f *fakeEngine) Events() <-chan transfer.Event { return nil }

func (f *fakeEngine) Add(spec transfer.Spec) (transfer.ID, error) {
	if f.refuseExisting && spec.OnExists == transfer.ExistsAsk {
		if _, err := os.Stat(spec.LocalPath); err == nil {
			f.record("refused %s", spec.Key)
			return "", fmt.Errorf("%w: %s", transfer.ErrDestinationExists, spec.LocalPath)
		}
	}
	f.mu.Lock()
	f.added = append(f.added, spec)
	n := len(f.added)
	f.mu.Unlock()
	f.record("add %s %s/%s %s %s", spec.Direction, spec.Bucket, spec.Key, spec.LocalPath, spec.OnExists)
	return transfer.ID(fmt.Sprintf("t%d", n)), nil
}

func (f *fakeEngine) AddTree(spec transfer.Spec) (transfer.ID, error) {
	f.mu.Lock()
	if spec.DryRun { // a prompt's plan, kept apart from what is queued
		f.planSpecs = append(f.planSpecs, spec)
	} else {
		f.treeSpecs = append(f.treeSpecs, spec)
	}
	f.mu.Unlock()
	f.record("addtree %s %s/%s %s %s", spec.Direction, spec.Bucket, spec.Key, spec.LocalPath, spec.OnExists)
	return "tree1", nil
}

func (f *fakeEngine) Pause(id transfer.ID) error  { f.record("pause %s", id); return nil }
func (f *fakeEngine) Resume(id transfer.ID) error { f.record("resume %s", id); return nil }
func (f *fakeEngine) PauseAll()                   { f.record("pauseall") }
func (f *fakeEngine) ResumeAll()                  { f.record("resumeall") }
func (f *fakeEngine) Cancel(id transfer.ID) error { f.record("cancel %s", id); return nil }
func (f *fakeEngine) Retry(id transfer.ID) error  { f.record("retry %s", id); return nil }
func (f *fakeEngine) Remove(id transfer.ID) error { f.record("remove %s", id); return nil }
func (f *fakeEngine) Move(id transfer.ID, delta int) error {
	f.record("move %s %d", id, delta)
	return nil
}
func (f *fakeEngine) SetParallel(id transfer.ID, n int) error {
	f.record("parallel %s %d", id, n)
	return nil
}
func (f *fakeEngine) SetBandwidthLimit(bps int64) {
	f.mu.Lock()
	f.bandwidth = bps
	f.mu.Unlock()
	f.record("bandwidth %d", bps)
}
func (f *fakeEngine) Store() transfer.Store { return f.store }
func (f *fakeEngine) Get(id transfer.ID) (transfer.TransferSnapshot, bool) {
	s := f.Window(transfer.WindowRequest{Limit: 1 << 30})
	for _, j := range s.Jobs {
		if j.ID == id {
			return j.TransferSnapshot, true
		}
	}
	return transfer.TransferSnapshot{}, false
}

// jobsEngine is the fake with the tree-job calls the real engine is
// getting (RetryItem, SetFileParallel, ClearFinished).
type jobsEngine struct{ *fakeEngine }

func (f jobsEngine) RetryItem(job transfer.ID, seq uint64) error {
	f.record("retryitem %s %d", job, seq)
	return nil
}
func (f jobsEngine) SetFileParallel(job transfer.ID, n int) error {
	f.record("fileparallel %s %d", job, n)
	return nil
}
func (f jobsEngine) ClearFinished() int { f.record("clearfinished"); return 2 }

// harness drives a Model the way the program would: every command's
// messages are fed back into Update until none are left.
type harness struct {
	t   *testing.T
	m   Model
	eng *fakeEngine
}

func newHarness(t *testing.T, eng *fakeEngine, deps Deps, w, h int) *harness {
	t.Helper()
	if deps.Engine == nil {
		deps.Engine = eng
	}
	deps.NoColor = true
	if deps.Terminal == nil {
		deps.Terminal = io.Discard
	}
	if deps.Profile == "" {
		deps.Profile = "default"
	}
	if deps.Endpoint == "" {
		deps.Endpoint = "http://127.0.0.1:9000"
	}
	m := New(deps)
	m.manualTime = true
	m.now = func() time.Time { return fixedTime }
	hs := &harness{t: t, m: m, eng: eng}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(m.Init())
	return hs
}

// send delivers msg and everything its commands produce.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	next, cmd := h.m.Update(msg)
	h.m = next.(Model)
	h.run(cmd)
}

// maxCascade bounds how many messages one send may cascade into.
const maxCascade = 500

func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > maxCascade {
			h.t.Fatalf("more than %d cascading messages", maxCascade)
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := runWithTimeout(h.t, c)
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			h.m.quitting = true
		default:
			next, more := h.m.Update(msg)
			h.m = next.(Model)
			queue = append(queue, more)
		}
	}
}

// runWithTimeout runs a command; with manualTime none sleeps, so the bound
// only catches a command that would hang.
func runWithTimeout(t *testing.T, c tea.Cmd) tea.Msg {
	t.Helper()
	done := make(chan tea.Msg, 1)
	go func() { done <- c() }()
	select {
	case msg := <-done:
		return msg
	case <-time.After(10 * time.Second):
		t.Fatal("a command did not return within 10s")
		return nil
	}
}

// keyMsg turns a key name into the KeyMsg the terminal would send.
func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "delete":
		return tea.KeyMsg{Type: tea.KeyDelete}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "space", " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func (h *harness) view() string { return h.m.View() }

// sendSnap makes snap the engine's and delivers the window the UI asks
// for now, as a tick would.
func (h *harness) sendSnap(snap transfer.Snapshot) {
	h.t.Helper()
	h.eng.setSnapshot(snap)
	h.m.winSeq++
	h.send(windowMsg{seq: h.m.winSeq, req: h.m.windowRequest(), win: h.eng.Window(h.m.windowRequest()), at: fixedTime})
}
