package ossemu

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maxObjectSize is OSS's limit for one PutObject or UploadPart body.
const maxObjectSize = 5 << 30

// storedHeaders are the standard headers kept with an object and sent back on GET/HEAD.
var storedHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"}

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

// objectAttrs collects the metadata headers of a PutObject/Initiate request.
type objectAttrs struct {
	contentType  string
	headers      map[string]string
	userMeta     map[string]string
	storageClass string
}

func parseObjectAttrs(r *http.Request) (objectAttrs, *ossError) {
	a := objectAttrs{contentType: r.Header.Get("Content-Type"), storageClass: classStandard}
	if a.contentType == "" {
		a.contentType = "application/octet-stream"
	}
	if c := r.Header.Get("x-oss-storage-class"); c != "" {
		if !validStorageClass(c) {
			return a, errInvalidArgument("x-oss-storage-class", c, "Invalid storage class.")
		}
		a.storageClass = c
	}
	for _, name := range storedHeaders {
		if v := r.Header.Get(name); v != "" {
			if a.headers == nil {
				a.headers = map[string]string{}
			}
			a.headers[name] = v
		}
	}
	for name, values := range r.Header {
		lower := strings.ToLower(name)
		if suffix, ok := strings.CutPrefix(lower, "x-oss-meta-"); ok && suffix != "" {
			if a.userMeta == nil {
				a.userMeta = map[string]string{}
			}
			a.userMeta[suffix] = strings.Join(values, ",")
		}
	}
	return a, nil
}

func forbidOverwrite(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("x-oss-forbid-overwrite"), "true")
}

// commitCheck vets the current version (nil if none) just before a commit,
// under the lock, so check-and-replace is atomic.
type commitCheck func(current *objectMeta) *ossError

// refuseOverwrite implements x-oss-forbid-overwrite: true.
func refuseOverwrite(current *objectMeta) *ossError {
	if current != nil {
		return newError(409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.").with("Key", current.Key)
	}
	return nil
}

func overwriteCheck(r *http.Request) commitCheck {
	if forbidOverwrite(r) {
		return refuseOverwrite
	}
	return nil
}

// commitObject makes om the newest version of its key (the only one on an
// unversioned bucket); see commitVersion.
func (s *Server) commitObject(bucket string, om *objectMeta, check commitCheck, durable bool) *ossError {
	return s.commitVersion(bucket, om, check, durable, false)
}

// receiveBody streams a request body into a new data file in dir, checking
// Content-MD5 when given. The caller owns the returned sink's file name.
func receiveBody(r *http.Request, dir, prefix string, counter *int64Counter) (*dataSink, string, *ossError) {
	var wantMD5 []byte
	if v := r.Header.Get("Content-MD5"); v != "" {
		sum, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(sum) != md5.Size {
			return nil, "", errInvalidDigest()
		}
		wantMD5 = sum
	}
	if r.ContentLength > maxObjectSize {
		return nil, "", newError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
	}
	sink, name, err := newDataSink(dir, prefix)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, "", errNotFoundDir
		}
		return nil, "", errInternal(err)
	}
	buf := getCopyBuffer()
	n, err := io.CopyBuffer(sink, io.LimitReader(countingReader{r.Body, counter}, maxObjectSize+1), *buf)
	putCopyBuffer(buf)
	if err != nil {
		sink.abandon()
		return nil, "", newError(400, "IncompleteBody", "The request body ended early: "+err.Error())
	}
	if n > maxObjectSize {
		sink.abandon()
		return nil, "", newError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
	}
	if r.ContentLength >= 0 && n != r.ContentLength {
		sink.abandon()
		return nil, "", newError(400, "IncompleteBody", "The request body is shorter than Content-Length.")
	}
	if wantMD5 != nil && !bytes.Equal(wantMD5, sink.md5Sum()) {
		sink.abandon()
		return nil, "", errInvalidDigest()
	}
	if err := sink.finish(); err != nil {
		os.Remove(filepath.Join(dir, name))
		return nil, "", errInternal(err)
	}
	return sink, name, nil
}

// errNotFoundDir signals that the directory vanished (bucket or upload
// deleted concurrently); callers turn it into their own 404.
var errNotFoundDir = newError(404, "NotFound", "directory vanished")

func (s *Server) bucketExists(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.buckets[name] != nil
}

func (s *Server) objectExists(bucket, key string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.buckets[bucket]
	return b != nil && b.objects[key] != nil
}

