package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ossq/internal/ossemu/ossemutest"
	"ossq/internal/testenv"
	"ossq/transfer"
)

const (
	testAK     = "LTAI-cli-test-id"
	testSecret = "cli-test-secret"
	testBucket = "data"
	// childEnv makes the test binary act as the ossq command (see TestMain),
	// so kill -9 tests run the real CLI in its own process without needing
	// main.go or a separate build.
	childEnv = "OSSQ_CLI_TEST_CHILD"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if len(os.Args) < 2 {
			fmt.Fprintln(os.Stderr, "child: no command")
			os.Exit(ExitUsage)
		}
		os.Exit(Run(context.Background(), os.Args[1], os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(testenv.Run(m, 4))
}

// env is one test's isolated world: an emulator on 127.0.0.1, a config file
// pointing at it, and XDG folders in temp dirs. The commands see only the
// environment in vars (never the process's), so tests run in parallel.
type env struct {
	t        testing.TB
	server   *ossemutest.Server
	endpoint string
	config   string // path of the config file
	stateDir string
	work     string // a scratch folder for local files

	mu   sync.Mutex
	vars map[string]string
}

// getenv is the environment commands run in (a config.Getenv).
func (e *env) getenv(name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.vars[name]
}

// setenv changes the environment the next commands see.
func (e *env) setenv(name, value string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.vars[name] = value
}

// environ is vars as a child process's environment, after the process's own
// (later entries win), with OSSQ_CONFIG and the OSS keys cleared.
func (e *env) environ() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := append(os.Environ(), "OSSQ_CONFIG=", "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET=", "OSS_SESSION_TOKEN=")
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	return out
}

func newEnv(t testing.TB, extraConfig string, opts ...ossemutest.Option) *env {
	t.Helper()
	server := ossemutest.NewServer(t, append([]ossemutest.Option{ossemutest.WithBucket(testBucket),
		ossemutest.WithCredentials(testAK, testSecret), ossemutest.WithRegion("cn-hangzhou")}, opts...)...)
	endpoint := server.Endpoint
	home := t.TempDir()
	e := &env{t: t, server: server, endpoint: endpoint, stateDir: filepath.Join(home, "ossq-state"), work: t.TempDir(),
		vars: map[string]string{
			"HOME":            home,
			"XDG_CONFIG_HOME": filepath.Join(home, "config"),
			"XDG_STATE_HOME":  filepath.Join(home, "state"),
		}}
	e.config = filepath.Join(home, "config.toml")
	// Three retries unless the test sets its own (a key may appear once).
	retries := "retries = 3\n"
	if strings.Contains(extraConfig, "retries =") {
		retries = ""
	}
	text := fmt.Sprintf(`[profiles.default]
endpoint = %q
region = "cn-hangzhou"
access_key_id = %q
access_key_secret = %q

[transfer]
%s%s
`, endpoint, testAK, testSecret, retries, extraConfig)
	if err := os.WriteFile(e.config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// baseArgs are the flags every test command carries.
func (e *env) baseArgs(cmd string) []string {
	if cmd != "get" && cmd != "put" && cmd != "sync" {
		return []string{"--config", e.config}
	}
	return []string{"--config", e.config, "--state-dir", e.stateDir}
}

// run runs a command in-process with the test's flags and environment and
// no terminal on stdin, bounded by a timeout.
func (e *env) run(cmd string, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	return e.runIn("", false, cmd, append(e.baseArgs(cmd), args...))
}

// runInput is run with stdin holding input, answered as from a terminal.
func (e *env) runInput(input, cmd string, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	return e.runIn(input, true, cmd, append(e.baseArgs(cmd), args...))
}

// runIn runs a command with exactly these arguments (no --config, no
// --state-dir) in the test's environment.
func (e *env) runIn(input string, interactive bool, cmd string, args []string) (code int, stdout, stderr string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code = runIn(ctx, cmd, args, console{stdin: strings.NewReader(input), interactive: interactive,
		stdout: &out, stderr: &errOut, getenv: e.getenv})
	return code, out.String(), errOut.String()
}

// store is the real SDK store over the test server.
func (e *env) store() transfer.Store {
	e.t.Helper()
	store, err := transfer.NewOSSStore(transfer.ClientOptions{
		Endpoint: e.endpoint, Region: "cn-hangzhou", AccessKeyID: testAK, AccessKeySecret: testSecret,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return store
}

func (e *env) put(key string, data []byte) {
	e.t.Helper()
	if err := e.server.PutBytes(testBucket, key, data); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) writeFile(rel string, data []byte) string {
	e.t.Helper()
	path := filepath.Join(e.work, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 7}).Read(b)
	return b
}

func sameFile(t *testing.T, path string, want []byte) {
	t.Helper()
	same, err := ossemutest.SameContent(path, bytes.NewReader(want))
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if !same {
		got, _ := os.ReadFile(path)
		t.Fatalf("%s: %d bytes differ from the %d expected", path, len(got), len(want))
	}
}

func mustContain(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s does not contain %q:\n%s", what, p, text)
		}
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
