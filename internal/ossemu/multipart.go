package ossemu

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	maxPartNumber = 10000
	minPartSize   = 100 << 10 // every part but the last, checked at Complete
)

func (s *Server) handleInitiateMultipart(q *request) error {
	if !s.store.bucketExists(q.bucket) {
		return errNoSuchBucket(q.bucket)
	}
	if e := checkEncodingType(q); e != nil {
		return e
	}
	attrs, e := parseObjectAttrs(q.r)
	if e != nil {
		return e
	}
	if forbidOverwrite(q.r) && s.store.objectExists(q.bucket, q.key) {
		return errFileAlreadyExists(q.key)
	}
	u, e := s.store.createUpload(uploadMeta{
		ID: randomHex(16), Bucket: q.bucket, Key: q.key, Initiated: s.now(), ContentType: attrs.contentType,
		Headers: attrs.headers, UserMeta: attrs.userMeta, StorageClass: attrs.storageClass,
	})
	if e != nil {
		return e
	}
	enc := newListEncoder(q.query.Get("encoding-type"))
	return writeXML(q.w, http.StatusOK, initiateMultipartUploadResult{Bucket: q.bucket, Key: enc.enc(q.key), UploadID: u.meta.ID, EncodingType: enc.typ})
}

// lookupUpload finds the request's upload (?uploadId) of its bucket/key.
func (s *Server) lookupUpload(q *request) (*uploadState, *ossError) {
	return s.store.lookupUpload(q.bucket, q.key, q.query.Get("uploadId"))
}

// partOf reads the part number (1..10000) of an UploadPart or
// UploadPartCopy and finds its upload.
func (s *Server) partOf(q *request) (*uploadState, int, *ossError) {
	pn := q.query.Get("partNumber")
	number, err := strconv.Atoi(pn)
	if err != nil || number < 1 || number > maxPartNumber {
		return nil, 0, errInvalidArgument("partNumber", pn, "Part number must be an integer between 1 and 10000, inclusive.")
	}
	u, e := s.lookupUpload(q)
	return u, number, e
}

func (s *Server) handleUploadPart(q *request) error {
	u, number, e := s.partOf(q)
	if e != nil {
		return e
	}
	data, e := s.receiveUpload(q, s.store.partTarget(u.meta.ID, number))
	if e != nil {
		return e
	}
	pm := s.store.partFromData(number, data)
	if e := s.store.commitPart(u, pm); e != nil {
		return e
	}
	h := q.w.Header()
	h.Set("ETag", pm.ETag)
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(pm.CRC64, 10))
	h.Set("Content-MD5", contentMD5(data.md5))
	h.Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) handleListParts(q *request) error {
	lp, e := s.parseListParams(q, "max-parts", 1000)
	if e != nil {
		return e
	}
	limit, enc := lp.limit, lp.enc
	marker := 0
	if v := q.query.Get("part-number-marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument("part-number-marker", v, "The part-number-marker must be a non-negative integer.")
		}
		marker = n
	}
	u, e := s.lookupUpload(q)
	if e != nil {
		return e
	}
	meta, all := s.store.uploadParts(u)
	var parts []listedPart
	truncated := false
	for _, p := range all {
		if p.Number <= marker {
			continue
		}
		if len(parts) == limit {
			truncated = true
			break
		}
		parts = append(parts, listedPart{p.Number, xmlTime(p.LastModified), p.ETag, p.CRC64, p.Size})
	}
	next := marker
	if len(parts) > 0 {
		next = parts[len(parts)-1].PartNumber
	}
	return writeXML(q.w, http.StatusOK, listPartsResult{xml.Name{}, enc.typ, meta.Bucket, enc.enc(meta.Key), meta.ID, meta.StorageClass, marker, next, lp.asked, truncated, parts})
}

func normalizeETag(etag string) string {
	etag = strings.ReplaceAll(strings.TrimSpace(etag), "&#34;", `"`)
	etag = strings.ReplaceAll(etag, "&quot;", `"`)
	return strings.ToUpper(strings.Trim(etag, `"`))
}

func (s *Server) handleCompleteMultipart(q *request) error {
	raw, err := io.ReadAll(io.LimitReader(q.r.Body, 4<<20))
	if err != nil {
		return errMalformedXML()
	}
	if e := checkEncodingType(q); e != nil {
		return e
	}
	u, all, e := s.store.takeForComplete(q.bucket, q.key, q.query.Get("uploadId"))
	if e != nil {
		return e
	}
	om, e := s.completeUpload(q, raw, u, all)
	if e != nil {
		s.store.returnUpload(u)
		return e
	}
	s.store.discardUpload(u)
	s.setVersionHeader(q.w.Header(), q.bucket, om)
	q.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(om.CRC64, 10))
	enc := newListEncoder(q.query.Get("encoding-type"))
	location := s.Endpoint() + "/" + q.bucket + "/" + escapePath(q.key)
	return writeXML(q.w, http.StatusOK, completeMultipartUploadResult{xml.Name{}, enc.typ, location, q.bucket, enc.enc(q.key), om.ETag})
}

