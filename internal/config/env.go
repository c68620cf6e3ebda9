package config

import (
	"os"
	"runtime"
)

// Getenv reads one environment variable, as os.Getenv does. Load takes one
// so a caller (a test, a wrapper) can hand the config its own environment
// instead of the process's; nil means the process's.
type Getenv func(name string) string

func orProcessEnv(getenv Getenv) Getenv {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}

// homeDir is the home directory as os.UserHomeDir finds it, read through
// getenv; "" when the variable is unset.
func homeDir(getenv Getenv) string {
	switch runtime.GOOS {
	case "windows":
		return getenv("USERPROFILE")
	case "plan9":
		return getenv("home")
	}
	return getenv("HOME")
}
