package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ossq/internal/units"
	"ossq/transfer"
)

// TestExampleFileStatesTheEngineDefaults: the engine's Default constants are
// the one source; config.toml.example must set each [transfer] key to it and
// say so in the comment above the key, and DefaultTransfer must carry it.
func TestExampleFileStatesTheEngineDefaults(t *testing.T) {
	isolate(t)
	path := filepath.Join("..", "..", "config.toml.example")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(path, string(text))
	if err != nil {
		t.Fatalf("example does not load: %v", err)
	}
	defaults := DefaultTransfer()
	for _, c := range []struct {
		key                string
		want, example, def int64
	}{
		{"part_size", transfer.DefaultPartSize, cfg.Transfer.PartSize, defaults.PartSize},
		{"parallel", transfer.DefaultParallel, int64(cfg.Transfer.Parallel), int64(defaults.Parallel)},
		{"max_active", transfer.DefaultMaxActive, int64(cfg.Transfer.MaxActive), int64(defaults.MaxActive)},
		{"file_parallel", transfer.DefaultFileParallel, int64(cfg.Transfer.FileParallel), int64(defaults.FileParallel)},
		{"multipart_threshold", transfer.DefaultMultipartThreshold, cfg.Transfer.MultipartThreshold, defaults.MultipartThreshold},
		{"retries", transfer.DefaultRetries, int64(cfg.Transfer.Retries), int64(defaults.Retries)},
	} {
		if c.example != c.want || c.def != c.want {
			t.Errorf("%s: example sets %d, DefaultTransfer has %d; the engine's default is %d", c.key, c.example, c.def, c.want)
		}
		stated, err := statedDefault(string(text), c.key)
		if err != nil {
			t.Errorf("%s: %v", c.key, err)
		} else if stated != c.want {
			t.Errorf("%s: the example's comment says the default is %d; the engine's is %d", c.key, stated, c.want)
		}
	}
}

var statedDefaultRE = regexp.MustCompile(`Default: "?([0-9A-Za-z.]+?)"?\.`)

// statedDefault reads the "Default: X." in the comment just above key's line
// in the [transfer] section.
func statedDefault(text, key string) (int64, error) {
	_, section, _ := strings.Cut(text, "\n[transfer]\n")
	lines := strings.Split(section, "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, key+" = ") {
			continue
		}
		for j := i - 1; j >= 0 && strings.HasPrefix(lines[j], "#"); j-- {
			if m := statedDefaultRE.FindStringSubmatch(lines[j]); m != nil {
				if n, err := strconv.ParseInt(m[1], 10, 64); err == nil {
					return n, nil
				}
				return units.ParseSize(m[1])
			}
		}
		return 0, errNoStatedDefault
	}
	return 0, errNoStatedDefault
}

var errNoStatedDefault = errors.New(`no "Default: X." in the comment above the key`)
