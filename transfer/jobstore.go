package transfer

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// jobStore is the queue's transactional store (bbolt): one record per job,
// and for each tree job a bucket of its items with an index per state, so
// a window of any state is a cursor walk and clearing a job is dropping
// one bucket. Writes are batched by their callers; the cost of a commit is
// what it changes, never the size of the queue.
//
// Layout:
//
//	jobs/            id → queueRecord (JSON)
//	trees/<id>/items seq (8 bytes BE) → encoded item
//	trees/<id>/st:S  seq → nil, one bucket per stored item state
type jobStore struct {
	db   *bolt.DB
	path string
}

var (
	bucketJobs  = []byte("jobs")
	bucketTrees = []byte("trees")
	bucketItems = []byte("items")
)

// storedItemStates are the states kept in the store (active is a run's, in memory).
var storedItemStates = []ItemState{ItemPending, ItemDone, ItemSkipped, ItemFailed, ItemUnchanged}

func stateBucketName(s ItemState) []byte { return []byte("st:" + string(s)) }

// openJobStore opens (or creates) the store, 0600. A store another process
// holds is reported at once instead of waiting.
func openJobStore(path string) (*jobStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 500 * time.Millisecond, NoFreelistSync: true})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s is open in another ossq process", ErrStateLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("open queue store %s: %w", path, err)
	}
	os.Chmod(path, 0o600) // an older file may have been created looser
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketJobs, bucketTrees} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open queue store %s: %w", path, err)
	}
	return &jobStore{db: db, path: path}, nil
}

func (s *jobStore) close() error {
	if s == nil {
		return nil
	}
	return s.db.Close()
}

// appendFill is the page fill of buckets written in key order.
const appendFill = 0.95

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// loadJobs returns every job record; records that do not decode are
// returned as problems so the caller can report them.
func (s *jobStore) loadJobs() ([]queueRecord, []error) {
	var recs []queueRecord
	var problems []error
	s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var r queueRecord
			if err := json.Unmarshal(v, &r); err != nil || r.ID == "" {
				problems = append(problems, fmt.Errorf("queue entry %q is unreadable: %v", k, err))
				return nil
			}
			recs = append(recs, r)
			return nil
		})
	})
	return recs, problems
}

// putJobs writes job records and deletes the removed ones in one transaction.
func (s *jobStore) putJobs(recs []queueRecord, removed []ID) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for i := range recs {
			if err := putJobTx(tx, &recs[i]); err != nil {
				return err
			}
		}
		for _, id := range removed {
			if err := tx.Bucket(bucketJobs).Delete([]byte(id)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketTrees).DeleteBucket([]byte(id)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
		}
		return nil
	})
}

func putJobTx(tx *bolt.Tx, r *queueRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketJobs).Put([]byte(r.ID), data)
}

// treeBuckets returns (creating them in a writable tx) a tree's buckets.
type treeBuckets struct {
	items *bolt.Bucket
	state map[ItemState]*bolt.Bucket
}

func treeTx(tx *bolt.Tx, id ID, create bool) (treeBuckets, error) {
	tb := treeBuckets{state: map[ItemState]*bolt.Bucket{}}
	root := tx.Bucket(bucketTrees)
	var b *bolt.Bucket
	if create {
		var err error
		if b, err = root.CreateBucketIfNotExists([]byte(id)); err != nil {
			return tb, err
		}
	} else if b = root.Bucket([]byte(id)); b == nil {
		return tb, fmt.Errorf("%w: items of job %s", ErrNotFound, id)
	}
	get := func(name []byte) (*bolt.Bucket, error) {
		if create {
			return b.CreateBucketIfNotExists(name)
		}
		if c := b.Bucket(name); c != nil {
			return c, nil
		}
		if string(name) == string(stateBucketName(ItemUnchanged)) {
			return nil, nil // a store written before compare modes: none unchanged
		}
		return nil, fmt.Errorf("%w: bucket %s of job %s", ErrNotFound, name, id)
	}
	var err error
	if tb.items, err = get(bucketItems); err != nil {
		return tb, err
	}
	// Items and the pending index grow at the end (seq order): full pages
	// halve the file. The other indexes fill in any order: bbolt's default.
	tb.items.FillPercent = appendFill
	for _, st := range storedItemStates {
		if tb.state[st], err = get(stateBucketName(st)); err != nil {
			return tb, err
		}
	}
	tb.state[ItemPending].FillPercent = appendFill
	return tb, nil
}

