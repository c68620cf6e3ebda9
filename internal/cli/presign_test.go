package cli

import (
	"testing"
	"time"
)

func TestParseExpiryTakesDurationsAndDays(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"30m": 30 * time.Minute, "1h": time.Hour, "7d": 7 * 24 * time.Hour, "1h30m": 90 * time.Minute} {
		if got, err := parseExpiry(in); err != nil || got != want {
			t.Errorf("parseExpiry(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1h", "8d", "169h", "d", "1x", "99999999999999999999d", "106751991167d"} {
		if got, err := parseExpiry(in); err == nil {
			t.Errorf("parseExpiry(%q) = %v, want an error", in, got)
		}
	}
}

func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"1h", "7d", "0d", "-3d", "1e9h", "30m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseExpiry(s)
		if err == nil && (d <= 0 || d > 7*24*time.Hour) {
			t.Fatalf("parseExpiry(%q) = %v: outside (0, 7d]", s, d)
		}
	})
}
