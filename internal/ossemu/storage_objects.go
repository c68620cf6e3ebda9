package ossemu

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"ossq/internal/crc64x"
)

// maxObjectSize is OSS's limit for one PutObject or UploadPart body.
const maxObjectSize = 5 << 30

// dataTarget is where new bytes go before a commit makes them reachable:
// a bucket's object directory or an upload's. gone is the error when the
// directory has vanished (bucket deleted, upload aborted meanwhile).
type dataTarget struct {
	dir, prefix string
	gone        *ossError
}

func (st *storage) objectTarget(bucket, key string) dataTarget {
	return dataTarget{dir: st.objDir(bucket), prefix: keyHash(key), gone: errNoSuchBucket(bucket)}
}

func (st *storage) partTarget(uploadID string, number int) dataTarget {
	return dataTarget{dir: st.uploadDir(uploadID), prefix: partPrefix(number), gone: errNoSuchUpload(uploadID)}
}

func partPrefix(number int) string { return fmt.Sprintf("p%05d", number) }

// stagedData is a new data file, synced but not yet named by any metadata.
type stagedData struct {
	name string // base name in its target's directory
	size int64
	md5  []byte
	crc  uint64
}

// dataSink writes bytes to a new file and hashes them on the way.
type dataSink struct {
	f    *os.File
	sync func(*os.File) error // the storage's syncFile
	name string
	md5  hashWriter
	crc  uint64
	size int64
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func (st *storage) newDataSink(to dataTarget) (*dataSink, *ossError) {
	name := to.prefix + "-" + randomHex(8) + ".data"
	f, err := os.OpenFile(filepath.Join(to.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, to.gone
		}
		return nil, errInternal(err)
	}
	return &dataSink{f: f, sync: st.syncFile, name: name, md5: md5.New()}, nil
}

func (d *dataSink) Write(p []byte) (int, error) {
	n, err := d.f.Write(p)
	d.md5.Write(p[:n])
	d.crc = crc64x.Update(d.crc, p[:n])
	d.size += int64(n)
	return n, err
}

// finish fsyncs and closes the file; on failure the file is removed.
func (d *dataSink) finish() (*stagedData, *ossError) {
	err := d.sync(d.f)
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(d.f.Name())
		return nil, errInternal(err)
	}
	return &stagedData{name: d.name, size: d.size, md5: d.md5.Sum(nil), crc: d.crc}, nil
}

func (d *dataSink) abandon() {
	d.f.Close()
	os.Remove(d.f.Name())
}

// copyBufferPool holds 256 KiB buffers: large enough for >1 GB/s on loopback.
var copyBufferPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func getCopyBuffer() *[]byte  { return copyBufferPool.Get().(*[]byte) }
func putCopyBuffer(b *[]byte) { copyBufferPool.Put(b) }

// receive stages a body of the declared length (-1 = unknown), checking its
// MD5 when wantMD5 is given.
func (st *storage) receive(to dataTarget, body io.Reader, length int64, wantMD5 []byte) (*stagedData, *ossError) {
	if length > maxObjectSize {
		return nil, errEntityTooLarge()
	}
	sink, e := st.newDataSink(to)
	if e != nil {
		return nil, e
	}
	buf := getCopyBuffer()
	n, err := io.CopyBuffer(sink, io.LimitReader(body, maxObjectSize+1), *buf)
	putCopyBuffer(buf)
	switch {
	case err != nil:
		e = newError(400, "IncompleteBody", "The request body ended early: "+err.Error())
	case n > maxObjectSize:
		e = errEntityTooLarge()
	case length >= 0 && n != length:
		e = newError(400, "IncompleteBody", "The request body is shorter than Content-Length.")
	case wantMD5 != nil && !bytes.Equal(wantMD5, sink.md5.Sum(nil)):
		e = errInvalidDigest()
	}
	if e != nil {
		sink.abandon()
		return nil, e
	}
	return sink.finish()
}

func errEntityTooLarge() *ossError {
	return newError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
}

// copyData stages length bytes of src from start.
func (st *storage) copyData(to dataTarget, src io.ReaderAt, start, length int64) (*stagedData, *ossError) {
	sink, e := st.newDataSink(to)
	if e != nil {
		return nil, e
	}
	buf := getCopyBuffer()
	_, err := io.CopyBuffer(sink, io.NewSectionReader(src, start, length), *buf)
	putCopyBuffer(buf)
	if err != nil {
		sink.abandon()
		return nil, errInternal(err)
	}
	return sink.finish()
}

// commitCheck vets the current version (nil if none) just before a commit,
// under the lock, so check-and-replace is atomic.
type commitCheck func(current *objectMeta) *ossError

// refuseOverwrite implements x-oss-forbid-overwrite: true.
func refuseOverwrite(current *objectMeta) *ossError {
	if current != nil {
		return errFileAlreadyExists(current.Key)
	}
	return nil
}

