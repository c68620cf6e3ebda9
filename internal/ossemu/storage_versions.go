package ossemu

import (
	"os"
	"path/filepath"
	"sort"
)

// Versioning, as OSS does it. A bucket's status is "" (never enabled),
// Enabled or Suspended; once enabled it never goes back to "".
//
// Every key has a history, newest first. The null version (VersionID "",
// shown as "null": objects written while versioning was off or suspended)
// lives in <h>.json as before; other versions in <h>.v-<id>.json. Seq orders
// a key's versions across restarts. In memory, objects[key] stays the current
// object (the latest version unless that is a delete marker), so plain
// listing and reads are untouched; older[key] holds the rest.

const (
	versioningEnabled   = "Enabled"
	versioningSuspended = "Suspended"
	nullVersion         = "null"
)

// wireVersionID is the version ID as OSS shows it.
func wireVersionID(om *objectMeta) string {
	if om.VersionID == "" {
		return nullVersion
	}
	return om.VersionID
}

func metaFileName(om *objectMeta) string {
	if om.VersionID == "" {
		return keyHash(om.Key) + ".json"
	}
	return keyHash(om.Key) + ".v-" + om.VersionID + ".json"
}

// history is key's versions, newest first (a fresh slice).
func (b *bucketState) history(key string) []*objectMeta {
	var h []*objectMeta
	if om := b.objects[key]; om != nil {
		h = append(h, om)
	}
	return append(h, b.older[key]...)
}

// setHistory installs key's versions (newest first) into the indexes.
func (b *bucketState) setHistory(key string, h []*objectMeta) {
	rest := h
	if len(h) > 0 && !h[0].DeleteMarker {
		b.objects[key] = h[0]
		b.insertKey(key)
		rest = h[1:]
	} else {
		delete(b.objects, key)
		b.removeKey(key)
	}
	if len(rest) == 0 {
		if _, ok := b.older[key]; ok {
			delete(b.older, key)
			b.olderSorted = removeSorted(b.olderSorted, key)
		}
		return
	}
	if b.older == nil {
		b.older = map[string][]*objectMeta{}
	}
	if _, ok := b.older[key]; !ok {
		b.olderSorted = insertSorted(b.olderSorted, key)
	}
	b.older[key] = append([]*objectMeta(nil), rest...)
}

func insertSorted(list []string, key string) []string {
	i := sort.SearchStrings(list, key)
	if i < len(list) && list[i] == key {
		return list
	}
	list = append(list, "")
	copy(list[i+1:], list[i:])
	list[i] = key
	return list
}

func removeSorted(list []string, key string) []string {
	i := sort.SearchStrings(list, key)
	if i < len(list) && list[i] == key {
		return append(list[:i], list[i+1:]...)
	}
	return list
}

// commitVersion makes om the newest version of its key (or, with inPlace,
// rewrites the version it names). The bucket's versioning status decides
// om's version ID: under a concurrent status change it starts over.
func (st *storage) commitVersion(bucket string, om *objectMeta, check commitCheck, durable, inPlace bool) *ossError {
	dir := st.objDir(bucket)
	for {
		mode, e := st.versioningOf(bucket)
		if e != nil {
			return e
		}
		if !inPlace {
			om.VersionID = ""
			if mode == versioningEnabled {
				om.VersionID = newVersionID()
			}
			om.Seq = st.seq.Add(1)
		}
		tmp, err := os.CreateTemp(dir, ".tmp-meta-*")
		if err != nil {
			if os.IsNotExist(err) {
				return errNoSuchBucket(bucket)
			}
			return errInternal(err)
		}
		_, err = tmp.Write(marshalJSON(om))
		if err == nil && durable {
			err = st.syncFile(tmp)
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(tmp.Name())
			return errInternal(err)
		}
		st.mu.Lock()
		b := st.buckets[bucket]
		if b == nil {
			st.mu.Unlock()
			os.Remove(tmp.Name())
			return errNoSuchBucket(bucket)
		}
		if b.meta.Versioning != mode && !inPlace {
			st.mu.Unlock()
			os.Remove(tmp.Name())
			continue
		}
		if check != nil {
			if e := check(b.objects[om.Key]); e != nil {
				st.mu.Unlock()
				os.Remove(tmp.Name())
				return e
			}
		}
		if err := os.Rename(tmp.Name(), filepath.Join(dir, metaFileName(om))); err != nil {
			st.mu.Unlock()
			os.Remove(tmp.Name())
			return errInternal(err)
		}
		// The version om names is replaced (its file was just renamed over);
		// a new version goes first, a rewrite keeps its place.
		var kept, dropped []*objectMeta
		if !inPlace {
			kept = append(kept, om)
		}
		for _, v := range b.history(om.Key) {
			switch {
			case v.VersionID != om.VersionID:
				kept = append(kept, v)
			case inPlace:
				dropped, kept = append(dropped, v), append(kept, om)
			default:
				dropped = append(dropped, v)
			}
		}
		b.setHistory(om.Key, kept)
		st.mu.Unlock()
		if durable {
			st.syncDir(dir)
		}
		for _, old := range dropped {
			if old.DataFile != "" && old.DataFile != om.DataFile {
				os.Remove(filepath.Join(dir, old.DataFile))
			}
		}
		return nil
	}
}

