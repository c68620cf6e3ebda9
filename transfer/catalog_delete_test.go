package transfer

import (
	"fmt"
	"testing"
	"time"
)

func (env *testEnv) catalog() *Catalog {
	env.t.Helper()
	c, err := NewCatalog(env.store)
	if err != nil {
		env.t.Fatalf("NewCatalog: %v", err)
	}
	return c
}

// DeletePrefix sends OSS's largest batch, 1,000 keys a request: 2,001
// objects take three requests, the last with one key.
func TestDeletePrefixBatchesAThousandKeysARequest(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "thousands of objects")
	const count = 2001
	env := newTestEnv(t)
	// Held in memory by the server: the batching is the client's, and
	// thousands of metadata files would only cost the server's disk.
	if err := env.srv.GenerateObjects(testBucket, "logs/", count, 10); err != nil {
		t.Fatal(err)
	}
	env.srv.PutBytes(testBucket, "logs-keep.txt", []byte("outside the prefix"))
	// The request count is the point: a batch of 1000 deletions can take
	// the server longer than the usual 5 s read timeout under -race on a busy
	// machine, and a timed-out batch retried would count twice.
	env.store = env.storeWith(func(o *ClientOptions) { o.ReadTimeout = 2 * time.Minute })
	cat := env.catalog()
	ctx := testCtx(t, 120*time.Second)
	sum, err := cat.SummarizePrefix(ctx, testBucket, "logs/")
	if err != nil || sum.Objects != count || sum.Bytes != 10*count {
		t.Fatalf("SummarizePrefix: %+v %v, want %d objects, %d bytes", sum, err, count, 10*count)
	}
	env.srv.ResetStats()
	var calls []int
	res, err := cat.DeletePrefix(ctx, testBucket, "logs/", func(d DeleteSummary) { calls = append(calls, d.Objects) })
	if err != nil {
		t.Fatalf("DeletePrefix: %v", err)
	}
	if got := env.srv.Stats().Requests["DeleteMultipleObjects"]; got != 3 || res.Batches != 3 || res.Objects != count || res.Bytes != 10*count || res.Markers != 0 {
		t.Fatalf("%d DeleteMultipleObjects requests, summary %+v; want batches of 1000, 1000 and 1", got, res)
	}
	if fmt.Sprint(calls) != "[1000 2000 2001]" {
		t.Fatalf("progress calls %v", calls)
	}
	left, err := cat.SummarizePrefix(ctx, testBucket, "")
	if err != nil || left.Objects != 1 {
		t.Fatalf("after delete %+v %v, want only logs-keep.txt", left, err)
	}
	if _, err := cat.DeletePrefix(ctx, testBucket, "", nil); err == nil {
		t.Fatal("DeletePrefix of a whole bucket succeeded")
	}
}

func TestDeleteOnAVersionedBucketCountsMarkers(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	if err := env.srv.SetVersioning(testBucket, "Enabled"); err != nil {
		t.Fatal(err)
	}
	env.srv.PutBytes(testBucket, "d/a", []byte("a"))
	env.srv.PutBytes(testBucket, "d/b", []byte("b"))
	cat := env.catalog()
	ctx := testCtx(t, 30*time.Second)
	if v, err := cat.Versioning(ctx, testBucket); err != nil || v != "Enabled" {
		t.Fatalf("Versioning = %q %v", v, err)
	}
	sum, err := cat.DeleteObjects(ctx, testBucket, []ObjectRef{{Key: "d/a"}, {Key: "d/b"}}, nil)
	if err != nil || sum.Objects != 2 || sum.Markers != 2 {
		t.Fatalf("DeleteObjects: %+v %v, want 2 markers", sum, err)
	}
	page, err := cat.ListVersions(ctx, testBucket, "d/", "", "", "", 100)
	if err != nil || len(page.Versions) != 4 {
		t.Fatalf("ListVersions: %+v %v, want 2 versions + 2 markers", page, err)
	}
	if !page.Versions[0].DeleteMarker || !page.Versions[0].IsLatest || page.Versions[1].DeleteMarker || page.Versions[1].IsLatest {
		t.Fatalf("d/a's entries %+v: want the marker latest, then the data", page.Versions[:2])
	}
}
