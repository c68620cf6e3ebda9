package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func putMany(e *env, prefix string, n int) {
	for i := range n {
		e.put(fmt.Sprintf("%sf%02d.txt", prefix, i), randomBytes(64+i, uint64(i)))
	}
}

// parseNDJSON parses NDJSON output, failing on any line that does not parse.
func parseNDJSON(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// jsonFields are the field names of a record type, as written.
func jsonFields(v any) []string {
	var names []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		names = append(names, strings.Split(rt.Field(i).Tag.Get("json"), ",")[0])
	}
	return names
}

func summaryOf(t *testing.T, lines []map[string]any) map[string]any {
	t.Helper()
	last := lines[len(lines)-1]
	if last["type"] != "summary" {
		t.Fatalf("last line is %v", last)
	}
	return last
}

// TestSyncSecondRunOfUnchangedTreeSendsNoGetOrPut: a second sync either way
// costs one listing: no GET, PUT or HEAD, and everything counts as unchanged
// with exit 0.
func TestSyncSecondRunOfUnchangedTreeSendsNoGetOrPut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	putMany(e, "p/", 25)
	dst := filepath.Join(e.work, "down")
	if code, _, stderr := e.run("sync", "oss://data/p/", dst); code != ExitOK {
		t.Fatalf("first sync: %d\n%s", code, stderr)
	}
	e.server.ResetStats()
	code, _, stderr := e.run("sync", "oss://data/p/", dst)
	st := e.server.Stats()
	if code != ExitOK || st.TotalRequests() != st.Requests["ListObjectsV2"] || len(st.GetsByKey) != 0 {
		t.Fatalf("second sync: %d, requests %v\n%s", code, st.Requests, stderr)
	}
	mustContain(t, "stderr", stderr, "25 unchanged")

	if code, _, stderr := e.run("sync", dst, "oss://data/up/"); code != ExitOK {
		t.Fatalf("first upload sync: %d\n%s", code, stderr)
	}
	e.server.ResetStats()
	code, _, stderr = e.run("sync", dst, "oss://data/up/")
	st = e.server.Stats()
	if code != ExitOK || st.TotalRequests() != st.Requests["ListObjectsV2"] {
		t.Fatalf("second upload sync: %d, requests %v\n%s", code, st.Requests, stderr)
	}
}

// TestSyncDeleteRemovesWhatTheSourceNoLongerHas: --delete asks (and with no
// terminal refuses without --yes), --max-delete stops before deleting
// anything, then --yes removes local extras and objects alike.
func TestSyncDeleteRemovesWhatTheSourceNoLongerHas(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	putMany(e, "p/", 5)
	dst := filepath.Join(e.work, "down")
	if code, _, stderr := e.run("sync", "oss://data/p/", dst); code != ExitOK {
		t.Fatalf("first sync: %d\n%s", code, stderr)
	}
	extras := []string{"old1.txt", "sub/old2.txt", "sub/deep/old3.txt"}
	for _, x := range extras {
		os.MkdirAll(filepath.Dir(filepath.Join(dst, x)), 0o755)
		os.WriteFile(filepath.Join(dst, x), []byte("stale"), 0o644)
	}
	present := func() int {
		n := 0
		for _, x := range extras {
			if _, err := os.Stat(filepath.Join(dst, x)); err == nil {
				n++
			}
		}
		return n
	}
	code, _, stderr := e.run("sync", "--delete", "oss://data/p/", dst)
	if code != ExitFailure || present() != 3 {
		t.Fatalf("without --yes: %d, %d left\n%s", code, present(), stderr)
	}
	mustContain(t, "stderr", stderr, "--yes")
	code, _, stderr = e.run("sync", "--delete", "--yes", "--max-delete", "2", "oss://data/p/", dst)
	if code != ExitFailure || present() != 3 {
		t.Fatalf("over --max-delete: %d, %d left\n%s", code, present(), stderr)
	}
	mustContain(t, "stderr", stderr, "more than --max-delete 2")
	code, _, stderr = e.run("sync", "--delete", "--yes", "--max-delete", "3", "oss://data/p/", dst)
	if code != ExitOK || present() != 0 {
		t.Fatalf("--yes: %d, %d left\n%s", code, present(), stderr)
	}
	code, _, stderr = e.runInput("y\n", "sync", "--delete", dst, "oss://data/p/")
	if code != ExitOK {
		t.Fatalf("upload sync: %d\n%s", code, stderr)
	}
	e.put("p/gone/x.bin", []byte("x"))
	e.put("p/gone.bin", []byte("y"))
	code, _, stderr = e.runInput("y\n", "sync", "--delete", dst, "oss://data/p/")
	if code != ExitOK {
		t.Fatalf("upload sync with extras: %d\n%s", code, stderr)
	}
	mustContain(t, "stderr", stderr, "deleted 2 items")
	page, err := e.store().ListObjects(context.Background(), testBucket, "p/", "", "", 100)
	if err != nil || len(page.Objects) != 5 {
		t.Fatalf("left %d objects (%v)", len(page.Objects), err)
	}
}

