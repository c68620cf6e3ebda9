package ossemu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

var errBucketExists = errors.New("bucket exists")

// createBucket creates bucket name; an existing one is returned with
// errBucketExists.
func (st *storage) createBucket(name, storageClass string) (*bucketState, error) {
	if !validBucketName(name) {
		return nil, fmt.Errorf("ossemu: invalid bucket name %q", name)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if b, ok := st.buckets[name]; ok {
		return b, errBucketExists
	}
	if err := os.MkdirAll(st.objDir(name), 0o700); err != nil {
		return nil, err
	}
	bm := bucketMeta{Name: name, Created: st.now(), StorageClass: storageClass}
	if err := st.writeFileAtomic(st.bucketDir(name), "bucket.json", marshalJSON(bm), true); err != nil {
		return nil, err
	}
	st.syncDir(filepath.Join(st.root, "buckets"))
	b := &bucketState{meta: bm, objects: map[string]*objectMeta{}}
	st.buckets[name] = b
	return b, nil
}

func (st *storage) bucketExists(name string) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.buckets[name] != nil
}

// bucketMeta is a bucket's descriptor.
func (st *storage) bucketMeta(name string) (bucketMeta, *ossError) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	b := st.buckets[name]
	if b == nil {
		return bucketMeta{}, errNoSuchBucket(name)
	}
	return b.meta, nil
}

// deleteBucket removes an empty bucket: no object, no version, no upload.
func (st *storage) deleteBucket(name string) *ossError {
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.buckets[name]
	if b == nil {
		return errNoSuchBucket(name)
	}
	busy := len(b.objects) > 0 || len(b.older) > 0
	for _, u := range st.uploads {
		if u.meta.Bucket == name {
			busy = true
		}
	}
	if busy {
		return newError(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.").with("BucketName", name)
	}
	delete(st.buckets, name)
	if err := os.RemoveAll(st.bucketDir(name)); err != nil {
		return errInternal(err)
	}
	return nil
}

// listedBucket is one ListBuckets row: a local bucket's descriptor, or
// (remote set) a bucket of another region.
type listedBucket struct {
	name   string
	meta   bucketMeta
	remote *remoteBucket
}

// listBuckets is the page of local and remote buckets named with prefix,
// after marker, in name order.
func (st *storage) listBuckets(prefix, marker string, limit int) (rows []listedBucket, truncated bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	names := make([]string, 0, len(st.buckets))
	for name := range st.buckets {
		if strings.HasPrefix(name, prefix) && name > marker {
			names = append(names, name)
		}
	}
	for name := range st.remote {
		if strings.HasPrefix(name, prefix) && name > marker {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	truncated = len(names) > limit
	if truncated {
		names = names[:limit]
	}
	rows = make([]listedBucket, 0, len(names))
	for _, name := range names {
		if b, local := st.buckets[name]; local {
			rows = append(rows, listedBucket{name: name, meta: b.meta})
		} else {
			rb := st.remote[name]
			rows = append(rows, listedBucket{name: name, remote: &rb})
		}
	}
	return rows, truncated
}

// addRemoteBucket declares bucket name as living in another region.
func (st *storage) addRemoteBucket(name string, rb remoteBucket) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, local := st.buckets[name]; local {
		return fmt.Errorf("ossemu: bucket %s is already local", name)
	}
	if st.remote == nil {
		st.remote = map[string]remoteBucket{}
	}
	st.remote[name] = rb
	return nil
}

func (st *storage) remoteBucket(name string) (remoteBucket, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	rb, ok := st.remote[name]
	return rb, ok
}

// versioningOf is a bucket's versioning status: "", Enabled or Suspended.
func (st *storage) versioningOf(bucket string) (string, *ossError) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	b := st.buckets[bucket]
	if b == nil {
		return "", errNoSuchBucket(bucket)
	}
	return b.meta.Versioning, nil
}

func (st *storage) setVersioning(bucket, status string) *ossError {
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.buckets[bucket]
	if b == nil {
		return errNoSuchBucket(bucket)
	}
	bm := b.meta
	bm.Versioning = status
	if err := st.writeFileAtomic(st.bucketDir(bucket), "bucket.json", marshalJSON(bm), true); err != nil {
		return errInternal(err)
	}
	b.meta = bm
	return nil
}
