package transfer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ossq/internal/ossname"
)

// listPageSize is OSS's largest listing page.
const listPageSize = ossname.MaxListPage

// maxListPages bounds any paginated loop (a server repeating itself must
// not keep ossq listing forever): a billion keys.
const maxListPages = 1_000_000

// walkBatchSize is how many walked files one transaction records.
const walkBatchSize = 1000

// pageSize and batchSize are listPageSize and walkBatchSize unless a test
// set smaller ones (Options.listPage, Options.walkBatch).
func (r *treeRun) pageSize() int  { return cmp.Or(r.e.opts.listPage, listPageSize) }
func (r *treeRun) batchSize() int { return cmp.Or(r.e.opts.walkBatch, walkBatchSize) }

var bucketTargets = []byte("targets")

// listPage lists one page after token and records its objects as pending
// items, with the next token, in one transaction: after a crash the
// listing continues where it stopped and no object is listed twice.
func (r *treeRun) listPage(ctx context.Context, token string) error {
	t := r.t
	var page Page
	err := r.e.withRetry(ctx, t, func() error {
		var err error
		page, err = r.e.storeOf(r.t).ListObjects(ctx, t.spec.Bucket, r.ts.prefix, "", token, r.pageSize())
		return err
	})
	if err != nil {
		return err
	}
	if page.NextToken != "" && page.NextToken == token {
		return errors.New("listing did not advance (repeated continuation token)")
	}
	items := make([]treeItem, 0, len(page.Objects))
	var filtered, filteredBytes int64
	for _, o := range page.Objects {
		if o.Key == r.ts.prefix || strings.HasSuffix(o.Key, "/") {
			continue // a folder marker: folders come from the keys under them
		}
		if !r.keep(strings.TrimPrefix(o.Key, r.ts.prefix), o.Size, o.LastModified) {
			filtered++
			filteredBytes += o.Size
			continue
		}
		it := treeItem{key: o.Key, size: o.Size, mtime: o.LastModified.UnixNano(), etag: o.ETag, state: ItemPending}
		local, err := LocalPathForKey(r.ts.root, o.Key, r.ts.prefix)
		if err != nil {
			it.state, it.reason, it.fixed = ItemSkipped, err.Error(), true
		} else {
			rel, _ := filepath.Rel(r.ts.root, local)
			it.rel = filepath.ToSlash(rel)
			r.compareDownload(&it, o.LastModified)
		}
		items = append(items, it)
	}
	return r.record(items, func(m *treeMeta) {
		m.Token = page.NextToken
		m.ListingDone = page.NextToken == ""
		m.Filtered += filtered
		m.FilteredBytes += filteredBytes
	})
}

// record appends items to the tree, refusing item by item what another
// unfinished job of this store already targets, and saves the position.
func (r *treeRun) record(items []treeItem, position func(*treeMeta)) error {
	others := r.e.overlappingTrees(r.t)
	return r.e.updateTree(r.t, func(tb treeBuckets, m *treeMeta) error {
		targets, err := tb.items.Tx().Bucket(bucketTrees).Bucket([]byte(r.t.id)).CreateBucketIfNotExists(bucketTargets)
		if err != nil {
			return err
		}
		targets.FillPercent = appendFill // a listing comes in key order
		for i := range items {
			it := &items[i]
			target := r.target(it)
			if it.state == ItemSkipped && it.fixed && r.t.spec.Direction == Download {
				// no local name: nothing to index
			} else if it.state == ItemPending {
				if owner := r.takenBy(tb.items.Tx(), others, target, it); owner != "" {
					it.state, it.reason = ItemSkipped, "another job ("+string(owner)+") already writes this "+r.targetNoun()
				} else if targets.Get([]byte(target)) != nil {
					it.state, it.reason = ItemSkipped, "two keys map to the same local file"
				}
			}
			m.Total++
			it.seq = uint64(m.Total)
			switch it.state {
			case ItemSkipped:
				m.Skipped++
			case ItemPending:
				m.BytesTotal += max(it.size, 0)
			case ItemUnchanged:
				m.Unchanged++
				m.UnchangedBytes += max(it.size, 0)
			}
			if err := tb.putItem(it, ""); err != nil {
				return err
			}
			if it.rel == "" && r.t.spec.Direction == Download {
				continue
			}
			if err := targets.Put([]byte(target), seqKey(it.seq)); err != nil {
				return err
			}
		}
		position(m)
		err = r.putExtras(tb.items.Tx(), m)
		r.extras = r.extras[:0]
		return err
	})
}

func (r *treeRun) target(it *treeItem) string {
	if r.t.spec.Direction == Upload {
		return it.key
	}
	return it.rel
}

func (r *treeRun) targetNoun() string {
	if r.t.spec.Direction == Upload {
		return "object"
	}
	return "file"
}

// overlappingTrees lists the unfinished tree jobs in the same store whose
// targets may meet t's: downloads into the same folder or one inside the
// other, uploads into the same bucket under overlapping prefixes.
type overlap struct {
	id     ID
	offset string // t's target relative to the other job's target space, as a prefix to add
}