// TestSyncDeleteNeverDeletesAfterAFailedTransfer: one item fails (its
// destination is a folder), so nothing is deleted though extras exist.
func TestSyncDeleteNeverDeletesAfterAFailedTransfer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	putMany(e, "p/", 3)
	e.put("p/clash", []byte("an object whose name is a local folder"))
	dst := filepath.Join(e.work, "down")
	os.MkdirAll(filepath.Join(dst, "clash"), 0o755)
	stale := filepath.Join(dst, "clash", "stale.txt")
	os.WriteFile(stale, []byte("stale"), 0o644)
	code, _, stderr := e.run("sync", "--delete", "--yes", "oss://data/p/", dst)
	if code != ExitFailure {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	mustContain(t, "stderr", stderr, "not deleting the 1 items")
	if _, err := os.Stat(stale); err != nil {
		t.Fatalf("the extra went after a failed transfer: %v", err)
	}
}

// TestSyncDryRunPlanEqualsTheRealRun: the dry run's JSON summary and item
// events count exactly what the real run then does, and it moves nothing.
func TestSyncDryRunPlanEqualsTheRealRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	putMany(e, "p/", 8)
	dst := filepath.Join(e.work, "down")
	if code, _, stderr := e.run("sync", "oss://data/p/", dst); code != ExitOK {
		t.Fatalf("first sync: %d\n%s", code, stderr)
	}
	e.put("p/f01.txt", []byte("changed"))
	e.put("p/new/n.txt", []byte("new"))
	e.put("p/skip.tmp", []byte("filtered"))
	os.WriteFile(filepath.Join(dst, "old.txt"), []byte("extra"), 0o644)
	args := []string{"--delete", "--yes", "--exclude", "*.tmp", "--json", "oss://data/p/", dst}
	e.server.ResetStats()
	code, out, stderr := e.run("sync", append([]string{"--dry-run"}, args...)...)
	if code != ExitOK || e.server.Stats().Requests["GetObject"] != 0 {
		t.Fatalf("dry run: %d, %v\n%s", code, e.server.Stats().Requests, stderr)
	}
	if _, err := os.Stat(filepath.Join(dst, "old.txt")); err != nil {
		t.Fatal("the dry run deleted")
	}
	plan := parseNDJSON(t, out)
	code, out, stderr = e.run("sync", args...)
	if code != ExitOK {
		t.Fatalf("real run: %d\n%s", code, stderr)
	}
	real := parseNDJSON(t, out)
	ps, rs := summaryOf(t, plan), summaryOf(t, real)
	for _, f := range []string{"items", "done", "done_bytes", "unchanged", "unchanged_bytes", "skipped", "failed", "filtered", "filtered_bytes", "to_delete", "to_delete_bytes"} {
		if ps[f] != rs[f] {
			t.Errorf("%s: plan %v, real %v", f, ps[f], rs[f])
		}
	}
	if rs["done"] != 2.0 || rs["unchanged"] != 7.0 || rs["filtered"] != 1.0 || rs["deleted"] != 1.0 || ps["deleted"] != 0.0 {
		t.Fatalf("real summary %v", rs)
	}
	count := func(lines []map[string]any, typ, status string) int {
		n := 0
		for _, l := range lines {
			if l["type"] == typ && l["status"] == status {
				n++
			}
		}
		return n
	}
	if count(plan, "item", "transfer") != count(real, "item", "done") || count(plan, "item", "unchanged") != count(real, "item", "unchanged") ||
		count(plan, "delete", "delete") != count(real, "delete", "deleted") || count(real, "delete", "deleted") != 1 {
		t.Fatalf("events differ:\nplan %v\nreal %v", plan, real)
	}
	code, out, _ = e.run("sync", "--dry-run", "-v", "oss://data/p/", dst)
	if code != ExitOK {
		t.Fatalf("plan: %d", code)
	}
	mustContain(t, "plan", out, "skip as unchanged", "transfer", "unchanged ")
}

// TestTransferJSONCarriesEveryField: every line of get --json parses and
// carries every documented field, a failed item its code and message; the
// same for uploads ls --json.
func TestTransferJSONCarriesEveryField(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	putMany(e, "p/", 3)
	e.put("p/clash", []byte("x"))
	dst := filepath.Join(e.work, "down")
	os.MkdirAll(filepath.Join(dst, "clash"), 0o755)
	code, out, stderr := e.run("get", "--json", "oss://data/p/", dst)
	if code != ExitFailure {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := parseNDJSON(t, out)
	failed := 0
	for _, l := range lines {
		want := jsonFields(jsonItem{})
		if l["type"] == "summary" {
			want = jsonFields(jsonSummary{})
		}
		for _, f := range want {
			if _, ok := l[f]; !ok {
				t.Errorf("line %v lacks %q", l, f)
			}
		}
		if l["status"] == "failed" {
			failed++
			if l["message"] == "" && l["reason"] == "" {
				t.Errorf("failed item without a cause: %v", l)
			}
		}
	}
	if s := summaryOf(t, lines); failed != 1 || s["exit_code"] != 1.0 || s["done"] != 3.0 || len(lines) != 5 {
		t.Fatalf("%d failed, lines %v", failed, lines)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.store().InitiateMultipart(ctx, testBucket, "big.bin"); err != nil {
		t.Fatal(err)
	}
	code, out, _ = e.run("uploads", "ls", "--json", "oss://data/")
	lines = parseNDJSON(t, out)
	if code != ExitOK || len(lines) != 1 || lines[0]["key"] != "big.bin" {
		t.Fatalf("uploads ls: %d %v", code, lines)
	}
	for _, f := range jsonFields(jsonUpload{}) {
		if _, ok := lines[0][f]; !ok {
			t.Errorf("upload line lacks %q", f)
		}
	}
}
