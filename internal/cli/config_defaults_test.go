package cli

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestConfigFiltersApplyUnlessAFlagOverrides: [filters] is the default of
// a folder get; a rule flag replaces its rules, a limit flag its limit.
func TestConfigFiltersApplyUnlessAFlagOverrides(t *testing.T) {
	e := newEnv(t, "\n[filters]\nexclude = [\"tmp/**\"]\ninclude = [\"*.jpg\"]\nmax_size = \"1KiB\"\n")
	putPhotos(e)

	dest := filepath.Join(e.work, "defaults")
	if code, _, stderr := e.run("get", "oss://data/photos/", dest); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got, want := localFiles(t, dest), []string{"a.jpg", "raw/c.jpg"}; !slices.Equal(got, want) {
		t.Errorf("with the config's filters: %q, want %q", got, want)
	}

	// A rule flag replaces both lists; max_size still applies.
	dest = filepath.Join(e.work, "rules-flag")
	if code, _, stderr := e.run("get", "oss://data/photos/", dest, "--include", "*.png"); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got, want := localFiles(t, dest), []string{"b.png"}; !slices.Equal(got, want) {
		t.Errorf("--include over the config: %q, want %q", got, want)
	}

	// A limit flag replaces that limit; the rules stay the config's.
	dest = filepath.Join(e.work, "limit-flag")
	if code, _, stderr := e.run("get", "oss://data/photos/", dest, "--max-size", "1MiB"); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got, want := localFiles(t, dest), []string{"a.jpg", "big.jpg", "raw/c.jpg"}; !slices.Equal(got, want) {
		t.Errorf("--max-size over the config: %q, want %q", got, want)
	}

	// One object is no folder job: the defaults do not apply (nor refuse it).
	if code, _, stderr := e.run("get", "oss://data/photos/b.png", filepath.Join(e.work, "one.png")); code != ExitOK {
		t.Fatalf("single object with folder defaults: exit %d:\n%s", code, stderr)
	}
}

// TestConfigCompareIsTheDefaultAndFlagsOverrideIt: compare = "update" makes
// a second get of a folder skip what is there; --update=false turns it off
// for one run; --checksum replaces it.
func TestConfigCompareIsTheDefaultAndFlagsOverrideIt(t *testing.T) {
	e := newEnv(t, "compare = \"update\"\non_exists = \"overwrite\"\n")
	putMany(e, "p/", 4)
	dest := filepath.Join(e.work, "down")
	if code, _, stderr := e.run("get", "oss://data/p/", dest); code != ExitOK {
		t.Fatalf("first get: %d\n%s", code, stderr)
	}
	summary := func(args ...string) map[string]any {
		t.Helper()
		code, stdout, stderr := e.run("get", append([]string{"--json"}, args...)...)
		if code != ExitOK {
			t.Fatalf("get %v: %d\n%s", args, code, stderr)
		}
		return summaryOf(t, parseNDJSON(t, stdout))
	}
	if s := summary("oss://data/p/", dest); s["compare"] != "update" || s["unchanged"] != 4.0 || s["done"] != 0.0 {
		t.Errorf("config compare: %v", s)
	}
	if s := summary("--update=false", "oss://data/p/", dest); s["compare"] != "" || s["done"] != 4.0 {
		t.Errorf("--update=false: %v", s)
	}
	if s := summary("--checksum", "oss://data/p/", dest); s["compare"] != "checksum" || s["unchanged"] != 4.0 {
		t.Errorf("--checksum over the config: %v", s)
	}
}
