package filter

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bytesOnly stands in for units.ParseSize: plain numbers of bytes and a
// MiB suffix are enough for these lines.
func bytesOnly(s string) (int64, error) {
	if n, ok := strings.CutSuffix(s, "MiB"); ok {
		v, err := strconv.ParseInt(n, 10, 64)
		return v << 20, err
	}
	return strconv.ParseInt(s, 10, 64)
}

func formatMiB(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + "MiB"
	}
	return strconv.FormatInt(n, 10)
}

func TestFilterLineReadsTheCLIFlagsInOrder(t *testing.T) {
	opts, err := ParseLine(`--exclude 'tmp dir/**' -include=*.jpg --min-size 1MiB --max-size=3MiB --min-age 36h --max-age 2w`, bytesOnly)
	if err != nil {
		t.Fatal(err)
	}
	want := Options{
		Rules:   []Rule{{Glob: "tmp dir/**", Source: "--exclude"}, {Include: true, Glob: "*.jpg", Source: IncludeSource}},
		MinSize: 1 << 20, MaxSize: 3 << 20, MinAge: 36 * time.Hour, MaxAge: 14 * 24 * time.Hour,
	}
	if !reflect.DeepEqual(opts, want) {
		t.Fatalf("got  %+v\nwant %+v", opts, want)
	}
}

func TestFilterLineRoundTripsThroughFormatLine(t *testing.T) {
	in := Options{
		Rules:   []Rule{{Glob: "tmp dir/**", Source: "--exclude"}, {Include: true, Glob: "it's.jpg", Source: IncludeSource}, {Include: true, Glob: `a\*b`, Source: IncludeSource}},
		MinSize: 1 << 20, MaxSize: 3 << 20, MinAge: 36 * time.Hour, MaxAge: 14 * 24 * time.Hour,
	}
	line := FormatLine(in, formatMiB)
	out, err := ParseLine(line, bytesOnly)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("line %s\nread back %+v\nwant      %+v", line, out, in)
	}
	if f, err := New(out); err != nil {
		t.Fatal(err)
	} else if ok, _ := f.Match("tmp dir/x.jpg", 2<<20, time.Time{}); ok {
		t.Fatal("the exclude written first must win over the include")
	}
}

func TestFilterLineErrorsNameTheFlag(t *testing.T) {
	for line, want := range map[string]string{
		"--include":                     "-include needs a value",
		"--min-size lots":               "--min-size:",
		"--max-age forever":             "--max-age:",
		"--shard 1/2":                   "unknown filter -shard",
		"*.jpg":                         `"*.jpg": want --include`,
		"--include 'unclosed":           "quote is not closed",
		"--include '[z-a]'":             "glob",
		"--min-size 10 --max-size 5":    "above --max-size",
		`--exclude "a\"b" --include ""`: "empty glob",
	} {
		_, err := ParseLine(line, bytesOnly)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", line, err, want)
		}
	}
	if opts, err := ParseLine("   ", bytesOnly); err != nil || !reflect.DeepEqual(opts, Options{}) {
		t.Errorf("blank line: %+v, %v", opts, err)
	}
}

// FuzzParseLine: any line is read or refused with an error, never a panic;
// what is read writes back to a line that reads the same.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"", "--include *.jpg", `--exclude 'a b' --min-size 1MiB`, `-max-age=7d "x`, `\`, `--include "\\"`, "--min-age 1d12h --max-age 2w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		opts, err := ParseLine(line, bytesOnly)
		if err != nil {
			return
		}
		again, err := ParseLine(FormatLine(opts, formatMiB), bytesOnly)
		if err != nil {
			t.Fatalf("%q formats to %q which does not read: %v", line, FormatLine(opts, formatMiB), err)
		}
		if !reflect.DeepEqual(opts.Rules, again.Rules) && !(len(opts.Rules) == 0 && len(again.Rules) == 0) {
			t.Fatalf("%q: rules %+v read back as %+v", line, opts.Rules, again.Rules)
		}
	})
}