// objectFromSink describes a Normal object whose bytes a sink received
// (PutObject) or copied (CopyObject).
func (s *Server) objectFromSink(key string, sink *dataSink, dataFile string, attrs objectAttrs) *objectMeta {
	sum := sink.md5Sum()
	return &objectMeta{
		Key: key, Size: sink.size, ETag: etagFromMD5(sum), CRC64: sink.crc, ContentMD5: contentMD5(sum),
		LastModified: s.now(), ContentType: attrs.contentType, Headers: attrs.headers, UserMeta: attrs.userMeta,
		StorageClass: attrs.storageClass, ObjectType: objectTypeNormal, DataFile: dataFile,
	}
}

func (s *Server) handlePutObject(q *request) error {
	r := q.r
	if !s.bucketExists(q.bucket) {
		return errNoSuchBucket(q.bucket)
	}
	attrs, e := parseObjectAttrs(r)
	if e != nil {
		return e
	}
	if forbidOverwrite(r) && s.objectExists(q.bucket, q.key) {
		return newError(409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.").with("Key", q.key)
	}
	hash := keyHash(q.key)
	sink, dataFile, e := s.receiveUpload(q, s.objDir(q.bucket), hash)
	if e == errNotFoundDir {
		e = errNoSuchBucket(q.bucket)
	}
	if e != nil {
		return e
	}
	om := s.objectFromSink(q.key, sink, dataFile, attrs)
	if e := s.commitObject(q.bucket, om, overwriteCheck(r), true); e != nil {
		os.Remove(filepath.Join(s.objDir(q.bucket), dataFile))
		return e
	}
	h := q.w.Header()
	s.setVersionHeader(h, q.bucket, om)
	h.Set("ETag", om.ETag)
	h.Set("Content-MD5", om.ContentMD5)
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(om.CRC64, 10))
	h.Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusOK)
	return nil
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
func (s *Server) openObject(bucket, key, versionID string, wantBody bool) (snap *objectSnapshot, marker *objectMeta, e *ossError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.buckets[bucket]
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
	f, err := os.Open(filepath.Join(s.objDir(bucket), om.DataFile))
	if err != nil {
		return nil, nil, errInternal(err)
	}
	snap.file, snap.reader = f, f
	return snap, nil, nil
}

// restoreHeader is the x-oss-restore value of an archive object, "" if never restored.
func (s *Server) restoreState(om *objectMeta) (header string, readable bool) {
	if !isArchiveClass(om.StorageClass) {
		return "", true
	}
	if om.RestoreRequested.IsZero() {
		return "", false
	}
	now := s.now()
	if now.Before(om.RestoreReadyAt) {
		return `ongoing-request="true"`, false
	}
	if !om.RestoreExpiry.IsZero() && now.After(om.RestoreExpiry) {
		return "", false
	}
	return `ongoing-request="false", expiry-date="` + om.RestoreExpiry.Format(http.TimeFormat) + `"`, true
}

func setObjectHeaders(h http.Header, om *objectMeta, restore string) {
	h.Set("ETag", om.ETag)
	h.Set("Last-Modified", om.LastModified.UTC().Format(http.TimeFormat))
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(om.CRC64, 10))
	h.Set("x-oss-object-type", om.ObjectType)
	h.Set("x-oss-storage-class", om.StorageClass)
	h.Set("Accept-Ranges", "bytes")
	if om.ContentType != "" {
		h.Set("Content-Type", om.ContentType)
	}
	if om.ContentMD5 != "" {
		h.Set("Content-MD5", om.ContentMD5)
	}
	for name, v := range om.Headers {
		h.Set(name, v)
	}
	for name, v := range om.UserMeta {
		h["X-Oss-Meta-"+name] = []string{v}
	}
	if restore != "" {
		h.Set("x-oss-restore", restore)
	}
}

// checkConditions applies If-Match / If-Unmodified-Since (412) and
// If-None-Match / If-Modified-Since (304) in RFC 7232 order.
func checkConditions(r *http.Request, om *objectMeta) *ossError {
	etagEq := func(v string) bool {
		for _, part := range strings.Split(v, ",") {
			part = strings.Trim(strings.TrimSpace(part), `"`)
			if part == "*" || strings.EqualFold(part, strings.Trim(om.ETag, `"`)) {
				return true
			}
		}
		return false
	}
	mtime := om.LastModified.UTC().Truncate(time.Second)
	precondition := newError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	if v := r.Header.Get("If-Match"); v != "" {
		if !etagEq(v) {
			return precondition.with("Condition", "If-Match")
		}
	} else if v := r.Header.Get("If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && mtime.After(t) {
			return precondition.with("Condition", "If-Unmodified-Since")
		}
	}
	notModified := newError(304, "NotModified", "")
	if v := r.Header.Get("If-None-Match"); v != "" {
		if etagEq(v) {
			return notModified
		}
	} else if v := r.Header.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !mtime.After(t) {
			return notModified
		}
	}
	return nil
}

