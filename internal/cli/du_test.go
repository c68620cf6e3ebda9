package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// du's totals, per class and per sub-prefix, equal what the server holds.
func TestDuTotalsPerClassAndSubPrefix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	type obj struct {
		key   string
		size  int64
		class string
	}
	objects := []obj{
		{"p/a/1", 100, "Standard"}, {"p/a/2", 200, "IA"}, {"p/a/deep/3", 300, "Standard"},
		{"p/b/4", 400, "Archive"}, {"p/top", 50, "Standard"}, {"other/5", 999, "Standard"},
	}
	for i, o := range objects {
		if err := e.server.PutGenerated(testBucket, o.key, o.size, int64(i), o.class); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := e.run("du", "oss://data/p/")
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	check := func(what, stdout string, want ...string) {
		t.Helper()
		rows := duRows(stdout)
		for _, w := range want {
			if !rows[w] {
				t.Errorf("%s lacks the row %q:\n%s", what, w, stdout)
			}
		}
	}
	check("du", stdout, "3 450 class Standard", "1 200 class IA", "1 400 class Archive", "5 1050 total oss://data/p/")
	if strings.Contains(stdout, "999") {
		t.Errorf("du counted an object outside the prefix:\n%s", stdout)
	}

	code, stdout, stderr = e.run("du", "oss://data/p/", "--depth", "1")
	if code != ExitOK {
		t.Fatalf("--depth 1: exit %d:\n%s", code, stderr)
	}
	check("du --depth 1", stdout, "3 600 oss://data/p/a/", "1 400 oss://data/p/b/", "1 50 (objects directly under oss://data/p/)", "5 1050 total oss://data/p/")
	if code, stdout, stderr = e.run("du", "oss://data/p/", "--depth", "2"); code != ExitOK {
		t.Fatalf("--depth 2: exit %d:\n%s", code, stderr)
	}
	check("du --depth 2", stdout, "2 300 oss://data/p/a/", "1 300 oss://data/p/a/deep/", "1 400 oss://data/p/b/")
	for _, args := range [][]string{{"oss://data/p/", "--depth", "-1"}, {}, {"/local"}} {
		if code, _, _ := e.run("du", args...); code != ExitUsage {
			t.Errorf("du %q: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// ls --json writes one parseable object per entry with every documented
// field, also for keys holding newlines.
func TestLsJSONLines(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	if err := e.server.PutGenerated(testBucket, "j/a.bin", 123, 1, "IA"); err != nil {
		t.Fatal(err)
	}
	e.put("j/two\nlines", []byte("x"))
	e.put("j/sub/c", []byte("y"))

	code, stdout, stderr := e.run("ls", "--json", "oss://data/j/")
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines for 3 entries:\n%s", len(lines), stdout)
	}
	byKey := map[string]map[string]any{}
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		byKey[rec["key"].(string)] = rec
	}
	if p := byKey["j/sub/"]; p == nil || p["type"] != "prefix" {
		t.Errorf("prefix record %v", p)
	}
	obj := byKey["j/a.bin"]
	for _, field := range []string{"type", "key", "size", "last_modified", "etag", "storage_class", "crc64", "version_id"} {
		if _, ok := obj[field]; !ok {
			t.Errorf("object record lacks %q: %v", field, obj)
		}
	}
	if obj["type"] != "object" || obj["size"] != float64(123) || obj["storage_class"] != "IA" ||
		obj["etag"] == "" || strings.Contains(obj["etag"].(string), `"`) || !strings.HasSuffix(obj["last_modified"].(string), "Z") {
		t.Errorf("object record %v", obj)
	}
	if byKey["j/two\nlines"] == nil {
		t.Errorf("the key with a newline did not round-trip: %v", byKey)
	}

	code, stdout, _ = e.run("ls", "--json")
	var bucket map[string]any
	if code != ExitOK || json.Unmarshal([]byte(strings.Split(stdout, "\n")[0]), &bucket) != nil || bucket["type"] != "bucket" || bucket["name"] != testBucket {
		t.Errorf("ls --json of buckets: exit %d, %q", code, stdout)
	}
	if code, stdout, _ = e.run("ls", "--json", "--recursive", "oss://data/j/"); code != ExitOK || strings.Count(stdout, "\n") != 3 || strings.Contains(stdout, `"prefix"`) {
		t.Errorf("ls --json --recursive: exit %d:\n%s", code, stdout)
	}
}

// duRows reads du's table as "OBJECTS BYTES LABEL" strings (the human
// size, two words, left out).
func duRows(stdout string) map[string]bool {
	rows := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 4 {
			rows[f[0]+" "+f[1]+" "+strings.Join(f[4:], " ")] = true
		}
	}
	return rows
}
