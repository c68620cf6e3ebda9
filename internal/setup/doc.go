// Package setup turns the loaded configuration into what the engine needs:
// the profile with command-line overrides applied, the SDK client options and
// the engine options. main (the TUI) and internal/cli (get/put/ls) share it so
// both front ends reach OSS the same way.
package setup
