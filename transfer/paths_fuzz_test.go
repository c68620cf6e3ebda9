package transfer

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLocalPathForKey: any key maps to a path inside the root or is refused
// with a reason; a mapped path gives its key back (prefix + the path
// relative to the root), which makes the mapping injective — two different
// keys can never share a file; and two keys that both map must map apart.
func FuzzLocalPathForKey(f *testing.F) {
	for _, k := range [][2]string{
		{"p/a.txt", "p/b.txt"}, {"p/dir/file", "p/dir//file"}, {"p/../x", "p/./x"}, {"p/a\\b", "p/a/b"},
		{"p/x.ossq-0123456789ab.part", "p/x"}, {"p/", "p/d/"}, {"p/日本/ファイル", "p/\x1b[2J"}, {"p/" + strings.Repeat("n", 256), "p/n"},
		{"p/a", "p/A"}, {"q/a", "p/a"}, {"p/a\x00", "p/a"},
	} {
		f.Add(k[0], k[1])
	}
	root := filepath.Join(f.TempDir(), "dest")
	const prefix = "p/"
	f.Fuzz(func(t *testing.T, key1, key2 string) {
		path1, err1 := LocalPathForKey(root, key1, prefix)
		path2, err2 := LocalPathForKey(root, key2, prefix)
		for _, c := range []struct {
			key, path string
			err       error
		}{{key1, path1, err1}, {key2, path2, err2}} {
			if c.err != nil {
				if c.path != "" || c.err.Error() == "" {
					t.Fatalf("key %q: refused with path %q and error %q", c.key, c.path, c.err)
				}
				continue
			}
			rel, err := filepath.Rel(root, c.path)
			if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
				t.Fatalf("key %q maps to %q, outside %q", c.key, c.path, root)
			}
			if back := prefix + filepath.ToSlash(rel); back != c.key {
				t.Fatalf("key %q maps to %q, which reads back as key %q: the mapping is not invertible", c.key, c.path, back)
			}
		}
		if err1 == nil && err2 == nil && key1 != key2 && path1 == path2 {
			t.Fatalf("keys %q and %q both map to %q", key1, key2, path1)
		}
	})
}
