package cli

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// localFiles lists the files under root as slash-separated relative paths.
func localFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func putPhotos(e *env) {
	for key, size := range map[string]int{
		"photos/a.jpg": 10, "photos/b.png": 10, "photos/raw/c.jpg": 10,
		"photos/big.jpg": 2000, "photos/tmp/x.jpg": 10,
	} {
		e.put(key, randomBytes(size, uint64(len(key))))
	}
}

func TestGetFiltersInOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	putPhotos(e)

	dest := filepath.Join(e.work, "flags")
	code, _, stderr := e.run("get", "oss://data/photos/", dest, "--exclude", "tmp/", "--include", "*.jpg", "--max-size", "1KiB")
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got, want := localFiles(t, dest), []string{"a.jpg", "raw/c.jpg"}; !slices.Equal(got, want) {
		t.Errorf("downloaded %q, want %q", got, want)
	}
	mustContain(t, "stderr", stderr, "filters: 3 filtered out")
	sameFile(t, filepath.Join(dest, "a.jpg"), e.server.Object("photos/a.jpg"))

	// The same include first: tmp/x.jpg now matches it before the exclude.
	dest = filepath.Join(e.work, "reordered")
	if code, _, stderr = e.run("get", "oss://data/photos/", dest, "--include", "*.jpg", "--exclude", "tmp/", "--max-size", "1KiB"); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got, want := localFiles(t, dest), []string{"a.jpg", "raw/c.jpg", "tmp/x.jpg"}; !slices.Equal(got, want) {
		t.Errorf("reordered rules downloaded %q, want %q", got, want)
	}

	rules := filepath.Join(e.work, "rules.txt")
	if err := os.WriteFile(rules, []byte("# no raw files\n- /raw/**\n+ *.jpg\n- *\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dest = filepath.Join(e.work, "from-file")
	if code, _, stderr = e.run("get", "oss://data/photos/", dest, "--filter-from", rules, "--min-size", "1KiB"); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got, want := localFiles(t, dest), []string{"big.jpg"}; !slices.Equal(got, want) {
		t.Errorf("--filter-from downloaded %q, want %q", got, want)
	}

	// Nothing left after filtering is success, said plainly.
	code, _, stderr = e.run("get", "oss://data/photos/", filepath.Join(e.work, "none"), "--include", "*.gif")
	if code != ExitOK || !strings.Contains(stderr, "nothing to download: the filters left out every object") || !strings.Contains(stderr, "filters: 5 filtered out") {
		t.Errorf("all filtered: exit %d:\n%s", code, stderr)
	}
}

// Two shards of one prefix download disjoint sets that together are all.
func TestGetShardsSplitATree(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	for i := 0; i < 40; i++ {
		e.put("tree/"+strings.Repeat("k", i%5)+string(rune('a'+i%26))+strings.Repeat("z", i), []byte{byte(i)})
	}
	var union []string
	for _, shard := range []string{"1/2", "2/2"} {
		dest := filepath.Join(e.work, "shard"+shard[:1])
		if code, _, stderr := e.run("get", "oss://data/tree/", dest, "--shard", shard); code != ExitOK {
			t.Fatalf("shard %s: exit %d:\n%s", shard, code, stderr)
		}
		got := localFiles(t, dest)
		if len(got) == 0 || len(got) == 40 {
			t.Errorf("shard %s holds %d of 40 objects", shard, len(got))
		}
		union = append(union, got...)
	}
	sort.Strings(union)
	if len(slices.Compact(slices.Clone(union))) != 40 || len(union) != 40 {
		t.Errorf("the shards hold %d objects (%d distinct), want 40 exactly once each", len(union), len(slices.Compact(slices.Clone(union))))
	}
}

func TestFilterFlagUsageErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.put("one", []byte("x"))
	folder := filepath.Dir(e.writeFile("up/f", []byte("x")))
	cases := []struct {
		cmd  string
		args []string
		want string
	}{
		{"get", []string{"oss://data/p/", "d", "--min-size", "lots"}, "--min-size"},
		{"get", []string{"oss://data/p/", "d", "--max-age", "3 fortnights"}, "--max-age"},
		{"get", []string{"oss://data/p/", "d", "--shard", "3/2"}, "--shard"},
		{"get", []string{"oss://data/p/", "d", "--include", "[abc"}, "'[' without ']'"},
		{"get", []string{"oss://data/p/", "d", "--filter-from", filepath.Join(e.work, "missing.txt")}, "--filter-from"},
		{"get", []string{"oss://data/p/", "d", "--min-size", "2KiB", "--max-size", "1KiB"}, "nothing could match"},
		{"get", []string{"oss://data/one", "d", "--include", "*.jpg"}, "apply to a prefix or a folder"},
		{"get", []string{"oss://data/p/", "d", "--follow-symlinks"}, "not defined"},
		{"put", []string{filepath.Join(folder, "f"), "oss://data/up/f", "--follow-symlinks"}, "--follow-symlinks applies to a folder upload"},
	}
	for _, c := range cases {
		code, _, stderr := e.run(c.cmd, c.args...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%s %q: exit %d, want %d with %q:\n%s", c.cmd, c.args, code, ExitUsage, c.want, stderr)
		}
	}
}

// A folder upload names each symlink and FIFO it leaves out, and uploads
// the regular files.
func TestPutReportsSymlinksAndFIFOs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	f := e.writeFile("tree/file.txt", []byte("data"))
	root := filepath.Dir(f)
	if err := os.Symlink(f, filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := e.run("put", root, "oss://data/t/")
	if code != ExitFailure {
		t.Fatalf("exit %d, want 1 (items were skipped):\n%s", code, stderr)
	}
	mustContain(t, "stderr", stderr,
		"oss://data/t/link.txt: skipped: symbolic link, not followed",
		"oss://data/t/pipe: skipped: named pipe",
		"uploaded 1 of 3 files", "2 skipped")
	if got := string(e.server.Object("t/file.txt")); got != "data" {
		t.Errorf("t/file.txt = %q", got)
	}
	// Followed, the link is uploaded as the file it names, with filters applied in the walk.
	code, _, stderr = e.run("put", root, "oss://data/f/", "--follow-symlinks", "--exclude", "file.txt")
	if code != ExitFailure {
		t.Fatalf("exit %d, want 1 (the FIFO is still skipped):\n%s", code, stderr)
	}
	mustContain(t, "stderr", stderr, "uploaded 1 of 2 files", "filters: 1 filtered out")
	if got := string(e.server.Object("f/link.txt")); got != "data" {
		t.Errorf("f/link.txt = %q", got)
	}
}
