package config

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// sizeUnits maps a unit suffix (lower case) to its multiplier. Decimal-looking
// names (KB, MB…) are binary too: that is what OSS documents mean by "100 KB"
// (the 102400-byte minimum part) and what rclone and the OSS SDKs do.
var sizeUnits = map[string]int64{
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

// ParseSize reads a human size such as "8MiB", "100 KB", "1.5GiB" or "4096"
// (bytes). KB/MB/GB/TB mean powers of 1024, like KiB/MiB/GiB/TiB. A trailing
// "/s" is accepted so rates read naturally ("20MiB/s"). Fractions of a byte are
// dropped. Negative, junk and values beyond int64 are errors.
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
	multiplier, ok := sizeUnits[unit]
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

// FormatSize renders n bytes for people: "512 B", "100 KiB", "8 MiB",
// "1.5 GiB" (at most one decimal, no trailing ".0").
func FormatSize(n int64) string {
	if n < 0 {
		if n == math.MinInt64 {
			return "-" + FormatSize(math.MaxInt64)
		}
		return "-" + FormatSize(-n)
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	value := float64(n) / 1024
	unit := 0
	// Move up a unit when rounding to one decimal would print "1024".
	for unit < len(units)-1 && math.Round(value*10)/10 >= 1024 {
		value /= 1024
		unit++
	}
	text := strconv.FormatFloat(math.Round(value*10)/10, 'f', 1, 64)
	text = strings.TrimSuffix(text, ".0")
	return text + " " + units[unit]
}
