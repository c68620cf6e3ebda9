package config

import (
	"math"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"0":                   0,
		"4096":                4096,
		"512B":                512,
		"100KB":               100 << 10,
		"100 KiB":             100 << 10,
		"100k":                100 << 10,
		"8MiB":                8 << 20,
		"8mb":                 8 << 20,
		"  8 MiB  ":           8 << 20,
		"5GiB":                5 << 30,
		"1.5GiB":              3 << 29,
		"1.1GiB":              1181116006, // floor(1.1 * 2^30), exact, no float drift
		"0.5K":                512,
		".5K":                 512,
		"1.0001":              1, // fractions of a byte are dropped
		"20MiB/s":             20 << 20,
		"2TiB":                2 << 40,
		"8388607TiB":          8388607 << 40,
		"9223372036854775807": math.MaxInt64,
	}
	for in, want := range good {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                                 "empty",
		"   ":                              "empty",
		"-1":                               "negative",
		"-8MiB":                            "negative",
		"8 parsecs":                        "unknown unit",
		"MiB":                              "want a number",
		"1.2.3K":                           "want a number",
		".":                                "want a number",
		"8 MiB extra":                      "unknown unit",
		"0x10":                             "unknown unit",
		"1e3":                              "unknown unit",
		"8388608TiB":                       "too large",
		"9223372036854775808":              "too large",
		"99999999999999999999999999999GiB": "too large",
	}
	for in, want := range bad {
		got, err := ParseSize(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSize(%q) = %d, %v; want an error containing %q", in, got, err, want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	cases := map[int64]string{
		0:             "0 B",
		1:             "1 B",
		1023:          "1023 B",
		1024:          "1 KiB",
		100 << 10:     "100 KiB",
		1536:          "1.5 KiB",
		8 << 20:       "8 MiB",
		3 << 29:       "1.5 GiB",
		5 << 30:       "5 GiB",
		(1 << 20) - 1: "1 MiB", // 1023.999 KiB rounds up into the next unit
		-2048:         "-2 KiB",
		math.MaxInt64: "8 EiB",
		math.MinInt64: "-8 EiB",
	}
	for in, want := range cases {
		if got := FormatSize(in); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", in, got, want)
		}
	}
	// What FormatSize prints, ParseSize reads back (within the rounding).
	for _, n := range []int64{512, 100 << 10, 8 << 20, 3 << 29} {
		back, err := ParseSize(strings.ReplaceAll(FormatSize(n), " ", ""))
		if err != nil || back != n {
			t.Errorf("round trip of %d: %d, %v", n, back, err)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, seed := range []string{"8MiB", "1.5 GiB", "-1", "", "9223372036854775807", "0.0000001K"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Errorf("ParseSize(%q) = %d, negative without an error", s, n)
		}
	})
}
