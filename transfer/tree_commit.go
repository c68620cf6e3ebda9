package transfer

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"
)

// commitLoop records finished items in batches: the batch's temp files are
// synced together, moved into place, each touched folder synced once, and
// then the whole batch is marked in one transaction. So a crash can lose at
// most the last batch's bookkeeping, never a file, and an item is counted
// done only once its file is durable and its state committed.
func (r *treeRun) commitLoop() error {
	var batch []itemResult
	tick := time.NewTicker(commitEvery)
	defer tick.Stop()
	var firstErr error
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := r.commit(batch); err != nil && firstErr == nil {
			firstErr = err
		}
		batch = batch[:0]
	}
	for {
		select {
		case res, ok := <-r.results:
			if !ok {
				flush()
				return firstErr
			}
			batch = append(batch, res)
			if len(batch) >= commitBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

func (r *treeRun) commit(batch []itemResult) error {
	r.placeFiles(batch)
	var skipped, failed int
	var first string
	err := r.e.updateTree(r.t, func(tb treeBuckets, m *treeMeta) error {
		for i := range batch {
			res := &batch[i]
			if res.keep {
				continue
			}
			if err := tb.putItem(&res.it, res.old); err != nil {
				return err
			}
			m.adjust(res.old, res.it.state, res.it.size)
			if res.it.state == ItemDone && res.it.reason == renamedReason {
				m.Renamed++
			}
			switch res.it.state {
			case ItemSkipped:
				skipped++
			case ItemFailed:
				failed++
			}
			if res.it.state != ItemDone && res.it.state != ItemPending && first == "" {
				first = res.it.key + ": " + res.it.reason
			}
		}
		return nil
	})
	r.e.mu.Lock()
	for i := range batch {
		delete(r.ts.active, batch[i].it.seq)
	}
	r.e.changedLocked()
	r.e.mu.Unlock()
	signal(r.progressed)
	if err != nil {
		return fmt.Errorf("record finished items: %w", err)
	}
	for i := range batch {
		if it := &batch[i].it; it.state == ItemSkipped {
			r.e.log.Info("item skipped", "job", r.t.id, "key", it.key, "reason", it.reason)
		}
	}
	if skipped+failed > 0 {
		msg := fmt.Sprintf("%d skipped, %d failed; first: %s", skipped, failed, first)
		r.e.mu.Lock()
		r.e.emitLocked(EventNotice, r.t, msg)
		r.e.mu.Unlock()
	}
	return nil
}

// placeFiles makes a batch's finished downloads durable and puts them in
// place. An item whose file cannot be placed becomes failed or skipped.
func (r *treeRun) placeFiles(batch []itemResult) {
	var g errgroup.Group
	g.SetLimit(32)
	for i := range batch {
		res := &batch[i]
		if res.f == nil {
			continue
		}
		g.Go(func() error {
			err := dataSync(res.f)
			if cerr := res.f.Close(); err == nil {
				err = cerr
			}
			res.f = nil
			if err != nil {
				r.failPlaced(res, fmt.Errorf("sync temp file: %w", err))
			}
			return nil
		})
	}
	g.Wait()
	dirs := map[string]bool{}
	for i := range batch {
		res := &batch[i]
		if res.temp == "" || res.it.state != ItemDone {
			continue
		}
		dest, err := r.moveIntoPlace(res)
		if err != nil {
			r.failPlaced(res, err)
			continue
		}
		res.temp = ""
		dirs[path.Dir(dest)] = true
	}
	for d := range dirs {
		if err := r.syncFolder(d); err != nil {
			r.e.log.Warn("sync folder failed", "folder", d, "err", err)
			for i := range batch {
				if res := &batch[i]; res.it.state == ItemDone && res.dest != "" && path.Dir(res.dest) == d {
					res.it.state, res.it.reason = ItemFailed, "sync destination folder: "+err.Error()
				}
			}
		}
	}
}

func (r *treeRun) failPlaced(res *itemResult, err error) {
	if res.temp != "" {
		r.root.Remove(filepath.FromSlash(res.temp))
		res.temp = ""
	}
	if errors.Is(err, errItemSkipped) {
		res.it.state, res.it.reason = ItemSkipped, skipReason(err)
		return
	}
	res.it.state, res.it.reason, res.it.errInfo = ItemFailed, shortError(err), errorInfoOf(err)
}

// moveIntoPlace renames the temp file onto its destination under root,
// following OnExists when a file appeared there meanwhile. It returns the
// destination used.
func (r *treeRun) moveIntoPlace(res *itemResult) (string, error) {
	temp, dest := filepath.FromSlash(res.temp), filepath.FromSlash(res.dest)
	if res.force {
		if fi, err := r.root.Lstat(dest); err == nil && fi.IsDir() {
			return res.dest, fmt.Errorf("%w: %s is a folder (another key uses this name as a prefix)", ErrDestinationExists, res.dest)
		}
		if err := r.root.Rename(temp, dest); err != nil {
			return res.dest, fmt.Errorf("move into place: %w", err)
		}
		return res.dest, nil
	}
	for attempt := 0; attempt < 10; attempt++ {
		err := r.root.Link(temp, dest)
		if err == nil {
			r.root.Remove(temp)
			return filepath.ToSlash(dest), nil
		}
		if !errors.Is(err, os.ErrExist) {
			return res.dest, fmt.Errorf("move into place: %w", err)
		}
		if fi, serr := r.root.Lstat(dest); serr == nil && fi.IsDir() {
			return res.dest, fmt.Errorf("%w: %s is a folder (another key uses this name as a prefix)", ErrDestinationExists, res.dest)
		}
		if r.t.spec.OnExists != ExistsRename {
			return res.dest, fmt.Errorf("%w: destination exists (it appeared while the item was fetched)", errItemSkipped)
		}
		alt, err := freeName(dest, r.exists)
		if err != nil {
			return res.dest, err
		}
		dest = alt
		res.dest = filepath.ToSlash(alt)
		res.it.rel, res.it.reason = res.dest, renamedReason
	}
	return res.dest, errors.New("move into place: no free name found")
}

// exists reports whether rel names anything under root (a dangling link too).
func (r *treeRun) exists(rel string) bool {
	_, err := r.root.Lstat(rel)
	return !errors.Is(err, os.ErrNotExist)
}

// syncFolder makes a folder's new names durable.
func (r *treeRun) syncFolder(rel string) error {
	d, err := r.root.Open(filepath.FromSlash(rel))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
