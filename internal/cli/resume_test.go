package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
	"ossq/transfer"
)

// Resume scenario sizing: a 16 MiB object in 512 KiB parts, 4 parts in
// flight, each connection capped at 512 KiB/s, so the first run needs ~8 s
// and is stopped after killAfter bytes (~3 s in). (Halved from 32 MiB at
// 1 MiB/s: the same timing and the same ratios of slack to object, half the
// bytes through the race detector.)
const (
	resumeSize     = 16 << 20
	resumePart     = 512 << 10
	resumePartFlag = "512KiB" // resumePart as --part-size
	resumeParallel = 4
	resumeRate     = 512 << 10 // bytes/s per connection
	killAfter      = 6 << 20
	// resumeSlack is what a resumed run may fetch again beyond what was
	// missing: per part in flight, one checkpoint interval (1 s) of bytes at
	// the capped rate plus one more second for socket buffers and the
	// progress tick, but never more than the part itself twice over.
	resumeSlack = resumeParallel * min(2*resumeRate, 2*resumePart)
	// gracefulSlack is the same after SIGINT, where the engine writes a last
	// checkpoint of everything on disk: only bytes still in socket buffers
	// when the parts were canceled are fetched again.
	gracefulSlack = resumeParallel * 128 << 10
)

// child is the CLI running in its own process (the test binary re-executed,
// see TestMain), so it can be killed with SIGKILL or sent SIGINT.
type child struct {
	cmd    *exec.Cmd
	stderr lockedBuffer
	exited chan struct{}
	err    error
	server *ossemutest.Server // waited idle after the exit (wait)
}

func (e *env) startChild(ctx context.Context, cmd string, args ...string) *child {
	e.t.Helper()
	c := &child{exited: make(chan struct{}), server: e.server}
	c.cmd = exec.CommandContext(ctx, os.Args[0], append([]string{cmd}, append(e.baseArgs(cmd), args...)...)...)
	// Under -race a process sleeps a second at exit (atexit_sleep_ms); the
	// tests wait for their children to exit, so they skip that sleep.
	c.cmd.Env = append(e.environ(), childEnv+"=1", "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	e.t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
	})
	return c
}

// waitForBytes polls a server counter until it reaches n, failing if the
// child exits first or the wait takes more than 30 s.
func (e *env) waitForBytes(c *child, counter func(ossemu.Stats) int64, n int64) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for counter(e.server.Stats()) < n {
		select {
		case <-c.exited:
			e.t.Fatalf("the transfer ended (%v) before %d bytes moved; stderr:\n%s", c.err, n, c.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("only %d of %d bytes moved in 30 s; stderr:\n%s", counter(e.server.Stats()), n, c.stderr.String())
		}
	}
}

func (c *child) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-c.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("child did not exit within 60 s; stderr:\n%s", c.stderr.String())
	}
	// The server may still be reading what a killed child sent, and counts
	// it: the tests compare the counters of the first run and the next.
	if !c.server.WaitIdle(10 * time.Second) {
		t.Fatal("the server was still serving requests 10 s after the child exited")
	}
	if exitErr, ok := c.err.(*exec.ExitError); ok {
		return exitErr.ExitCode()
	}
	if c.err != nil {
		t.Fatalf("child: %v", c.err)
	}
	return 0
}

// lockedBuffer is read by the test while exec's copier goroutine writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func getBytes(s ossemu.Stats) int64 { return s.GetBodyBytes }
func putBytes(s ossemu.Stats) int64 { return s.PutBodyBytes }

func onlyEntry(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, entry := range entries {
		names = append(names, entry.Name())
	}
	if len(names) != 1 || names[0] != name {
		t.Errorf("%s holds %q, want only %q (temp files left behind?)", dir, names, name)
	}
}

