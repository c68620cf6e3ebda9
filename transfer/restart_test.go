package transfer

import (
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"
)

// corruptFirstGetStore flips a byte of the first ranged GET (so the
// whole-object CRC64 fails and the download restarts) and records the
// queue's states whenever a later GET starts.
type corruptFirstGetStore struct {
	Store
	mu      sync.Mutex
	gets    int
	e       *Engine
	tracked []State
}

func (s *corruptFirstGetStore) GetRange(ctx context.Context, b, k string, off, n int64, ifMatch string) (io.ReadCloser, error) {
	s.mu.Lock()
	s.gets++
	first := s.gets == 1
	if !first && s.e != nil {
		for _, ts := range s.e.Snapshot().Transfers {
			s.tracked = append(s.tracked, ts.State)
		}
	}
	s.mu.Unlock()
	rc, err := s.Store.GetRange(ctx, b, k, off, n, ifMatch)
	if err != nil || !first {
		return rc, err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, err
	}
	data[0] ^= 0xff
	return io.NopCloser(&sliceReader{data: data}), nil
}

type sliceReader struct{ data []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestRestartedDownloadShowsRunning: after a whole-file CRC64 mismatch the
// second attempt ran while the state still said "verifying".
func TestRestartedDownloadShowsRunning(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "obj", []byte("some bytes to download twice"))
	store := &corruptFirstGetStore{Store: env.store}
	e, err := Open(store, env.testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	store.mu.Lock()
	store.e = e
	store.mu.Unlock()
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "obj", LocalPath: filepath.Join(env.dir, "obj")})
	if err != nil {
		t.Fatal(err)
	}
	ts := mustDone(t, e, id)
	if ts.Notice == "" {
		t.Fatal("no restart notice: the corruption did not take effect")
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if len(store.tracked) == 0 {
		t.Fatal("no second GET recorded")
	}
	for _, st := range store.tracked {
		if st != StateRunning {
			t.Errorf("state during the restarted download: %s, want running", st)
		}
	}
}
