package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The real ossq binary dispatches get/put/ls to Run and passes its exit
// codes through (the kill tests re-execute the test binary instead, so they
// do not depend on main).
func TestOssqBinaryDispatchesToCLI(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build ossq: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "ossq")
	build := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	e := newEnv(t, "")
	data := randomBytes(300<<10, 7)
	e.put("dir/file.bin", data)
	ossq := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Stdout = &stderr
		err := cmd.Run()
		if exitErr, ok := err.(*exec.ExitError); ok {
			return exitErr.ExitCode(), stderr.String()
		}
		if err != nil {
			t.Fatalf("running ossq: %v", err)
		}
		return 0, stderr.String()
	}

	dest := filepath.Join(e.work, "file.bin")
	if code, out := ossq("get", "--config", e.config, "--state-dir", e.stateDir, "oss://"+testBucket+"/dir/file.bin", dest); code != ExitOK {
		t.Fatalf("ossq get: exit %d\n%s", code, out)
	}
	sameFile(t, dest, data)
	if code, out := ossq("ls", "--config", e.config, "oss://"+testBucket+"/dir/"); code != ExitOK {
		t.Fatalf("ossq ls: exit %d\n%s", code, out)
	} else {
		mustContain(t, "ossq ls", out, "dir/file.bin")
	}
	if code, out := ossq("get", "--config", e.config, "--state-dir", e.stateDir, "oss://"+testBucket+"/missing", filepath.Join(e.work, "m")); code != ExitFailure {
		t.Fatalf("ossq get of a missing key: exit %d, want 1\n%s", code, out)
	}
	if code, out := ossq("put", "--config", e.config, "onlyone"); code != ExitUsage {
		t.Fatalf("ossq put with one argument: exit %d, want 2\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(e.work, "m")); !os.IsNotExist(err) {
		t.Errorf("failed get left a file (stat: %v)", err)
	}
}
