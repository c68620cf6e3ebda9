package ossemu

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
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

// storage is the emulator's data: buckets, objects and their versions,
// multipart uploads and remote buckets, on disk under root and indexed in
// memory. It knows nothing of HTTP (the handlers call it); its lock lives
// here and is never held by a caller.
type storage struct {
	root string
	now  func() time.Time

	mu      sync.RWMutex // guards buckets, uploads, remote and the metadata files they mirror
	buckets map[string]*bucketState
	uploads map[string]*uploadState
	remote  map[string]remoteBucket // buckets "in another region" (region.go)

	seq atomic.Int64 // last objectMeta.Seq handed out (versions order by it)

	// noSync skips every fsync: for a server whose data need not survive
	// a power loss (Config.NoSync). A crash of the process loses nothing.
	noSync bool
}

// openStorage loads the store under root (which must exist).
func openStorage(root string, now func() time.Time, noSync bool) (*storage, error) {
	st := &storage{root: root, now: now, noSync: noSync, buckets: map[string]*bucketState{}, uploads: map[string]*uploadState{}}
	if err := st.load(); err != nil {
		return nil, err
	}
	return st, nil
}

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

func (st *storage) bucketDir(bucket string) string { return filepath.Join(st.root, "buckets", bucket) }
func (st *storage) objDir(bucket string) string {
	return filepath.Join(st.root, "buckets", bucket, "obj")
}
func (st *storage) uploadDir(id string) string { return filepath.Join(st.root, "uploads", id) }

// writeFileAtomic writes data to dir/name via a temp file, fsync and rename.
// With durable=false the fsyncs are skipped (bulk demo seeding, which is
// idempotent and re-run at every start, syncs once at the end instead).
func (st *storage) writeFileAtomic(dir, name string, data []byte, durable bool) error {
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
		if err := st.syncFile(f); err != nil {
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
		st.syncDir(dir)
	}
	return nil
}

// syncFile makes f's bytes durable (unless noSync).
func (st *storage) syncFile(f *os.File) error {
	if st.noSync {
		return nil
	}
	return f.Sync()
}

// syncDir makes a rename durable (unless noSync); failure only weakens
// durability, so it is logged, not returned.
func (st *storage) syncDir(dir string) {
	if st.noSync {
		return
	}
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

func etagFromMD5(sum []byte) string {
	return `"` + strings.ToUpper(hex.EncodeToString(sum)) + `"`
}

func contentMD5(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// md5FromETag recovers the binary MD5 from a quoted uppercase-hex ETag.
func md5FromETag(etag string) ([]byte, error) {
	return hex.DecodeString(strings.Trim(etag, `"`))
}

func validStorageClass(c string) bool {
	switch c {
	case classStandard, classIA, classArchive, classColdArchive, classDeepColdArchive:
		return true
	}
	return false
}

func isArchiveClass(c string) bool {
	return c == classArchive || c == classColdArchive || c == classDeepColdArchive
}

func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 || name[0] == '-' || name[len(name)-1] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validateKey(key string) *ossError {
	if len(key) == 0 || len(key) > 1023 || !utf8.ValidString(key) || key[0] == '/' || key[0] == '\\' {
		return newError(400, "InvalidObjectName", "The specified object is not valid.").with("Key", key)
	}
	return nil
}
