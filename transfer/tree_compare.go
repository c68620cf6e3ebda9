package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ossq/internal/crc64x"
)

// Compare modes of a tree job (Spec.Compare): what makes an item's
// destination "already there", so the item ends ItemUnchanged.
const (
	// CompareUpdate: same size and a modification time no older than the
	// source's, to the second (OSS keeps Last-Modified in whole seconds).
	// Decided from the listing and the local file's metadata alone.
	CompareUpdate = "update"
	// CompareChecksum: same size and the same CRC64: the object's from a
	// HEAD per same-sized item (in the workers), the file's computed once
	// and cached by path, size and modification time.
	CompareChecksum = "checksum"
)

func checkCompare(mode string) error {
	switch mode {
	case "", CompareUpdate, CompareChecksum:
		return nil
	}
	return fmt.Errorf("compare %q: want %q or %q", mode, CompareUpdate, CompareChecksum)
}

// modeTag tells apart, in the CLI's per-job store names, runs that decide
// differently: a dry run never shares its store with the real run.
func (s Spec) modeTag() string {
	if s.Compare == "" && !s.DryRun && !s.Mirror {
		return "" // the names stores had before compare modes
	}
	return fmt.Sprintf("\x00%s\x00%t\x00%t", s.Compare, s.DryRun, s.Mirror)
}

// notOlder reports whether dst is at least as recent as src, to the second.
func notOlder(dst, src time.Time) bool {
	return !dst.Truncate(time.Second).Before(src.Truncate(time.Second))
}

// compareDownload decides, while the listing is recorded, whether the
// local file already matches the object: update decides at once from the
// file's metadata; checksum marks a same-sized file for the worker.
func (r *treeRun) compareDownload(it *treeItem, lastModified time.Time) {
	if r.t.spec.Compare == "" || it.state != ItemPending {
		return
	}
	fi, err := r.root.Lstat(filepath.FromSlash(it.rel))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != it.size {
		return
	}
	r.decide(it, fi.ModTime(), lastModified)
}

// compareUpload decides the same for a walked file against the object the
// destination listing has under its key (nil: none).
func (r *treeRun) compareUpload(it *treeItem, remote *Object) {
	if r.t.spec.Compare == "" || it.state != ItemPending || remote == nil || remote.Size != it.size {
		return
	}
	r.decide(it, remote.LastModified, time.Unix(0, it.mtime))
}

func (r *treeRun) decide(it *treeItem, dstTime, srcTime time.Time) {
	switch r.t.spec.Compare {
	case CompareUpdate:
		if notOlder(dstTime, srcTime) {
			it.state = ItemUnchanged
		}
	case CompareChecksum:
		it.candidate = true
	}
}

// sameChecksum compares a candidate item's object and file by CRC64. A
// server that gives no CRC64, or a side that changed since the listing,
// means "not the same": the item moves.
func (r *treeRun) sameChecksum(ctx context.Context, it *treeItem) (bool, error) {
	var obj Object
	err := r.e.withRetry(ctx, r.t, func() error {
		var err error
		obj, err = r.e.storeOf(r.t).HeadObject(ctx, r.t.spec.Bucket, it.key)
		return err
	})
	if IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	want, ok := parseCRC64(obj.CRC64)
	if !ok || obj.Size != it.size {
		return false, nil
	}
	rel := filepath.FromSlash(it.rel)
	local := filepath.Join(r.ts.root, rel)
	open := func() (*os.File, error) { return r.root.Open(rel) }
	stat := func() (os.FileInfo, error) { return r.root.Lstat(rel) }
	if r.t.spec.Direction == Upload {
		// The walk may have followed links (FollowSymlinks): read what it read.
		open = func() (*os.File, error) { return os.Open(local) }
		stat = func() (os.FileInfo, error) { return os.Stat(local) }
	} else if obj.ETag != it.etag {
		return false, nil
	}
	fi, err := stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != it.size {
		return false, nil
	}
	got, err := r.fileCRC(local, fi, open)
	if err != nil {
		return false, fmt.Errorf("read %s for its CRC64: %w", it.rel, err)
	}
	return got == want, nil
}

// bucketCRC caches files' CRC64s: absolute path → size, mtime (ns), crc.
var bucketCRC = []byte("crc64")

