package config

import (
	"strings"
	"testing"
)

// TestSizeKeysReadBinaryUnits: the file's sizes mean what units.ParseSize
// means everywhere else ("20MB" is 20 MiB, as for --bwlimit and the TUI's
// b prompt), whether written as text or as a plain number of bytes.
func TestSizeKeysReadBinaryUnits(t *testing.T) {
	partSize := func(t Transfer) int64 { return t.PartSize }
	limit := func(t Transfer) int64 { return t.BandwidthLimit }
	threshold := func(t Transfer) int64 { return t.MultipartThreshold }
	for _, c := range []struct {
		text string
		read func(Transfer) int64
		want int64
	}{
		{`part_size = "8MB"`, partSize, 8 << 20},
		{`part_size = "100 KB"`, partSize, 100 << 10},
		{`part_size = 1048576`, partSize, 1 << 20},
		{`bandwidth_limit = "20MB"`, limit, 20 << 20},
		{`bandwidth_limit = "20MiB/s"`, limit, 20 << 20},
		{`bandwidth_limit = "0"`, limit, 0},
		{`multipart_threshold = "1.5GiB"`, threshold, 3 << 29},
		{`multipart_threshold = "0"`, threshold, 0},
	} {
		cfg, err := Parse("x.toml", "[transfer]\n"+c.text+"\n")
		if err != nil {
			t.Errorf("%s: %v", c.text, err)
		} else if got := c.read(cfg.Transfer); got != c.want {
			t.Errorf("%s: read %d, want %d", c.text, got, c.want)
		}
	}
}

func TestSizeKeysRejectJunkWithTheKey(t *testing.T) {
	for text, want := range map[string]string{
		`part_size = "8 parsecs"`:    `transfer.part_size = "8 parsecs": size "8 parsecs": unknown unit "parsecs"`,
		`part_size = "-8MiB"`:        "is negative",
		`bandwidth_limit = true`:     `must be a size such as "8MiB" or a number of bytes`,
		`multipart_threshold = "6G"`: "out of range: allowed 0 to 5.0 GiB",
	} {
		_, err := Parse("x.toml", "[transfer]\n"+text+"\n")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", text, err, want)
		}
	}
}
