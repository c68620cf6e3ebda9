package units_test

import (
	"testing"

	"ossq/internal/ossemu"
	"ossq/internal/units"
)

// TestServeRateMeansWhatTheConfigMeans: `ossq serve --rate` keeps its own
// parser (the server keeps its own rules), so this holds it to
// units.ParseSize: "20MB" is the same rate for the server as for
// bandwidth_limit and --bwlimit.
func TestServeRateMeansWhatTheConfigMeans(t *testing.T) {
	for _, in := range []string{
		"0", "512", "512B", "1k", "100KB", "100KiB", "100 kb", "20M", "20MB", "20MiB", "20MB/s", "20 MiB/s",
		"1.5G", "1.5GB", "1.5GiB", "0.5K", "2T", "2TB", "2TiB", " 8mb ",
		"", "fast", "-1", "-3M", "12 parsecs", "1e3", "MiB", "5PB",
	} {
		want, wantErr := units.ParseSize(in)
		got, err := ossemu.ParseSize(in)
		if (err != nil) != (wantErr != nil) || got != want {
			t.Errorf("--rate %q: server reads %d (%v); units.ParseSize reads %d (%v)", in, got, err, want, wantErr)
		}
	}
}
