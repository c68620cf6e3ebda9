package transfer

import (
	"path/filepath"
	"testing"
	"time"
)

// A download pinned to an older version gets exactly that version's bytes,
// through ranged parts, while a newer version is the latest.
func TestDownloadOfAVersionIsThatVersionNotTheLatest(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	if err := env.srv.SetVersioning(testBucket, "Enabled"); err != nil {
		t.Fatal(err)
	}
	old := randomData(700<<10, 5)
	env.srv.PutBytes(testBucket, "doc.bin", old)
	latest := randomData(650<<10, 6)
	env.srv.PutBytes(testBucket, "doc.bin", latest)
	cat := env.catalog()
	ctx := testCtx(t, 30*time.Second)
	versions, err := cat.KeyVersions(ctx, testBucket, "doc.bin")
	if err != nil || len(versions) != 2 || !versions[0].IsLatest || versions[1].Size != int64(len(old)) {
		t.Fatalf("KeyVersions: %+v %v", versions, err)
	}
	e := env.open(env.testOptions())
	for _, tc := range []struct {
		version string
		want    []byte
	}{{versions[1].VersionID, old}, {"", latest}} {
		dest := filepath.Join(env.dir, "v-"+tc.version+".bin")
		id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "doc.bin", LocalPath: dest, VersionID: tc.version})
		if err != nil {
			t.Fatal(err)
		}
		mustDone(t, e, id)
		assertFile(t, dest, tc.want)
	}
	if _, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "x", LocalPath: filepath.Join(env.dir, "v-.bin"), VersionID: "v"}); err == nil {
		t.Fatal("an upload with a version ID was accepted")
	}
	// A version that does not exist fails with the server's code.
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "doc.bin", LocalPath: filepath.Join(env.dir, "none.bin"), VersionID: "CAEQnope"})
	if err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, id); ts.State != StateFailed || ts.ErrInfo == nil || ts.ErrInfo.Code != "NoSuchVersion" {
		t.Fatalf("missing version: state %s info %+v", ts.State, ts.ErrInfo)
	}
}
