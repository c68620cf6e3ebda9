package cli

import (
	"fmt"
	"os"

	"ossq/transfer"
)

// resumeHint tells how to go on when a rerun would pick up what the failed
// or paused transfers kept: paused ones always keep their checkpoint; a
// failed one resumes if its checkpoint is still on disk.
func (j *job) resumeHint(failed []transfer.TransferSnapshot) {
	if j.plan.spec.NoCheckpoint {
		return
	}
	paused, resumable := false, false
	for _, snap := range failed {
		switch {
		case snap.State == transfer.StatePaused:
			paused = true
		case snap.State == transfer.StateFailed && snap.CheckpointPath != "" && fileExists(snap.CheckpointPath):
			resumable = true
		}
	}
	command := "ossq " + j.cmd + " " + shellQuote(j.args)
	switch {
	case paused && resumable:
		fmt.Fprintf(j.stderr, "paused and failed transfers keep their checkpoints; once the cause is fixed, run the same command again to resume:\n  %s\n", command)
	case paused:
		fmt.Fprintf(j.stderr, "paused transfers keep their checkpoints; once the cause is fixed, run the same command again to resume:\n  %s\n", command)
	case resumable:
		fmt.Fprintf(j.stderr, "failed transfers keep their checkpoints; once the cause is fixed, run the same command again to resume:\n  %s\n", command)
	}
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