func (e *Engine) overlappingTrees(t *transfer) []overlap {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []overlap
	for _, o := range e.order {
		// A plan writes nothing: it never takes a file from a real job.
		if o == t || o.plan || o.tree == nil || o.tree.store != t.tree.store || o.state.Finished() || o.spec.Direction != t.spec.Direction {
			continue
		}
		if t.spec.Direction == Upload {
			if o.spec.Bucket == t.spec.Bucket && (strings.HasPrefix(t.tree.prefix, o.tree.prefix) || strings.HasPrefix(o.tree.prefix, t.tree.prefix)) {
				out = append(out, overlap{id: o.id})
			}
			continue
		}
		if within(o.tree.root, t.tree.root) {
			rel, _ := filepath.Rel(o.tree.root, t.tree.root)
			off := ""
			if rel != "." {
				off = filepath.ToSlash(rel) + "/"
			}
			out = append(out, overlap{id: o.id, offset: off})
		} else if within(t.tree.root, o.tree.root) {
			out = append(out, overlap{id: o.id, offset: "\x00inner"})
		}
	}
	return out
}

// takenBy returns the job among others that already targets target.
func (r *treeRun) takenBy(tx *bolt.Tx, others []overlap, target string, it *treeItem) ID {
	for _, o := range others {
		b := tx.Bucket(bucketTrees).Bucket([]byte(o.id))
		if b == nil {
			continue
		}
		tg := b.Bucket(bucketTargets)
		if tg == nil {
			continue
		}
		if o.offset == "\x00inner" {
			// The other job writes inside ours: any of its targets under this
			// item's folder could clash; check the exact name it would use.
			rel, err := filepath.Rel(r.e.treeRoot(o.id), filepath.Join(r.ts.root, filepath.FromSlash(it.rel)))
			if err == nil && !strings.HasPrefix(rel, "..") && tg.Get([]byte(filepath.ToSlash(rel))) != nil {
				return o.id
			}
			continue
		}
		if tg.Get([]byte(o.offset+target)) != nil {
			return o.id
		}
	}
	return ""
}

func (e *Engine) treeRoot(id ID) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t := e.byID[id]; t != nil && t.tree != nil {
		return t.tree.root
	}
	return ""
}

// walkAll walks the source folder in key order, after the last file
// recorded, and records its files in batches of walkBatchSize (waiting
// while the backlog is long). What is not a regular file (links not
// followed, FIFOs, devices, loops, unreadable entries) is a skipped item
// with its reason; what the filter leaves out is counted, not recorded.
func (r *treeRun) walkAll(ctx context.Context, after string) error {
	var items []treeItem
	var last string
	var filtered, filteredBytes int64
	flush := func(done bool) error {
		err := r.record(items, func(m *treeMeta) {
			if last != "" {
				m.WalkAfter = last
			}
			m.ListingDone = done
			m.Filtered += filtered
			m.FilteredBytes += filteredBytes
		})
		items, filtered, filteredBytes = items[:0], 0, 0
		signal(r.listed)
		return err
	}
	var remote *remoteCursor
	if r.t.spec.Compare != "" || r.t.spec.Mirror {
		remote = &remoteCursor{r: r, ctx: ctx}
		if after != "" {
			remote.after = r.ts.prefix + after
		}
	}
	opts := WalkOptions{FollowSymlinks: r.t.spec.FollowSymlinks, StartAfter: after}
	err := WalkFolder(r.ts.root, opts, func(w WalkEntry) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(items) >= r.batchSize() {
			if err := flush(false); err != nil {
				return err
			}
			if err := r.waitBacklog(ctx); err != nil {
				return err
			}
		}
		last = w.Rel
		var match *Object
		if remote != nil {
			var err error
			if match, err = remote.mergeUntil(r.ts.prefix + w.Rel); err != nil {
				return err
			}
		}
		if w.Kind == WalkFile && !r.keep(w.Rel, w.Size, w.ModTime) {
			filtered++
			filteredBytes += w.Size
			return nil
		}
		it := walkedItem(r.ts.prefix, w)
		r.compareUpload(&it, match)
		items = append(items, it)
		return nil
	})
	if err != nil {
		return err
	}
	if remote != nil {
		// What the listing has past the last file: extras all.
		if _, err := remote.mergeUntil("\xff\xff\xff\xff"); err != nil {
			return err
		}
	}
	return flush(true)
}

// keep applies the job's filter (none: everything is kept).
func (r *treeRun) keep(rel string, size int64, mtime time.Time) bool {
	if r.filter == nil {
		return true
	}
	ok, _ := r.filter.Match(rel, size, mtime)
	return ok
}

// walkedItem makes the item for one walked entry.
func walkedItem(prefix string, w WalkEntry) treeItem {
	it := treeItem{key: prefix + w.Rel, rel: w.Rel, state: ItemPending, size: w.Size, mtime: w.ModTime.UnixNano()}
	if w.Kind != WalkFile {
		it.state, it.reason, it.fixed = ItemSkipped, w.Reason, true
		it.size = 0
	}
	if it.state == ItemPending && len(it.key) > ossname.MaxKeyLen {
		it.state, it.reason, it.fixed = ItemSkipped, fmt.Sprintf("key would be %d bytes, over OSS's %d", len(it.key), ossname.MaxKeyLen), true
	}
	return it
}
