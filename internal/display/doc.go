// Package display makes untrusted text (object keys, file names, paths,
// server messages) safe to print on a terminal. It imports nothing of ossq,
// so the TUI, the CLI and the engine's callers can all share one rule.
package display
