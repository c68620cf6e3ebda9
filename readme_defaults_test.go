package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ossq/internal/units"
	"ossq/transfer"
)

// TestReadmeStatesTheEngineDefaults: README.md's [transfer] bullet names the
// engine's defaults, the one source; config.toml.example is held to them in
// internal/config.
func TestReadmeStatesTheEngineDefaults(t *testing.T) {
	text, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, bullet, ok := strings.Cut(string(text), "- `[transfer]` — ")
	if !ok {
		t.Fatal("README.md has no [transfer] bullet")
	}
	bullet, _, _ = strings.Cut(bullet, "\n\n")
	bullet = strings.Join(strings.Fields(bullet), " ")
	for key, want := range map[string]int64{
		"part_size":           transfer.DefaultPartSize,
		"parallel":            transfer.DefaultParallel,
		"max_active":          transfer.DefaultMaxActive,
		"file_parallel":       transfer.DefaultFileParallel,
		"multipart_threshold": transfer.DefaultMultipartThreshold,
		"retries":             transfer.DefaultRetries,
	} {
		// "`key` (… default X" with no other key in between.
		m := regexp.MustCompile("`" + key + "` \\([^)]*?default ([0-9][0-9.]* ?[KMGT]?i?B?)").FindStringSubmatch(bullet)
		if m == nil {
			t.Errorf("README.md's [transfer] bullet states no default for %s", key)
			continue
		}
		stated, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			stated, err = units.ParseSize(m[1])
		}
		if err != nil || stated != want {
			t.Errorf("README.md says %s defaults to %q; the engine's default is %d", key, m[1], want)
		}
	}
}
