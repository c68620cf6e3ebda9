package transfer

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// slowInitiateStore holds InitiateMultipart until released. The server
// creates the upload regardless; if the caller's context ended meanwhile,
// the answer is lost, as when a client abandons a request in flight.
type slowInitiateStore struct {
	Store
	entered, release chan struct{}
}

func (s *slowInitiateStore) InitiateMultipart(ctx context.Context, b, k string) (string, error) {
	s.entered <- struct{}{}
	<-s.release
	id, err := s.Store.InitiateMultipart(context.Background(), b, k)
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return id, err
}

// TestStopDuringInitiateLeavesNoUpload: Pause or Cancel while
// InitiateMultipart is in flight left an upload on the server that nobody
// knew about (the flaky "uploads left" in TestNoCheckpointPauseAbortsAndCancelRetry).
func TestStopDuringInitiateLeavesNoUpload(t *testing.T) {
	t.Parallel()
	for _, stop := range []string{"pause", "cancel"} {
		t.Run(stop, func(t *testing.T) {
			env := newTestEnv(t)
			src := filepath.Join(env.dir, "src")
			if err := os.WriteFile(src, randomData(1<<20, 12), 0o644); err != nil {
				t.Fatal(err)
			}
			store := &slowInitiateStore{Store: env.store, entered: make(chan struct{}, 1), release: make(chan struct{})}
			e, err := Open(store, env.testOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src})
			if err != nil {
				t.Fatal(err)
			}
			<-store.entered
			if stop == "pause" {
				err = e.Pause(id)
			} else {
				err = e.Cancel(id)
			}
			if err != nil {
				t.Fatal(err)
			}
			close(store.release)
			ts := waitFor(t, e, id)
			e.Close() // waits for any background cleanup
			if u := env.openUploads(); len(u) != 0 {
				t.Errorf("%s during InitiateMultipart (state %s): uploads left %v", stop, ts.State, u)
			}
		})
	}
}
