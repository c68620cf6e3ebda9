package ossemu

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// On-disk layout under Root:
//
//	buckets/<bucket>/bucket.json          bucket descriptor
//	buckets/<bucket>/obj/<h>.json         object metadata (h = sha256 of the key)
//	buckets/<bucket>/obj/<h>-<rand>.data  object bytes, named by the metadata
//	uploads/<uploadID>/upload.json        multipart upload descriptor
//	uploads/<uploadID>/p<N>.json          part metadata
//	uploads/<uploadID>/p<N>-<rand>.data   part bytes
//
// Keys never become file names (they may hold "../", "//", any UTF-8), only
// their hash does. Every metadata write is temp file + fsync + rename; bytes
// are written to a fresh file that only becomes reachable once the metadata
// naming it has been renamed into place, so a crash leaves either the old or
// the new object, and unreferenced data files are removed at the next start.

const (
	objectTypeNormal    = "Normal"
	objectTypeMultipart = "Multipart"

	classStandard        = "Standard"
	classIA              = "IA"
	classArchive         = "Archive"
	classColdArchive     = "ColdArchive"
	classDeepColdArchive = "DeepColdArchive"
)

// objectMeta is the persisted description of one object.
type objectMeta struct {
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"` // quoted, as sent on the wire
	CRC64        uint64            `json:"crc64"`
	ContentMD5   string            `json:"contentMD5,omitempty"` // base64, Normal objects only
	LastModified time.Time         `json:"lastModified"`
	ContentType  string            `json:"contentType,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`  // Cache-Control, Content-Disposition, ...
	UserMeta     map[string]string `json:"userMeta,omitempty"` // x-oss-meta-<name> (lower-case name)
	StorageClass string            `json:"storageClass"`
	ObjectType   string            `json:"objectType"`
	DataFile     string            `json:"dataFile,omitempty"` // base name; empty for generated objects
	Generated    bool              `json:"generated,omitempty"`
	GenSeed      int64             `json:"genSeed,omitempty"`
	// Restore state of archive objects: zero RestoreRequested = never asked.
	RestoreRequested time.Time `json:"restoreRequested,omitzero"`
	RestoreReadyAt   time.Time `json:"restoreReadyAt,omitzero"`
	RestoreExpiry    time.Time `json:"restoreExpiry,omitzero"`
	// Versioning: "" is the null version; Seq orders a key's versions.
	VersionID    string `json:"versionId,omitempty"`
	DeleteMarker bool   `json:"deleteMarker,omitempty"`
	Seq          int64  `json:"seq,omitempty"`
}

type bucketMeta struct {
	Name         string    `json:"name"`
	Created      time.Time `json:"created"`
	StorageClass string    `json:"storageClass"`
	Versioning   string    `json:"versioning,omitempty"` // "", Enabled or Suspended
}

type bucketState struct {
	meta    bucketMeta
	objects map[string]*objectMeta // the current object of each key
	sorted  []string               // keys of objects in byte order
	// older holds, newest first, the versions of a key other than its
	// current object (a latest delete marker first); see versioning.go.
	older       map[string][]*objectMeta
	olderSorted []string
}

func (b *bucketState) insertKey(key string) {
	i := sort.SearchStrings(b.sorted, key)
	if i < len(b.sorted) && b.sorted[i] == key {
		return
	}
	b.sorted = append(b.sorted, "")
	copy(b.sorted[i+1:], b.sorted[i:])
	b.sorted[i] = key
}

func (b *bucketState) removeKey(key string) {
	i := sort.SearchStrings(b.sorted, key)
	if i < len(b.sorted) && b.sorted[i] == key {
		b.sorted = append(b.sorted[:i], b.sorted[i+1:]...)
	}
}

type uploadMeta struct {
	ID           string            `json:"id"`
	Bucket       string            `json:"bucket"`
	Key          string            `json:"key"`
	Initiated    time.Time         `json:"initiated"`
	ContentType  string            `json:"contentType,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`
	UserMeta     map[string]string `json:"userMeta,omitempty"`
	StorageClass string            `json:"storageClass"`
}

type partMeta struct {
	Number       int       `json:"number"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"` // quoted uppercase MD5
	CRC64        uint64    `json:"crc64"`
	LastModified time.Time `json:"lastModified"`
	DataFile     string    `json:"dataFile"`
}

type uploadState struct {
	meta  uploadMeta
	parts map[int]*partMeta
}

func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func randomHex(nBytes int) string {
	b := make([]byte, nBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

func (s *Server) bucketDir(bucket string) string { return filepath.Join(s.root, "buckets", bucket) }
func (s *Server) objDir(bucket string) string    { return filepath.Join(s.root, "buckets", bucket, "obj") }
func (s *Server) uploadDir(id string) string     { return filepath.Join(s.root, "uploads", id) }

// writeFileAtomic writes data to dir/name via a temp file, fsync and rename.
// With durable=false the fsyncs are skipped (bulk demo seeding, which is
// idempotent and re-run at every start, syncs once at the end instead).
func writeFileAtomic(dir, name string, data []byte, durable bool) error {
	f, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if durable {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	ok = true
	if durable {
		syncDir(dir)
	}
	return nil
}

// syncDir makes a rename durable; failure only weakens durability, so it is logged, not returned.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		slog.Debug("ossemu: fsync dir", "dir", dir, "err", err)
	}
}

func marshalJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		panic(fmt.Sprintf("ossemu: marshal %T: %v", v, err)) // only plain structs are marshalled
	}
	return b
}

