package ossemu

import (
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"ossq/internal/crc64x"
)

// createUpload records a new multipart upload.
func (st *storage) createUpload(meta uploadMeta) (*uploadState, *ossError) {
	u := &uploadState{meta: meta, parts: map[int]*partMeta{}}
	dir := st.uploadDir(meta.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, errInternal(err)
	}
	if err := st.writeFileAtomic(dir, "upload.json", marshalJSON(meta), true); err != nil {
		os.RemoveAll(dir)
		return nil, errInternal(err)
	}
	st.syncDir(filepath.Dir(dir))
	st.mu.Lock()
	st.uploads[meta.ID] = u
	st.mu.Unlock()
	return u, nil
}

// lookupUpload finds upload id, in progress, of bucket/key.
func (st *storage) lookupUpload(bucket, key, id string) (*uploadState, *ossError) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if st.buckets[bucket] == nil {
		return nil, errNoSuchBucket(bucket)
	}
	u := st.uploads[id]
	if u == nil || u.meta.Bucket != bucket || u.meta.Key != key {
		return nil, errNoSuchUpload(id)
	}
	return u, nil
}

// hasUploadOf reports whether bucket/key has an upload in progress.
func (st *storage) hasUploadOf(bucket, key string) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, u := range st.uploads {
		if u.meta.Bucket == bucket && u.meta.Key == key {
			return true
		}
	}
	return false
}

// takeUpload removes the upload from the table and runs also under the
// same lock, so no other request sees the upload half taken.
func (st *storage) takeUpload(bucket, key, id string, also func(*uploadState) error) (*uploadState, *ossError) {
	u, e := st.lookupUpload(bucket, key, id)
	if e != nil {
		return nil, e
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.uploads[u.meta.ID] != u {
		return nil, errNoSuchUpload(u.meta.ID)
	}
	delete(st.uploads, u.meta.ID)
	if err := also(u); err != nil {
		return nil, errInternal(err)
	}
	return u, nil
}

// takeForComplete takes the upload out of the table while it is assembled,
// so its parts cannot change underneath, and returns its parts in order.
// It goes back with returnUpload if the completion fails, or is removed
// with discardUpload once the object is committed.
func (st *storage) takeForComplete(bucket, key, id string) (*uploadState, []*partMeta, *ossError) {
	var parts []*partMeta
	u, e := st.takeUpload(bucket, key, id, func(u *uploadState) error { parts = sortedParts(u); return nil })
	return u, parts, e
}

func (st *storage) returnUpload(u *uploadState) {
	st.mu.Lock()
	st.uploads[u.meta.ID] = u
	st.mu.Unlock()
}

func (st *storage) discardUpload(u *uploadState) { os.RemoveAll(st.uploadDir(u.meta.ID)) }

// abortUpload removes the upload and its parts.
func (st *storage) abortUpload(bucket, key, id string) *ossError {
	_, e := st.takeUpload(bucket, key, id, func(u *uploadState) error { return os.RemoveAll(st.uploadDir(u.meta.ID)) })
	return e
}

// partFromData describes a part whose bytes were staged in its upload's
// directory (received by UploadPart or copied by UploadPartCopy).
func (st *storage) partFromData(number int, d *stagedData) *partMeta {
	return &partMeta{Number: number, Size: d.size, ETag: etagFromMD5(d.md5), CRC64: d.crc, LastModified: st.now(), DataFile: d.name}
}

// commitPart records a received part (its data file already synced in the
// upload's directory), replacing an earlier part of the same number.
func (st *storage) commitPart(u *uploadState, pm *partMeta) *ossError {
	dir := st.uploadDir(u.meta.ID)
	dataFile := pm.DataFile
	tmp, err := os.CreateTemp(dir, ".tmp-part-*")
	if err == nil {
		_, err = tmp.Write(marshalJSON(pm))
		if err == nil {
			err = st.syncFile(tmp)
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		if tmp != nil {
			os.Remove(tmp.Name())
		}
		os.Remove(filepath.Join(dir, dataFile))
		if os.IsNotExist(err) {
			return errNoSuchUpload(u.meta.ID)
		}
		return errInternal(err)
	}
	st.mu.Lock()
	if st.uploads[u.meta.ID] != u {
		st.mu.Unlock()
		os.Remove(tmp.Name())
		os.Remove(filepath.Join(dir, dataFile))
		return errNoSuchUpload(u.meta.ID)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, partPrefix(pm.Number)+".json")); err != nil {
		st.mu.Unlock()
		os.Remove(tmp.Name())
		os.Remove(filepath.Join(dir, dataFile))
		return errInternal(err)
	}
	old := u.parts[pm.Number]
	u.parts[pm.Number] = pm
	st.mu.Unlock()
	st.syncDir(dir)
	if old != nil && old.DataFile != dataFile {
		os.Remove(filepath.Join(dir, old.DataFile))
	}
	return nil
}

func sortedParts(u *uploadState) []*partMeta {
	parts := make([]*partMeta, 0, len(u.parts))
	for _, p := range u.parts {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	return parts
}

// uploadParts is the upload's descriptor and its parts in order.
func (st *storage) uploadParts(u *uploadState) (uploadMeta, []*partMeta) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return u.meta, sortedParts(u)
}

// listUploads is every upload in bucket under prefix, by key, then by
// initiation time, then by ID.
func (st *storage) listUploads(bucket, prefix string) ([]uploadMeta, *ossError) {
	st.mu.RLock()
	if st.buckets[bucket] == nil {
		st.mu.RUnlock()
		return nil, errNoSuchBucket(bucket)
	}
	var all []uploadMeta
	for _, u := range st.uploads {
		if u.meta.Bucket == bucket && strings.HasPrefix(u.meta.Key, prefix) {
			all = append(all, u.meta)
		}
	}
	st.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool {
		if all[i].Key != all[j].Key {
			return all[i].Key < all[j].Key
		}
		if !all[i].Initiated.Equal(all[j].Initiated) {
			return all[i].Initiated.Before(all[j].Initiated)
		}
		return all[i].ID < all[j].ID
	})
	return all, nil
}

