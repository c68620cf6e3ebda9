package config

import (
	"os"
	"path/filepath"
	"testing"
)

// Load reads every variable through the getenv it is given, never the
// process's: the process here says otherwise on each one, and loses.
func TestLoadReadsOnlyTheEnvironmentItIsGiven(t *testing.T) {
	for _, name := range []string{EnvConfig, EnvAccessKeyID, EnvAccessKeySecret, EnvRegion, "XDG_STATE_HOME", "XDG_CONFIG_HOME"} {
		t.Setenv(name, "/from-the-process")
	}
	home := t.TempDir()
	path := filepath.Join(home, "given.toml")
	if err := os.WriteFile(path, []byte("[profiles.default]\nendpoint = \"http://127.0.0.1:1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	given := map[string]string{
		EnvConfig:          path,
		EnvAccessKeyID:     "given-id",
		EnvAccessKeySecret: "given-secret",
		EnvRegion:          "cn-shanghai",
		"XDG_STATE_HOME":   filepath.Join(home, "state"),
		"HOME":             home,
	}
	cfg, err := Load("", func(name string) string { return given[name] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != path {
		t.Errorf("read %q, want the given OSSQ_CONFIG %q", cfg.Path, path)
	}
	if want := filepath.Join(home, "state", "ossq"); cfg.Transfer.StateDir != want || cfg.Transfer.CheckpointDir != filepath.Join(want, "checkpoints") {
		t.Errorf("state dir %q, checkpoints %q; want them under %q", cfg.Transfer.StateDir, cfg.Transfer.CheckpointDir, want)
	}
	p, err := cfg.Profile("")
	if err != nil {
		t.Fatal(err)
	}
	if p.AccessKeyID != "given-id" || p.AccessKeySecret != "given-secret" || p.Region != "cn-shanghai" || p.CredentialSource != SourceEnvironment {
		t.Errorf("profile keys %q/%q region %q from %q; want the given environment's", p.AccessKeyID, p.AccessKeySecret, p.Region, p.CredentialSource)
	}
	// Reload reads the file again in the same environment.
	given[EnvAccessKeyID] = "rotated-id"
	again, err := p.Reload()
	if err != nil || again.AccessKeyID != "rotated-id" || again.Region != "cn-shanghai" {
		t.Errorf("Reload: keys %q region %q (%v); want the given environment's, read again", again.AccessKeyID, again.Region, err)
	}

	// With no OSSQ_CONFIG, the default path follows the given XDG_CONFIG_HOME
	// (a missing default file is fine) and then the given HOME.
	delete(given, EnvConfig)
	given["XDG_CONFIG_HOME"] = filepath.Join(home, "xdg")
	searched := func() string {
		t.Helper()
		cfg, err := Load("", func(name string) string { return given[name] })
		if err != nil {
			t.Fatalf("Load with no config file: %v", err)
		}
		if cfg.Path != "" {
			t.Errorf("read %q, want no file", cfg.Path)
		}
		return cfg.searched
	}
	if got, want := searched(), filepath.Join(home, "xdg", "ossq", "config.toml"); got != want {
		t.Errorf("default path %q, want %q (the given XDG_CONFIG_HOME)", got, want)
	}
	delete(given, "XDG_CONFIG_HOME")
	if got, want := searched(), filepath.Join(home, ".config", "ossq", "config.toml"); got != want {
		t.Errorf("default path %q, want %q (the given HOME)", got, want)
	}
}
