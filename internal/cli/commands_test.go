package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestLsBucketsAndPrefixes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.put("a.txt", []byte("hello"))
	e.put("dir/b.txt", []byte("0123456789"))
	e.put("dir/sub/c.txt", []byte("c"))

	code, out, errOut := e.run("ls")
	if code != ExitOK {
		t.Fatalf("ls: exit %d: %s", code, errOut)
	}
	mustContain(t, "ls", out, "oss://"+testBucket)

	code, out, errOut = e.run("ls", "oss://"+testBucket)
	if code != ExitOK {
		t.Fatalf("ls bucket: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("ls oss://data: want 2 lines (dir/, a.txt), got:\n%s", out)
	}
	if !regexp.MustCompile(`^\s+DIR\s+dir/$`).MatchString(lines[0]) {
		t.Errorf("prefix line = %q", lines[0])
	}
	if !regexp.MustCompile(`^\s+5  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  a\.txt$`).MatchString(lines[1]) {
		t.Errorf("object line = %q", lines[1])
	}

	// Flags after the positional argument work too.
	code, out, errOut = e.run("ls", "oss://"+testBucket+"/dir/", "--human")
	if code != ExitOK {
		t.Fatalf("ls prefix: exit %d: %s", code, errOut)
	}
	mustContain(t, "ls dir/", out, "dir/sub/", "10 B", "dir/b.txt")
	if strings.Contains(out, "c.txt") || strings.Contains(out, "a.txt") {
		t.Errorf("ls dir/ shows keys outside one level:\n%s", out)
	}

	code, out, errOut = e.run("ls", "--recursive", "oss://"+testBucket)
	if code != ExitOK {
		t.Fatalf("ls -recursive: exit %d: %s", code, errOut)
	}
	mustContain(t, "ls --recursive", out, "a.txt", "dir/b.txt", "dir/sub/c.txt")
	if strings.Contains(out, "DIR") {
		t.Errorf("recursive listing shows prefixes:\n%s", out)
	}

	code, _, errOut = e.run("ls", "oss://no-such-bucket")
	if code != ExitFailure {
		t.Fatalf("ls of a missing bucket: exit %d, want 1", code)
	}
	mustContain(t, "stderr", errOut, "NoSuchBucket", "request ID ")
}

func TestGetPutRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `multipart_threshold = "1MiB"`)
	// Multipart both ways (3.5 MiB in 1 MiB parts) and a single-request file.
	big := randomBytes(3<<20+512<<10, 1)
	small := randomBytes(1000, 2)
	bigPath := e.writeFile("up/big.bin", big)
	e.writeFile("up/nested/small.bin", small)

	code, _, errOut := e.run("put", bigPath, "oss://"+testBucket+"/in/", "--part-size", "1MiB", "--parallel", "3")
	if code != ExitOK {
		t.Fatalf("put file: exit %d: %s", code, errOut)
	}
	mustContain(t, "put stderr", errOut, "uploaded oss://"+testBucket+"/in/big.bin")
	if got := e.server.Object("in/big.bin"); string(got) != string(big) {
		t.Fatalf("uploaded object differs (%d bytes, want %d)", len(got), len(big))
	}

	dest := filepath.Join(e.work, "down", "copy.bin")
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = e.run("get", "--part-size", "1MiB", "oss://"+testBucket+"/in/big.bin", dest)
	if code != ExitOK {
		t.Fatalf("get file: exit %d: %s", code, errOut)
	}
	sameFile(t, dest, big)

	// A destination ending in / is a folder, made if missing.
	code, _, errOut = e.run("get", "oss://"+testBucket+"/in/big.bin", filepath.Join(e.work, "fresh")+"/")
	if code != ExitOK {
		t.Fatalf("get into a new folder: exit %d: %s", code, errOut)
	}
	sameFile(t, filepath.Join(e.work, "fresh", "big.bin"), big)

	// A destination folder keeps the object's name.
	code, _, errOut = e.run("get", "oss://"+testBucket+"/in/big.bin", filepath.Join(e.work, "down")+"/", "--on-exists", "overwrite")
	if code != ExitOK {
		t.Fatalf("get into folder: exit %d: %s", code, errOut)
	}
	sameFile(t, filepath.Join(e.work, "down", "big.bin"), big)

	// Folders up, prefixes down.
	code, _, errOut = e.run("put", filepath.Join(e.work, "up"), "oss://"+testBucket+"/tree")
	if code != ExitOK {
		t.Fatalf("put folder: exit %d: %s", code, errOut)
	}
	if got := e.server.Object("tree/nested/small.bin"); string(got) != string(small) {
		t.Fatalf("tree/nested/small.bin differs")
	}
	treeDest := filepath.Join(e.work, "tree-copy")
	code, _, errOut = e.run("get", "oss://"+testBucket+"/tree/", treeDest)
	if code != ExitOK {
		t.Fatalf("get prefix: exit %d: %s", code, errOut)
	}
	mustContain(t, "get prefix stderr", errOut, "downloaded 2 files")
	sameFile(t, filepath.Join(treeDest, "big.bin"), big)
	sameFile(t, filepath.Join(treeDest, "nested", "small.bin"), small)

	// Again into the same folder: "ask" refuses (nothing is overwritten), skip skips.
	code, _, errOut = e.run("get", "oss://"+testBucket+"/tree/", treeDest)
	if code != ExitFailure {
		t.Fatalf("get prefix onto existing files: exit %d, want 1", code)
	}
	mustContain(t, "stderr", errOut, "destination exists", "hint: some destinations exist; choose --on-exists")
	// Skipped items are never silent: each is named with its reason, and
	// the run exits 1 (issue: a folder is one job).
	code, _, errOut = e.run("get", "oss://"+testBucket+"/tree/", treeDest, "--on-exists", "skip")
	if code != ExitFailure {
		t.Fatalf("get prefix with skip: exit %d, want 1: %s", code, errOut)
	}
	mustContain(t, "stderr", errOut, "tree/big.bin: skipped: destination exists (on_exists = skip)", "downloaded 0 of 2 files", "2 skipped")
}

