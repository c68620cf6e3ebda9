package cli

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
	"ossq/transfer"
)

// TestFolderGetSurvivesKill: `ossq get` of a 1,000-object prefix (four
// listing pages: the server holds a page to 250 entries), killed with
// SIGKILL midway and run again, finishes with every file identical, no temp
// file left, fetches no object whose file was already in place and every
// other one about once (the server's GET counts say so); the listing is not
// started over. (Pages of 250 instead of OSS's 1,000 show the same with a
// quarter of the objects, a quarter of the cost under -race.)
func TestFolderGetSurvivesKill(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "kill/restart test")
	const count, size, pageSize = 1_000, 1 << 10, 250
	e := newEnv(t, "", ossemutest.WithConfig(func(c *ossemu.Config) { c.ListPageSize = pageSize }))
	if err := e.server.GenerateObjects(testBucket, "many/", count, size); err != nil {
		t.Fatal(err)
	}
	e.server.SetFaults(ossemu.Faults{Latency: time.Millisecond})
	dest := filepath.Join(e.work, "many")
	// Generous bounds: under -race on a busy 2-core machine the child moves
	// ~100 small files a second.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := e.startChild(ctx, "get", "oss://"+testBucket+"/many/", dest)
	// The kill waits for files at their names, not for bytes served: a file
	// gets its name when the job commits (every 200 ms or 512 files), so a
	// trigger on bytes could fire before the first commit.
	for deadline := time.Now().Add(2 * time.Minute); len(placedFiles(t, dest, count)) < count/10; {
		select {
		case <-c.exited:
			t.Fatalf("the get ended (%v) before the kill; stderr:\n%s", c.err, c.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d files in place in 2 minutes", len(placedFiles(t, dest, count)))
		}
	}
	c.cmd.Process.Kill()
	<-c.exited
	e.server.SetFaults(ossemu.Faults{}) // requests the killed child had sent may still be answered
	time.Sleep(100 * time.Millisecond)
	run1 := e.server.Stats()
	present := placedFiles(t, dest, count)
	if len(present) == 0 || len(present) == count {
		t.Fatalf("%d of %d files in place at the kill; the test needs a kill midway", len(present), count)
	}
	e.server.ResetStats()

	again := e.startChild(ctx, "get", "oss://"+testBucket+"/many/", dest)
	select {
	case <-again.exited:
	case <-time.After(4 * time.Minute):
		t.Fatalf("the rerun did not finish in 4 minutes; stderr:\n%s", again.stderr.String())
	}
	if again.err != nil {
		t.Fatalf("rerun: %v: %s", again.err, again.stderr.String())
	}
	run2 := e.server.Stats()
	for name := range present {
		if n := run2.GetsByKey[testBucket+"/many/"+name]; n != 0 {
			t.Errorf("many/%s was in place before the rerun and was fetched %d more times", name, n)
		}
	}
	// Every missing file is fetched, once but for a retry (a slow answer
	// under load): the ones in flight at the kill are missing too, and
	// nothing that was in place is fetched again.
	if got, missing := run2.Requests["GetObject"], int64(count-len(present)); got < missing || got > missing+transfer.DefaultFileParallel {
		t.Errorf("the rerun made %d GETs for %d missing files", got, missing)
	}
	t.Logf("%d of %d files in place at the kill; the rerun made %d GETs and %d listing requests", len(present), count, run2.Requests["GetObject"], run2.Requests["ListObjectsV2"])
	if n := run2.Requests["ListObjectsV2"]; n >= count/pageSize || run1.Requests["ListObjectsV2"]+n > count/pageSize+1 {
		t.Errorf("listing pages: %d before the kill, %d after; the rerun must go on from its saved position", run1.Requests["ListObjectsV2"], n)
	}
	final := placedFiles(t, dest, count)
	if len(final) != count {
		t.Fatalf("%d files after the rerun, want %d", len(final), count)
	}
	for name := range final {
		seed, err := strconv.Atoi(name)
		if err != nil {
			t.Fatalf("unexpected file %s", name)
		}
		want := ossemu.GeneratedBytes(size, int64(seed))
		got, err := os.ReadFile(filepath.Join(dest, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s differs from its object (%v)", name, err)
		}
	}
}

// placedFiles lists the files at their final names under dir (temp files
// are reported as a failure only once all count files are in: here they are
// skipped).
func placedFiles(t *testing.T, dir string, count int) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	temps := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if strings.Contains(d.Name(), ".ossq-") {
			temps++
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = true
		return nil
	})
	if len(out) == count && temps > 0 {
		t.Errorf("%d temp files left beside the finished files", temps)
	}
	return out
}
