package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLongNamesDownload: names LocalPathForKey accepts (up to 255 bytes)
// must be downloadable, although the temp name adds a suffix; two long names
// sharing their first 240 bytes must not share temp files.
func TestLongNamesDownload(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	objects := map[string][]byte{
		"p/" + strings.Repeat("n", 240):                generated(600<<10, 1), // multipart
		"p/" + strings.Repeat("n", 240) + "-other.txt": generated(600<<10, 2),
		"p/" + strings.Repeat("é", 127):                []byte("two-byte runes, 254 bytes"),
		"p/" + strings.Repeat("x", 255):                []byte("the longest name"),
	}
	for k, v := range objects {
		if err := env.srv.PutBytes(testBucket, k, v); err != nil {
			t.Fatal(err)
		}
	}
	e := env.open(env.testOptions())
	out := filepath.Join(env.dir, "out")
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "p/", LocalPath: out})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	for k, v := range objects {
		assertFile(t, filepath.Join(out, strings.TrimPrefix(k, "p/")), v)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(objects) {
		t.Errorf("%d entries in the destination folder, want %d (temp files left?)", len(entries), len(objects))
	}
}

func TestTempPathForFitsAndIsRecognised(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, base := range []string{"a", strings.Repeat("n", 232), strings.Repeat("n", 233), strings.Repeat("é", 127), strings.Repeat("x", 255)} {
		dest := filepath.Join(dir, base)
		temp := tempPathFor(dest)
		if n := len(filepath.Base(temp)); n > maxNameBytes {
			t.Errorf("temp name for a %d-byte name is %d bytes", len(base), n)
		}
		if !isOurTemp(temp, dest) {
			t.Errorf("isOurTemp(%q) = false for its own temp", filepath.Base(temp))
		}
		if err := os.WriteFile(temp, nil, 0o600); err != nil {
			t.Errorf("create temp for a %d-byte name: %v", len(base), err)
		}
	}
	long1, long2 := filepath.Join(dir, strings.Repeat("n", 250)+"1"), filepath.Join(dir, strings.Repeat("n", 250)+"2")
	if isOurTemp(tempPathFor(long1), long2) {
		t.Error("two long names sharing their start share temp names")
	}
}

func TestRenameFreeAtNameLengthLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, base := range []string{strings.Repeat("n", 255), strings.Repeat("é", 125) + ".txt"} {
		path := filepath.Join(dir, base)
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		alt, err := renameFree(path, func(string) bool { return false })
		if err != nil {
			t.Fatalf("renameFree of a %d-byte name: %v", len(base), err)
		}
		if err := os.WriteFile(alt, nil, 0o644); err != nil {
			t.Errorf("free name %q cannot be created: %v", filepath.Base(alt), err)
		}
		if !strings.HasSuffix(alt, " (1)"+filepath.Ext(base)) {
			t.Errorf("free name %q lacks the (1) tag", filepath.Base(alt))
		}
	}
}
