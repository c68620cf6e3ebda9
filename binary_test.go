package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ossq/internal/cli"
	"ossq/internal/ossemu/ossemutest"
	"ossq/internal/testenv"
)

// builtOssq is the ossq binary, built once per test run by the first test
// that needs it (go build of this package) into a folder TestMain removes.
var builtOssq struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := testenv.Run(m, 0)
	if builtOssq.dir != "" {
		os.RemoveAll(builtOssq.dir)
	}
	os.Exit(code)
}

// ossqBinary builds ossq (once per run) and returns its path; skipped with -short.
func ossqBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the ossq binary: skipped with -short")
	}
	builtOssq.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			builtOssq.err = fmt.Errorf("the go tool is needed to build ossq: %w", err)
			return
		}
		if builtOssq.dir, err = os.MkdirTemp("", "ossq-bin-"); err != nil {
			builtOssq.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		builtOssq.path = filepath.Join(builtOssq.dir, "ossq")
		if out, err := exec.CommandContext(ctx, goTool, "build", "-o", builtOssq.path, ".").CombinedOutput(); err != nil {
			builtOssq.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if builtOssq.err != nil {
		t.Fatal(builtOssq.err)
	}
	return builtOssq.path
}

// The real ossq binary dispatches get/put/ls to the CLI and passes its exit
// codes through.
func TestOssqBinaryDispatchesToCLI(t *testing.T) {
	t.Parallel()
	bin := ossqBinary(t)
	const ak, secret, bucket = "LTAI-binary-test", "binary-test-secret", "data"
	srv := ossemutest.NewServer(t, ossemutest.WithBucket(bucket), ossemutest.WithCredentials(ak, secret))
	home, work := t.TempDir(), t.TempDir()
	configPath := filepath.Join(home, "config.toml")
	text := fmt.Sprintf("[profiles.default]\nendpoint = %q\nregion = %q\naccess_key_id = %q\naccess_key_secret = %q\n",
		srv.Endpoint, srv.Region, ak, secret)
	if err := os.WriteFile(configPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(home, "state")
	data := make([]byte, 300<<10)
	rand.NewChaCha8([32]byte{7}).Read(data)
	srv.MustPut("dir/file.bin", data)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ossq := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, args...)
		// Later entries win: the machine's config and keys stay out.
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
			"XDG_STATE_HOME="+filepath.Join(home, "xdg-state"), "OSSQ_CONFIG=", "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET=")
		var output bytes.Buffer
		cmd.Stdout, cmd.Stderr = &output, &output
		err := cmd.Run()
		if exitErr, ok := err.(*exec.ExitError); ok {
			return exitErr.ExitCode(), output.String()
		}
		if err != nil {
			t.Fatalf("running ossq: %v", err)
		}
		return 0, output.String()
	}

	dest := filepath.Join(work, "file.bin")
	if code, out := ossq("get", "--config", configPath, "--state-dir", stateDir, "oss://"+bucket+"/dir/file.bin", dest); code != cli.ExitOK {
		t.Fatalf("ossq get: exit %d\n%s", code, out)
	}
	if got, err := os.ReadFile(dest); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("%s: %d bytes differ from the %d expected (%v)", dest, len(got), len(data), err)
	}
	if code, out := ossq("ls", "--config", configPath, "oss://"+bucket+"/dir/"); code != cli.ExitOK {
		t.Fatalf("ossq ls: exit %d\n%s", code, out)
	} else if !strings.Contains(out, "dir/file.bin") {
		t.Errorf("ossq ls does not list dir/file.bin:\n%s", out)
	}
	if code, out := ossq("get", "--config", configPath, "--state-dir", stateDir, "oss://"+bucket+"/missing", filepath.Join(work, "m")); code != cli.ExitFailure {
		t.Fatalf("ossq get of a missing key: exit %d, want 1\n%s", code, out)
	}
	if code, out := ossq("put", "--config", configPath, "onlyone"); code != cli.ExitUsage {
		t.Fatalf("ossq put with one argument: exit %d, want 2\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(work, "m")); !os.IsNotExist(err) {
		t.Errorf("failed get left a file (stat: %v)", err)
	}
}