// openCRCCache opens the CRC64 cache: the queue's store for the TUI's
// engine; for the CLI, whose job stores go once a job is done, a file of
// its own per local folder, so the next run of the command finds it.
func (r *treeRun) openCRCCache() (*bolt.DB, func(), error) {
	if !r.ts.ownStore {
		return r.ts.store.db, func() {}, nil
	}
	name := "crc64-" + shortHash(r.ts.root) + ".db"
	st, err := openJobStore(filepath.Join(r.e.opts.CheckpointDir, name))
	if err != nil {
		return nil, nil, err
	}
	return st.db, func() { st.close() }, nil
}

// fileCRC is the file's CRC64: from the cache when its size and
// modification time are those cached, else read whole and cached.
func (r *treeRun) fileCRC(local string, fi os.FileInfo, open func() (*os.File, error)) (uint64, error) {
	key := []byte(local)
	size, mtime := fi.Size(), fi.ModTime().UnixNano()
	var cached []byte
	r.crcDB.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketCRC); b != nil {
			cached = append(cached, b.Get(key)...)
		}
		return nil
	})
	if len(cached) == 24 && int64(binary.BigEndian.Uint64(cached)) == size && int64(binary.BigEndian.Uint64(cached[8:])) == mtime {
		return binary.BigEndian.Uint64(cached[16:]), nil
	}
	f, err := open()
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var crc uint64
	var n int64
	for {
		m, rerr := f.Read(buf)
		crc = crc64x.Update(crc, buf[:m])
		n += int64(m)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, rerr
		}
	}
	after, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if n != size || after.Size() != size || after.ModTime().UnixNano() != mtime {
		return 0, errors.New("the file changed while it was read")
	}
	var v [24]byte
	binary.BigEndian.PutUint64(v[:], uint64(size))
	binary.BigEndian.PutUint64(v[8:], uint64(mtime))
	binary.BigEndian.PutUint64(v[16:], crc)
	// Batch: the workers' puts share commits (one fsync for many files).
	if err := r.crcDB.Batch(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCRC)
		if err != nil {
			return err
		}
		return b.Put(key, v[:])
	}); err != nil {
		r.e.log.Warn("caching a CRC64 failed", "path", local, "err", err)
	}
	return crc, nil
}

// remoteCursor reads the destination prefix of an upload in key order, a
// page at a time, alongside the walk (which yields in the same order), so
// one listing answers every file's "what is there" with no request per file.
type remoteCursor struct {
	r     *treeRun
	ctx   context.Context
	after string // keys up to it were merged by an earlier run
	token string
	page  []Object
	i     int
	last  bool
	pages int
}