func TestGetExistingDestination(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.put("k.txt", []byte("new content"))
	dest := e.writeFile("k.txt", []byte("old"))

	code, _, errOut := e.run("get", "oss://"+testBucket+"/k.txt", dest)
	if code != ExitFailure {
		t.Fatalf("get onto an existing file with on_exists=ask: exit %d, want 1", code)
	}
	mustContain(t, "stderr", errOut, "exists", "--on-exists")
	sameFile(t, dest, []byte("old"))

	if code, _, errOut = e.run("get", "oss://"+testBucket+"/k.txt", dest, "--on-exists", "skip"); code != ExitOK {
		t.Fatalf("skip: exit %d: %s", code, errOut)
	}
	mustContain(t, "stderr", errOut, "skipped")
	sameFile(t, dest, []byte("old"))

	if code, _, errOut = e.run("get", "oss://"+testBucket+"/k.txt", dest, "--on-exists", "rename"); code != ExitOK {
		t.Fatalf("rename: exit %d: %s", code, errOut)
	}
	sameFile(t, dest, []byte("old"))
	sameFile(t, filepath.Join(e.work, "k (1).txt"), []byte("new content"))

	if code, _, errOut = e.run("get", "oss://"+testBucket+"/k.txt", dest, "--on-exists", "overwrite"); code != ExitOK {
		t.Fatalf("overwrite: exit %d: %s", code, errOut)
	}
	sameFile(t, dest, []byte("new content"))
}

func TestGetMissingKeyFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	code, _, errOut := e.run("get", "oss://"+testBucket+"/missing.bin", filepath.Join(e.work, "x"))
	if code != ExitFailure {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errOut)
	}
	mustContain(t, "stderr", errOut, "NoSuchKey", "HTTP 404", "request ID ")
	if !regexp.MustCompile(`request ID [0-9A-Za-z]+`).MatchString(errOut) {
		t.Errorf("no request ID value in:\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(e.work, "x")); !os.IsNotExist(err) {
		t.Errorf("a failed get left a destination file (stat err %v)", err)
	}

	// A "folder" named without its slash gets a hint.
	e.put("photos/a.jpg", []byte("jpeg"))
	code, _, errOut = e.run("get", "oss://"+testBucket+"/photos", e.work)
	if code != ExitFailure {
		t.Fatalf("get of a folder without slash: exit %d, want 1", code)
	}
	mustContain(t, "stderr", errOut, "NoSuchKey", "hint: oss://"+testBucket+"/photos/ is a folder")

	code, _, errOut = e.run("get", "oss://"+testBucket+"/nothing-here/", e.work)
	if code != ExitFailure {
		t.Fatalf("get of an empty prefix: exit %d, want 1", code)
	}
	mustContain(t, "stderr", errOut, "no objects under")
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	src := e.writeFile("f.bin", []byte("x"))
	cases := []struct {
		name string
		cmd  string
		args []string
		want string
	}{
		{"get without arguments", "get", nil, "wrong number of arguments"},
		{"get with three arguments", "get", []string{"oss://data/a", "b", "c"}, "wrong number of arguments"},
		{"get of a local path", "get", []string{"/tmp/file"}, "not an oss://"},
		{"get without a bucket", "get", []string{"oss:///key"}, "names no bucket"},
		{"get with a bad bucket", "get", []string{"oss://Bad_Bucket/key"}, "lower-case"},
		{"get to an oss address", "get", []string{"oss://data/a", "oss://data/b"}, "is an OSS address"},
		{"put with one argument", "put", []string{src}, "wrong number of arguments"},
		{"put from oss", "put", []string{"oss://data/a", "oss://data/b"}, "is an OSS address"},
		{"unknown flag", "get", []string{"--bogus", "oss://data/a"}, "flag provided but not defined"},
		{"flag without value", "get", []string{"oss://data/a", "--parallel"}, "flag needs an argument"},
		{"parallel out of range", "get", []string{"--parallel", "0", "oss://data/a"}, "--parallel"},
		{"parallel not a number", "get", []string{"--parallel", "many", "oss://data/a"}, "invalid value"},
		{"part size too small", "put", []string{src, "oss://data/a", "--part-size", "1KB"}, "allowed 100 KiB to 5.0 GiB"},
		{"part size junk", "put", []string{src, "oss://data/a", "--part-size", "big"}, "--part-size"},
		{"bad bwlimit", "get", []string{"--bwlimit", "-5", "oss://data/a"}, "negative"},
		{"bad on-exists", "get", []string{"--on-exists", "maybe", "oss://data/a"}, "want one of"},
		{"ls with two arguments", "ls", []string{"oss://data", "oss://data"}, "at most one"},
		{"missing profile", "ls", []string{"--profile", "nope"}, `profile "nope" not found`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := e.run(tc.cmd, tc.args...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitUsage, errOut)
			}
			mustContain(t, "stderr", errOut, tc.want)
		})
	}

	t.Run("unknown command", func(t *testing.T) {
		if code, _, errOut := e.run("frobnicate", "a", "b"); code != ExitUsage || !strings.Contains(errOut, "unknown command") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("broken config", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.toml")
		if err := os.WriteFile(bad, []byte("[transfer]\nparallel = 1000\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := e.run("ls", "--config", bad)
		if code != ExitUsage {
			t.Fatalf("exit %d, want 2", code)
		}
		mustContain(t, "stderr", errOut, bad+":2:1:", "allowed 1 to 100")
	})
	t.Run("help", func(t *testing.T) {
		code, out, _ := e.run("get", "-h")
		if code != ExitOK {
			t.Fatalf("exit %d, want 0", code)
		}
		mustContain(t, "usage", out, "usage: ossq get", "-parallel", "-on-exists", "-no-checkpoint")
	})
}

func TestEndpointFlagAndEnvironmentCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.put("k", []byte("v"))
	// No config file at all: endpoint and region from flags, keys from the environment.
	e.setenv("OSS_ACCESS_KEY_ID", testAK)
	e.setenv("OSS_ACCESS_KEY_SECRET", testSecret)
	code, out, errOut := e.runIn("", false, "ls", []string{"--endpoint", e.endpoint, "--region", "cn-hangzhou", "oss://" + testBucket})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mustContain(t, "ls", out, "  k\n")

	// A v4 profile with no region cannot sign: a setup error, before any request.
	code, _, errOut = e.runIn("", false, "ls", []string{"--endpoint", e.endpoint})
	if code != ExitUsage {
		t.Fatalf("no region: exit %d, want 2", code)
	}
	mustContain(t, "stderr", errOut, "needs a region")

	// Wrong secret: the server refuses, and the CLI says so with the OSS code.
	e.setenv("OSS_ACCESS_KEY_SECRET", "wrong")
	code, _, errOut = e.runIn("", false, "ls", []string{"--endpoint", e.endpoint, "--region", "cn-hangzhou"})
	if code != ExitFailure {
		t.Fatalf("bad secret: exit %d, want 1", code)
	}
	mustContain(t, "stderr", errOut, "SignatureDoesNotMatch", "request ID")
}

// With --on-exists rename the messages name the file the engine actually
// wrote, not the planned destination that was left alone.
func TestGetRenameReportsWrittenPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.put("k.txt", []byte("new content"))
	dest := e.writeFile("k.txt", []byte("old"))
	renamed := filepath.Join(e.work, "k (1).txt")

	code, _, errOut := e.run("get", "oss://"+testBucket+"/k.txt", dest, "--on-exists", "rename")
	if code != ExitOK {
		t.Fatalf("rename: exit %d: %s", code, errOut)
	}
	sameFile(t, renamed, []byte("new content"))
	sameFile(t, dest, []byte("old"))
	mustContain(t, "stderr", errOut, "downloaded "+renamed+" (")
	if strings.Contains(errOut, "downloaded "+dest+" (") {
		t.Errorf("the summary names the untouched file %s:\n%s", dest, errOut)
	}

	// In a tree each renamed file is named by its full local path, and the
	// summary counts them.
	e.put("tree/a.txt", []byte("new a"))
	e.put("tree/sub/b.txt", []byte("new b"))
	treeDest := filepath.Join(e.work, "tree-copy")
	e.writeFile("tree-copy/sub/b.txt", []byte("old b"))
	code, _, errOut = e.run("get", "oss://"+testBucket+"/tree/", treeDest, "--on-exists", "rename")
	if code != ExitOK {
		t.Fatalf("tree rename: exit %d: %s", code, errOut)
	}
	renamedB := filepath.Join(treeDest, "sub", "b (1).txt")
	sameFile(t, renamedB, []byte("new b"))
	sameFile(t, filepath.Join(treeDest, "sub", "b.txt"), []byte("old b"))
	sameFile(t, filepath.Join(treeDest, "a.txt"), []byte("new a"))
	mustContain(t, "stderr", errOut,
		"oss://"+testBucket+"/tree/sub/b.txt: saved as "+renamedB+" (destination existed)",
		"downloaded 2 files to "+treeDest+", renamed 1 whose destination existed (")
}

