package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ossq/internal/ossemu"
)

// TestDestinationSymlinkIsRefused: a symbolic link at the destination,
// pointing at a file or at nothing, is refused when queued, whatever the
// OnExists policy, and nothing is written through it.
func TestDestinationSymlinkIsRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "k", []byte("object"))
	victim, data := victimFile(t, env, 10)
	e := env.open(env.testOptions())
	for name, target := range map[string]string{"to-file": victim, "dangling": filepath.Join(env.dir, "elsewhere", "new")} {
		dest := filepath.Join(env.dir, name)
		if err := os.Symlink(target, dest); err != nil {
			t.Fatal(err)
		}
		for _, policy := range []OnExists{ExistsOverwrite, ExistsAsk, ExistsRename, ExistsSkip} {
			_, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "k", LocalPath: dest, OnExists: policy})
			if !errors.Is(err, ErrDestinationSymlink) || !strings.Contains(err.Error(), "destination is a symbolic link") {
				t.Errorf("%s, %s: Add gave %v, want %q", name, policy, err, ErrDestinationSymlink)
			}
		}
	}
	assertUntouched(t, victim, data)
	if _, err := os.Lstat(filepath.Join(env.dir, "elsewhere", "new")); !os.IsNotExist(err) {
		t.Errorf("the dangling link's target was created (%v)", err)
	}
}

// TestDestinationSymlinkAppearingIsRefused: a dangling link planted at the
// destination while the download runs fails it with that reason; the link
// stays a link and its target is never created.
func TestDestinationSymlinkAppearingIsRefused(t *testing.T) {
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "k", []byte("object"))
	dest := filepath.Join(env.dir, "d")
	target := filepath.Join(env.dir, "elsewhere-new")
	testHookBeforeMove = func(string) {
		if err := os.Symlink(target, dest); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { testHookBeforeMove = nil })
	e := env.open(env.testOptions())
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "k", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	ts := waitFor(t, e, id)
	if ts.State != StateFailed || !strings.Contains(ts.Err, "destination is a symbolic link") {
		t.Fatalf("state %s, err %q; want failed: destination is a symbolic link", ts.State, ts.Err)
	}
	if fi, err := os.Lstat(dest); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("destination is no longer the link: %v %v", fi, err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("the link's target was created (%v)", err)
	}
}

// TestTreeDownloadDoesNotCrossSymlinks: with dest/link -> elsewhere, the
// key link/pwn.txt fails with "path crosses a symbolic link: link" and
// nothing is written elsewhere; the other keys arrive. The run checks the
// same way (openDownloadDir), for a link planted after the tree was queued.
func TestTreeDownloadDoesNotCrossSymlinks(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "p/link/pwn.txt", []byte("pwned"))
	env.srv.PutBytes(testBucket, "p/ok.txt", []byte("fine"))
	root := filepath.Join(env.dir, "dest")
	elsewhere := filepath.Join(env.dir, "elsewhere")
	for _, d := range []string{root, elsewhere} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(elsewhere, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	e := env.open(env.testOptions())
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "p/", LocalPath: root})
	if err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, id); ts.State != StateFailed {
		t.Fatalf("job %s %q, want failed for the item behind the link", ts.State, ts.Err)
	}
	failed := treeItems(t, e, id, ItemFailed)
	if len(failed) != 1 || failed[0].Key != "p/link/pwn.txt" || !strings.Contains(failed[0].Reason, "path crosses a symbolic link: link") {
		t.Errorf("failed items %+v; want p/link/pwn.txt: path crosses a symbolic link: link", failed)
	}
	assertFile(t, filepath.Join(root, "ok.txt"), []byte("fine"))
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
		t.Errorf("files written through the link: %v", ents)
	}
}

// TestDestTreeDirRefusesSymlinksAndFiles: the helper tree downloads use
// names the first link or file on the way, and creates missing folders.
func TestDestTreeDirRefusesSymlinksAndFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(root, "a", "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a", "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tree, err := openDestTree(root, true)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.close()
	if _, err := tree.dir("a/up/b"); !errors.Is(err, ErrPathSymlink) || !strings.HasSuffix(err.Error(), ": a/up") {
		t.Errorf("through a link: %v", err)
	}
	if _, err := tree.dir("a/file/x"); !errors.Is(err, ErrDestinationExists) {
		t.Errorf("through a file: %v", err)
	}
	d, err := tree.dir("a/b/new/deeper")
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	if fi, err := os.Stat(filepath.Join(root, "a", "b", "new", "deeper")); err != nil || !fi.IsDir() {
		t.Errorf("missing folders not created: %v", err)
	}
	if d.path != filepath.Join(root, "a", "b", "new", "deeper") {
		t.Errorf("dir path %q", d.path)
	}
}

// TestTreeSymlinkPlantedAfterQueueing: a link planted at a folder of the
// tree after it was queued fails that item when it runs; nothing is
// written through the link.
func TestTreeSymlinkPlantedAfterQueueing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutGenerated(testBucket, "p/a-big", 1<<20, 3, "")
	env.srv.PutBytes(testBucket, "p/link/pwn.txt", []byte("pwned"))
	env.srv.SetFaults(ossemu.Faults{RatePerConn: 256 << 10})
	root := filepath.Join(env.dir, "dest")
	elsewhere := filepath.Join(env.dir, "elsewhere")
	for _, d := range []string{root, elsewhere} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := env.testOptions()
	opts.FileParallel = 1 // pwn.txt waits behind a-big
	e := env.open(opts)
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "p/", LocalPath: root})
	if err != nil {
		t.Fatal(err)
	}
	waitProgress(t, e, id, 64<<10)
	if err := os.Symlink(elsewhere, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if js := jobOf(t, e, id); js.Items.Done != 0 {
		t.Fatalf("a-big finished before the link was planted; the test needs it slower")
	}
	waitFor(t, e, id)
	failed := treeItems(t, e, id, ItemFailed)
	if len(failed) != 1 || failed[0].Key != "p/link/pwn.txt" || !strings.Contains(failed[0].Reason, "path crosses a symbolic link: link") {
		t.Errorf("failed items %+v; want p/link/pwn.txt: path crosses a symbolic link: link", failed)
	}
	if js := jobOf(t, e, id); js.Items.Done != 1 {
		t.Errorf("a-big not done: %+v", js.Items)
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
		t.Errorf("files written through the link: %v", ents)
	}
}
