package transfer

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// logTexts returns every kept entry's text, newest first.
func logTexts(e *Engine) []string {
	entries, n := e.LogWindow(0, LogKeep)
	if len(entries) != n {
		panic(fmt.Sprintf("window of everything has %d entries, total %d", len(entries), n))
	}
	out := make([]string, len(entries))
	for i, en := range entries {
		out[i] = en.Text
	}
	return out
}

// The engine's own events and a front end's entries are kept in the store
// and read back, newest first, after Close and Open.
func TestLogSurvivesARestart(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	if err := env.srv.PutBytes(testBucket, "ok.txt", []byte("fine")); err != nil {
		t.Fatal(err)
	}
	opts := env.testOptions()
	e := env.open(opts)
	if err := e.AppendLog(LogEntry{Level: LogWarn, Text: "config: secrets file is readable by others"}); err != nil {
		t.Fatal(err)
	}
	okID, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "ok.txt", LocalPath: filepath.Join(env.dir, "ok.txt")})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, okID)
	badID, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "missing.txt", LocalPath: filepath.Join(env.dir, "missing.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if s := waitFor(t, e, badID); s.State != StateFailed {
		t.Fatalf("missing object ended %s", s.State)
	}
	before := logTexts(e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.AppendLog(LogEntry{Text: "after close"}); err == nil {
		t.Fatal("AppendLog after Close succeeded")
	}

	e2 := env.open(opts)
	defer e2.Close()
	after := logTexts(e2)
	if strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("after a restart the log reads\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	all := strings.Join(after, "\n")
	for _, want := range []string{
		"config: secrets file is readable by others",
		"queued: oss://bkt/ok.txt → " + filepath.Join(env.dir, "ok.txt"),
		"done: oss://bkt/ok.txt → ",
		"failed: oss://bkt/missing.txt → " + filepath.Join(env.dir, "missing.txt") + ": ",
	} {
		if !strings.Contains(all, want) {
			t.Fatalf("log lacks %q:\n%s", want, all)
		}
	}
	entries, _ := e2.LogWindow(0, LogKeep)
	if !strings.HasPrefix(entries[0].Text, "failed: ") || entries[0].Level != LogError || entries[0].Job != badID {
		t.Fatalf("newest entry %+v, want the failure of %s", entries[0], badID)
	}
	if last := entries[len(entries)-1]; last.Level != LogWarn || !strings.HasPrefix(last.Text, "config: ") {
		t.Fatalf("oldest entry %+v, want the config warning", last)
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].Time.After(entries[i-1].Time) {
			t.Fatalf("entry %d is newer than entry %d", i, i-1)
		}
	}
}

// Only the newest LogKeep entries are kept, in memory and in the store;
// windows page through them newest first.
func TestLogKeepsTheNewestFewThousand(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	e := env.open(opts)
	const extra = 37
	for i := range LogKeep + extra {
		if err := e.AppendLog(LogEntry{Text: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(e *Engine, when string) {
		t.Helper()
		page, n := e.LogWindow(0, 3)
		if n != LogKeep || len(page) != 3 || page[0].Text != fmt.Sprint(LogKeep+extra-1) || page[2].Text != fmt.Sprint(LogKeep+extra-3) {
			t.Fatalf("%s: newest page %+v of %d", when, page, n)
		}
		tail, _ := e.LogWindow(LogKeep-2, 10)
		if len(tail) != 2 || tail[1].Text != fmt.Sprint(extra) {
			t.Fatalf("%s: oldest page %+v, want it to end at entry %d", when, tail, extra)
		}
		if past, _ := e.LogWindow(LogKeep+5, 10); len(past) != 0 {
			t.Fatalf("%s: a window past the end has %d entries", when, len(past))
		}
	}
	check(e, "before closing")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := bolt.Open(filepath.Join(opts.StateDir, queueDBName), 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	db.View(func(tx *bolt.Tx) error {
		stored = tx.Bucket(bucketLog).Stats().KeyN
		return nil
	})
	db.Close()
	if stored != LogKeep {
		t.Fatalf("the store keeps %d entries, want %d", stored, LogKeep)
	}

	e2 := env.open(opts)
	defer e2.Close()
	check(e2, "after a restart")
}

// Without a store (Ephemeral) the log is kept in memory only.
func TestLogWithoutAStoreIsKeptInMemory(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	opts.Ephemeral = true
	e := env.open(opts)
	if err := e.AppendLog(LogEntry{Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if got := logTexts(e); len(got) != 1 || got[0] != "hello" {
		t.Fatalf("log %q", got)
	}
	e.Close()
	e2 := env.open(opts)
	defer e2.Close()
	if got := logTexts(e2); len(got) != 0 {
		t.Fatalf("an ephemeral engine found a log: %q", got)
	}
}

// A long text is clipped on a rune boundary, never stored whole.
func TestLogClipsLongText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", maxLogText)
	got := clipText(long, maxLogText)
	if len(got) > maxLogText || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "éé") {
		t.Fatalf("clipped to %d bytes: %q…", len(got), got[:10])
	}
	for _, r := range strings.TrimSuffix(got, "…") {
		if r != 'é' {
			t.Fatalf("clip split a rune: %q", r)
		}
	}
}
