package transfer

// The one goroutine that writes a transfer's checkpoint, never ahead of
// the data on disk.

import (
	"context"
	"fmt"
	"time"
)

// checkpointBatch is the shortest gap between two checkpoint writes caused
// by part completions.
const checkpointBatch = 200 * time.Millisecond

// checkpointOwner is the one goroutine that writes a transfer's checkpoint:
// after part completions (batched: completions within checkpointBatch of
// the last write share the next one, so fast links do not pay a sync per
// part) and at most once a second in between. For
// downloads it syncs the temp file before writing, so the checkpoint never
// claims bytes that are not on disk.
type checkpointOwner struct {
	path  string
	cp    *checkpoint
	parts []*part
	file  tempFile // download temp file; nil for uploads
	kick  chan struct{}
	last  []cpPart
}

func newCheckpointOwner(path string, cp *checkpoint, parts []*part, f tempFile) *checkpointOwner {
	return &checkpointOwner{path: path, cp: cp, parts: parts, file: f, kick: make(chan struct{}, 1)}
}

func (o *checkpointOwner) partDone() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

func (o *checkpointOwner) run(stop <-chan struct{}, fail context.CancelCauseFunc) error {
	if o.path == "" {
		<-stop
		return nil
	}
	tk := time.NewTicker(checkpointEvery)
	defer tk.Stop()
	var lastWrite time.Time
	var batch <-chan time.Time // armed while completions wait for the batch window
	for {
		select {
		case <-stop:
			return o.write()
		case <-o.kick:
			if wait := checkpointBatch - time.Since(lastWrite); wait > 0 {
				if batch == nil {
					batch = time.After(wait)
				}
				continue
			}
		case <-batch:
		case <-tk.C:
			if time.Since(lastWrite) < checkpointEvery/2 {
				continue
			}
		}
		batch = nil
		if err := o.write(); err != nil {
			fail(err)
			<-stop
			return err
		}
		lastWrite = time.Now()
	}
}

// write captures every part's progress, syncs the data those numbers cover,
// then saves the checkpoint atomically. Skips the write when nothing moved.
func (o *checkpointOwner) write() error {
	if o.path == "" {
		return nil
	}
	cur := make([]cpPart, len(o.parts))
	for i, p := range o.parts {
		done, crc, etag := p.progress()
		if o.file == nil && p.state.Load() != partDone {
			done, crc, etag = 0, 0, "" // an upload part counts only once the server has it
		}
		cur[i] = cpPart{Number: p.number, Done: done, CRC: crc, ETag: etag}
	}
	if o.last != nil && equalParts(o.last, cur) {
		return nil
	}
	if o.file != nil {
		if err := dataSync(o.file); err != nil {
			return fmt.Errorf("sync temp file: %w", err)
		}
	}
	o.cp.Parts = cur
	if err := writeCheckpoint(o.path, o.cp); err != nil {
		return err
	}
	o.last = cur
	return nil
}

func equalParts(a, b []cpPart) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
