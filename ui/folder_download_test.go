package ui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"ossq/transfer"
)

// flowFolderFiles is the folder the flow downloads: enough objects to page
// the listing, small enough to stay quick on a loaded machine.
const flowFolderFiles = 300

// TestFlowFolderDownload drives the real program, engine and embedded
// server: d on a folder, enter, and every object lands byte-identical,
// with the queue saying so and nothing left running.
func TestFlowFolderDownload(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "a 300-file folder through the real program")
	f := newFlowEnv(t)
	want := map[string][]byte{}
	for i := range flowFolderFiles {
		key := fmt.Sprintf("many/sub%d/f%04d.txt", i%3, i)
		body := []byte(fmt.Sprintf("object %d\n", i))
		if err := f.srv.PutBytes("flow", key, body); err != nil {
			t.Fatal(err)
		}
		want[key] = body
	}
	eng := f.openEngine()
	t.Cleanup(func() { eng.Close() })
	tm := f.program(eng)

	waitScreen(t, tm, "flow", "cn-hangzhou")
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "data/", "many/")
	tm.Type("j")
	tm.Type("d")
	waitScreen(t, tm, "Download oss://flow/many/")
	tm.Send(keyOf(tea.KeyEnter))
	waitScreen(t, tm, "queued")
	tm.Send(keyOf(tea.KeyTab))

	deadline := time.Now().Add(flowWait)
	for {
		w := eng.Window(transfer.WindowRequest{Limit: 1})
		if w.Totals.Running+w.Totals.Queued == 0 && w.JobsTotal > 0 {
			if w.Totals.Failed != 0 {
				t.Fatalf("%d job(s) failed", w.Totals.Failed)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("folder not done in %s: %+v", flowWait, w.Totals)
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitScreen(t, tm, "done")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))

	for key, body := range want {
		got, err := os.ReadFile(filepath.Join(f.dlDir, filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("%s differs", key)
		}
	}
}
