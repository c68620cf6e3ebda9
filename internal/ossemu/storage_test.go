package ossemu

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// The storage works without HTTP: what it commits, it lists and reads back,
// also after it is opened again from the same directory.
func TestStorageCommitsListsAndReopensWithoutHTTP(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	st, err := openStorage(root, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.createBucket(testBucket, classStandard); err != nil {
		t.Fatal(err)
	}
	put := func(key string, data []byte) {
		t.Helper()
		staged, e := st.receive(st.objectTarget(testBucket, key), bytes.NewReader(data), int64(len(data)), nil)
		if e != nil {
			t.Fatal(e)
		}
		om := &objectMeta{Key: key, Size: staged.size, ETag: etagFromMD5(staged.md5), CRC64: staged.crc,
			LastModified: now(), StorageClass: classStandard, ObjectType: objectTypeNormal, DataFile: staged.name}
		if e := st.commitObject(testBucket, om, nil, true); e != nil {
			t.Fatal(e)
		}
	}
	put("a/1", []byte("one"))
	put("a/2", []byte("two"))
	put("b", []byte("bee"))

	// A multipart upload assembled from two parts.
	u, e := st.createUpload(uploadMeta{ID: randomHex(16), Bucket: testBucket, Key: "mp", Initiated: now(), StorageClass: classStandard})
	if e != nil {
		t.Fatal(e)
	}
	part1, part2 := randomBytes(minPartSize, 1), []byte("tail")
	for n, data := range [][]byte{part1, part2} {
		staged, e := st.receive(st.partTarget(u.meta.ID, n+1), bytes.NewReader(data), int64(len(data)), nil)
		if e != nil {
			t.Fatal(e)
		}
		if e := st.commitPart(u, st.partFromData(n+1, staged)); e != nil {
			t.Fatal(e)
		}
	}
	taken, parts, e := st.takeForComplete(testBucket, "mp", u.meta.ID)
	if e != nil || len(parts) != 2 {
		t.Fatalf("take for complete: %v, %d parts", e, len(parts))
	}
	om, e := st.assembleParts(testBucket, taken, parts)
	if e != nil {
		t.Fatal(e)
	}
	if e := st.commitObject(testBucket, om, nil, true); e != nil {
		t.Fatal(e)
	}
	st.discardUpload(taken)

	reopened, err := openStorage(root, now, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*storage{st, reopened} {
		objs, prefixes, truncated, _, e := s.listObjects(testBucket, "", "/", "", 10)
		var keys []string
		for _, o := range objs {
			keys = append(keys, o.Key)
		}
		if e != nil || truncated || !slices.Equal(keys, []string{"b", "mp"}) || !slices.Equal(prefixes, []string{"a/"}) {
			t.Fatalf("listing: %v keys %q prefixes %q truncated %v", e, keys, prefixes, truncated)
		}
		snap, _, e := s.openObject(testBucket, "mp", "", true)
		if e != nil {
			t.Fatal(e)
		}
		got, _ := io.ReadAll(io.NewSectionReader(snap.reader, 0, snap.meta.Size))
		snap.close()
		mustEqualBytes(t, "assembled object", got, append(append([]byte(nil), part1...), part2...))
		if s.hasUploadOf(testBucket, "mp") {
			t.Fatal("the completed upload is still listed")
		}
	}
	if e := reopened.deleteBucket(testBucket); e == nil || e.Code != "BucketNotEmpty" {
		t.Fatalf("deleting a bucket with objects: %v", e)
	}
}

// A commit that is refused leaves no staged bytes behind.
func TestStorageRefusedCommitRemovesItsStagedData(t *testing.T) {
	t.Parallel()
	st, err := openStorage(t.TempDir(), time.Now, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.createBucket(testBucket, classStandard); err != nil {
		t.Fatal(err)
	}
	commit := func(check commitCheck) (*stagedData, *ossError) {
		staged, e := st.receive(st.objectTarget(testBucket, "k"), bytes.NewReader([]byte("v")), 1, nil)
		if e != nil {
			t.Fatal(e)
		}
		om := &objectMeta{Key: "k", Size: staged.size, ETag: etagFromMD5(staged.md5), CRC64: staged.crc,
			LastModified: time.Now(), StorageClass: classStandard, ObjectType: objectTypeNormal, DataFile: staged.name}
		return staged, st.commitObject(testBucket, om, check, true)
	}
	if _, e := commit(nil); e != nil {
		t.Fatal(e)
	}
	staged, e := commit(refuseOverwrite)
	if e == nil || e.Code != "FileAlreadyExists" {
		t.Fatalf("overwrite with forbid-overwrite: %v", e)
	}
	if _, err := os.Stat(filepath.Join(st.objDir(testBucket), staged.name)); !os.IsNotExist(err) {
		t.Fatalf("the refused object's data file is still there: %v", err)
	}
}
