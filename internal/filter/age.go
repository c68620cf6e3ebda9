package filter

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ageUnits extend Go's durations with days and weeks, as rclone's ages do.
var ageUnits = []struct {
	suffix string
	d      time.Duration
}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}}

// ParseAge reads an age such as "90s", "36h", "7d", "2w" or "1d12h": Go
// durations plus d (days) and w (weeks); a bare number is seconds.
func ParseAge(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("empty age")
	}
	if n, err := strconv.ParseFloat(in, 64); err == nil {
		if !(n >= 0 && n <= float64(maxAge/time.Second)) { // also refuses NaN
			return 0, fmt.Errorf("age %q: out of range", s)
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	var total time.Duration
	rest := in
	for _, unit := range ageUnits {
		number, after, found := strings.Cut(rest, unit.suffix)
		if !found {
			continue
		}
		n, err := strconv.ParseFloat(number, 64)
		if err != nil || !(n >= 0) {
			return 0, fmt.Errorf("age %q: want e.g. 90s, 36h, 7d, 2w or 1d12h", s)
		}
		if n > float64(maxAge/unit.d) {
			return 0, fmt.Errorf("age %q: out of range", s)
		}
		total += time.Duration(n * float64(unit.d))
		rest = after
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("age %q: want e.g. 90s, 36h, 7d, 2w or 1d12h", s)
		}
		if total > maxAge-d {
			return 0, fmt.Errorf("age %q: out of range", s)
		}
		total += d
	}
	return total, nil
}

// maxAge keeps sums far from overflow: 100 years is plenty.
const maxAge = 100 * 365 * 24 * time.Hour

// FormatAge renders an age the way ParseAge reads it, in whole days when it
// is some ("7d", "1d12h0m0s").
func FormatAge(d time.Duration) string {
	day := 24 * time.Hour
	if d >= day {
		days, rest := d/day, d%day
		if rest == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%s", days, rest)
	}
	return d.String()
}
