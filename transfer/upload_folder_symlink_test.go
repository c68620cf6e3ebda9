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
	t.Parallel()
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
	id, err := e.AddTree(Spec{Direction: Upload, Bucket: testBucket, Key: "p/", LocalPath: link})
	if err != nil {
		t.Fatalf("AddTree of a symlinked folder: %v", err)
	}
	mustDone(t, e, id)
	var keys []string
	for _, it := range treeItems(t, e, id, ItemDone) {
		keys = append(keys, it.Key)
	}
	sort.Strings(keys)
	if len(keys) != 2 || keys[0] != "p/f" || keys[1] != "p/sub/g" {
		t.Errorf("keys %v, want [p/f p/sub/g]", keys)
	}
	for name, data := range files {
		if got := env.srv.Object("p/" + name); string(got) != string(data) {
			t.Errorf("object p/%s: %q, want %q", name, got, data)
		}
	}
}
