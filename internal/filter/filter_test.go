package filter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func mustNew(t *testing.T, opts Options) *Filter {
	t.Helper()
	opts.Now = func() time.Time { return now }
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type item struct {
	path   string
	size   int64
	age    time.Duration
	keep   bool
	reason string // a substring of the reason when left out
}

func check(t *testing.T, f *Filter, items []item) {
	t.Helper()
	for _, it := range items {
		ok, reason := f.Match(it.path, it.size, now.Add(-it.age))
		if ok != it.keep {
			t.Errorf("Match(%q, %d, -%s) = %v (%s), want %v", it.path, it.size, it.age, ok, reason, it.keep)
			continue
		}
		if !ok && !strings.Contains(reason, it.reason) {
			t.Errorf("Match(%q): reason %q, want it to say %q", it.path, reason, it.reason)
		}
		if ok && reason != "" {
			t.Errorf("Match(%q) kept with a reason %q", it.path, reason)
		}
	}
}

func TestFirstMatchingRuleWins(t *testing.T) {
	// "+ keep/*.log" before "- *.log": logs under keep/ stay, the rest go.
	f := mustNew(t, Options{Rules: []Rule{
		{Include: true, Glob: "keep/*.log", Source: "rules:1"},
		{Glob: "*.log", Source: "rules:2"},
	}})
	check(t, f, []item{
		{path: "keep/a.log", keep: true},
		{path: "x/keep/a.log", keep: true},
		{path: "a.log", reason: `"- *.log" (rules:2)`},
		{path: "keep/sub/a.log", reason: "rules:2"},
		{path: "a.txt", keep: true}, // no rule matched and no --include: kept
	})
	// The same rules reversed: the exclude comes first and wins.
	f = mustNew(t, Options{Rules: []Rule{{Glob: "*.log"}, {Include: true, Glob: "keep/*.log"}}})
	check(t, f, []item{{path: "keep/a.log", reason: `"- *.log"`}})
}

func TestIncludeLeavesOutWhatNoRuleMatches(t *testing.T) {
	f := mustNew(t, Options{Rules: []Rule{
		{Include: true, Glob: "*.jpg", Source: IncludeSource},
		{Glob: "tmp/", Source: "--exclude"},
	}})
	check(t, f, []item{
		{path: "a.jpg", keep: true},
		{path: "tmp/a.jpg", keep: true}, // the include came first
		{path: "a.png", reason: "matches no --include"},
		{path: "tmp/a.png", reason: `"- tmp/"`},
	})
}

func TestSizeLimits(t *testing.T) {
	f := mustNew(t, Options{MinSize: 10, MaxSize: 100})
	check(t, f, []item{
		{path: "a", size: 9, reason: "--min-size"},
		{path: "a", size: 10, keep: true},
		{path: "a", size: 100, keep: true},
		{path: "a", size: 101, reason: "--max-size"},
	})
}

func TestAgeLimits(t *testing.T) {
	f := mustNew(t, Options{MinAge: time.Hour, MaxAge: 7 * 24 * time.Hour})
	check(t, f, []item{
		{path: "new", age: time.Minute, reason: "newer than --min-age 1h0m0s"},
		{path: "ok", age: 2 * time.Hour, keep: true},
		{path: "old", age: 8 * 24 * time.Hour, reason: "older than --max-age 7d"},
	})
	// An unknown modification time passes the age limits.
	if ok, reason := f.Match("x", 1, time.Time{}); !ok {
		t.Errorf("zero mtime left out: %s", reason)
	}
}

func TestRulesBeforeLimits(t *testing.T) {
	f := mustNew(t, Options{Rules: []Rule{{Glob: "*.tmp"}}, MinSize: 5})
	check(t, f, []item{
		{path: "a.tmp", size: 1, reason: `"- *.tmp"`},
		{path: "a.txt", size: 1, reason: "--min-size"},
		{path: "a.txt", size: 5, keep: true},
	})
}

func TestShardLimit(t *testing.T) {
	seen := map[string]int{}
	for shard := 1; shard <= 3; shard++ {
		f := mustNew(t, Options{Shard: shard, ShardCount: 3})
		for i := 0; i < 300; i++ {
			p := filepath.ToSlash(filepath.Join("d", strings.Repeat("x", i%7), string(rune('a'+i%26))+strings.Repeat("y", i)))
			if ok, reason := f.Match(p, 1, now); ok {
				seen[p]++
			} else if !strings.Contains(reason, "shard") {
				t.Fatalf("reason %q", reason)
			}
		}
	}
	for p, n := range seen {
		if n != 1 {
			t.Errorf("%q kept by %d shards, want exactly one", p, n)
		}
	}
	if len(seen) != 300 {
		t.Errorf("%d of 300 paths kept by some shard", len(seen))
	}
}

func TestNewRefusesImpossibleOptions(t *testing.T) {
	cases := map[string]Options{
		"--min-size":   {MinSize: -1},
		"above --max":  {MinSize: 10, MaxSize: 5},
		"negative":     {MinAge: -time.Second},
		"above --max-": {MinAge: 2 * time.Hour, MaxAge: time.Hour},
		"shard 0/3":    {Shard: 0, ShardCount: 3},
		"shard 4/3":    {Shard: 4, ShardCount: 3},
		"rules.txt:7":  {Rules: []Rule{{Glob: "[x", Source: "rules.txt:7"}}},
	}
	for want, opts := range cases {
		_, err := New(opts)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New(%+v) = %v, want an error saying %q", opts, err, want)
		}
	}
}

