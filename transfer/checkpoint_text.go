package transfer

import "strings"

// checkpointWriteText starts the error writeCheckpoint returns; it is the
// contract CheckpointNotWritten reads (pinned by a test).
const checkpointWriteText = "write checkpoint: "

// CheckpointNotWritten reports whether a transfer's error text (its
// snapshot's Err) says its checkpoint could not be saved, e.g. because the
// state folder is full, so a front end can say so in plain words.
func CheckpointNotWritten(errText string) bool {
	return strings.Contains(errText, checkpointWriteText)
}
