package transfer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// lostCompleteStore commits the first CompleteMultipartUpload on the server
// but loses its answer, as a connection reset after the commit would.
type lostCompleteStore struct {
	Store
	completes atomic.Int32
}

func (s *lostCompleteStore) CompleteMultipart(ctx context.Context, b, k, id string, parts []UploadedPart) (string, error) {
	crc, err := s.Store.CompleteMultipart(ctx, b, k, id, parts)
	if err == nil && s.completes.Add(1) == 1 {
		return "", fmt.Errorf("read response: %w", syscall.ECONNRESET)
	}
	return crc, err
}

// TestCompleteAnswerLostDuringRun: the retry of a committed Complete gets
// NoSuchUpload; the transfer must end done (the object is complete and
// identical), not failed.
func TestCompleteAnswerLostDuringRun(t *testing.T) {
	t.Parallel()
	for _, noCheckpoint := range []bool{false, true} {
		t.Run(fmt.Sprintf("nocheckpoint=%v", noCheckpoint), func(t *testing.T) {
			env := newTestEnv(t)
			src := filepath.Join(env.dir, "src")
			data := randomData(1<<20, 3)
			if err := os.WriteFile(src, data, 0o644); err != nil {
				t.Fatal(err)
			}
			store := &lostCompleteStore{Store: env.store}
			e, err := Open(store, env.testOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "k", LocalPath: src, NoCheckpoint: noCheckpoint})
			if err != nil {
				t.Fatal(err)
			}
			mustDone(t, e, id)
			if n := store.completes.Load(); n != 1 {
				t.Fatalf("%d completes committed, want 1 (the lost answer must be exercised)", n)
			}
			if got := env.srv.Object("k"); string(got) != string(data) {
				t.Fatalf("object is %d bytes, want the %d-byte file", len(got), len(data))
			}
			if u := env.openUploads(); len(u) != 0 {
				t.Errorf("uploads left: %v", u)
			}
		})
	}
}

// transientHeadStore fails every HEAD with a connection reset.
type transientHeadStore struct{ Store }

func (transientHeadStore) HeadObject(ctx context.Context, b, k string) (Object, error) {
	return Object{}, fmt.Errorf("head: %w", syscall.ECONNRESET)
}

// TestAlreadyCompletedTransientHeadIsAnError: a HEAD that fails for a
// moment must not read as "not complete" (which starts the upload over).
func TestAlreadyCompletedTransientHeadIsAnError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	opts.Retries = 1
	e, err := Open(transientHeadStore{env.store}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cp := &checkpoint{Size: 10, PartSize: 10, Parts: []cpPart{{Number: 1, Done: 10, CRC: 1, ETag: `"x"`}}}
	tr := &transfer{spec: Spec{Direction: Upload, Bucket: testBucket, Key: "k"}}
	complete, err := e.alreadyCompleted(testCtx(t, 30*time.Second), tr, cp)
	if err == nil || complete {
		t.Fatalf("alreadyCompleted with a failing HEAD: %v, %v; want an error", complete, err)
	}
}
