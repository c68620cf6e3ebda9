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
	path     string
	cp       *checkpoint
	parts    []*part
	file     tempFile   // download temp file; nil for uploads
	finished chan *part // completed parts, in the order they completed
	last     []cpPart

	// Downloads only: the first checkpoint is written by the owner while
	// the workers already fetch (after prepare, which makes the temp
	// file's name durable), and at a stop with every part in, the last one
	// is left to the download, which needs none once the file is in place.
	writeFirst   bool
	prepare      func() error
	lastByCaller bool
}

func newCheckpointOwner(path string, cp *checkpoint, parts []*part, f tempFile) *checkpointOwner {
	// Room for every part: a completion never waits for the owner.
	return &checkpointOwner{path: path, cp: cp, parts: parts, file: f, finished: make(chan *part, len(parts))}
}

// newDownloadOwner is the owner of a download's checkpoint (none when path
// is ""), which also starts each finished part's writeback. prepare runs
// before the first checkpoint write; its error stops the download.
func newDownloadOwner(path string, cp *checkpoint, parts []*part, f tempFile, prepare func() error) *checkpointOwner {
	o := newCheckpointOwner(path, cp, parts, f)
	o.writeFirst, o.prepare, o.lastByCaller = path != "", prepare, true
	return o
}

// partDone tells the owner p is complete. It never blocks.
func (o *checkpointOwner) partDone(p *part) {
	select {
	case o.finished <- p:
	default: // cannot happen (room for every part); the ticker still saves it
	}
}

// finishedPart handles one completion: a download's part starts going to
// disk now, without waiting, so the syncs behind the next checkpoint and
// the final one have little left to do, and disk writes overlap the
// network. Here rather than in the worker, because the call can block
// (a full device queue, a journal commit) and the worker's next GET must not.
func (o *checkpointOwner) finishedPart(p *part) {
	if o.file != nil {
		startWriteback(o.file, p.off, p.size)
	}
}

func (o *checkpointOwner) run(stop <-chan struct{}, fail context.CancelCauseFunc) error {
	if o.path == "" {
		for {
			select {
			case <-stop:
				return nil
			case p := <-o.finished:
				o.finishedPart(p)
			}
		}
	}
	if o.writeFirst {
		var err error
		if o.prepare != nil {
			err = o.prepare()
		}
		if err == nil {
			err = o.write()
		}
		if err != nil {
			fail(err)
			<-stop
			return err
		}
	}
	tk := time.NewTicker(checkpointEvery)
	defer tk.Stop()
	lastWrite := time.Now()
	var batch <-chan time.Time // armed while completions wait for the batch window
	for {
		select {
		case <-stop:
			if o.lastByCaller && o.allDone() {
				return nil
			}
			return o.write()
		case p := <-o.finished:
			o.finishedPart(p)
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
		if o.lastByCaller && o.allDone() {
			// The last part is in: the download finishes now and needs no
			// checkpoint; a write begun here would only delay the stop.
			continue
		}
		if err := o.write(); err != nil {
			fail(err)
			<-stop
			return err
		}
		lastWrite = time.Now()
	}
}

func (o *checkpointOwner) allDone() bool {
	for _, p := range o.parts {
		if p.state.Load() != partDone {
			return false
		}
	}
	return true
}

// write captures every part's progress, syncs the data those numbers cover,
// then saves the checkpoint atomically. Skips the write when nothing moved.
func (o *checkpointOwner) write() error { return o.save(false) }

// saveDurable is write for a caller that has already made all the data
// durable itself (and may have closed the file).
func (o *checkpointOwner) saveDurable() error { return o.save(true) }

func (o *checkpointOwner) save(dataDurable bool) error {
	if o.path == "" {
		return nil
	}
	cur := make([]cpPart, len(o.parts))
	claims := false
	for i, p := range o.parts {
		done, crc, etag := p.progress()
		if o.file == nil && p.state.Load() != partDone {
			done, crc, etag = 0, 0, "" // an upload part counts only once the server has it
		}
		cur[i] = cpPart{Number: p.number, Done: done, CRC: crc, ETag: etag}
		claims = claims || done > 0
	}
	if o.last != nil && equalParts(o.last, cur) {
		return nil
	}
	// A checkpoint that claims no bytes needs no data on disk (the first
	// one of a fresh download: syncing would only flush the new length).
	if o.file != nil && claims && !dataDurable {
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
