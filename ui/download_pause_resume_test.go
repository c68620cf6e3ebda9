package ui

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
	"ossq/transfer"
)

// Flow sizing: a 4 MiB object in 256 KiB parts, two in flight, each
// connection capped at 256 KiB/s, so the first program needs ~8 s for the
// whole object and is stopped well before that.
const (
	flowSize     = 4 << 20
	flowPartSize = 256 << 10
	flowParallel = 2
	flowRate     = 256 << 10
	flowParts    = flowSize / flowPartSize
	// flowWait bounds every wait on the screen or the engine.
	flowWait = 90 * time.Second // generous: CI may run beside other loads on 2 cores
)

type flowEnv struct {
	t        *testing.T
	srv      *ossemutest.Server
	store    transfer.Store
	stateDir string
	dlDir    string
	data     []byte
}

func newFlowEnv(t *testing.T) *flowEnv {
	t.Helper()
	srv := ossemutest.NewServer(t, ossemutest.WithBucket("flow"))
	endpoint := srv.Endpoint
	data := make([]byte, flowSize)
	rand.NewChaCha8([32]byte{7, 11}).Read(data)
	if err := srv.PutBytes("flow", "data/big.bin", data); err != nil {
		t.Fatal(err)
	}
	if err := srv.PutBytes("flow", "data/small.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	store, err := transfer.NewOSSStore(transfer.ClientOptions{Endpoint: endpoint, Region: "cn-hangzhou", Anonymous: true,
		ConnectTimeout: 2 * time.Second, ReadTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &flowEnv{t: t, srv: srv, store: store, stateDir: filepath.Join(t.TempDir(), "state"), dlDir: t.TempDir(), data: data}
}

func (f *flowEnv) openEngine() *transfer.Engine {
	f.t.Helper()
	eng, err := transfer.Open(f.store, transfer.Options{
		PartSize: flowPartSize, Parallel: flowParallel, MaxActive: 2, MultipartThreshold: flowPartSize,
		StateDir: f.stateDir, ResumeOnStart: true, Retries: 3, RetryDelay: 10 * time.Millisecond,
		Logger: ossemutest.Logger(f.t),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return eng
}

func (f *flowEnv) program(eng *transfer.Engine) *teatest.TestModel {
	f.t.Helper()
	m := New(Deps{Engine: eng, Catalog: StoreCatalog(f.store), Profile: "flow", Endpoint: "127.0.0.1", NoColor: true,
		Terminal: io.Discard, Options: Options{DownloadDir: f.dlDir}})
	return teatest.NewTestModel(f.t, m, teatest.WithInitialTermSize(120, 40))
}

func waitScreen(t *testing.T, tm *teatest.TestModel, what ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range what {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(flowWait), teatest.WithCheckInterval(20*time.Millisecond))
}

// waitEngine polls the engine (plain data) until cond holds, bounded.
func waitEngine(t *testing.T, eng *transfer.Engine, what string, cond func(transfer.TransferSnapshot) bool) transfer.TransferSnapshot {
	t.Helper()
	deadline := time.Now().Add(flowWait)
	for {
		s := eng.Snapshot()
		if len(s.Transfers) == 1 && cond(s.Transfers[0]) {
			return s.Transfers[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine: %s not reached in %s; snapshot %+v", what, flowWait, s.Transfers)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func keyOf(t tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: t} }

// TestFlowDownloadPauseQuitResume drives the real program against the real
// engine and the embedded server over 127.0.0.1: browse, download, watch the
// part cells, pause and resume, quit while it runs, then a new program on
// the same state dir resumes it to a byte-identical file.
func TestFlowDownloadPauseQuitResume(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "quit/restart flow")
	f := newFlowEnv(t)
	f.srv.SetFaults(ossemu.Faults{RatePerConn: flowRate})

	eng1 := f.openEngine()
	closed1 := false
	t.Cleanup(func() {
		if !closed1 {
			eng1.Close()
		}
	})
	tm := f.program(eng1)

	// Browse: the bucket list, into the bucket, into the folder.
	waitScreen(t, tm, "flow", "cn-hangzhou")
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "data/")
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "big.bin", "4.0 MiB", "small.txt")

	// Download the object under the cursor into the proposed folder.
	tm.Type("d")
	waitScreen(t, tm, "Download oss://flow/data/big.bin", f.dlDir)
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "queued 1 job")

	// The queue shows the bar and the part strip; details a bar per part.
	tm.Send(keyOf(tea.KeyTab))
	waitScreen(t, tm, "oss://flow/data/big.bin", "running", "/16 parts")
	running := waitEngine(t, eng1, "1 MiB done", func(s transfer.TransferSnapshot) bool { return s.Done >= 1<<20 })
	if len(running.Parts) != flowParts {
		t.Fatalf("%d parts, want %d", len(running.Parts), flowParts)
	}
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "Parts (16)", "#16 ", "3.8 MiB–4.0 MiB", "Checkpoint")

	// Pause from the details, see it, resume.
	tm.Type("p")
	waitEngine(t, eng1, "paused", func(s transfer.TransferSnapshot) bool { return s.State == transfer.StatePaused })
	// The details line and the queue's window are fetched apart; the
	// footer's "p resume" says the key table has the paused job too (a p
	// before that would pause it again).
	waitScreen(t, tm, "paused ·", "p resume")
	tm.Type("p")
	waitEngine(t, eng1, "running again", func(s transfer.TransferSnapshot) bool { return s.State == transfer.StateRunning })

	// Quit while it runs: asked first, then the program returns and the
	// engine's Close pauses it and writes the checkpoint.
	tm.Type("q")
	waitScreen(t, tm, "Quit ossq?")
	tm.Type("y")
	tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	before := eng1.Snapshot().Transfers[0].Done
	if err := eng1.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	closed1 = true
	if before >= flowSize {
		t.Fatalf("the first program finished the download (%d bytes); the flow needs it stopped part-way", before)
	}
	if _, err := os.Stat(filepath.Join(f.dlDir, "big.bin")); err == nil {
		t.Fatal("a partial download sits at the destination")
	}
	firstRunBytes := f.srv.Stats().GetBodyBytes

	// A new program on the same state dir resumes it, at full speed.
	f.srv.SetFaults(ossemu.Faults{})
	eng2 := f.openEngine()
	t.Cleanup(func() { eng2.Close() })
	tm2 := f.program(eng2)
	tm2.Send(keyOf(tea.KeyTab))
	done := waitEngine(t, eng2, "done", func(s transfer.TransferSnapshot) bool { return s.State.Finished() })
	if done.State != transfer.StateDone {
		t.Fatalf("resumed transfer ended %s: %s", done.State, done.Err)
	}
	// One wait: output read by a wait is gone for the next, and at full
	// speed the row may already be done in the first frame.
	waitScreen(t, tm2, "oss://flow/data/big.bin", "16/16 parts", "done: oss://flow/data/big.bin")
	tm2.Type("q")
	tm2.WaitFinished(t, teatest.WithFinalTimeout(flowWait))

	got, err := os.ReadFile(filepath.Join(f.dlDir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, f.data) {
		t.Fatalf("downloaded file differs from the object (%d vs %d bytes)", len(got), len(f.data))
	}
	// Resumed, not restarted: the second run fetched what was missing plus
	// at most the parts that were in flight.
	secondRunBytes := f.srv.Stats().GetBodyBytes - firstRunBytes
	if limit := flowSize - before + 2*flowParallel*flowPartSize; secondRunBytes > int64(limit) {
		t.Fatalf("second run fetched %d bytes; missing were %d (limit %d)", secondRunBytes, flowSize-before, limit)
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