// load reads everything under root into memory and removes leftovers of
// interrupted writes (temp files, data files no metadata refers to).
func (s *Server) load() error {
	for _, d := range []string{filepath.Join(s.root, "buckets"), filepath.Join(s.root, "uploads")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	bucketEntries, err := os.ReadDir(filepath.Join(s.root, "buckets"))
	if err != nil {
		return err
	}
	for _, e := range bucketEntries {
		if !e.IsDir() || !validBucketName(e.Name()) {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(s.bucketDir(e.Name()), "bucket.json"))
		if err != nil {
			slog.Warn("ossemu: skipping bucket without descriptor", "bucket", e.Name(), "err", err)
			continue
		}
		var bm bucketMeta
		if err := json.Unmarshal(raw, &bm); err != nil || bm.Name != e.Name() {
			slog.Warn("ossemu: skipping bucket with bad descriptor", "bucket", e.Name(), "err", err)
			continue
		}
		b := &bucketState{meta: bm, objects: map[string]*objectMeta{}}
		if err := s.loadObjects(b); err != nil {
			return err
		}
		s.buckets[bm.Name] = b
	}
	uploadEntries, err := os.ReadDir(filepath.Join(s.root, "uploads"))
	if err != nil {
		return err
	}
	for _, e := range uploadEntries {
		if !e.IsDir() {
			continue
		}
		u, err := s.loadUpload(e.Name())
		if err != nil {
			slog.Warn("ossemu: removing unreadable upload", "upload", e.Name(), "err", err)
			os.RemoveAll(s.uploadDir(e.Name()))
			continue
		}
		s.uploads[u.meta.ID] = u
	}
	return nil
}

func (s *Server) loadObjects(b *bucketState) error {
	dir := s.objDir(b.meta.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	referenced := map[string]bool{}
	multi := map[string][]*objectMeta{} // keys with more than their one null version
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".tmp-") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		var om objectMeta
		if err := json.Unmarshal(raw, &om); err != nil || metaFileName(&om) != name {
			slog.Warn("ossemu: skipping unreadable object metadata", "file", name, "err", err)
			continue
		}
		if !om.Generated && !om.DeleteMarker {
			if _, err := os.Stat(filepath.Join(dir, om.DataFile)); err != nil {
				slog.Warn("ossemu: skipping object whose data is missing", "key", om.Key, "err", err)
				continue
			}
			referenced[om.DataFile] = true
		}
		if om.Seq > s.seq.Load() {
			s.seq.Store(om.Seq)
		}
		if b.objects[om.Key] == nil && multi[om.Key] == nil && !om.DeleteMarker {
			b.objects[om.Key] = &om
			continue
		}
		if prev := b.objects[om.Key]; prev != nil {
			multi[om.Key] = append(multi[om.Key], prev)
			delete(b.objects, om.Key)
		}
		multi[om.Key] = append(multi[om.Key], &om)
	}
	for key := range b.objects {
		b.sorted = append(b.sorted, key)
	}
	sort.Strings(b.sorted)
	for key, versions := range multi {
		sort.Slice(versions, func(i, j int) bool { return versions[i].Seq > versions[j].Seq })
		b.setHistory(key, versions)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".tmp-") || (strings.HasSuffix(name, ".data") && !referenced[name]) {
			os.Remove(filepath.Join(dir, name))
		}
	}
	return nil
}

func (s *Server) loadUpload(id string) (*uploadState, error) {
	dir := s.uploadDir(id)
	raw, err := os.ReadFile(filepath.Join(dir, "upload.json"))
	if err != nil {
		return nil, err
	}
	u := &uploadState{parts: map[int]*partMeta{}}
	if err := json.Unmarshal(raw, &u.meta); err != nil {
		return nil, err
	}
	if u.meta.ID != id {
		return nil, fmt.Errorf("upload id %q does not match its directory", u.meta.ID)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	referenced := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "p") || !strings.HasSuffix(name, ".json") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var pm partMeta
		if err := json.Unmarshal(raw, &pm); err != nil {
			slog.Warn("ossemu: skipping unreadable part", "upload", id, "file", name, "err", err)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, pm.DataFile)); err != nil {
			continue
		}
		referenced[pm.DataFile] = true
		u.parts[pm.Number] = &pm
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".tmp-") || (strings.HasSuffix(name, ".data") && !referenced[name]) {
			os.Remove(filepath.Join(dir, name))
		}
	}
	return u, nil
}

// dataSink receives an upload body: it writes the bytes to a new file and
// hashes them on the way.
type dataSink struct {
	f    *os.File
	md5  hashWriter
	crc  uint64
	size int64
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func newDataSink(dir, prefix string) (*dataSink, string, error) {
	name := prefix + "-" + randomHex(8) + ".data"
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, "", err
	}
	return &dataSink{f: f, md5: md5.New()}, name, nil
}

func (d *dataSink) Write(p []byte) (int, error) {
	n, err := d.f.Write(p)
	d.md5.Write(p[:n])
	d.crc = crc64.Update(d.crc, crcTable, p[:n])
	d.size += int64(n)
	return n, err
}

// finish fsyncs and closes the file.
func (d *dataSink) finish() error {
	if err := d.f.Sync(); err != nil {
		d.f.Close()
		return err
	}
	return d.f.Close()
}

func (d *dataSink) abandon() {
	d.f.Close()
	os.Remove(d.f.Name())
}

func (d *dataSink) md5Sum() []byte { return d.md5.Sum(nil) }

func etagFromMD5(sum []byte) string {
	return `"` + strings.ToUpper(hex.EncodeToString(sum)) + `"`
}

func contentMD5(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// md5FromETag recovers the binary MD5 from a quoted uppercase-hex ETag.
func md5FromETag(etag string) ([]byte, error) {
	return hex.DecodeString(strings.Trim(etag, `"`))
}

// errNotFound marks lookups of things that do not exist.
var errNotFound = errors.New("not found")
