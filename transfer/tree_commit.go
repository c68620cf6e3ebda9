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
// place: their data synced (one syncfs per file system where there is
// syncfs, else fdatasync each), each renamed within its folder, then the
// new names synced. An item whose file cannot be placed becomes failed or
// skipped.
func (r *treeRun) placeFiles(batch []itemResult) {
	type folder struct {
		dir   *os.File
		items []*itemResult
	}
	folders := map[string]*folder{}
	for i := range batch {
		res := &batch[i]
		if res.f == nil {
			continue
		}
		d := path.Dir(res.dest)
		fo := folders[d]
		if fo == nil {
			dir, err := r.root.Open(filepath.FromSlash(d))
			if err != nil {
				res.f.Close()
				res.f = nil
				r.failPlaced(res, fmt.Errorf("open destination folder: %w", pathError(d, err)))
				continue
			}
			fo = &folder{dir: dir}
			folders[d] = fo
		}
		fo.items = append(fo.items, res)
	}
	dirs := make([]*os.File, 0, len(folders))
	for _, fo := range folders {
		dirs = append(dirs, fo.dir)
	}
	defer func() {
		for _, d := range dirs {
			d.Close()
		}
	}()
	synced := haveSyncFS && syncFileSystems(dirs) == nil
	var g errgroup.Group
	g.SetLimit(32)
	for _, fo := range folders {
		for _, res := range fo.items {
			g.Go(func() error {
				var err error
				if !synced {
					err = dataSync(res.f)
				}
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
	}
	g.Wait()
	for d, fo := range folders {
		for _, res := range fo.items {
			if res.temp == "" || res.it.state != ItemDone {
				continue
			}
			if err := r.moveIntoPlace(fo.dir, d, res); err != nil {
				r.failPlaced(res, err)
				continue
			}
			res.temp = ""
		}
		if !haveSyncFS {
			if err := fo.dir.Sync(); err != nil {
				r.failFolder(fo.items, d, err)
			}
		}
	}
	if haveSyncFS {
		if err := syncFileSystems(dirs); err != nil {
			for d, fo := range folders {
				r.failFolder(fo.items, d, err)
			}
		}
	}
}

// syncFileSystems runs syncfs once for each file system the folders are on.
func syncFileSystems(dirs []*os.File) error {
	seen := map[uint64]bool{}
	for _, d := range dirs {
		fi, err := d.Stat()
		if err != nil {
			return err
		}
		dev := deviceOf(fi)
		if seen[dev] {
			continue
		}
		seen[dev] = true
		if err := syncFS(d); err != nil {
			return err
		}
	}
	return nil
}

// failFolder fails the items just placed in a folder whose names could not
// be made durable.
func (r *treeRun) failFolder(group []*itemResult, d string, err error) {
	r.e.log.Warn("sync folder failed", "folder", d, "err", err)
	for _, res := range group {
		if res.it.state == ItemDone {
			res.it.state, res.it.reason = ItemFailed, "sync destination folder: "+err.Error()
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
	res.it.state, res.it.reason, res.it.errInfo = ItemFailed, shortError(err), ErrorInfoOf(err)
}

// moveIntoPlace renames the temp file onto its destination in the folder
// open as dir, following OnExists when a file appeared there meanwhile.
func (r *treeRun) moveIntoPlace(dir *os.File, dirRel string, res *itemResult) error {
	temp, dest := path.Base(res.temp), path.Base(res.dest)
	for attempt := 0; attempt < 10; attempt++ {
		if res.force {
			if fi, err := r.root.Lstat(filepath.FromSlash(res.dest)); err == nil && fi.IsDir() {
				return fmt.Errorf("%w: %s is a folder (another key uses this name as a prefix)", ErrDestinationExists, res.dest)
			}
		}
		err := placeAt(r.root, filepath.FromSlash(dirRel), dir, temp, dest, res.mtime, res.force)
		if err == nil {
			return nil
		}
		if !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("move into place: %w", err)
		}
		res.mtime = time.Time{} // set already
		if fi, serr := r.root.Lstat(filepath.FromSlash(res.dest)); serr == nil && fi.IsDir() {
			return fmt.Errorf("%w: %s is a folder (another key uses this name as a prefix)", ErrDestinationExists, res.dest)
		}
		if r.t.spec.OnExists != ExistsRename {
			return skipf("destination exists (it appeared while the item was fetched)")
		}
		alt, err := freeName(filepath.FromSlash(res.dest), r.exists)
		if err != nil {
			return err
		}
		dest = filepath.Base(alt)
		res.dest = filepath.ToSlash(alt)
		res.it.rel, res.it.reason = res.dest, renamedReason
	}
	return errors.New("move into place: no free name found")
}

// exists reports whether rel names anything under root (a dangling link too).
func (r *treeRun) exists(rel string) bool {
	_, err := r.root.Lstat(rel)
	return !errors.Is(err, os.ErrNotExist)
}
