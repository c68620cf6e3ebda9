// Package transfer is ossq's engine: it moves objects between OSS and local
// disk in parts, in parallel, keeps a self-validating checkpoint per transfer
// and a persistent queue, and exposes plain data (Snapshot, Events) to front
// ends. It never imports the UI, the CLI, the config package or the emulator.
package transfer
