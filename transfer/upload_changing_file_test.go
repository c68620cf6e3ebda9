package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
)

// TestSingleUploadOfAChangingFile: a file below the multipart threshold
// that changes during every send is sent at most maxStableAttempts times
// and then fails saying the object now holds an inconsistent copy.
func TestSingleUploadOfAChangingFile(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const size = 1 << 20
	src := filepath.Join(env.dir, "src")
	if err := os.WriteFile(src, randomData(size, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 1 << 20})
	opts := env.testOptions()
	opts.MultipartThreshold = 8 << 20
	e := env.open(opts)
	id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() { // rewrite the file in place, same size, until told to stop
		defer close(stopped)
		f, err := os.OpenFile(src, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			f.WriteAt(bytes.Repeat([]byte{byte(i)}, 64<<10), int64(i%16)*(64<<10))
		}
	}()
	ts := waitFor(t, e, id)
	close(stop)
	<-stopped
	if ts.State != StateFailed || !strings.Contains(ts.Err, "kept changing") || !strings.Contains(ts.Err, "oss://bkt/k now holds an inconsistent copy") {
		t.Fatalf("state %s err %q; want failed saying the object holds an inconsistent copy", ts.State, ts.Err)
	}
	if n := env.srv.Stats().Requests["PutObject"]; n > maxStableAttempts {
		t.Errorf("%d PutObject requests, want at most %d", n, maxStableAttempts)
	}
}

// TestSingleUploadOfATruncatedFile: a file cut short while PutObject
// reads it is "local file changed" and is sent again as it now is, not
// retried as a transport error with the same short body.
func TestSingleUploadOfATruncatedFile(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Big enough that read-ahead and socket buffers cannot already hold the
	// rest of the file when it is cut (at 4 MiB they sometimes did).
	const size, cut = 16 << 20, 1 << 20
	data := randomData(size, 2)
	src := filepath.Join(env.dir, "src")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 1 << 20})
	opts := env.testOptions()
	opts.MultipartThreshold = 64 << 20
	e := env.open(opts)
	id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, id, 1<<20)
	if err := os.Truncate(src, cut); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{})
	ts := mustDone(t, e, id)
	// The size and the time of a truncation can reach a reader one after
	// the other, so a second send may see "modified"; the first says shorter.
	if !strings.Contains(ts.Notice, "local file changed") {
		t.Errorf("notice %q, want local file changed", ts.Notice)
	}
	e.Close() // then Events delivers what is left and ends
	var shorter bool
	for ev := range e.Events() {
		if ev.Kind == EventNotice && strings.Contains(ev.Message, "it became shorter while it was read") {
			shorter = true
		}
	}
	if !shorter {
		t.Error("no notice said the file became shorter")
	}
	if got := env.srv.Object("k"); !bytes.Equal(got, data[:cut]) {
		t.Fatalf("object is %d bytes, want the %d-byte truncated file", len(got), cut)
	}
	if n := env.srv.Stats().Requests["PutObject"]; n > maxStableAttempts {
		t.Errorf("%d PutObject requests: the short body was retried", n)
	}
	if ts.Retries != 0 {
		t.Errorf("%d transport retries for a truncated file", ts.Retries)
	}
}