func errFileAlreadyExists(key string) *ossError {
	return newError(409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.").with("Key", key)
}

// commitObject makes om the newest version of its key (the only one on an
// unversioned bucket); see commitVersion. If it fails, om's staged data
// file is removed.
func (st *storage) commitObject(bucket string, om *objectMeta, check commitCheck, durable bool) *ossError {
	e := st.commitVersion(bucket, om, check, durable, false)
	if e != nil && om.DataFile != "" {
		os.Remove(filepath.Join(st.objDir(bucket), om.DataFile))
	}
	return e
}

// replaceMetaIfUnchanged rewrites an object's metadata (same data file) when
// nobody replaced the object in between.
func (st *storage) replaceMetaIfUnchanged(bucket string, was, now *objectMeta) *ossError {
	return st.commitVersion(bucket, now, func(current *objectMeta) *ossError {
		if current == nil || current.ETag != was.ETag || !current.LastModified.Equal(was.LastModified) || current.VersionID != was.VersionID {
			return newError(409, "ConcurrentUpdate", "The object changed during the request; retry.").with("Key", was.Key)
		}
		return nil
	}, true, true)
}

func (st *storage) objectExists(bucket, key string) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	b := st.buckets[bucket]
	return b != nil && b.objects[key] != nil
}

// currentObject is a copy of key's current object.
func (st *storage) currentObject(bucket, key string) (objectMeta, *ossError) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	b := st.buckets[bucket]
	if b == nil {
		return objectMeta{}, errNoSuchBucket(bucket)
	}
	om := b.objects[key]
	if om == nil {
		return objectMeta{}, errNoSuchKey(key)
	}
	return *om, nil
}

// objectSnapshot is what a GET/HEAD serves: the metadata and an open reader
// taken together under the lock, so a concurrent replace cannot mix versions.
type objectSnapshot struct {
	meta   objectMeta
	reader io.ReaderAt
	file   *os.File // nil for generated objects
}

func (o *objectSnapshot) close() {
	if o.file != nil {
		o.file.Close()
	}
}

// openObject opens the current object, or the version named ("" = current).
// A delete marker in the way is returned in marker, with the error.
func (st *storage) openObject(bucket, key, versionID string, wantBody bool) (snap *objectSnapshot, marker *objectMeta, e *ossError) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	b := st.buckets[bucket]
	if b == nil {
		return nil, nil, errNoSuchBucket(bucket)
	}
	om, marker, e := findVersion(b, key, versionID)
	if e != nil {
		if marker != nil {
			m := *marker
			marker = &m
		}
		return nil, marker, e
	}
	snap = &objectSnapshot{meta: *om}
	if !wantBody {
		return snap, nil, nil
	}
	if om.Generated {
		snap.reader = newGenContent(om.Size, om.GenSeed)
		return snap, nil, nil
	}
	f, err := os.Open(filepath.Join(st.objDir(bucket), om.DataFile))
	if err != nil {
		return nil, nil, errInternal(err)
	}
	snap.file, snap.reader = f, f
	return snap, nil, nil
}

// syncObjects makes a batch of changes to bucket's objects durable.
func (st *storage) syncObjects(bucket string) { st.syncDir(st.objDir(bucket)) }

// listObjects is one page of a bucket's current objects after `after`,
// grouped by delimiter; each common prefix counts as one entry. last is
// the last key or prefix returned (the next marker when truncated).
func (st *storage) listObjects(bucket, prefix, delimiter, after string, limit int) (objs []objectMeta, prefixes []string, truncated bool, last string, e *ossError) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	b := st.buckets[bucket]
	if b == nil {
		return nil, nil, false, "", errNoSuchBucket(bucket)
	}
	keys := b.sorted
	i := sort.SearchStrings(keys, prefix)
	if after != "" {
		if j := sort.Search(len(keys), func(n int) bool { return keys[n] > after }); j > i {
			i = j
		}
	}
	count := 0
	for ; i < len(keys); i++ {
		key := keys[i]
		if !strings.HasPrefix(key, prefix) {
			break
		}
		entry, isPrefix := key, false
		if delimiter != "" {
			if idx := strings.Index(key[len(prefix):], delimiter); idx >= 0 {
				entry, isPrefix = key[:len(prefix)+idx+len(delimiter)], true
			}
		}
		if isPrefix && (entry <= after || (len(prefixes) > 0 && prefixes[len(prefixes)-1] == entry)) {
			continue
		}
		if count == limit {
			return objs, prefixes, true, last, nil
		}
		count++
		last = entry
		if isPrefix {
			prefixes = append(prefixes, entry)
		} else {
			objs = append(objs, *b.objects[key])
		}
	}
	return objs, prefixes, false, last, nil
}

// addInMemory installs objects that have no metadata file (GenerateObjects):
// they are gone when the server stops.
func (st *storage) addInMemory(bucket string, metas []*objectMeta) *ossError {
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.buckets[bucket]
	if b == nil {
		return errNoSuchBucket(bucket)
	}
	for _, om := range metas {
		b.objects[om.Key] = om
		b.insertKey(om.Key)
	}
	return nil
}