func TestNilAndEmptyFilterKeepEverything(t *testing.T) {
	var none *Filter
	if ok, _ := none.Match("a", 1, now); !ok || !none.Empty() {
		t.Error("a nil filter left something out")
	}
	if f := mustNew(t, Options{}); !f.Empty() {
		t.Error("a filter with no options is not Empty")
	}
	if f := mustNew(t, Options{MinSize: 1}); f.Empty() {
		t.Error("a filter with a limit is Empty")
	}
}

func TestReadRules(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.txt")
	text := "# photos only\n\n+ *.jpg\n  - /tmp/**  \n; rclone comment\n- *\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	rules, err := ReadRules(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"+ *.jpg", "- /tmp/**", "- *"}
	if len(rules) != len(want) {
		t.Fatalf("rules = %v, want %v", rules, want)
	}
	for i, r := range rules {
		if r.String() != want[i] {
			t.Errorf("rule %d = %q, want %q", i, r, want[i])
		}
	}
	if rules[1].Source != path+":4" {
		t.Errorf("source %q, want %s:4", rules[1].Source, path)
	}
	f := mustNew(t, Options{Rules: rules})
	check(t, f, []item{
		{path: "a/b.jpg", keep: true},
		{path: "b.png", reason: ":6"},
	})

	for text, want := range map[string]string{
		"+*.jpg\n":        ":1: \"+*.jpg\": want",
		"# x\n+ [a\n":     ":2: glob",
		"include *.jpg\n": ":1:",
	} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadRules(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadRules(%q) = %v, want an error with %q", text, err, want)
		}
	}
	if _, err := ReadRules(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "--filter-from") {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseAge(t *testing.T) {
	good := map[string]time.Duration{
		"90s": 90 * time.Second, "36h": 36 * time.Hour, "7d": 7 * 24 * time.Hour,
		"2w": 14 * 24 * time.Hour, "1d12h": 36 * time.Hour, "1.5d": 36 * time.Hour,
		"2w1d": 15 * 24 * time.Hour, "60": time.Minute,
	}
	for in, want := range good {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1h", "-5", "1d-2h", "NaN", "Inf", "1e30d", "1y", "3d2w"} {
		if d, err := ParseAge(in); err == nil {
			t.Errorf("ParseAge(%q) = %s, want an error", in, d)
		}
	}
}
