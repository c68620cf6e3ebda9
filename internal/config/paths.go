package config

import (
	"os"
	"path/filepath"
	"strings"
)

// The XDG variables are read on every call (not cached at init) so tests and
// wrappers that set them late are honoured. Relative values are ignored, as
// the XDG base directory spec requires.

func xdgDir(getenv Getenv, env, fallback string) string {
	if dir := getenv(env); dir != "" && filepath.IsAbs(dir) {
		return dir
	}
	home := homeDir(getenv)
	if home == "" {
		// No home: fall back to a path under the working directory rather
		// than "/", so state never lands somewhere surprising and shared.
		return filepath.Join(".ossq", fallback)
	}
	return filepath.Join(home, fallback)
}

// DefaultConfigPath is $XDG_CONFIG_HOME/ossq/config.toml, else
// ~/.config/ossq/config.toml.
func DefaultConfigPath() string { return defaultConfigPath(os.Getenv) }

func defaultConfigPath(getenv Getenv) string {
	return filepath.Join(xdgDir(getenv, "XDG_CONFIG_HOME", ".config"), "ossq", "config.toml")
}

// DefaultStateDir is $XDG_STATE_HOME/ossq, else ~/.local/state/ossq: the
// queue file, logs and (by default) checkpoints live there.
func DefaultStateDir() string { return defaultStateDir(os.Getenv) }

func defaultStateDir(getenv Getenv) string {
	return filepath.Join(xdgDir(getenv, "XDG_STATE_HOME", filepath.Join(".local", "state")), "ossq")
}

// DefaultCheckpointDir is the checkpoints folder under DefaultStateDir.
func DefaultCheckpointDir() string { return defaultCheckpointDir(os.Getenv) }

func defaultCheckpointDir(getenv Getenv) string {
	return filepath.Join(defaultStateDir(getenv), "checkpoints")
}

// ExpandPath expands a leading "~" to the home directory and makes a relative
// path absolute against base (the config file's folder) when base is set.
// An empty path stays empty.
func ExpandPath(path, base string) string {
	if path == "" {
		return ""
	}
	if path == "~" || strings.HasPrefix(path, "~/") || strings.HasPrefix(path, `~\`) {
		if home, err := os.UserHomeDir(); err == nil && home != "" {
			path = filepath.Join(home, path[1:])
		}
	}
	if !filepath.IsAbs(path) && base != "" {
		path = filepath.Join(base, path)
	}
	return filepath.Clean(path)
}