// checkResumed asserts the second run fetched only what the first had not
// (within resumeSlack) and that it really did resume.
func checkResumed(t *testing.T, what string, first, second, slack int64) {
	t.Helper()
	t.Logf("%s: first run moved %d bytes, resumed run %d (object %d, slack %d)", what, first, second, resumeSize, slack)
	if limit := resumeSize - first + slack; second > limit {
		t.Errorf("%s: resumed run moved %d bytes; with %d moved before, at most %d were missing (+ slack)", what, second, first, limit)
	}
	if second >= resumeSize-(killAfter-resumeSlack) {
		t.Errorf("%s: resumed run moved %d of %d bytes: it started over", what, second, resumeSize)
	}
}

func TestKilledDownloadResumes(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "kill/restart test")
	e := newEnv(t, "", ossemutest.WithConfig(func(c *ossemu.Config) { c.Faults.RatePerConn = resumeRate }))
	data := randomBytes(resumeSize, 3)
	e.put("big.bin", data)
	destDir := filepath.Join(e.work, "down")
	dest := filepath.Join(destDir, "big.bin")
	checkpoints := filepath.Join(e.work, "checkpoints")
	args := []string{"oss://" + testBucket + "/big.bin", dest, "--part-size", resumePartFlag, "--parallel", "4", "--checkpoint-dir", checkpoints}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := e.startChild(ctx, "get", args...)
	e.waitForBytes(c, getBytes, killAfter)
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatalf("a killed download left a destination file (stat err %v)", err)
	}
	if found, _ := filepath.Glob(filepath.Join(checkpoints, "*.cp")); len(found) != 1 {
		t.Fatalf("--checkpoint-dir holds %q after the kill, want one checkpoint", found)
	}
	first := e.server.Stats().GetBodyBytes

	e.server.ResetStats()
	e.server.SetFaults(ossemu.Faults{})
	code, _, errOut := e.run("get", args...)
	if code != ExitOK {
		t.Fatalf("resumed get: exit %d: %s", code, errOut)
	}
	sameFile(t, dest, data)
	onlyEntry(t, destDir, "big.bin")
	if found, _ := filepath.Glob(filepath.Join(checkpoints, "*.cp")); len(found) != 0 {
		t.Errorf("checkpoints left after success: %q", found)
	}
	checkResumed(t, "download", first, e.server.Stats().GetBodyBytes, resumeSlack)
}

func TestKilledUploadResumes(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "kill/restart test")
	e := newEnv(t, "", ossemutest.WithConfig(func(c *ossemu.Config) { c.Faults.RatePerConn = resumeRate }))
	data := randomBytes(resumeSize, 4)
	src := e.writeFile("big.bin", data)
	args := []string{src, "oss://" + testBucket + "/up/big.bin", "--part-size", resumePartFlag, "--parallel", "4"}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := e.startChild(ctx, "put", args...)
	e.waitForBytes(c, putBytes, killAfter)
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	first := e.server.Stats().PutBodyBytes

	e.server.ResetStats()
	e.server.SetFaults(ossemu.Faults{})
	code, _, errOut := e.run("put", args...)
	if code != ExitOK {
		t.Fatalf("resumed put: exit %d: %s", code, errOut)
	}
	if got := e.server.Object("up/big.bin"); !bytes.Equal(got, data) {
		t.Fatalf("uploaded object differs (%d bytes, want %d)", len(got), len(data))
	}
	checkResumed(t, "upload", first, e.server.Stats().PutBodyBytes, resumeSlack)
}

