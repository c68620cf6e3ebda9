package cli

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ossq/internal/config"
	"ossq/internal/ossname"
	"ossq/transfer"
)

func TestParseArgsInterspersed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args       []string
		positional []string
		parallel   int
		verbose    bool
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, 0, false},
		{[]string{"--parallel", "3", "a", "b"}, []string{"a", "b"}, 3, false},
		{[]string{"a", "--parallel=3", "b", "-v"}, []string{"a", "b"}, 3, true},
		{[]string{"a", "b", "--parallel", "3"}, []string{"a", "b"}, 3, false},
		{[]string{"a", "--", "--parallel", "-v"}, []string{"a", "--parallel", "-v"}, 0, false},
		{[]string{"-v", "--", "-"}, []string{"-"}, 0, true},
	}
	for _, tc := range cases {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		parallel := fs.Int("parallel", 0, "")
		verbose := fs.Bool("v", false, "")
		got, err := parseArgs(fs, tc.args)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !slices.Equal(got, tc.positional) || *parallel != tc.parallel || *verbose != tc.verbose {
			t.Errorf("%q: positional %q parallel %d verbose %v; want %q %d %v", tc.args, got, *parallel, *verbose, tc.positional, tc.parallel, tc.verbose)
		}
	}
}

func TestParseOSSURL(t *testing.T) {
	t.Parallel()
	good := map[string]ossname.URL{
		"oss://bucket":            {Bucket: "bucket", Key: ""},
		"oss://bucket/":           {Bucket: "bucket", Key: ""},
		"OSS://bucket/a/b.txt":    {Bucket: "bucket", Key: "a/b.txt"},
		"oss://bucket/dir/":       {Bucket: "bucket", Key: "dir/"},
		"oss://bucket/with space": {Bucket: "bucket", Key: "with space"},
		"oss://bucket/100%25":     {Bucket: "bucket", Key: "100%25"}, // keys are literal, never percent-decoded
	}
	for in, want := range good {
		got, err := parseOSSURL(in)
		if err != nil || got != want {
			t.Errorf("parseOSSURL(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "bucket/key", "s3://bucket/key", "oss://", "oss:///key", "oss://ab/k", "oss://-bucket/k", "oss://bucket//k", "oss://bucket/" + strings.Repeat("k", 1024)} {
		if got, err := parseOSSURL(in); err == nil {
			t.Errorf("parseOSSURL(%q) = %+v, want an error", in, got)
		}
	}
}

func TestPlanDestinations(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("existing", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("file.txt", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	abs := func(p string) string { return filepath.Join(dir, p) }
	gets := []struct {
		args        []string
		downloadDir string
		local       string
		tree        bool
	}{
		{[]string{"oss://b12/a/x.bin"}, "", abs("x.bin"), false},
		{[]string{"oss://b12/a/x.bin"}, abs("dl"), abs("dl/x.bin"), false},
		{[]string{"oss://b12/a/x.bin", "y.bin"}, "", abs("y.bin"), false},
		{[]string{"oss://b12/a/x.bin", "existing"}, "", abs("existing/x.bin"), false},
		{[]string{"oss://b12/a/x.bin", "new/"}, "", abs("new/x.bin"), false},
		// No destination: a folder named after the prefix, or the bucket.
		{[]string{"oss://b12/a/"}, "", abs("a"), true},
		{[]string{"oss://b12/a/b/"}, abs("dl"), abs("dl/b"), true},
		{[]string{"oss://b12"}, "", abs("b12"), true},
		{[]string{"oss://b12/"}, abs("dl"), abs("dl/b12"), true},
		{[]string{"oss://b12/a/../"}, "", abs("b12"), true},
		{[]string{"oss://b12/a/./"}, "", abs("b12"), true},
		// A destination named: it receives the contents.
		{[]string{"oss://b12/a/", "out"}, "", abs("out"), true},
		{[]string{"oss://b12/a/", "existing"}, "", abs("existing"), true},
		{[]string{"oss://b12/a/", "."}, "", dir, true},
	}
	for _, tc := range gets {
		p, err := planGet(tc.args, tc.downloadDir)
		if err != nil {
			t.Errorf("get %q: %v", tc.args, err)
			continue
		}
		if p.spec.LocalPath != tc.local || p.tree != tc.tree || p.spec.Direction != transfer.Download {
			t.Errorf("get %q: local %q tree %v; want %q %v", tc.args, p.spec.LocalPath, p.tree, tc.local, tc.tree)
		}
	}
	if _, err := planGet([]string{"oss://b12/a/", "file.txt"}, ""); err == nil {
		t.Error("a prefix into a file: want an error")
	}
	if _, err := planGet([]string{"oss://b12/file.txt/"}, ""); err == nil {
		t.Error("a prefix whose own folder name is a local file: want an error")
	}

	puts := []struct {
		args []string
		key  string
		tree bool
	}{
		{[]string{"file.txt", "oss://b12/k.txt"}, "k.txt", false},
		{[]string{"file.txt", "oss://b12/dir/"}, "dir/file.txt", false},
		{[]string{"file.txt", "oss://b12"}, "file.txt", false},
		{[]string{"existing", "oss://b12/backup"}, "backup/", true},
		{[]string{"existing", "oss://b12/"}, "", true},
	}
	for _, tc := range puts {
		p, err := planPut(tc.args)
		if err != nil {
			t.Errorf("put %q: %v", tc.args, err)
			continue
		}
		if p.spec.Key != tc.key || p.tree != tc.tree || p.spec.Direction != transfer.Upload {
			t.Errorf("put %q: key %q tree %v; want %q %v", tc.args, p.spec.Key, p.tree, tc.key, tc.tree)
		}
	}
	if _, err := planPut([]string{"missing.txt", "oss://b12/k"}); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("put of a missing file: %v", err)
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	p := newProgress(nil, []transfer.ID{"a", "b"}, nil, false)
	snap := transfer.Snapshot{Transfers: []transfer.TransferSnapshot{
		{ID: "a", State: transfer.StateDone, Size: 8 << 20, Done: 8 << 20, Key: "one"},
		{ID: "b", State: transfer.StateRunning, Size: 24 << 20, Done: 8 << 20, Speed: 4 << 20, Key: "photos/two.jpg"},
		{ID: "other", State: transfer.StateRunning, Size: 1 << 30, Done: 1 << 20, Speed: 1 << 20},
	}}
	want := "[1/2] 16.0 MiB / 32.0 MiB   50%  4.0 MiB/s  ETA 4s  photos/two.jpg"
	if got := p.line(snap); got != want {
		t.Errorf("line = %q\nwant   %q", got, want)
	}
	single := newProgress(nil, []transfer.ID{"b"}, nil, false)
	snap.Transfers[1].ETA = 7 * time.Second // the engine's figure is shown, not recomputed (4s)
	if got, want := single.line(snap), "8.0 MiB / 24.0 MiB   33%  4.0 MiB/s  ETA 7s  photos/two.jpg"; got != want {
		t.Errorf("one transfer: line = %q, want %q", got, want)
	}
	snap.Transfers[1].Size, snap.Transfers[1].ETA = -1, 0
	if got, want := single.line(snap), "8.0 MiB  4.0 MiB/s  photos/two.jpg"; got != want {
		t.Errorf("unknown size: line = %q, want %q", got, want)
	}
	if got := newProgress(nil, []transfer.ID{"zzz"}, nil, false).line(snap); got != "" {
		t.Errorf("no transfers of ours: line = %q, want empty", got)
	}
	long := strings.Repeat("d/", 40) + "file.bin"
	if got := shortenName(long, maxNameWidth); len([]rune(got)) != maxNameWidth || !strings.HasSuffix(got, "file.bin") {
		t.Errorf("shortenName = %q", got)
	}
}

// shellQuote quotes what a shell would split or expand, and writes control
// characters and invalid UTF-8 as $'...' escapes a terminal cannot act on.
func TestShellQuote(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"oss://b/k", "--part-size", "8MiB", "my file", "it's", ""}, `oss://b/k --part-size 8MiB 'my file' 'it'\''s' ''`},
		{[]string{"oss://b/esc\x1b[2J", "it's\n", "c1\u009b", "bad\xff"}, `$'oss://b/esc\x1b[2J' $'it\'s\x0a' $'c1\u009b' $'bad\xff'`},
	} {
		if got := shellQuote(c.args); got != c.want {
			t.Errorf("shellQuote(%q) = %s\nwant         %s", c.args, got, c.want)
		}
	}
}

func TestEngineOptionsFromConfigAndFlags(t *testing.T) {
	t.Parallel()
	base := config.DefaultTransfer()
	base.Retries = 0 // "no retries" in the config

	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var f transferFlags
	f.register(fs)
	if _, err := f.parse(fs, []string{"--bwlimit", "20MiB/s", "--part-size", "16MiB", "--parallel", "2",
		"--state-dir", "/tmp/ossq-state", "--on-exists", "rename"}); err != nil {
		t.Fatal(err)
	}
	opts, err := f.engineOptions(base)
	if err != nil {
		t.Fatal(err)
	}
	if opts.BandwidthLimit != 20<<20 || opts.PartSize != 16<<20 || opts.Parallel != 2 ||
		opts.StateDir != "/tmp/ossq-state" || opts.CheckpointDir != "/tmp/ossq-state/checkpoints" ||
		opts.OnExists != transfer.ExistsRename || opts.Retries != -1 || opts.ResumeOnStart ||
		opts.MaxActive != base.MaxActive || opts.MultipartThreshold != base.MultipartThreshold {
		t.Errorf("options = %+v", opts)
	}

	// No flags: the config's values, and an explicit --checkpoint-dir wins over --state-dir.
	var none transferFlags
	opts, err = none.engineOptions(config.DefaultTransfer())
	if err != nil {
		t.Fatal(err)
	}
	if opts.PartSize != 8<<20 || opts.Parallel != 8 || opts.BandwidthLimit != 0 || opts.Retries != 5 || opts.OnExists != transfer.ExistsAsk {
		t.Errorf("defaults = %+v", opts)
	}
	both := transferFlags{stateDir: "/tmp/s", checkpointDir: "/tmp/c"}
	if opts, err = both.engineOptions(config.DefaultTransfer()); err != nil || opts.CheckpointDir != "/tmp/c" || opts.StateDir != "/tmp/s" {
		t.Errorf("state and checkpoint dirs = %q %q, %v", opts.StateDir, opts.CheckpointDir, err)
	}
}
