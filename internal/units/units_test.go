package units

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseSizeReadsBinaryUnits(t *testing.T) {
	good := map[string]int64{
		"0":                   0,
		"4096":                4096,
		"512B":                512,
		"100KB":               100 << 10,
		"100 KiB":             100 << 10,
		"100k":                100 << 10,
		"8MiB":                8 << 20,
		"8mb":                 8 << 20,
		"20MB":                20 << 20, // MB is 2^20, as in ossutil and rclone
		"  8 MiB  ":           8 << 20,
		"5GiB":                5 << 30,
		"5GB":                 5 << 30,
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
}

func TestParseSizeRejectsWithAReason(t *testing.T) {
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

func TestFormatSizeKeepsOneDecimalBelowAHundred(t *testing.T) {
	cases := map[int64]string{
		-1:            "?",
		0:             "0 B",
		1:             "1 B",
		1023:          "1023 B",
		1024:          "1.0 KiB",
		1536:          "1.5 KiB",
		100 << 10:     "100 KiB",
		8 << 20:       "8.0 MiB",
		200 << 20:     "200 MiB",
		3 << 29:       "1.5 GiB",
		5 << 30:       "5.0 GiB",
		(1 << 20) - 1: "1.0 MiB", // 1023.999 KiB rounds up into the next unit
		1023 << 10:    "1023 KiB",
		99_950:        "97.6 KiB",
		102_350:       "100 KiB", // 99.95 KiB: "100.0" would widen the column
		math.MaxInt64: "8.0 EiB",
	}
	for in, want := range cases {
		if got := FormatSize(in); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestWhatFormatSizePrintsParseSizeReadsBack(t *testing.T) {
	for _, n := range []int64{0, 512, 1 << 10, 100 << 10, 8 << 20, 3 << 29, 5 << 30} {
		back, err := ParseSize(FormatSize(n))
		if err != nil || back != n {
			t.Errorf("round trip of %d via %q: %d, %v", n, FormatSize(n), back, err)
		}
	}
}

func TestFormatSizeExactReadsBackToTheByte(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1000: "1000B", 1536: "1536B", 1 << 10: "1KiB", 3 << 19: "1536KiB",
		20 << 20: "20MiB", 5 << 30: "5GiB", 1 << 40: "1TiB", 1 << 50: "1024TiB", 1 << 62: "4194304TiB"} {
		got := FormatSizeExact(n)
		if got != want {
			t.Errorf("FormatSizeExact(%d) = %q, want %q", n, got, want)
		}
		if back, err := ParseSize(got); err != nil || back != n {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", got, back, err, n)
		}
	}
}

func TestFormatSpeed(t *testing.T) {
	cases := map[float64]string{
		0: "-", -5: "-", math.NaN(): "-", math.Inf(1): "-", 1e30: "-",
		512: "512 B/s", 35.2 * (1 << 20): "35.2 MiB/s",
	}
	for in, want := range cases {
		if got := FormatSpeed(in); got != want {
			t.Errorf("FormatSpeed(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatETA(t *testing.T) {
	cases := map[time.Duration]string{
		0:                             "-",
		-time.Second:                  "-",
		45 * time.Second:              "45s",
		1500 * time.Millisecond:       "2s",
		3*time.Minute + 5*time.Second: "3m05s",
		2*time.Hour + 10*time.Minute:  "2h10m",
		99*time.Hour + 59*time.Minute: "99h59m",
		100 * time.Hour:               ">99h",
		time.Duration(math.MaxInt64):  ">99h",
	}
	for in, want := range cases {
		if got := FormatETA(in); got != want {
			t.Errorf("FormatETA(%v) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseSize: any text is a size or an error (never a panic, never a
// negative size), and a size prints as text that reads back to nearly it
// (FormatSize keeps one decimal, or none from 100 of a unit up).
func FuzzParseSize(f *testing.F) {
	for _, seed := range []string{"8MiB", "1.5 GiB", "-1", "", "9223372036854775807", "0.0000001K", "20MB/s", "1e3", ".", "7 TB"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseSize(%q): empty error", s)
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d, negative without an error", s, n)
		}
		if exact, err := ParseSize(FormatSizeExact(n)); err != nil || exact != n {
			t.Fatalf("ParseSize(%q) = %d prints exactly as %q, which reads back as %d, %v", s, n, FormatSizeExact(n), exact, err)
		}
		if n >= 1<<50 {
			return // printed in PiB or EiB, units nobody types
		}
		printed := FormatSize(n)
		back, err := ParseSize(printed)
		if err != nil {
			t.Fatalf("ParseSize(%q) = %d prints as %q, which does not parse: %v", s, n, printed, err)
		}
		// One decimal of at least 1.0 of a unit: within 5 %.
		if diff := math.Abs(float64(back) - float64(n)); diff > float64(n)/20+0.5 {
			t.Fatalf("ParseSize(%q) = %d prints as %q, which reads back as %d", s, n, printed, back)
		}
	})
}
