package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocalPathForKey(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	long := strings.Repeat("x", 256)
	cases := []struct {
		key, prefix string
		want        string // relative to root; "" means an error containing errHas
		errHas      string
	}{
		{"a.txt", "", "a.txt", ""},
		{"dir/sub/a.txt", "dir/", "sub/a.txt", ""},
		{"dir/日本語/ファイル.txt", "dir/", "日本語/ファイル.txt", ""},
		{"dir/with space+plus%25.txt", "dir/", "with space+plus%25.txt", ""},
		{"dir/...", "dir/", "...", ""},
		{"dir/..a", "dir/", "..a", ""},
		{strings.Repeat("y", 255), "", strings.Repeat("y", 255), ""},
		{"dir/../escape.txt", "dir/", "", "'..'"},
		{"../escape.txt", "", "", "'..'"},
		{"dir/a/../../x", "dir/", "", "'..'"},
		{"dir/./x", "dir/", "", "'.'"},
		{"dir/a//b", "dir/", "", "empty path segment"},
		{"dir//abs", "dir/", "", "absolute"},
		{"/abs", "", "", "absolute"},
		{`dir/back\slash`, "dir/", "", "backslash"},
		{"dir/nul\x00x", "dir/", "", "NUL"},
		{"dir/", "dir/", "", "empty name"},
		{"dir/marker/", "dir/", "", "directory marker"},
		{"other/a", "dir/", "", "not under prefix"},
		{"dir/" + long, "dir/", "", "longer than"},
		{"dir/" + long + "/a", "dir/", "", "longer than"},
	}
	for _, c := range cases {
		got, err := LocalPathForKey(root, c.key, c.prefix)
		if c.want == "" {
			if err == nil || !strings.Contains(err.Error(), c.errHas) {
				t.Errorf("LocalPathForKey(%q, %q) = %q, %v; want error with %q", c.key, c.prefix, got, err, c.errHas)
			}
			continue
		}
		if err != nil {
			t.Errorf("LocalPathForKey(%q, %q): %v", c.key, c.prefix, err)
			continue
		}
		if want := filepath.Join(root, filepath.FromSlash(c.want)); got != want {
			t.Errorf("LocalPathForKey(%q, %q) = %q, want %q", c.key, c.prefix, got, want)
		}
	}
	if _, err := LocalPathForKey("", "a", ""); err == nil {
		t.Error("empty root accepted")
	}
}

// AddTree over demo-odd style keys: the good ones land under the root with
// their exact names, the dangerous ones are refused with reasons, nothing
// is written outside the root.
func TestAddTreeOddKeys(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	good := map[string]string{
		"odd/日本語/ファイル.txt":    "日本語/ファイル.txt",
		"odd/with space.txt":  "with space.txt",
		"odd/plus+sign.txt":   "plus+sign.txt",
		"odd/100%25 done.txt": "100%25 done.txt",
		"odd/deep/a/b/c.txt":  "deep/a/b/c.txt",
	}
	bad := []string{"odd/a//b.txt", "odd/../escape-attempt.txt", "odd/./dot.txt", "odd/" + strings.Repeat("L", 300) + ".txt", `odd/back\slash.txt`}
	for k := range good {
		if err := env.srv.PutBytes(testBucket, k, []byte("content of "+k)); err != nil {
			t.Fatal(k, err)
		}
	}
	for _, k := range bad {
		if err := env.srv.PutBytes(testBucket, k, []byte("bad")); err != nil {
			t.Fatal(k, err)
		}
	}
	env.srv.PutBytes(testBucket, "odd/folder/", nil) // directory marker: skipped silently
	env.srv.PutBytes(testBucket, "other/x.txt", []byte("not under the prefix"))
	env.srv.PutBytes(testBucket, "odd.txt", []byte("a sibling of the folder, not in it"))
	e := env.open(env.testOptions())
	root := filepath.Join(env.dir, "tree", "out")
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "odd", LocalPath: root}) // "odd" means "odd/"
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	js := jobOf(t, e, id)
	if js.Items.Done != int64(len(good)) || js.Items.Skipped != int64(len(bad)) || js.Items.Failed != 0 {
		t.Fatalf("items %+v, want %d done and %d skipped", js.Items, len(good), len(bad))
	}
	skipped := reasonsOf(treeItems(t, e, id, ItemSkipped))
	for i, want := range []string{"empty path segment", "'..'", "'.'", "longer than", "backslash"} {
		if !strings.Contains(skipped[bad[i]], want) {
			t.Errorf("%s skipped for %q, want a reason with %q", bad[i], skipped[bad[i]], want)
		}
	}
	for k, rel := range good {
		assertFile(t, filepath.Join(root, filepath.FromSlash(rel)), []byte("content of "+k))
	}
	// Nothing outside root: the parent holds only "out".
	entries, _ := os.ReadDir(filepath.Join(env.dir, "tree"))
	if len(entries) != 1 || entries[0].Name() != "out" {
		t.Errorf("files outside the destination root: %v", entries)
	}
}

func TestAddTreeUploadFolder(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	src := filepath.Join(env.dir, "src")
	files := map[string][]byte{"a.txt": []byte("A"), "sub/b.bin": randomData(400<<10, 1), "sub/deeper/c d.txt": []byte("C D")}
	for rel, data := range files {
		p := filepath.Join(src, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, data, 0o644)
	}
	os.Symlink(filepath.Join(src, "a.txt"), filepath.Join(src, "link.txt")) // links are not followed
	e := env.open(env.testOptions())
	id, err := e.AddTree(Spec{Direction: Upload, Bucket: testBucket, Key: "backup", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	if js := jobOf(t, e, id); js.Items.Done != int64(len(files)) || js.Items.Skipped != 1 {
		t.Fatalf("items %+v, want %d done and the link skipped", js.Items, len(files))
	}
	if r := reasonsOf(treeItems(t, e, id, ItemSkipped))["backup/link.txt"]; !strings.Contains(r, "symbolic link") {
		t.Errorf("link skipped for %q", r)
	}
	for rel, data := range files {
		if got := env.srv.Object("backup/" + rel); string(got) != string(data) {
			t.Errorf("backup/%s differs", rel)
		}
	}
}
