package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
)

// orphan starts an upload of key and sends the first `sent` parts of data
// in partSize parts, as a killed `put --no-checkpoint` leaves it.
func (env *testEnv) orphan(key string, data []byte, partSize int64, sent int) string {
	env.t.Helper()
	ctx := testCtx(env.t, 30*time.Second)
	id, err := env.store.InitiateMultipart(ctx, testBucket, key)
	if err != nil {
		env.t.Fatal(err)
	}
	for i := range sent {
		off, n := partRange(int64(len(data)), partSize, i)
		if _, _, err := env.store.UploadPart(ctx, testBucket, key, id, i+1, bytes.NewReader(data[off:off+n]), n); err != nil {
			env.t.Fatal(err)
		}
	}
	return id
}

func TestListUploadsShowsPartsAndBytesAndAbortFreesThem(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	data := randomData(500<<10, 1)
	a := env.orphan("in/a.bin", data, 100<<10, 3)
	env.orphan("in/b.bin", data, 100<<10, 1)
	env.orphan("out/c.bin", data, 100<<10, 2)
	cat := env.catalog()
	ctx := testCtx(t, 30*time.Second)
	ups, err := cat.AllUploads(ctx, testBucket, "in/")
	if err != nil || len(ups) != 2 {
		t.Fatalf("AllUploads(in/): %+v %v", ups, err)
	}
	if ups[0].Key != "in/a.bin" || ups[0].UploadID != a || ups[0].Parts != 3 || ups[0].Bytes != 300<<10 || ups[0].Initiated.IsZero() {
		t.Fatalf("first upload %+v: want in/a.bin, 3 parts, 300 KiB", ups[0])
	}
	for _, u := range ups {
		if err := cat.AbortUpload(ctx, testBucket, u.Key, u.UploadID); err != nil {
			t.Fatal(err)
		}
	}
	if left, err := cat.AllUploads(ctx, testBucket, ""); err != nil || len(left) != 1 || left[0].Key != "out/c.bin" {
		t.Fatalf("after aborting in/: %+v %v", left, err)
	}
}

// ListUploads hands back one page and the marker of the next: the server
// here holds a page to 100 uploads (OSS: 1,000), and 101 take two pages.
func TestListUploadsFollowsPages(t *testing.T) {
	t.Parallel()
	const pageSize = 100
	env := newTestEnv(t, ossemutest.WithConfig(func(c *ossemu.Config) { c.ListPageSize = pageSize }))
	ctx := testCtx(t, 120*time.Second)
	// Sixteen at a time: the requests wait on each other's round trips.
	var initiated sync.WaitGroup
	slots, failures := make(chan struct{}, 16), make(chan error, pageSize+1)
	for range pageSize + 1 {
		initiated.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; initiated.Done() }()
			if _, err := env.store.InitiateMultipart(ctx, testBucket, "same-key"); err != nil {
				failures <- err
			}
		}()
	}
	initiated.Wait()
	close(failures)
	for err := range failures {
		t.Fatal(err)
	}
	cat := env.catalog()
	page, next, err := cat.ListUploads(ctx, testBucket, "", "")
	if err != nil || len(page) != pageSize || next == "" {
		t.Fatalf("first page %d uploads, next %q, %v", len(page), next, err)
	}
	page2, next2, err := cat.ListUploads(ctx, testBucket, "", next)
	if err != nil || len(page2) != 1 || next2 != "" || page2[0].UploadID == page[pageSize-1].UploadID {
		t.Fatalf("second page %+v next %q %v", page2, next2, err)
	}
}

func TestAnOrphanedUploadIsVerifiedAndTakenOverWithoutResending(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	data := randomData(640<<10, 2)
	src := filepath.Join(env.dir, "big.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	const partSize = 128 << 10
	id := env.orphan("big.bin", data, partSize, 3)
	ctx := testCtx(t, 30*time.Second)
	check, err := VerifyUpload(ctx, env.store, testBucket, "big.bin", id, src)
	if err != nil || !check.Matches || check.Reusable != 3 || check.Missing != 2 || check.PartSize != partSize || check.ReusableBytes != 3*partSize {
		t.Fatalf("VerifyUpload: %+v %v", check, err)
	}
	// Another file of the same size does not verify.
	other := filepath.Join(env.dir, "other.bin")
	os.WriteFile(other, randomData(640<<10, 3), 0o600)
	if bad, err := VerifyUpload(ctx, env.store, testBucket, "big.bin", id, other); err != nil || bad.Matches || bad.Reusable != 0 || bad.Reason == "" {
		t.Fatalf("VerifyUpload of another file: %+v %v", bad, err)
	}

	env.srv.ResetStats()
	opts := env.testOptions()
	opts.Ephemeral = true
	opts.MultipartThreshold = 1 << 20 // the file is below it: taking over still continues the multipart upload
	e := env.open(opts)
	tid, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "big.bin", LocalPath: src,
		PartSize: check.PartSize, AdoptUploadID: id, NoCheckpoint: true})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, tid)
	if got := env.srv.Object("big.bin"); !bytes.Equal(got, data) {
		t.Fatalf("completed object differs from the file (%d bytes)", len(got))
	}
	st := env.srv.Stats()
	if st.PutBodyBytes != int64(len(data))-3*partSize || st.Requests["InitiateMultipartUpload"] != 0 || st.Requests["UploadPart"] != 2 {
		t.Fatalf("took over with %d bytes sent, %d initiates, %d parts; want only the 2 missing parts",
			st.PutBodyBytes, st.Requests["InitiateMultipartUpload"], st.Requests["UploadPart"])
	}
	if left := env.openUploads(); len(left) != 0 {
		t.Fatalf("uploads left: %v", left)
	}
}

func TestTakingOverAnUploadWithAnotherPartSizeFails(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	data := randomData(640<<10, 4)
	src := filepath.Join(env.dir, "f.bin")
	os.WriteFile(src, data, 0o600)
	id := env.orphan("f.bin", data, 128<<10, 2)
	opts := env.testOptions()
	opts.Ephemeral = true
	e := env.open(opts)
	tid, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "f.bin", LocalPath: src, PartSize: 200 << 10, AdoptUploadID: id, NoCheckpoint: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, tid)
	if ts.State != StateFailed {
		t.Fatalf("state %s, want failed: %q", ts.State, ts.Err)
	}
}
