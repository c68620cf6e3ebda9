package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ossq/internal/filter"
)

// runTreeJob adds a tree job and waits for its end.
func runTreeJob(t *testing.T, e *Engine, spec Spec) JobSnapshot {
	t.Helper()
	id, err := e.AddTree(spec)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, id)
	return jobOf(t, e, id)
}

func putObjects(t *testing.T, env *testEnv, prefix string, n int) {
	t.Helper()
	for i := range n {
		if err := env.srv.PutBytes(testBucket, fmt.Sprintf("%sf%03d.txt", prefix, i), randomData(100+i, uint64(i))); err != nil {
			t.Fatal(err)
		}
	}
}

func extrasOf(t *testing.T, e *Engine, id ID) []string {
	t.Helper()
	var rels []string
	if err := e.Extras(id, func(x Extra) error { rels = append(rels, x.Rel); return nil }); err != nil {
		t.Fatal(err)
	}
	return rels
}

// TestCompareUpdateDownloadSkipsUnchangedWithNoGet: a second download of
// an unchanged prefix under update fetches nothing (one listing, no GET);
// an object replaced with another size moves again, the rest stay unchanged.
func TestCompareUpdateDownloadSkipsUnchangedWithNoGet(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	putObjects(t, env, "d/", 20)
	e := env.open(env.testOptions())
	root := filepath.Join(env.dir, "out")
	spec := Spec{Direction: Download, Bucket: testBucket, Key: "d/", LocalPath: root, Compare: CompareUpdate}
	if js := runTreeJob(t, e, spec); js.Items.Done != 20 || js.State != StateDone {
		t.Fatalf("first run %+v %s", js.Items, js.State)
	}
	env.quiesce()
	env.srv.ResetStats()
	js := runTreeJob(t, e, spec)
	st := env.srv.Stats()
	if js.Items.Unchanged != 20 || js.Items.Done != 0 || js.State != StateDone || js.UnchangedBytes == 0 {
		t.Fatalf("second run %+v %s", js.Items, js.State)
	}
	if st.Requests["GetObject"] != 0 || st.Requests["HeadObject"] != 0 || st.TotalRequests() != st.Requests["ListObjectsV2"] {
		t.Fatalf("second run sent %v", st.Requests)
	}
	if err := env.srv.PutBytes(testBucket, "d/f003.txt", []byte("new")); err != nil {
		t.Fatal(err)
	}
	js = runTreeJob(t, e, spec)
	if js.Items.Unchanged != 19 || js.Items.Done != 1 {
		t.Fatalf("after one change %+v", js.Items)
	}
	assertFile(t, filepath.Join(root, "f003.txt"), []byte("new"))
}