// putItem writes an item and moves it between state indexes.
func (tb treeBuckets) putItem(it *treeItem, old ItemState) error {
	k := seqKey(it.seq)
	if old != "" && old != it.state {
		if err := tb.state[old].Delete(k); err != nil {
			return err
		}
	}
	if err := tb.items.Put(k, encodeItem(it)); err != nil {
		return err
	}
	if b := tb.state[it.state]; b != nil {
		return b.Put(k, nil)
	}
	return nil
}

// windowHint remembers where a state's window started last time (the
// offset and the seq there), so scrolling a filtered list pages from there
// instead of counting from the first item. It holds while the tree's
// version is the same.
type windowHint struct {
	version uint64
	offset  int
	seq     uint64
}

// itemsWindow reads up to limit items from offset, all or of one state.
// All items are keyed by seq, so any offset is one seek; a state's index
// is walked from the hint when it is at or before offset.
func (s *jobStore) itemsWindow(id ID, state ItemState, offset, limit int, hint *windowHint, version uint64) ([]treeItem, error) {
	var out []treeItem
	err := s.db.View(func(tx *bolt.Tx) error {
		tb, err := treeTx(tx, id, false)
		if err != nil {
			return err
		}
		if state == "" {
			c := tb.items.Cursor()
			for k, v := c.Seek(seqKey(uint64(offset) + 1)); k != nil && len(out) < limit; k, v = c.Next() {
				it, err := decodeItem(k, v)
				if err != nil {
					return err
				}
				out = append(out, it)
			}
			return nil
		}
		idx := tb.state[state]
		if idx == nil {
			return nil
		}
		c := idx.Cursor()
		k, _ := c.First()
		at := 0
		if hint != nil && hint.version == version && hint.seq != 0 && abs(offset-hint.offset) < offset {
			k, _ = c.Seek(seqKey(hint.seq))
			at = hint.offset
			for ; at > offset && k != nil; at-- {
				k, _ = c.Prev()
			}
		}
		for ; at < offset && k != nil; at++ {
			k, _ = c.Next()
		}
		if hint != nil && k != nil {
			*hint = windowHint{version: version, offset: offset, seq: binary.BigEndian.Uint64(k)}
		}
		for ; k != nil && len(out) < limit; k, _ = c.Next() {
			it, err := decodeItem(k, tb.items.Get(k))
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

func abs(n int) int { return max(n, -n) }

// pendingAfter returns up to limit pending items with seq > after.
func (s *jobStore) pendingAfter(id ID, after uint64, limit int) ([]treeItem, error) {
	return s.stateAfter(id, ItemPending, after, limit)
}

// stateAfter returns up to limit items in state st with seq > after: one
// seek in the state's index.
func (s *jobStore) stateAfter(id ID, st ItemState, after uint64, limit int) ([]treeItem, error) {
	var out []treeItem
	err := s.db.View(func(tx *bolt.Tx) error {
		tb, err := treeTx(tx, id, false)
		if err != nil {
			return err
		}
		if tb.state[st] == nil {
			return nil
		}
		c := tb.state[st].Cursor()
		for k, _ := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, _ = c.Next() {
			it, err := decodeItem(k, tb.items.Get(k))
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

// importQueueFile brings a queue.json of the first release into the store
// once and moves it aside, so nothing queued before an upgrade is lost.
func (s *jobStore) importQueueFile(path string) (int, error) {
	recs, err := loadQueue(path)
	if err != nil {
		return 0, err
	}
	if _, statErr := os.Stat(path); statErr != nil {
		return 0, nil
	}
	if err := s.putJobs(recs, nil); err != nil {
		return 0, err
	}
	if err := os.Rename(path, path+".imported"); err != nil {
		return len(recs), fmt.Errorf("imported %s but could not move it aside: %w", path, err)
	}
	return len(recs), nil
}
