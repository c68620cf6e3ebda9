package ossemu

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// copySource is a parsed x-oss-copy-source: "/bucket/key[?versionId=ID]",
// the key path-escaped.
type copySource struct {
	bucket, key, versionID string
}

func parseCopySource(v string) (copySource, *ossError) {
	bad := errInvalidArgument("x-oss-copy-source", v, "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.")
	rest, ok := strings.CutPrefix(v, "/")
	if !ok {
		return copySource{}, bad
	}
	rest, query, _ := strings.Cut(rest, "?")
	bucket, escapedKey, ok := strings.Cut(rest, "/")
	if !ok || !validBucketName(bucket) {
		return copySource{}, bad
	}
	key, err := url.PathUnescape(escapedKey)
	if err != nil || validateKey(key) != nil {
		return copySource{}, bad
	}
	src := copySource{bucket: bucket, key: key}
	if query != "" {
		values, err := url.ParseQuery(query)
		if err != nil || values.Get("versionId") == "" {
			return copySource{}, bad
		}
		src.versionID = values.Get("versionId")
	}
	return src, nil
}

// openCopySource opens the source version for reading, refusing archive
// objects that are not restored, as OSS does.
func (s *Server) openCopySource(q *request) (copySource, *objectSnapshot, *ossError) {
	src, e := parseCopySource(q.r.Header.Get("x-oss-copy-source"))
	if e != nil {
		return src, nil, e
	}
	snap, _, e := s.store.openObject(src.bucket, src.key, src.versionID, true)
	if e != nil {
		return src, nil, e
	}
	if _, readable := s.restoreState(&snap.meta); !readable {
		snap.close()
		return src, nil, newError(403, "InvalidObjectState", "The operation is not valid for the object's state").with("Key", src.key)
	}
	if e := checkCopyConditions(q.r, &snap.meta); e != nil {
		snap.close()
		return src, nil, e
	}
	return src, snap, nil
}

// checkCopyConditions applies x-oss-copy-source-if-match / -if-none-match.
func checkCopyConditions(r *http.Request, om *objectMeta) *ossError {
	precondition := newError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	if v := r.Header.Get("x-oss-copy-source-if-match"); v != "" && strings.Trim(v, `"`) != strings.Trim(om.ETag, `"`) {
		return precondition.with("Condition", "x-oss-copy-source-if-match")
	}
	if v := r.Header.Get("x-oss-copy-source-if-none-match"); v != "" && strings.Trim(v, `"`) == strings.Trim(om.ETag, `"`) {
		return precondition.with("Condition", "x-oss-copy-source-if-none-match")
	}
	return nil
}

func (s *Server) handleCopyObject(q *request) error {
	if !s.store.bucketExists(q.bucket) {
		return errNoSuchBucket(q.bucket)
	}
	src, snap, e := s.openCopySource(q)
	if e != nil {
		return e
	}
	defer snap.close()
	sm := &snap.meta
	if sm.Size > maxObjectSize {
		return newError(400, "EntityTooLarge", "CopyObject copies objects up to 5 GiB; use UploadPartCopy.").with("Key", src.key)
	}
	attrs := objectAttrs{contentType: sm.ContentType, headers: sm.Headers, userMeta: sm.UserMeta, storageClass: sm.StorageClass}
	if strings.EqualFold(q.r.Header.Get("x-oss-metadata-directive"), "REPLACE") {
		if attrs, e = parseObjectAttrs(q.r); e != nil {
			return e
		}
	} else if c := q.r.Header.Get("x-oss-storage-class"); c != "" {
		if !validStorageClass(c) {
			return errInvalidArgument("x-oss-storage-class", c, "Invalid storage class.")
		}
		attrs.storageClass = c
	}
	data, e := s.store.copyData(s.store.objectTarget(q.bucket, q.key), snap.reader, 0, sm.Size)
	if e != nil {
		return e
	}
	om := s.objectFromData(q.key, data, attrs)
	if e := s.store.commitObject(q.bucket, om, overwriteCheck(q.r), true); e != nil {
		return e
	}
	h := q.w.Header()
	s.setVersionHeader(h, q.bucket, om)
	if src.versionID != "" || sm.VersionID != "" {
		h.Set("x-oss-copy-source-version-id", wireVersionID(sm))
	}
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(om.CRC64, 10))
	return writeXML(q.w, http.StatusOK, copyObjectResult{ETag: om.ETag, LastModified: xmlTime(om.LastModified)})
}

func (s *Server) handleUploadPartCopy(q *request) error {
	u, number, e := s.partOf(q)
	if e != nil {
		return e
	}
	src, snap, e := s.openCopySource(q)
	if e != nil {
		return e
	}
	defer snap.close()
	start, length := int64(0), snap.meta.Size
	if rh := q.r.Header.Get("x-oss-copy-source-range"); rh != "" {
		a, b, ok, _ := parseRange(rh, snap.meta.Size, true)
		if !ok {
			return newError(416, "InvalidRange", "The requested range cannot be satisfied").with("Range", rh)
		}
		start, length = a, b-a+1
	}
	if length > maxObjectSize {
		return newError(400, "EntityTooLarge", "A part copies at most 5 GiB.").with("Key", src.key)
	}
	data, e := s.store.copyData(s.store.partTarget(u.meta.ID, number), snap.reader, start, length)
	if e != nil {
		return e
	}
	pm := s.store.partFromData(number, data)
	if e := s.store.commitPart(u, pm); e != nil {
		return e
	}
	if src.versionID != "" || snap.meta.VersionID != "" {
		q.w.Header().Set("x-oss-copy-source-version-id", wireVersionID(&snap.meta))
	}
	q.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(pm.CRC64, 10))
	return writeXML(q.w, http.StatusOK, copyPartResult{LastModified: xmlTime(pm.LastModified), ETag: pm.ETag})
}