func newVersionID() string { return "CAEQ" + randomHex(16) }

// deleteResult is what a delete did on a versioned bucket.
type deleteResult struct {
	versionID    string // the removed version, or the new delete marker
	deleteMarker bool   // a marker was added, or the removed version was one
	versioned    bool   // the bucket has (had) versioning on: report the IDs
}

// deleteKey deletes key as DELETE without versionId does: outright on an
// unversioned bucket, by adding a delete marker otherwise.
// Without durable the caller syncs the directory (once for a batch).
func (st *storage) deleteKey(bucket, key string, durable bool) (deleteResult, *ossError) {
	mode, e := st.versioningOf(bucket)
	if e != nil {
		return deleteResult{}, e
	}
	if mode == "" {
		// Never versioned: the key's one version is its null version.
		// Deleting a missing key succeeds, as on OSS.
		_, e := st.deleteVersion(bucket, key, nullVersion, durable)
		return deleteResult{}, e
	}
	marker := &objectMeta{Key: key, DeleteMarker: true, LastModified: st.now()}
	if e := st.commitVersion(bucket, marker, nil, durable, false); e != nil {
		return deleteResult{}, e
	}
	return deleteResult{versionID: wireVersionID(marker), deleteMarker: true, versioned: true}, nil
}

// deleteVersion removes one version for good; a missing one is a no-op.
func (st *storage) deleteVersion(bucket, key, versionID string, durable bool) (deleteResult, *ossError) {
	id := versionID
	if id == nullVersion {
		id = ""
	}
	res := deleteResult{versionID: versionID, versioned: true}
	dir := st.objDir(bucket)
	st.mu.Lock()
	b := st.buckets[bucket]
	if b == nil {
		st.mu.Unlock()
		return res, errNoSuchBucket(bucket)
	}
	var kept []*objectMeta
	var gone *objectMeta
	for _, v := range b.history(key) {
		if v.VersionID == id && gone == nil {
			gone = v
		} else {
			kept = append(kept, v)
		}
	}
	if gone == nil {
		st.mu.Unlock()
		return res, nil
	}
	if err := os.Remove(filepath.Join(dir, metaFileName(gone))); err != nil && !os.IsNotExist(err) {
		st.mu.Unlock()
		return res, errInternal(err)
	}
	b.setHistory(key, kept)
	st.mu.Unlock()
	if durable {
		st.syncDir(dir)
	}
	if gone.DataFile != "" {
		os.Remove(filepath.Join(dir, gone.DataFile))
	}
	res.deleteMarker = gone.DeleteMarker
	return res, nil
}

// findVersion looks up a read target: the current object, or the version
// named. A delete marker in the way is reported with its ID.
func findVersion(b *bucketState, key, versionID string) (om *objectMeta, marker *objectMeta, e *ossError) {
	if versionID == "" {
		if om := b.objects[key]; om != nil {
			return om, nil, nil
		}
		if older := b.older[key]; len(older) > 0 && older[0].DeleteMarker {
			return nil, older[0], errNoSuchKey(key)
		}
		return nil, nil, errNoSuchKey(key)
	}
	id := versionID
	if id == nullVersion {
		id = ""
	}
	for _, v := range b.history(key) {
		if v.VersionID == id {
			if v.DeleteMarker {
				return nil, v, newError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.").with("Key", key)
			}
			return v, nil, nil
		}
	}
	return nil, nil, newError(404, "NoSuchVersion", "The specified version does not exist.").with("Key", key).with("VersionId", versionID)
}

// versionKeys walks, in byte order from `from`, every key with a version:
// the union of the current objects' keys and the keys with older versions.
func versionKeys(b *bucketState, from string, visit func(key string) bool) {
	a, o := b.sorted, b.olderSorted
	i, j := sort.SearchStrings(a, from), sort.SearchStrings(o, from)
	for i < len(a) || j < len(o) {
		var key string
		switch {
		case j >= len(o) || (i < len(a) && a[i] < o[j]):
			key, i = a[i], i+1
		case i >= len(a) || o[j] < a[i]:
			key, j = o[j], j+1
		default:
			key, i, j = a[i], i+1, j+1
		}
		if !visit(key) {
			return
		}
	}
}

// versionsPage calls visit, under the read lock, with each key from `from`
// (byte order) and its versions, newest first, until visit returns false.
// visit must not call back into storage.
func (st *storage) versionsPage(bucket, from string, visit func(key string, history []*objectMeta) bool) *ossError {
	st.mu.RLock()
	defer st.mu.RUnlock()
	b := st.buckets[bucket]
	if b == nil {
		return errNoSuchBucket(bucket)
	}
	versionKeys(b, from, func(key string) bool { return visit(key, b.history(key)) })
	return nil
}
