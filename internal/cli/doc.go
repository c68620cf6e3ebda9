// Package cli is ossq's headless front end: `ossq get`, `ossq put` and
// `ossq ls`, run over the same transfer engine, checkpoints and config as the
// TUI, with plain progress on stderr and exit codes scripts can rely on.
package cli
