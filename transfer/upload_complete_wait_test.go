package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossname"
)

// slowCompleteEnv is a server whose CompleteMultipartUpload assembles for
// delay, and an engine whose store has a 1 s read timeout.
func slowCompleteEnv(t *testing.T, delay time.Duration, fileSize int) (*testEnv, *Engine, string, []byte) {
	t.Helper()
	env := newTestEnv(t)
	store, err := NewOSSStore(ClientOptions{Endpoint: env.endpoint, Region: "cn-hangzhou", Anonymous: true,
		Retries: 2, ReadTimeout: time.Second, ConnectTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	env.store = store
	data := randomData(fileSize, 17)
	src := filepath.Join(env.dir, "src")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{CompleteDelay: delay})
	opts := env.testOptions()
	opts.PartSize = ossname.MinPartSize
	return env, env.open(opts), src, data
}

// TestCompleteTimeoutGrowsWithParts: 31 parts give Complete 3.1 s more
// than the 1 s read timeout, so a 2.5 s assembly is waited for, once.
func TestCompleteTimeoutGrowsWithParts(t *testing.T) {
	t.Parallel()
	env, e, src, data := slowCompleteEnv(t, 2500*time.Millisecond, 31*ossname.MinPartSize)
	id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	if n := env.srv.Stats().Requests["CompleteMultipartUpload"]; n != 1 {
		t.Errorf("%d CompleteMultipartUpload requests, want 1 (no timeout, no retry)", n)
	}
	if got := env.srv.Object("k"); !bytes.Equal(got, data) {
		t.Fatal("object differs from the file")
	}
}

// TestCompleteStillAssemblingIsWaitedFor: a Complete that outlasts even
// its grown timeout is retried, finds NoSuchUpload (the server is still
// assembling), and waits for the object to appear with the file's size
// and CRC64 instead of failing.
func TestCompleteStillAssemblingIsWaitedFor(t *testing.T) {
	t.Parallel()
	env, e, src, data := slowCompleteEnv(t, 3*time.Second, 3*ossname.MinPartSize)
	id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	ts := mustDone(t, e, id)
	if n := env.srv.Stats().Requests["CompleteMultipartUpload"]; n < 2 {
		t.Fatalf("%d CompleteMultipartUpload requests; the test needs the first to time out", n)
	}
	if !strings.Contains(ts.Notice, "the server had finished the upload") {
		t.Errorf("notice %q", ts.Notice)
	}
	if got := env.srv.Object("k"); !bytes.Equal(got, data) {
		t.Fatal("object differs from the file")
	}
	if u := env.openUploads(); len(u) != 0 {
		t.Errorf("uploads left: %v", u)
	}
}
