package ossemu

import (
	"compress/gzip"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// storedHeaders are the standard headers kept with an object and sent back on GET/HEAD.
var storedHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"}

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

// overwriteCheck is the commit check a request asks for.
func overwriteCheck(r *http.Request) commitCheck {
	if forbidOverwrite(r) {
		return refuseOverwrite
	}
	return nil
}

// receiveBody stages the request body in to, checking Content-MD5 when
// given and counting PutBodyBytes.
func (s *Server) receiveBody(r *http.Request, to dataTarget) (*stagedData, *ossError) {
	var wantMD5 []byte
	if v := r.Header.Get("Content-MD5"); v != "" {
		sum, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(sum) != md5.Size {
			return nil, errInvalidDigest()
		}
		wantMD5 = sum
	}
	return s.store.receive(to, countingReader{r.Body, &s.stats.putBodyBytes}, r.ContentLength, wantMD5)
}

// objectFromData describes a Normal object whose bytes were staged in its
// bucket (received by PutObject or copied by CopyObject).
func (s *Server) objectFromData(key string, d *stagedData, attrs objectAttrs) *objectMeta {
	return &objectMeta{
		Key: key, Size: d.size, ETag: etagFromMD5(d.md5), CRC64: d.crc, ContentMD5: contentMD5(d.md5),
		LastModified: s.now(), ContentType: attrs.contentType, Headers: attrs.headers, UserMeta: attrs.userMeta,
		StorageClass: attrs.storageClass, ObjectType: objectTypeNormal, DataFile: d.name,
	}
}

// setVersionHeader sends x-oss-version-id once a bucket has versioning.
func (s *Server) setVersionHeader(h http.Header, bucket string, om *objectMeta) {
	if mode, _ := s.store.versioningOf(bucket); mode != "" || om.VersionID != "" {
		h.Set("x-oss-version-id", wireVersionID(om))
	}
}

func (s *Server) handlePutObject(q *request) error {
	r := q.r
	if !s.store.bucketExists(q.bucket) {
		return errNoSuchBucket(q.bucket)
	}
	attrs, e := parseObjectAttrs(r)
	if e != nil {
		return e
	}
	if forbidOverwrite(r) && s.store.objectExists(q.bucket, q.key) {
		return errFileAlreadyExists(q.key)
	}
	data, e := s.receiveUpload(q, s.store.objectTarget(q.bucket, q.key))
	if e != nil {
		return e
	}
	om := s.objectFromData(q.key, data, attrs)
	if e := s.store.commitObject(q.bucket, om, overwriteCheck(r), true); e != nil {
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

// restoreState is the x-oss-restore value of an archive object ("" if
// never restored) and whether its bytes can be read now.
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
	snap, marker, e := s.store.openObject(q.bucket, q.key, q.query.Get("versionId"), isGet)
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
		s.stats.getBodyBytes.Add(length)        // before the write, as serveBody counts
		gz := gzip.NewWriter(q.w)
		if _, err := io.Copy(gz, body); err == nil {
			gz.Close()
		}
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