// peek returns the next object (nil at the end) without consuming it.
func (c *remoteCursor) peek() (*Object, error) {
	for {
		for c.i < len(c.page) {
			o := &c.page[c.i]
			if strings.HasSuffix(o.Key, "/") || o.Key <= c.after {
				c.i++ // a folder marker, or merged before a restart
				continue
			}
			return o, nil
		}
		if c.last {
			return nil, nil
		}
		if c.pages++; c.pages > maxListPages {
			return nil, fmt.Errorf("ListObjects: more than %d pages", maxListPages)
		}
		var page Page
		t := c.r.t
		err := c.r.e.withRetry(c.ctx, t, func() error {
			var err error
			page, err = c.r.e.storeOf(c.r.t).ListObjects(c.ctx, t.spec.Bucket, c.r.ts.prefix, "", c.token, c.r.pageSize())
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("listing the destination: %w", err)
		}
		if page.NextToken != "" && page.NextToken == c.token {
			return nil, errors.New("listing the destination did not advance (repeated continuation token)")
		}
		c.page, c.i, c.token, c.last = page.Objects, 0, page.NextToken, page.NextToken == ""
	}
}

// mergeUntil consumes the objects before key (each one an extra: the
// source has no such file) and returns the one at key, if any.
func (c *remoteCursor) mergeUntil(key string) (*Object, error) {
	for {
		o, err := c.peek()
		if err != nil || o == nil {
			return nil, err
		}
		if o.Key > key {
			return nil, nil
		}
		c.i++
		if o.Key == key {
			match := *o
			return &match, nil
		}
		c.r.addExtra(strings.TrimPrefix(o.Key, c.r.ts.prefix), o.Key, o.Size, o.LastModified)
	}
}

// Extra is what a tree's destination holds that its source does not: an
// object under the upload's prefix, or a file under the download's folder.
type Extra struct {
	Rel  string // relative to the prefix or folder, '/'-separated
	Key  string // the object's key (uploads)
	Path string // the local file (downloads)
	Size int64
}

// bucketExtras holds a tree's extras: rel → key (uploads) and size.
var bucketExtras = []byte("extras")

// addExtra notes one extra for the next record transaction; what the
// filter leaves out is not the job's, so it is never an extra.
func (r *treeRun) addExtra(rel, key string, size int64, mtime time.Time) {
	if !r.t.spec.Mirror || !r.keep(rel, size, mtime) {
		return
	}
	r.extras = append(r.extras, Extra{Rel: rel, Key: key, Size: size})
}

// putExtras writes the noted extras in tx, counting each once.
func (r *treeRun) putExtras(tx *bolt.Tx, m *treeMeta) error {
	if len(r.extras) == 0 {
		return nil
	}
	b, err := tx.Bucket(bucketTrees).Bucket([]byte(r.t.id)).CreateBucketIfNotExists(bucketExtras)
	if err != nil {
		return err
	}
	for _, x := range r.extras {
		if b.Get([]byte(x.Rel)) != nil {
			continue
		}
		v := binary.AppendVarint(nil, x.Size)
		if err := b.Put([]byte(x.Rel), append(v, x.Key...)); err != nil {
			return err
		}
		m.Extras++
		m.ExtrasBytes += x.Size
	}
	return nil
}

// findLocalExtras walks a download's folder once every item is decided and
// notes the files no listed object maps to. ossq's own temp files are not
// the user's and are left alone.
func (r *treeRun) findLocalExtras(ctx context.Context) error {
	if _, err := os.Stat(r.ts.root); errors.Is(err, os.ErrNotExist) {
		return nil // a dry run into a folder not made yet
	}
	var batch []WalkEntry
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := r.e.updateTree(r.t, func(tb treeBuckets, m *treeMeta) error {
			targets := tb.items.Tx().Bucket(bucketTrees).Bucket([]byte(r.t.id)).Bucket(bucketTargets)
			for _, w := range batch {
				if targets == nil || targets.Get([]byte(w.Rel)) == nil {
					r.addExtra(w.Rel, "", w.Size, w.ModTime)
				}
			}
			err := r.putExtras(tb.items.Tx(), m)
			r.extras = r.extras[:0]
			return err
		})
		batch = batch[:0]
		return err
	}
	err := WalkFolder(r.ts.root, WalkOptions{}, func(w WalkEntry) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		base := path.Base(w.Rel)
		if w.Kind != WalkFile || strings.HasSuffix(base, tempExt) && strings.Contains(base, tempMarker) {
			return nil
		}
		if batch = append(batch, w); len(batch) >= r.batchSize() {
			return flush()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walking %s for files the source no longer has: %w", r.ts.root, err)
	}
	return flush()
}

// Extras calls fn for each extra a Mirror tree found (in Rel order), a
// store page at a time, outside any transaction.
func (e *Engine) Extras(id ID, fn func(Extra) error) error {
	e.mu.Lock()
	t, err := e.get(id)
	e.mu.Unlock()
	if err != nil {
		return err
	}
	if t.tree == nil || t.tree.store == nil {
		return fmt.Errorf("%w: %s is not a folder job", ErrInvalidState, id)
	}
	var after []byte
	for {
		var page []Extra
		err := t.tree.store.db.View(func(tx *bolt.Tx) error {
			tb := tx.Bucket(bucketTrees).Bucket([]byte(id))
			if tb == nil {
				return nil
			}
			b := tb.Bucket(bucketExtras)
			if b == nil {
				return nil
			}
			c := b.Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && string(k) == string(after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(page) < 1000; k, v = c.Next() {
				size, n := binary.Varint(v)
				if n <= 0 {
					return fmt.Errorf("%w: extra %q", errBadItem, k)
				}
				x := Extra{Rel: string(k), Key: string(v[n:]), Size: size}
				if t.spec.Direction == Download {
					x.Path = filepath.Join(t.tree.root, filepath.FromSlash(x.Rel))
				}
				page = append(page, x)
			}
			return nil
		})
		if err != nil || len(page) == 0 {
			return err
		}
		for _, x := range page {
			if err := fn(x); err != nil {
				return err
			}
		}
		after = []byte(page[len(page)-1].Rel)
	}
}

// shortHash names a file after s (a folder path) without spelling it out.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:10])
}
