package transfer

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestCopyObjectSmallInOneRequestLargeByPartCopies(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	small, large := randomData(50<<10, 7), randomData(450<<10, 8)
	env.srv.PutBytes(testBucket, "src/small", small)
	env.srv.PutBytes(testBucket, "src/large", large)
	env.srv.CreateBucket("other")
	cat := env.catalog()
	cat.MultipartCopyThreshold, cat.CopyPartSize = 200<<10, 100<<10
	ctx := testCtx(t, 30*time.Second)
	env.srv.ResetStats()
	var last int64
	res, err := cat.CopyObject(ctx, ObjectRef{Bucket: testBucket, Key: "src/large"}, ObjectRef{Bucket: "other", Key: "dst/large"},
		func(done, total int64) { last = done })
	if err != nil || res.Parts != 5 || last != int64(len(large)) {
		t.Fatalf("large copy: %+v %v (progress %d)", res, err, last)
	}
	if st := env.srv.Stats(); st.Requests["UploadPartCopy"] != 5 || st.Requests["CopyObject"] != 0 || st.PutBodyBytes != 0 {
		t.Fatalf("large copy requests %v, %d body bytes: want 5 part copies and no bytes through the client", st.Requests, st.PutBodyBytes)
	}
	if _, err := cat.CopyObject(ctx, ObjectRef{Bucket: testBucket, Key: "src/small"}, ObjectRef{Bucket: "other", Key: "dst/small"}, nil); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]byte{"dst/small": small, "dst/large": large} {
		rc, err := env.store.GetRange(ctx, "other", key, 0, -1, "")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, want) {
			t.Fatalf("%s differs from its source", key)
		}
	}
	sum, err := cat.CopyPrefix(ctx, testBucket, "src/", testBucket, "copy/", nil)
	if err != nil || sum.Objects != 2 || sum.Bytes != int64(len(small)+len(large)) {
		t.Fatalf("CopyPrefix: %+v %v", sum, err)
	}
	if _, err := cat.CopyPrefix(ctx, testBucket, "src/", testBucket, "src/inner/", nil); err == nil {
		t.Fatal("copying a prefix into itself was accepted")
	}
	if _, err := cat.MoveObject(ctx, ObjectRef{Bucket: testBucket, Key: "copy/small"}, ObjectRef{Bucket: testBucket, Key: "moved"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.HeadObject(ctx, testBucket, "copy/small"); err == nil {
		t.Fatal("moved object's source still exists")
	}
}

func TestRestoreVersionMakesAnOldVersionLatest(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.SetVersioning(testBucket, "Enabled")
	env.srv.PutBytes(testBucket, "k", []byte("old"))
	env.srv.PutBytes(testBucket, "k", []byte("new"))
	cat := env.catalog()
	ctx := testCtx(t, 30*time.Second)
	cat.DeleteObjects(ctx, testBucket, []ObjectRef{{Key: "k"}}, nil) // now hidden behind a marker
	versions, err := cat.KeyVersions(ctx, testBucket, "k")
	if err != nil || len(versions) != 3 || !versions[0].DeleteMarker {
		t.Fatalf("versions %+v %v", versions, err)
	}
	if _, err := cat.RestoreVersion(ctx, testBucket, "k", versions[2].VersionID); err != nil {
		t.Fatal(err)
	}
	if got := env.srv.Object("k"); string(got) != "old" {
		t.Fatalf("after restore k = %q", got)
	}
}

func TestPresignedURLAndNewFolder(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "share.txt", []byte("shared"))
	cat := env.catalog()
	ctx := testCtx(t, 30*time.Second)
	pre, err := cat.Presign(ctx, ObjectRef{Bucket: testBucket, Key: "share.txt"}, time.Hour)
	if err != nil || time.Until(pre.Expires) <= 59*time.Minute {
		t.Fatalf("Presign: %+v %v", pre, err)
	}
	resp, err := http.Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "shared" {
		t.Fatalf("GET presigned: %d %q", resp.StatusCode, body)
	}
	if _, err := cat.Presign(ctx, ObjectRef{Bucket: testBucket, Key: "share.txt"}, 8*24*time.Hour); err == nil {
		t.Fatal("an 8-day presign was accepted")
	}
	if err := cat.PutFolder(ctx, testBucket, "new folder"); err != nil {
		t.Fatal(err)
	}
	page, err := env.store.ListObjects(ctx, testBucket, "", "/", "", 100)
	if err != nil || len(page.Prefixes) != 1 || page.Prefixes[0] != "new folder/" {
		t.Fatalf("listing after PutFolder: %+v %v", page, err)
	}
}

func TestDeletedObjectsListsHiddenKeysWithTheVersionToRestore(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.SetVersioning(testBucket, "Enabled")
	env.srv.PutBytes(testBucket, "d/gone", []byte("v1"))
	env.srv.PutBytes(testBucket, "d/gone", []byte("v2"))
	env.srv.PutBytes(testBucket, "d/here", []byte("stays"))
	cat := env.catalog()
	ctx := testCtx(t, 30*time.Second)
	if _, err := cat.DeleteObjects(ctx, testBucket, []ObjectRef{{Key: "d/gone"}}, nil); err != nil {
		t.Fatal(err)
	}
	deleted, err := cat.DeletedObjects(ctx, testBucket, "d/")
	if err != nil || len(deleted) != 1 || deleted[0].Key != "d/gone" || deleted[0].Last.Size != 2 || deleted[0].DeletedAt.IsZero() {
		t.Fatalf("DeletedObjects: %+v %v", deleted, err)
	}
	if _, err := cat.RestoreVersion(ctx, testBucket, "d/gone", deleted[0].Last.VersionID); err != nil {
		t.Fatal(err)
	}
	if got := env.srv.Object("d/gone"); string(got) != "v2" {
		t.Fatalf("restored d/gone = %q, want the last version v2", got)
	}
	if again, err := cat.DeletedObjects(ctx, testBucket, "d/"); err != nil || len(again) != 0 {
		t.Fatalf("after the restore: %+v %v", again, err)
	}
}
