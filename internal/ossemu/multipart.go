package ossemu

import (
	"crypto/md5"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

const (
	maxPartNumber = 10000
	minPartSize   = 100 << 10 // every part but the last, checked at Complete
)

func (s *Server) handleInitiateMultipart(q *request) error {
	if !s.bucketExists(q.bucket) {
		return errNoSuchBucket(q.bucket)
	}
	if e := checkEncodingType(q); e != nil {
		return e
	}
	attrs, e := parseObjectAttrs(q.r)
	if e != nil {
		return e
	}
	if forbidOverwrite(q.r) && s.objectExists(q.bucket, q.key) {
		return newError(409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.").with("Key", q.key)
	}
	u := &uploadState{
		meta: uploadMeta{
			ID: randomHex(16), Bucket: q.bucket, Key: q.key, Initiated: s.now(), ContentType: attrs.contentType,
			Headers: attrs.headers, UserMeta: attrs.userMeta, StorageClass: attrs.storageClass,
		},
		parts: map[int]*partMeta{},
	}
	dir := s.uploadDir(u.meta.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return errInternal(err)
	}
	if err := writeFileAtomic(dir, "upload.json", marshalJSON(u.meta), true); err != nil {
		os.RemoveAll(dir)
		return errInternal(err)
	}
	syncDir(filepath.Dir(dir))
	s.mu.Lock()
	s.uploads[u.meta.ID] = u
	s.mu.Unlock()
	enc := newListEncoder(q.query.Get("encoding-type"))
	return writeXML(q.w, http.StatusOK, struct {
		XMLName      xml.Name `xml:"InitiateMultipartUploadResult"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		UploadID     string   `xml:"UploadId"`
		EncodingType string   `xml:"EncodingType,omitempty"`
	}{Bucket: q.bucket, Key: enc.enc(q.key), UploadID: u.meta.ID, EncodingType: enc.typ})
}

// lookupUpload finds an in-progress upload of bucket/key.
func (s *Server) lookupUpload(q *request) (*uploadState, *ossError) {
	id := q.query.Get("uploadId")
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.buckets[q.bucket] == nil {
		return nil, errNoSuchBucket(q.bucket)
	}
	u := s.uploads[id]
	if u == nil || u.meta.Bucket != q.bucket || u.meta.Key != q.key {
		return nil, errNoSuchUpload(id)
	}
	return u, nil
}

// takeUpload removes the request's upload from the table and runs also under
// the same lock, so no other request sees the upload half taken.
func (s *Server) takeUpload(q *request, also func(*uploadState) error) (*uploadState, *ossError) {
	u, e := s.lookupUpload(q)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uploads[u.meta.ID] != u {
		return nil, errNoSuchUpload(u.meta.ID)
	}
	delete(s.uploads, u.meta.ID)
	if err := also(u); err != nil {
		return nil, errInternal(err)
	}
	return u, nil
}

func (s *Server) handleUploadPart(q *request) error {
	pn := q.query.Get("partNumber")
	number, err := strconv.Atoi(pn)
	if err != nil || number < 1 || number > maxPartNumber {
		return errInvalidArgument("partNumber", pn, "Part number must be an integer between 1 and 10000, inclusive.")
	}
	u, e := s.lookupUpload(q)
	if e != nil {
		return e
	}
	dir := s.uploadDir(u.meta.ID)
	prefix := fmt.Sprintf("p%05d", number)
	sink, dataFile, e := s.receiveUpload(q, dir, prefix)
	if e == errNotFoundDir {
		e = errNoSuchUpload(u.meta.ID)
	}
	if e != nil {
		return e
	}
	pm := s.partFromSink(number, sink, dataFile)
	if e := s.commitPart(u, pm); e != nil {
		return e
	}
	h := q.w.Header()
	h.Set("ETag", pm.ETag)
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(pm.CRC64, 10))
	h.Set("Content-MD5", contentMD5(sink.md5Sum()))
	h.Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusOK)
	return nil
}

// commitPart records a received part (its data file already synced in the
// upload's directory), replacing an earlier part of the same number.
// partFromSink describes a part whose bytes a sink received (UploadPart)
// or copied (UploadPartCopy).
func (s *Server) partFromSink(number int, sink *dataSink, dataFile string) *partMeta {
	return &partMeta{Number: number, Size: sink.size, ETag: etagFromMD5(sink.md5Sum()), CRC64: sink.crc,
		LastModified: s.now(), DataFile: dataFile}
}

func (s *Server) commitPart(u *uploadState, pm *partMeta) *ossError {
	dir := s.uploadDir(u.meta.ID)
	prefix := fmt.Sprintf("p%05d", pm.Number)
	dataFile := pm.DataFile
	tmp, err := os.CreateTemp(dir, ".tmp-part-*")
	if err == nil {
		_, err = tmp.Write(marshalJSON(pm))
		if err == nil {
			err = tmp.Sync()
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
	s.mu.Lock()
	if s.uploads[u.meta.ID] != u {
		s.mu.Unlock()
		os.Remove(tmp.Name())
		os.Remove(filepath.Join(dir, dataFile))
		return errNoSuchUpload(u.meta.ID)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, prefix+".json")); err != nil {
		s.mu.Unlock()
		os.Remove(tmp.Name())
		os.Remove(filepath.Join(dir, dataFile))
		return errInternal(err)
	}
	old := u.parts[pm.Number]
	u.parts[pm.Number] = pm
	s.mu.Unlock()
	syncDir(dir)
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

func (s *Server) handleListParts(q *request) error {
	if e := checkEncodingType(q); e != nil {
		return e
	}
	limit, e := parseLimit(q, "max-parts", 1000)
	if e != nil {
		return e
	}
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
	s.mu.RLock()
	all := sortedParts(u)
	meta := u.meta
	s.mu.RUnlock()
	type part struct {
		PartNumber    int    `xml:"PartNumber"`
		LastModified  string `xml:"LastModified"`
		ETag          string `xml:"ETag"`
		HashCrc64ecma uint64 `xml:"HashCrc64ecma"`
		Size          int64  `xml:"Size"`
	}
	var parts []part
	truncated := false
	for _, p := range all {
		if p.Number <= marker {
			continue
		}
		if len(parts) == limit {
			truncated = true
			break
		}
		parts = append(parts, part{p.Number, xmlTime(p.LastModified), p.ETag, p.CRC64, p.Size})
	}
	next := marker
	if len(parts) > 0 {
		next = parts[len(parts)-1].PartNumber
	}
	enc := newListEncoder(q.query.Get("encoding-type"))
	return writeXML(q.w, http.StatusOK, struct {
		XMLName              xml.Name `xml:"ListPartsResult"`
		EncodingType         string   `xml:"EncodingType,omitempty"`
		Bucket               string   `xml:"Bucket"`
		Key                  string   `xml:"Key"`
		UploadID             string   `xml:"UploadId"`
		StorageClass         string   `xml:"StorageClass"`
		PartNumberMarker     int      `xml:"PartNumberMarker"`
		NextPartNumberMarker int      `xml:"NextPartNumberMarker"`
		MaxParts             int      `xml:"MaxParts"`
		IsTruncated          bool     `xml:"IsTruncated"`
		Parts                []part   `xml:"Part"`
	}{xml.Name{}, enc.typ, meta.Bucket, enc.enc(meta.Key), meta.ID, meta.StorageClass, marker, next, limit, truncated, parts})
}

type completeRequest struct {
	Parts []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
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
	// Take the upload out of the table while assembling, so parts cannot
	// change underneath; it goes back if validation fails.
	var all []*partMeta
	u, e := s.takeUpload(q, func(u *uploadState) error { all = sortedParts(u); return nil })
	if e != nil {
		return e
	}
	restore := func() {
		s.mu.Lock()
		s.uploads[u.meta.ID] = u
		s.mu.Unlock()
	}
	chosen, e := choosePartsForComplete(q, raw, u, all)
	if e != nil {
		restore()
		return e
	}
	s.assemblyDelay()
	om, e := s.assembleParts(q.bucket, u, chosen)
	if e != nil {
		restore()
		return e
	}
	if e := s.commitObject(q.bucket, om, overwriteCheck(q.r), true); e != nil {
		os.Remove(filepath.Join(s.objDir(q.bucket), om.DataFile))
		restore()
		return e
	}
	os.RemoveAll(s.uploadDir(u.meta.ID))
	s.setVersionHeader(q.w.Header(), q.bucket, om)
	q.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(om.CRC64, 10))
	enc := newListEncoder(q.query.Get("encoding-type"))
	location := s.Endpoint() + "/" + q.bucket + "/" + escapePath(q.key)
	return writeXML(q.w, http.StatusOK, struct {
		XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
		EncodingType string   `xml:"EncodingType,omitempty"`
		Location     string   `xml:"Location"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		ETag         string   `xml:"ETag"`
	}{xml.Name{}, enc.typ, location, q.bucket, enc.enc(q.key), om.ETag})
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

// assembleParts concatenates part files into a new object data file
// (file-to-file copies, no buffering of the whole object) and derives the
// CRC-64 by combining part CRCs.
func (s *Server) assembleParts(bucket string, u *uploadState, parts []*partMeta) (*objectMeta, *ossError) {
	dir := s.objDir(bucket)
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
		in, err := os.Open(filepath.Join(s.uploadDir(u.meta.ID), p.DataFile))
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
		crc = oss.CRC64Combine(crc, p.CRC64, uint64(p.Size))
		size += p.Size
	}
	if err := out.Sync(); err != nil {
		return fail(err)
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return nil, errInternal(err)
	}
	etag := strings.TrimSuffix(etagFromMD5(md5s.Sum(nil)), `"`) + "-" + strconv.Itoa(len(parts)) + `"`
	return &objectMeta{
		Key: u.meta.Key, Size: size, ETag: etag, CRC64: crc, LastModified: s.now(), ContentType: u.meta.ContentType,
		Headers: u.meta.Headers, UserMeta: u.meta.UserMeta, StorageClass: u.meta.StorageClass,
		ObjectType: objectTypeMultipart, DataFile: name,
	}, nil
}

func (s *Server) handleAbortMultipart(q *request) error {
	_, e := s.takeUpload(q, func(u *uploadState) error { return os.RemoveAll(s.uploadDir(u.meta.ID)) })
	if e != nil {
		return e
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleListMultipartUploads(q *request) error {
	if e := checkEncodingType(q); e != nil {
		return e
	}
	limit, e := parseLimit(q, "max-uploads", 1000)
	if e != nil {
		return e
	}
	prefix, delimiter := q.query.Get("prefix"), q.query.Get("delimiter")
	keyMarker, idMarker := q.query.Get("key-marker"), q.query.Get("upload-id-marker")
	s.mu.RLock()
	if s.buckets[q.bucket] == nil {
		s.mu.RUnlock()
		return errNoSuchBucket(q.bucket)
	}
	var all []uploadMeta
	for _, u := range s.uploads {
		if u.meta.Bucket == q.bucket && strings.HasPrefix(u.meta.Key, prefix) {
			all = append(all, u.meta)
		}
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool {
		if all[i].Key != all[j].Key {
			return all[i].Key < all[j].Key
		}
		if !all[i].Initiated.Equal(all[j].Initiated) {
			return all[i].Initiated.Before(all[j].Initiated)
		}
		return all[i].ID < all[j].ID
	})
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
	type upload struct {
		Key       string `xml:"Key"`
		UploadID  string `xml:"UploadId"`
		Initiated string `xml:"Initiated"`
	}
	var uploads []upload
	var prefixes []commonPrefix
	enc := newListEncoder(q.query.Get("encoding-type"))
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
		uploads = append(uploads, upload{enc.enc(m.Key), m.ID, xmlTime(m.Initiated)})
		nextKey, nextID = m.Key, m.ID
	}
	res := struct {
		XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
		EncodingType       string         `xml:"EncodingType,omitempty"`
		Bucket             string         `xml:"Bucket"`
		KeyMarker          string         `xml:"KeyMarker"`
		UploadIDMarker     string         `xml:"UploadIdMarker"`
		NextKeyMarker      string         `xml:"NextKeyMarker"`
		NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
		Delimiter          string         `xml:"Delimiter"`
		Prefix             string         `xml:"Prefix"`
		MaxUploads         int            `xml:"MaxUploads"`
		IsTruncated        bool           `xml:"IsTruncated"`
		Uploads            []upload       `xml:"Upload"`
		CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
	}{
		EncodingType: enc.typ, Bucket: q.bucket, KeyMarker: enc.enc(keyMarker), UploadIDMarker: idMarker,
		Delimiter: enc.enc(delimiter), Prefix: enc.enc(prefix), MaxUploads: limit, IsTruncated: truncated,
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
