package transfer

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestAddTreeUploadOfSymlinkedFolder: a folder given as a symlink queued
// nothing and reported no error.
func TestAddTreeUploadOfSymlinkedFolder(t *testing.T) {
	env := newTestEnv(t)
	real := filepath.Join(env.dir, "real")
	if err := os.MkdirAll(filepath.Join(real, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"f": []byte("x"), "sub/g": []byte("yy")}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(real, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(env.dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	e := env.open(env.testOptions())
	ids, err := e.AddTree(Spec{Direction: Upload, Bucket: testBucket, Key: "p/", LocalPath: link})
	if err != nil || len(ids) != len(files) {
		t.Fatalf("AddTree of a symlinked folder: %d transfers, err %v (want %d)", len(ids), err, len(files))
	}
	var keys []string
	for _, id := range ids {
		keys = append(keys, mustDone(t, e, id).Key)
	}
	sort.Strings(keys)
	if len(keys) != 2 || keys[0] != "p/f" || keys[1] != "p/sub/g" {
		t.Errorf("keys %v, want [p/f p/sub/g]", keys)
	}
	for name, data := range files {
		if got := env.objectBytes("p/" + name); string(got) != string(data) {
			t.Errorf("object p/%s: %q, want %q", name, got, data)
		}
	}
}
