package cli

import (
	"path/filepath"
	"testing"

	"ossq/internal/ossemu"
	"ossq/transfer"
)

// A download that fails for good after part 1 is in keeps its checkpoint:
// the CLI says the same command resumes it, and it does.
func TestFailedTransferSaysRerunResumes(t *testing.T) {
	t.Parallel()
	// One retry: how many there are is not the point, and each of the
	// SDK's attempts times each of the engine's waits out a backoff.
	e := newEnv(t, "multipart_threshold = \"1MiB\"\nretries = 1")
	data := randomBytes(3<<20, 11)
	e.put("big.bin", data)
	dest := filepath.Join(e.work, "big.bin")
	args := []string{"oss://data/big.bin", dest, "--part-size", "1MiB", "--parallel", "1"}

	// GET 1 is part 1; every later GET fails (500) until retries run out.
	failLater := make([]int, 0, 40)
	for n := 2; n < 42; n++ {
		failLater = append(failLater, n)
	}
	e.server.SetFaults(ossemu.Faults{FailNth: failLater, OnlyMethods: []string{"GET"}})
	code, _, stderr := e.run("get", args...)
	if code != ExitFailure {
		t.Fatalf("faulted get: exit %d, want %d:\n%s", code, ExitFailure, stderr)
	}
	mustContain(t, "stderr", stderr, "failed transfers keep their checkpoints", "run the same command again to resume", "ossq get --config")

	e.server.SetFaults(ossemu.Faults{})
	e.server.ResetStats()
	code, _, stderr = e.run("get", args...)
	if code != ExitOK {
		t.Fatalf("rerun: exit %d:\n%s", code, stderr)
	}
	sameFile(t, dest, data)
	if got := e.server.Stats().GetBodyBytes; got > 2<<20 {
		t.Errorf("rerun fetched %d bytes; part 1 (1 MiB) was kept and should not be fetched again", got)
	}
}

// A transfer stopped because its checkpoint could not be saved says so, and
// where, instead of only the raw write error.
func TestCheckpointWriteFailureIsNamed(t *testing.T) {
	t.Parallel()
	var out, errOut = &testWriter{}, &testWriter{}
	j := &job{runner: &runner{cmd: "get", args: []string{"oss://data/k", "dest"}, stdout: out, stderr: errOut},
		plan: plan{spec: transfer.Spec{Direction: transfer.Download}}}
	code := j.report([]transfer.TransferSnapshot{{
		Direction: transfer.Download, Bucket: "data", Key: "k", State: transfer.StatePaused,
		Err:            "disk full: write checkpoint: write /state/checkpoints/ab.cp.tmp-1: no space left on device",
		CheckpointPath: "/state/checkpoints/ab.cp",
	}})
	if code != ExitFailure {
		t.Fatalf("exit %d", code)
	}
	mustContain(t, "stderr", errOut.String(), "no checkpoint could be written in /state/checkpoints", "no space left on device", "run the same command again to resume")
}

type testWriter struct{ b []byte }

func (w *testWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *testWriter) String() string              { return string(w.b) }