func TestInterruptedDownloadExits130AndResumes(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "kill/restart test")
	e := newEnv(t, "", ossemutest.WithConfig(func(c *ossemu.Config) { c.Faults.RatePerConn = resumeRate }))
	data := randomBytes(resumeSize, 5)
	e.put("big.bin", data)
	dest := filepath.Join(e.work, "big.bin")
	args := []string{"--part-size", resumePartFlag, "oss://" + testBucket + "/big.bin", "--parallel", "4", dest}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := e.startChild(ctx, "get", args...)
	e.waitForBytes(c, getBytes, killAfter)
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(t); code != ExitInterrupted {
		t.Fatalf("exit %d after SIGINT, want %d; stderr:\n%s", code, ExitInterrupted, c.stderr.String())
	}
	stderr := c.stderr.String()
	mustContain(t, "stderr", stderr, "Run the same command to resume", "ossq get --config")
	// stderr is a pipe here, so progress comes as plain lines (one per 2 s).
	mustContain(t, "stderr", stderr, " / 16.0 MiB ")
	if !strings.Contains(stderr, "oss://"+testBucket+"/big.bin") {
		t.Errorf("the resume hint does not repeat the command:\n%s", stderr)
	}
	first := e.server.Stats().GetBodyBytes

	e.server.ResetStats()
	e.server.SetFaults(ossemu.Faults{})
	code, _, errOut := e.run("get", args...)
	if code != ExitOK {
		t.Fatalf("resumed get: exit %d: %s", code, errOut)
	}
	sameFile(t, dest, data)
	checkResumed(t, "interrupted download", first, e.server.Stats().GetBodyBytes, gracefulSlack)
}

// The TUI owns the state folder's queue (locked); a headless get beside it
// still works, and a second get of the same destination while the first runs
// is refused instead of corrupting it.
func TestHeadlessBesideTUIAndBusyDestination(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "kill/restart test")
	e := newEnv(t, "", ossemutest.WithConfig(func(c *ossemu.Config) { c.Faults.RatePerConn = resumeRate }))
	store := e.store()
	tui, err := transfer.Open(store, transfer.Options{StateDir: e.stateDir})
	if err != nil {
		t.Fatal(err)
	}
	defer tui.Close()

	data := randomBytes(resumeSize, 6)
	e.put("big.bin", data)
	dest := filepath.Join(e.work, "big.bin")
	args := []string{"oss://" + testBucket + "/big.bin", dest, "--part-size", resumePartFlag, "--parallel", "4"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := e.startChild(ctx, "get", args...)
	e.waitForBytes(c, getBytes, 1<<20)

	code, _, errOut := e.run("get", args...)
	if code != ExitFailure {
		t.Fatalf("second get of a busy destination: exit %d, want 1; stderr:\n%s", code, errOut)
	}
	mustContain(t, "stderr", errOut, "another transfer is using this destination")

	e.server.SetFaults(ossemu.Faults{}) // lift the cap so the first get finishes soon
	if code := c.wait(t); code != ExitOK {
		t.Fatalf("first get: exit %d; stderr:\n%s", code, c.stderr.String())
	}
	sameFile(t, dest, data)
}

// With --no-checkpoint an interrupted get keeps nothing, says so, and the
// next run fetches the whole object again.
func TestNoCheckpointStartsOver(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "kill/restart test")
	e := newEnv(t, "", ossemutest.WithConfig(func(c *ossemu.Config) { c.Faults.RatePerConn = resumeRate }))
	data := randomBytes(resumeSize, 10)
	e.put("big.bin", data)
	dest := filepath.Join(e.work, "big.bin")
	args := []string{"oss://" + testBucket + "/big.bin", dest, "--part-size", resumePartFlag, "--parallel", "4", "--no-checkpoint"}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := e.startChild(ctx, "get", args...)
	e.waitForBytes(c, getBytes, 2<<20)
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(t); code != ExitInterrupted {
		t.Fatalf("exit %d after SIGINT, want %d; stderr:\n%s", code, ExitInterrupted, c.stderr.String())
	}
	mustContain(t, "stderr", c.stderr.String(), "no checkpoint was kept", "starts over")

	e.server.ResetStats()
	e.server.SetFaults(ossemu.Faults{})
	if code, _, errOut := e.run("get", args...); code != ExitOK {
		t.Fatalf("second get: exit %d: %s", code, errOut)
	}
	sameFile(t, dest, data)
	if fetched := e.server.Stats().GetBodyBytes; fetched < resumeSize {
		t.Errorf("second run fetched %d bytes of %d: something was resumed despite --no-checkpoint", fetched, resumeSize)
	}
}
