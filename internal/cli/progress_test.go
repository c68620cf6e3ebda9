package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
	"ossq/transfer"
)

// On a terminal the progress is one line redrawn in place ("\r" + clear to
// end of line), and the final figures stay on screen followed by a newline.
func TestProgressRedrawsOneLineOnATerminal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", ossemutest.WithConfig(func(c *ossemu.Config) { c.Faults.RatePerConn = 1 << 20 }))
	data := randomBytes(2<<20, 9)
	e.put("p.bin", data)
	store := e.store()
	eng, err := transfer.Open(store, transfer.Options{
		PartSize: 512 << 10, Parallel: 2, MultipartThreshold: 512 << 10,
		StateDir: e.stateDir, Ephemeral: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	dest := filepath.Join(e.work, "p.bin")
	id, err := eng.Add(transfer.Spec{Direction: transfer.Download, Bucket: testBucket, Key: "p.bin", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	stop := newProgress(eng, []transfer.ID{id}, &out, true).start()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := eng.Wait(ctx, id)
	stop()
	if err != nil || snap.State != transfer.StateDone {
		t.Fatalf("transfer: %v, state %s (%s)", err, snap.State, snap.Err)
	}
	sameFile(t, dest, data)

	text := out.String()
	if redraws := strings.Count(text, "\r\033[K"); redraws < 2 {
		t.Errorf("want the line redrawn in place at least twice in a ~1 s transfer, got %d: %q", redraws, text)
	}
	if strings.Count(text, "\n") != 1 || !strings.HasSuffix(text, "\n") {
		t.Errorf("want exactly one newline, at the end: %q", text)
	}
	last := text[strings.LastIndex(text, "\r\033[K")+len("\r\033[K"):]
	if !strings.HasPrefix(last, "2.0 MiB / 2.0 MiB  100%") {
		t.Errorf("final line = %q, want the finished figures", last)
	}
}