// TestCompareUpdateUploadMergesOneListing: a second upload of an unchanged
// folder sends no PutObject and no HEAD; a grown file goes again; an object
// the folder does not have is an extra under Mirror, a filtered one is not.
func TestCompareUpdateUploadMergesOneListing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	src := filepath.Join(env.dir, "src")
	for i := range 30 {
		p := filepath.Join(src, fmt.Sprintf("s%02d", i%3), fmt.Sprintf("f%02d.bin", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, randomData(50+i, uint64(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := env.open(env.testOptions())
	spec := Spec{Direction: Upload, Bucket: testBucket, Key: "u/", LocalPath: src, Compare: CompareUpdate, Mirror: true}
	if js := runTreeJob(t, e, spec); js.Items.Done != 30 {
		t.Fatalf("first run %+v", js.Items)
	}
	for _, k := range []string{"u/a-extra", "u/s01/zz-extra", "u/zzz/keep.log"} {
		env.srv.PutBytes(testBucket, k, []byte("x"))
	}
	env.quiesce()
	env.srv.ResetStats()
	spec.Filter = &filter.Options{Rules: []filter.Rule{{Glob: "*.log"}}}
	js := runTreeJob(t, e, spec)
	st := env.srv.Stats()
	if js.Items.Unchanged != 30 || js.Items.Done != 0 {
		t.Fatalf("second run %+v", js.Items)
	}
	if st.TotalRequests() != st.Requests["ListObjectsV2"] {
		t.Fatalf("second run sent %v", st.Requests)
	}
	if got := extrasOf(t, e, js.ID); !slices.Equal(got, []string{"a-extra", "s01/zz-extra"}) || js.Extras != 2 {
		t.Fatalf("extras %v (%d)", got, js.Extras)
	}
	p := filepath.Join(src, "s01", "f01.bin")
	if err := os.WriteFile(p, randomData(500, 9), 0o644); err != nil {
		t.Fatal(err)
	}
	if js := runTreeJob(t, e, spec); js.Items.Done != 1 || js.Items.Unchanged != 29 {
		t.Fatalf("after one change %+v", js.Items)
	}
	if got := env.srv.Object("u/s01/f01.bin"); len(got) != 500 {
		t.Fatalf("object has %d bytes", len(got))
	}
}

// TestCompareChecksumFindsSameSizeChanges: under checksum a file changed
// in place with its size kept moves again (update would keep it); a
// second upload reads CRC64s from the cache, so a file rewritten with its
// size and time restored is trusted as cached.
func TestCompareChecksumFindsSameSizeChanges(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	putObjects(t, env, "c/", 10)
	e := env.open(env.testOptions())
	root := filepath.Join(env.dir, "out")
	spec := Spec{Direction: Download, Bucket: testBucket, Key: "c/", LocalPath: root, Compare: CompareChecksum}
	runTreeJob(t, e, spec)
	p := filepath.Join(root, "f002.txt")
	fi, _ := os.Stat(p)
	os.WriteFile(p, randomData(int(fi.Size()), 777), 0o644)
	os.Chtimes(p, fi.ModTime(), fi.ModTime().Add(time.Hour)) // newer: update would keep it
	env.quiesce()
	env.srv.ResetStats()
	js := runTreeJob(t, e, spec)
	if js.Items.Unchanged != 9 || js.Items.Done != 1 {
		t.Fatalf("download %+v", js.Items)
	}
	if st := env.srv.Stats(); st.Requests["HeadObject"] != 10 || st.GetsByKey[testBucket+"/c/f002.txt"] != 1 || st.Requests["GetObject"] != 1 {
		t.Fatalf("requests %v gets %v", st.Requests, st.GetsByKey)
	}
	assertFile(t, p, env.srv.Object("c/f002.txt"))

	up := Spec{Direction: Upload, Bucket: testBucket, Key: "up/", LocalPath: root, Compare: CompareChecksum}
	if js := runTreeJob(t, e, up); js.Items.Done != 10 {
		t.Fatalf("upload %+v", js.Items)
	}
	if js := runTreeJob(t, e, up); js.Items.Unchanged != 10 {
		t.Fatalf("second upload %+v", js.Items)
	}
	// Same size, same time, other bytes: the cache (path, size, mtime) answers.
	fi, _ = os.Stat(p)
	os.WriteFile(p, randomData(int(fi.Size()), 778), 0o644)
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	if js := runTreeJob(t, e, up); js.Items.Unchanged != 10 {
		t.Fatalf("cached upload %+v", js.Items)
	}
}

// TestDryRunCountsEqualTheRealRun: a dry run of a mixed tree (new,
// changed, unchanged, filtered, extra) moves nothing and counts exactly
// what the real run then does.
func TestDryRunCountsEqualTheRealRun(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	putObjects(t, env, "m/", 12)
	e := env.open(env.testOptions())
	root := filepath.Join(env.dir, "out")
	spec := Spec{Direction: Download, Bucket: testBucket, Key: "m/", LocalPath: root, Compare: CompareUpdate, Mirror: true}
	runTreeJob(t, e, spec)
	putObjects(t, env, "m/new/", 3)
	env.srv.PutBytes(testBucket, "m/f001.txt", []byte("changed"))
	env.srv.PutBytes(testBucket, "m/skip.tmp", []byte("filtered"))
	os.WriteFile(filepath.Join(root, "gone.txt"), []byte("extra"), 0o644)
	spec.Filter = &filter.Options{Rules: []filter.Rule{{Glob: "*.tmp"}}}
	env.quiesce()
	env.srv.ResetStats()
	dry := spec
	dry.DryRun = true
	plan := runTreeJob(t, e, dry)
	if st := env.srv.Stats(); st.Requests["GetObject"] != 0 {
		t.Fatalf("dry run sent %v", st.Requests)
	}
	if _, err := os.Stat(filepath.Join(root, "new")); !os.IsNotExist(err) {
		t.Fatalf("dry run made a folder: %v", err)
	}
	assertFile(t, filepath.Join(root, "f001.txt"), randomData(101, 1))
	real := runTreeJob(t, e, spec)
	if plan.Items != real.Items || plan.Size != real.Size || plan.Done != real.Done || plan.UnchangedBytes != real.UnchangedBytes ||
		plan.Extras != real.Extras || plan.ExtrasBytes != real.ExtrasBytes || plan.FilteredBytes != real.FilteredBytes {
		t.Fatalf("plan %+v size %d/%d extras %d\nreal %+v size %d/%d extras %d",
			plan.Items, plan.Done, plan.Size, plan.Extras, real.Items, real.Done, real.Size, real.Extras)
	}
	if real.Items.Done != 4 || real.Items.Unchanged != 11 || real.Items.Filtered != 1 || real.Extras != 1 {
		t.Fatalf("real %+v extras %d", real.Items, real.Extras)
	}
	if got := extrasOf(t, e, real.ID); !slices.Equal(got, []string{"gone.txt"}) {
		t.Fatalf("extras %v", got)
	}
}
