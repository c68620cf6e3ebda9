package ui

import (
	"io"
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"ossq/transfer"
)

// The log pane reads the engine's log: what the engine recorded (a failed
// job) and what the UI noted (a config warning) are on screen after the
// program and the engine are closed and started again on the same state.
func TestLogPaneShowsTheLogAfterARestart(t *testing.T) {
	t.Parallel()
	f := newFlowEnv(t)
	eng1 := f.openEngine()
	closed1 := false
	t.Cleanup(func() {
		if !closed1 {
			eng1.Close()
		}
	})
	m := New(Deps{Engine: eng1, Catalog: StoreCatalog(f.store), Profile: "flow", Endpoint: "127.0.0.1", NoColor: true,
		Terminal: io.Discard, Warnings: []string{"secrets file is readable by others"}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	id, err := eng1.Add(transfer.Spec{Direction: transfer.Download, Bucket: "flow", Key: "data/missing.bin",
		LocalPath: filepath.Join(f.dlDir, "missing.bin")})
	if err != nil {
		t.Fatal(err)
	}
	waitScreen(t, tm, "failed: oss://flow/data/missing.bin")
	if s, _ := eng1.Get(id); s.State != transfer.StateFailed {
		t.Fatalf("missing object is %s", s.State)
	}
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	if err := eng1.Close(); err != nil {
		t.Fatal(err)
	}
	closed1 = true

	eng2 := f.openEngine()
	t.Cleanup(func() { eng2.Close() })
	tm2 := f.program(eng2)
	waitScreen(t, tm2, "flow", "cn-hangzhou")
	tm2.Type("L")
	waitScreen(t, tm2, "Log · ", "config: secrets file is readable by others",
		"queued: oss://flow/data/missing.bin", "failed: oss://flow/data/missing.bin")
	tm2.Send(keyOf(tea.KeyEsc))
	tm2.Type("q")
	tm2.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
}
