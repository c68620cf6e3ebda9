package units

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// multipliers maps a unit suffix (lower case) to its size in bytes.
var multipliers = map[string]int64{
	"":    1,
	"b":   1,
	"k":   1 << 10,
	"kb":  1 << 10,
	"kib": 1 << 10,
	"m":   1 << 20,
	"mb":  1 << 20,
	"mib": 1 << 20,
	"g":   1 << 30,
	"gb":  1 << 30,
	"gib": 1 << 30,
	"t":   1 << 40,
	"tb":  1 << 40,
	"tib": 1 << 40,
}

// ParseSize reads a size such as "8MiB", "100 KB", "1.5GiB" or "4096"
// (bytes). A trailing "/s" is accepted so rates read naturally ("20MiB/s").
// Fractions of a byte are dropped. Negative, junk and values beyond int64
// are errors.
func ParseSize(s string) (int64, error) {
	text := strings.TrimSpace(s)
	text = strings.TrimSuffix(text, "/s")
	if text == "" {
		return 0, errors.New("empty size")
	}
	end := 0
	for end < len(text) && (text[end] >= '0' && text[end] <= '9' || text[end] == '.') {
		end++
	}
	number, unit := text[:end], strings.ToLower(strings.TrimSpace(text[end:]))
	if strings.HasPrefix(text, "-") {
		return 0, fmt.Errorf("size %q is negative", s)
	}
	if number == "" || number == "." || strings.Count(number, ".") > 1 {
		return 0, fmt.Errorf("size %q: want a number with an optional unit (B, KiB, MiB, GiB, TiB)", s)
	}
	multiplier, ok := multipliers[unit]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q (use B, KiB, MiB, GiB or TiB)", s, strings.TrimSpace(text[end:]))
	}
	// Exact rational arithmetic: "1.1GiB" must not pick up float rounding and
	// huge inputs must be caught as overflow, not wrap.
	value, ok := new(big.Rat).SetString(number)
	if !ok {
		return 0, fmt.Errorf("size %q: bad number %q", s, number)
	}
	value.Mul(value, new(big.Rat).SetInt64(multiplier))
	bytes := new(big.Int).Quo(value.Num(), value.Denom())
	if !bytes.IsInt64() {
		return 0, fmt.Errorf("size %q is too large (max %s)", s, FormatSize(math.MaxInt64))
	}
	return bytes.Int64(), nil
}

var sizeNames = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// FormatSize renders a byte count: "0 B", "1023 B", "1.0 KiB", "12.3 MiB",
// "512 GiB" — one decimal below 100 of a unit, none from 100 up, so a column
// of sizes keeps its width. Negative means unknown and renders as "?".
func FormatSize(n int64) string {
	if n < 0 {
		return "?"
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n) / 1024
	unit := 0
	// Move up a unit when the rounded figure would print as 1024.
	for unit < len(sizeNames)-1 && math.Round(v) >= 1024 {
		v /= 1024
		unit++
	}
	if math.Round(v*10)/10 >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64) + " " + sizeNames[unit]
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + sizeNames[unit]
}

// FormatSizeExact renders a byte count in the largest unit that divides it
// exactly, with no space ("1536B", "1KiB", "20MiB"), so ParseSize reads it
// back to the same number — for values a user edits, such as a filter line.
func FormatSizeExact(n int64) string {
	unit := -1
	// Up to TiB: ParseSize reads no larger unit.
	for unit < 3 && n != 0 && n%(1<<(10*(unit+2))) == 0 {
		unit++
	}
	if unit < 0 {
		return strconv.FormatInt(n, 10) + "B"
	}
	return strconv.FormatInt(n>>(10*(unit+1)), 10) + sizeNames[unit]
}

// FormatSpeed renders bytes per second ("35.2 MiB/s"); no speed (zero,
// negative, NaN, infinite) renders as "-".
func FormatSpeed(bps float64) string {
	if bps <= 0 || math.IsNaN(bps) || math.IsInf(bps, 0) || bps >= math.MaxInt64 {
		return "-"
	}
	return FormatSize(int64(bps)) + "/s"
}

// FormatETA renders a remaining time compactly: "45s", "3m05s", "2h10m",
// ">99h"; zero or less (unknown) renders as "-".
func FormatETA(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	d = d.Round(time.Second)
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	s := int(d % time.Minute / time.Second)
	switch {
	case h >= 100:
		return ">99h"
	case h > 0:
		return fmt.Sprintf("%dh%02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	default:
		return fmt.Sprintf("%ds", s)
	}
}
