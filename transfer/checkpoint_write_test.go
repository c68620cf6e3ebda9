package transfer

import (
	"path/filepath"
	"testing"
)

// The front ends recognise a failed checkpoint write by its text: pin that
// writeCheckpoint's errors, and the short form a snapshot carries, match.
func TestCheckpointWriteErrorIsRecognised(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing-dir", "x.cp")
	err := writeCheckpoint(path, &checkpoint{Version: checkpointVersion})
	if err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
	if !CheckpointNotWritten(shortError(err)) {
		t.Fatalf("CheckpointNotWritten(%q) = false", shortError(err))
	}
	if CheckpointNotWritten("GetObject: NoSuchKey (gone)") {
		t.Fatal("an OSS error was taken for a checkpoint write failure")
	}
}