// assembleParts concatenates part files into a new object data file
// (file-to-file copies, no buffering of the whole object) and derives the
// CRC-64 by combining part CRCs.
func (st *storage) assembleParts(bucket string, u *uploadState, parts []*partMeta) (*objectMeta, *ossError) {
	dir := st.objDir(bucket)
	name := keyHash(u.meta.Key) + "-" + randomHex(8) + ".data"
	out, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, errNoSuchBucket(bucket)
		}
		return nil, errInternal(err)
	}
	fail := func(err error) (*objectMeta, *ossError) {
		out.Close()
		os.Remove(out.Name())
		return nil, errInternal(err)
	}
	var crc uint64
	var size int64
	md5s := md5.New()
	for _, p := range parts {
		in, err := os.Open(filepath.Join(st.uploadDir(u.meta.ID), p.DataFile))
		if err != nil {
			return fail(err)
		}
		n, err := io.Copy(out, in)
		in.Close()
		if err != nil {
			return fail(err)
		}
		if n != p.Size {
			return fail(fmt.Errorf("part %d has %d bytes on disk, expected %d", p.Number, n, p.Size))
		}
		sum, err := md5FromETag(p.ETag)
		if err != nil {
			return fail(err)
		}
		md5s.Write(sum)
		crc = crc64x.Combine(crc, p.CRC64, p.Size)
		size += p.Size
	}
	if err := st.syncFile(out); err != nil {
		return fail(err)
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return nil, errInternal(err)
	}
	etag := strings.TrimSuffix(etagFromMD5(md5s.Sum(nil)), `"`) + "-" + strconv.Itoa(len(parts)) + `"`
	return &objectMeta{
		Key: u.meta.Key, Size: size, ETag: etag, CRC64: crc, LastModified: st.now(), ContentType: u.meta.ContentType,
		Headers: u.meta.Headers, UserMeta: u.meta.UserMeta, StorageClass: u.meta.StorageClass,
		ObjectType: objectTypeMultipart, DataFile: name,
	}, nil
}