// completeUpload checks the parts the request names, then assembles and
// commits the object.
func (s *Server) completeUpload(q *request, raw []byte, u *uploadState, all []*partMeta) (*objectMeta, *ossError) {
	chosen, e := choosePartsForComplete(q, raw, u, all)
	if e != nil {
		return nil, e
	}
	s.assemblyDelay()
	om, e := s.store.assembleParts(q.bucket, u, chosen)
	if e != nil {
		return nil, e
	}
	if e := s.store.commitObject(q.bucket, om, overwriteCheck(q.r), true); e != nil {
		return nil, e
	}
	return om, nil
}

// choosePartsForComplete applies OSS's checks in order: XML, order,
// existence and ETag, then minimum size of all parts but the last.
func choosePartsForComplete(q *request, raw []byte, u *uploadState, all []*partMeta) ([]*partMeta, *ossError) {
	var chosen []*partMeta
	if strings.EqualFold(q.r.Header.Get("x-oss-complete-all"), "yes") {
		if len(strings.TrimSpace(string(raw))) > 0 {
			return nil, errInvalidArgument("x-oss-complete-all", "yes", "The body must be empty with x-oss-complete-all.")
		}
		chosen = all
	} else {
		var req completeRequest
		if err := xml.Unmarshal(raw, &req); err != nil || len(req.Parts) == 0 {
			return nil, errMalformedXML()
		}
		prev := 0
		for _, p := range req.Parts {
			if p.PartNumber < 1 || p.PartNumber > maxPartNumber || p.PartNumber <= prev {
				return nil, newError(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts list must be specified in order by part number.")
			}
			prev = p.PartNumber
		}
		for _, p := range req.Parts {
			have := u.parts[p.PartNumber]
			if have == nil || normalizeETag(p.ETag) != normalizeETag(have.ETag) {
				return nil, newError(400, "InvalidPart", "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.").
					with("PartNumber", strconv.Itoa(p.PartNumber)).with("ETag", p.ETag)
			}
			chosen = append(chosen, have)
		}
	}
	if len(chosen) == 0 {
		return nil, errMalformedXML()
	}
	for i, p := range chosen[:len(chosen)-1] {
		if p.Size < minPartSize {
			return nil, newError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.").
				with("PartNumber", strconv.Itoa(chosen[i].Number)).with("ProposedSize", strconv.FormatInt(p.Size, 10)).
				with("MinSizeAllowed", strconv.Itoa(minPartSize))
		}
	}
	return chosen, nil
}

func (s *Server) handleAbortMultipart(q *request) error {
	if e := s.store.abortUpload(q.bucket, q.key, q.query.Get("uploadId")); e != nil {
		return e
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleListMultipartUploads(q *request) error {
	lp, e := s.parseListParams(q, "max-uploads", 1000)
	if e != nil {
		return e
	}
	limit, enc, prefix, delimiter := lp.limit, lp.enc, lp.prefix, lp.delimiter
	keyMarker, idMarker := q.query.Get("key-marker"), q.query.Get("upload-id-marker")
	all, e := s.store.listUploads(q.bucket, prefix)
	if e != nil {
		return e
	}
	// Resume after (key-marker, upload-id-marker): with an upload-id-marker,
	// later uploads of the marker key follow; without, the key is skipped.
	start := 0
	if keyMarker != "" {
		start = len(all)
		for i, m := range all {
			if m.Key > keyMarker {
				start = i
				break
			}
			if m.Key == keyMarker && idMarker != "" && m.ID == idMarker {
				start = i + 1
				break
			}
		}
	}
	var uploads []listedUpload
	var prefixes []commonPrefix
	truncated := false
	nextKey, nextID := "", ""
	lastPrefix := ""
	for _, m := range all[start:] {
		if delimiter != "" {
			if idx := strings.Index(m.Key[len(prefix):], delimiter); idx >= 0 {
				cp := m.Key[:len(prefix)+idx+len(delimiter)]
				if cp == lastPrefix || cp <= keyMarker {
					continue
				}
				if len(uploads)+len(prefixes) == limit {
					truncated = true
					break
				}
				lastPrefix = cp
				prefixes = append(prefixes, commonPrefix{enc.enc(cp)})
				nextKey, nextID = cp, ""
				continue
			}
		}
		if len(uploads)+len(prefixes) == limit {
			truncated = true
			break
		}
		uploads = append(uploads, listedUpload{enc.enc(m.Key), m.ID, xmlTime(m.Initiated)})
		nextKey, nextID = m.Key, m.ID
	}
	res := listMultipartUploadsResult{
		EncodingType: enc.typ, Bucket: q.bucket, KeyMarker: enc.enc(keyMarker), UploadIDMarker: idMarker,
		Delimiter: enc.enc(delimiter), Prefix: enc.enc(prefix), MaxUploads: lp.asked, IsTruncated: truncated,
		Uploads: uploads, CommonPrefixes: prefixes,
	}
	if truncated {
		res.NextKeyMarker, res.NextUploadIDMarker = enc.enc(nextKey), nextID
	}
	return writeXML(q.w, http.StatusOK, res)
}

// escapePath escapes a key the way the SDK does: unreserved bytes and "/" stay.
func escapePath(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
