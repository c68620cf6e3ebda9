package transfer

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// makeTree writes files (rel path -> content) under a new temp folder.
func makeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, data := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func walkAll(t *testing.T, root string, opts WalkOptions) []WalkEntry {
	t.Helper()
	var got []WalkEntry
	if err := WalkFolder(root, opts, func(e WalkEntry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func rels(entries []WalkEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Rel
	}
	return out
}

func byRel(entries []WalkEntry) map[string]WalkEntry {
	m := map[string]WalkEntry{}
	for _, e := range entries {
		m[e.Rel] = e
	}
	return m
}

// Files come in the byte order of their relative paths — the order OSS
// lists keys in — with sizes and times, folders implied.
func TestWalkFolderYieldsFilesInKeyOrder(t *testing.T) {
	t.Parallel()
	files := map[string]string{"a.txt": "1", "a/b": "22", "a/c/d": "333", "ab": "4", "a b": "5", "z": "", "a-": "6", "日本/x": "7"}
	root := makeTree(t, files)
	got := walkAll(t, root, WalkOptions{})
	want := make([]string, 0, len(files))
	for rel := range files {
		want = append(want, rel)
	}
	sort.Strings(want)
	if !slices.Equal(rels(got), want) {
		t.Fatalf("order %q\nwant  %q", rels(got), want)
	}
	for _, e := range got {
		info, err := os.Stat(e.Path)
		if err != nil || e.Kind != WalkFile || e.Reason != "" || e.Size != int64(len(files[e.Rel])) || !e.ModTime.Equal(info.ModTime()) {
			t.Errorf("entry %+v (stat err %v)", e, err)
		}
		if e.Path != filepath.Join(root, filepath.FromSlash(e.Rel)) {
			t.Errorf("entry %q: path %q", e.Rel, e.Path)
		}
	}
}

// Symlinks, FIFOs and sockets are each reported with a reason, never
// silently dropped and never uploaded.
func TestWalkFolderReportsSymlinksAndSpecialFiles(t *testing.T) {
	t.Parallel()
	root := makeTree(t, map[string]string{"dir/f": "x", "plain": "y"})
	mustSymlink(t, filepath.Join(root, "dir/f"), filepath.Join(root, "link-file"))
	mustSymlink(t, filepath.Join(root, "dir"), filepath.Join(root, "link-dir"))
	mustSymlink(t, filepath.Join(root, "nowhere"), filepath.Join(root, "dangling"))
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock, err := net.Listen("unix", filepath.Join(root, "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()

	got := byRel(walkAll(t, root, WalkOptions{}))
	want := map[string]WalkKind{
		"dir/f": WalkFile, "plain": WalkFile,
		"link-file": WalkSymlink, "link-dir": WalkSymlink, "dangling": WalkSymlink,
		"fifo": WalkSpecial, "sock": WalkSpecial,
	}
	if len(got) != len(want) {
		t.Errorf("walk met %d entries, want %d: %v", len(got), len(want), got)
	}
	for rel, kind := range want {
		e, ok := got[rel]
		if !ok || e.Kind != kind || (kind != WalkFile) != (e.Reason != "") {
			t.Errorf("%s: %+v, want kind %s", rel, e, kind)
		}
	}
	mustContainText(t, got["fifo"].Reason, "named pipe")
	mustContainText(t, got["sock"].Reason, "socket")
	mustContainText(t, got["link-dir"].Reason, "--follow-symlinks")
}

// With FollowSymlinks, links to files and folders are walked through; a
// link back to a folder above it is a loop, reported once and not entered;
// a link to a device is reported as such; a dangling link is reported.
func TestWalkFolderFollowsSymlinksAndDetectsLoops(t *testing.T) {
	t.Parallel()
	root := makeTree(t, map[string]string{"dir/f": "x", "dir/sub/g": "yy"})
	outside := makeTree(t, map[string]string{"o.txt": "outside"})
	mustSymlink(t, filepath.Join(root, "dir/f"), filepath.Join(root, "link-file"))
	mustSymlink(t, outside, filepath.Join(root, "link-out"))
	mustSymlink(t, "..", filepath.Join(root, "dir/sub/up"))  // dir/sub/up -> dir: a loop
	mustSymlink(t, root, filepath.Join(root, "dir/root"))    // back to the root: a loop
	mustSymlink(t, "/dev/null", filepath.Join(root, "null")) // a character device
	mustSymlink(t, filepath.Join(root, "gone"), filepath.Join(root, "dangling"))

	entries := walkAll(t, root, WalkOptions{FollowSymlinks: true})
	got := byRel(entries)
	want := map[string]WalkKind{
		"dir/f": WalkFile, "dir/sub/g": WalkFile, "link-file": WalkFile, "link-out/o.txt": WalkFile,
		"dir/sub/up": WalkLoop, "dir/root": WalkLoop, "null": WalkSpecial, "dangling": WalkSymlink,
	}
	if len(got) != len(want) {
		t.Errorf("walk met %d entries, want %d: %v", len(got), len(want), rels(entries))
	}
	for rel, kind := range want {
		if e, ok := got[rel]; !ok || e.Kind != kind {
			t.Errorf("%s: %+v, want kind %s", rel, e, kind)
		}
	}
	if e := got["link-out/o.txt"]; e.Size != int64(len("outside")) {
		t.Errorf("followed file size %d", e.Size)
	}
	mustContainText(t, got["null"].Reason, "device")
	if !sort.StringsAreSorted(rels(entries)) {
		t.Errorf("order through links is not key order: %q", rels(entries))
	}
}

// A walk resumed after any entry yields exactly the rest of the full walk,
// and does not read the folders that lie wholly before that entry.
func TestWalkFolderStartAfterResumes(t *testing.T) { // not parallel: it swaps the package's readDir
	root := makeTree(t, map[string]string{"a/1": "", "a/2": "", "a.txt": "", "b/c/3": "", "b/c/4": "", "b/d": "", "c": ""})
	full := rels(walkAll(t, root, WalkOptions{}))
	for i, after := range full {
		var read []string
		orig := readDir
		readDir = func(p string) ([]os.DirEntry, error) {
			read = append(read, p)
			return orig(p)
		}
		rest := rels(walkAll(t, root, WalkOptions{StartAfter: after}))
		readDir = orig
		if !slices.Equal(rest, full[i+1:]) {
			t.Errorf("after %q: %q, want %q", after, rest, full[i+1:])
		}
		if after >= "b/" && slices.Contains(read, filepath.Join(root, "a")) {
			t.Errorf("after %q the walk read folder a, which lies wholly before it", after)
		}
	}
	// A StartAfter that names no entry (e.g. a file since deleted) resumes at
	// the next one in order.
	if rest := rels(walkAll(t, root, WalkOptions{StartAfter: "b/c/35"})); !slices.Equal(rest, []string{"b/c/4", "b/d", "c"}) {
		t.Errorf("after a vanished entry: %q", rest)
	}
}

// A folder that cannot be listed is reported and the walk goes on.
func TestWalkFolderReportsUnreadableFolders(t *testing.T) { // not parallel: it swaps the package's readDir
	root := makeTree(t, map[string]string{"a/x": "", "locked/y": "", "z": ""})
	orig := readDir
	readDir = func(p string) ([]os.DirEntry, error) {
		if filepath.Base(p) == "locked" {
			return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EACCES}
		}
		return orig(p)
	}
	t.Cleanup(func() { readDir = orig })
	got := walkAll(t, root, WalkOptions{})
	if !slices.Equal(rels(got), []string{"a/x", "locked", "z"}) {
		t.Fatalf("entries %q", rels(got))
	}
	if got[1].Kind != WalkUnreadable || !strings.Contains(got[1].Reason, "permission denied") {
		t.Errorf("locked: %+v", got[1])
	}
}

func TestWalkFolderStopsOnCallbackErrorAndRefusesBadRoots(t *testing.T) {
	t.Parallel()
	root := makeTree(t, map[string]string{"a": "", "b": "", "c": ""})
	stop := errors.New("stop")
	n := 0
	err := WalkFolder(root, WalkOptions{}, func(WalkEntry) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err %v after %d calls, want stop after 1", err, n)
	}
	if err := WalkFolder(filepath.Join(root, "a"), WalkOptions{}, func(WalkEntry) error { return nil }); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("file root: %v", err)
	}
	if err := WalkFolder(filepath.Join(root, "missing"), WalkOptions{}, func(WalkEntry) error { return nil }); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
	// A symlinked root is followed.
	link := filepath.Join(t.TempDir(), "link")
	mustSymlink(t, root, link)
	if got := rels(walkAll(t, link, WalkOptions{})); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("symlinked root: %q", got)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mustContainText(t *testing.T, text, want string) {
	t.Helper()
	if !strings.Contains(text, want) {
		t.Errorf("%q does not say %q", text, want)
	}
}