// --on-exists only governs downloads; put refuses it instead of accepting
// "skip" and overwriting anyway.
func TestPutRejectsOnExists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.put("f.bin", []byte("remote"))
	src := e.writeFile("f.bin", []byte("local"))
	for _, policy := range []string{"skip", "overwrite", "rename", ""} {
		code, _, errOut := e.run("put", src, "oss://"+testBucket+"/f.bin", "--on-exists", policy)
		if code != ExitUsage {
			t.Fatalf("put --on-exists %q: exit %d, want %d; stderr:\n%s", policy, code, ExitUsage, errOut)
		}
		mustContain(t, "stderr", errOut, "--on-exists applies to get only")
	}
	if got := e.server.Object("f.bin"); string(got) != "remote" {
		t.Fatalf("the refused put replaced the object: %q", got)
	}
	code, out, _ := e.run("put", "-h")
	if code != ExitOK {
		t.Fatalf("put -h: exit %d", code)
	}
	mustContain(t, "put usage", out, "get only")
}

// Without a destination a prefix lands in a folder named after it (the
// bucket's name for the whole bucket), as in the TUI, instead of spilling
// its contents into the current folder. An explicit destination folder
// receives the contents.
func TestGetPrefixWithoutDestinationMakesAFolder(t *testing.T) {
	e := newEnv(t, "")
	e.put("root.txt", []byte("root"))
	e.put("photos/a.jpg", []byte("a"))
	e.put("photos/2024/b.jpg", []byte("b"))
	here := filepath.Join(e.work, "here")
	if err := os.Mkdir(here, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(here)

	code, _, errOut := e.run("get", "oss://"+testBucket+"/photos/")
	if code != ExitOK {
		t.Fatalf("get prefix without destination: exit %d: %s", code, errOut)
	}
	sameFile(t, filepath.Join(here, "photos", "a.jpg"), []byte("a"))
	sameFile(t, filepath.Join(here, "photos", "2024", "b.jpg"), []byte("b"))
	mustContain(t, "stderr", errOut, "downloaded 2 files to "+filepath.Join(here, "photos")+" (")
	for _, spilled := range []string{"a.jpg", "2024"} {
		if _, err := os.Lstat(filepath.Join(here, spilled)); err == nil {
			t.Errorf("%s was written into the current folder itself", spilled)
		}
	}

	// A nested prefix is named by its last element.
	code, _, errOut = e.run("get", "oss://"+testBucket+"/photos/2024/")
	if code != ExitOK {
		t.Fatalf("get nested prefix: exit %d: %s", code, errOut)
	}
	sameFile(t, filepath.Join(here, "2024", "b.jpg"), []byte("b"))

	// The whole bucket goes into a folder named after the bucket.
	code, _, errOut = e.run("get", "oss://"+testBucket)
	if code != ExitOK {
		t.Fatalf("get bucket without destination: exit %d: %s", code, errOut)
	}
	sameFile(t, filepath.Join(here, testBucket, "root.txt"), []byte("root"))
	sameFile(t, filepath.Join(here, testBucket, "photos", "2024", "b.jpg"), []byte("b"))
	if _, err := os.Lstat(filepath.Join(here, "root.txt")); err == nil {
		t.Error("root.txt was written into the current folder itself")
	}

	// An explicit destination receives the contents, not a subfolder.
	code, _, errOut = e.run("get", "oss://"+testBucket+"/photos/", "out")
	if code != ExitOK {
		t.Fatalf("get prefix into out: exit %d: %s", code, errOut)
	}
	sameFile(t, filepath.Join(here, "out", "a.jpg"), []byte("a"))
	sameFile(t, filepath.Join(here, "out", "2024", "b.jpg"), []byte("b"))
}