// parseRange interprets a single "bytes=a-b", "bytes=a-" or "bytes=-n".
// ok=false means "serve the whole object"; unsatisfiable means 416.
func parseRange(header string, size int64, standard bool) (start, end int64, ok, unsatisfiable bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, false
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false, false
		}
		if size == 0 {
			return 0, 0, false, standard
		}
		return max(0, size-n), size - 1, true, false
	}
	a, err := strconv.ParseInt(first, 10, 64)
	if err != nil || a < 0 {
		return 0, 0, false, false
	}
	b := size - 1
	if last != "" {
		b, err = strconv.ParseInt(last, 10, 64)
		if err != nil || b < a {
			return 0, 0, false, false
		}
	}
	if a >= size {
		return 0, 0, false, standard
	}
	if b >= size {
		if !standard && last != "" {
			return 0, 0, false, false
		}
		b = size - 1
	}
	return a, b, true, false
}

var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

func (s *Server) handleGetObject(q *request) error {
	r := q.r
	isGet := q.op == opGetObject
	snap, marker, e := s.openObject(q.bucket, q.key, q.query.Get("versionId"), isGet)
	if e != nil {
		if marker != nil {
			q.w.Header().Set("x-oss-delete-marker", "true")
			q.w.Header().Set("x-oss-version-id", wireVersionID(marker))
		}
		return e
	}
	defer snap.close()
	om := &snap.meta
	if e := checkConditions(r, om); e != nil {
		return e
	}
	restore, readable := s.restoreState(om)
	if isGet && !readable {
		return newError(403, "InvalidObjectState", "The operation is not valid for the object's state").with("Key", q.key)
	}
	h := q.w.Header()
	if q.op == opGetObjectMeta {
		h.Set("ETag", om.ETag)
		h.Set("Last-Modified", om.LastModified.UTC().Format(http.TimeFormat))
		h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(om.CRC64, 10))
		h.Set("Content-Length", strconv.FormatInt(om.Size, 10))
		q.w.WriteHeader(http.StatusOK)
		return nil
	}
	setObjectHeaders(h, om, restore)
	s.setVersionHeader(h, q.bucket, om)
	start, end, status := int64(0), om.Size-1, http.StatusOK
	if rh := r.Header.Get("Range"); rh != "" {
		standard := strings.EqualFold(r.Header.Get("x-oss-range-behavior"), "standard")
		a, b, ok, unsatisfiable := parseRange(rh, om.Size, standard)
		if unsatisfiable {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(om.Size, 10))
			return newError(416, "InvalidRange", "The requested range cannot be satisfied").with("Range", rh)
		}
		if ok {
			start, end, status = a, b, http.StatusPartialContent
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, om.Size))
		}
	}
	if isGet {
		for param, header := range responseOverrides {
			if v := q.query.Get(param); v != "" {
				h.Set(header, v)
			}
		}
	}
	length := end - start + 1
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	if !isGet {
		q.w.WriteHeader(status)
		return nil
	}
	body := io.NewSectionReader(snap.reader, start, length)
	if status == http.StatusOK && s.cfg.CompressText && compressible(om, r) {
		h.Del("Content-Length")
		h.Del("ETag")
		h.Set("Content-Encoding", "gzip")
		q.w.WriteHeader(status)
		http.NewResponseController(q.w).Flush() // chunked, as OSS sends it: no length known up front
		gz := gzip.NewWriter(q.w)
		if _, err := io.Copy(gz, body); err == nil {
			gz.Close()
		}
		s.stats.getBodyBytes.Add(length)
		return nil
	}
	q.w.WriteHeader(status)
	s.serveBody(q, body, length, q.bucket+"/"+q.key)
	return nil
}

// compressible reports whether OSS would gzip this response: a text-like
// object of at least 1 KiB, to a client that accepts gzip.
func compressible(om *objectMeta, r *http.Request) bool {
	if om.Size < 1024 || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		return false
	}
	ct := om.ContentType
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") ||
		strings.Contains(ct, "xml") || strings.Contains(ct, "javascript")
}

// ---- Go API for tests and the demo ----
