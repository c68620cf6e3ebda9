package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFilterDefaultsAndCompareDecode(t *testing.T) {
	cfg, err := Parse("/etc/ossq/config.toml", `
[transfer]
compare = "checksum"

[filters]
include = ["*.jpg", "photos/**"]
exclude = ["tmp/**"]
min_size = "1KiB"
max_size = 1048576
min_age = "36h"
max_age = "2w"
`)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Transfer.Compare != "checksum" {
		t.Errorf("compare = %q", cfg.Transfer.Compare)
	}
	want := Filters{Include: []string{"*.jpg", "photos/**"}, Exclude: []string{"tmp/**"}, MinSize: 1024, MaxSize: 1 << 20,
		MinAge: 36 * time.Hour, MaxAge: 14 * 24 * time.Hour}
	if !reflect.DeepEqual(cfg.Filters, want) {
		t.Fatalf("filters %+v\nwant    %+v", cfg.Filters, want)
	}
	if line := cfg.Filters.Line(); line != "--exclude tmp/** --include *.jpg --include photos/** --min-size 1KiB --max-size 1MiB --min-age 1d12h0m0s --max-age 14d" {
		t.Errorf("line %q", line)
	}
	none, err := Parse("/c.toml", "")
	if err != nil || none.Transfer.Compare != "" || !none.Filters.Empty() {
		t.Fatalf("no keys: compare %q, filters %+v, %v", none.Transfer.Compare, none.Filters, err)
	}
}

func TestBadFilterDefaultsNameTheKey(t *testing.T) {
	for text, want := range map[string]string{
		"[transfer]\ncompare = \"mtime\"":                     `3:1: transfer.compare = "mtime": must be one of "", "update", "checksum"`,
		"[filters]\ninclude = \"*.jpg\"":                      "filters.include",
		"[filters]\nexclude = [\"[z-a]\"]":                    "filters.exclude",
		"[filters]\ninclude = [3]":                            "filters.include = […]: item 1 must be a string",
		"[filters]\nmin_size = \"lots\"":                      "filters.min_size",
		"[filters]\nmax_age = \"forever\"":                    "filters.max_age",
		"[filters]\nmin_age = 7":                              "filters.min_age = 7: must be an age",
		"[filters]\nmin_size = \"2MiB\"\nmax_size = \"1MiB\"": "filters: --min-size 2097152 is above --max-size 1048576",
		"[filters]\nsize = 1":                                 "unknown key \"filters.size\"",
		"filters = 1":                                         "filters must be a [filters] section",
	} {
		_, err := Parse("/c.toml", "\n"+text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant …%s…", text, err, want)
		}
	}
}
