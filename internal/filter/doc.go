// Package filter decides which items of a folder job to transfer: rclone's
// ordered include/exclude rules (first match wins), size and age limits,
// and a deterministic shard of the tree. It is a leaf: it imports nothing
// of ossq, so the engine and every front end can share it.
package filter
