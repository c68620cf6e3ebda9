package ossemu

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

const xmlTimeFormat = "2006-01-02T15:04:05.000Z"

func xmlTime(t time.Time) string { return t.UTC().Format(xmlTimeFormat) }

// writeXML answers with v; it writes nothing if v cannot be encoded (a
// server bug: only fixed structs of strings and numbers are encoded), so the
// error can still be answered.
func writeXML(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return errInternal(fmt.Errorf("encode response: %w", err))
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// listEncoder applies encoding-type=url to names in list responses.
type listEncoder struct{ typ string }

func newListEncoder(encodingType string) listEncoder {
	if strings.EqualFold(encodingType, "url") {
		return listEncoder{typ: "url"}
	}
	return listEncoder{}
}

func (e listEncoder) enc(s string) string {
	if e.typ == "url" {
		return url.QueryEscape(s)
	}
	return s
}

func checkEncodingType(q *request) *ossError {
	if v := q.query.Get("encoding-type"); v != "" && !strings.EqualFold(v, "url") {
		return errInvalidArgument("encoding-type", v, "The encoding-type must be url.")
	}
	return nil
}

// parseLimit reads a max-keys style parameter (1..1000).
func parseLimit(q *request, name string, def int) (int, *ossError) {
	v := q.query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, errInvalidArgument(name, v, "Argument "+name+" must be an integer between 1 and 1000.")
	}
	return n, nil
}

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

var defaultOwner = owner{ID: "1000000000000000", DisplayName: "1000000000000000"}

type listedObject struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Type         string `xml:"Type"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner,omitempty"`
	RestoreInfo  string `xml:"RestoreInfo,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listPage walks a bucket's sorted keys after `after`, grouping by
// delimiter; each common prefix counts as one entry. last is the last key or
// prefix returned (the next marker when truncated).
func listPage(b *bucketState, prefix, delimiter, after string, limit int) (objs []*objectMeta, prefixes []string, truncated bool, last string) {
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
			return objs, prefixes, true, last
		}
		count++
		last = entry
		if isPrefix {
			prefixes = append(prefixes, entry)
		} else {
			objs = append(objs, b.objects[key])
		}
	}
	return objs, prefixes, false, last
}

func (s *Server) toListed(om *objectMeta, withOwner bool) listedObject {
	lo := listedObject{
		Key: om.Key, LastModified: xmlTime(om.LastModified), ETag: om.ETag, Type: om.ObjectType,
		Size: om.Size, StorageClass: om.StorageClass,
	}
	if withOwner {
		o := defaultOwner
		lo.Owner = &o
	}
	if h, _ := s.restoreState(om); h != "" {
		lo.RestoreInfo = h
	}
	return lo
}

func (s *Server) handleListObjects(q *request) error {
	v2 := q.op == opListObjectsV2
	if e := checkEncodingType(q); e != nil {
		return e
	}
	limit, e := parseLimit(q, "max-keys", 100)
	if e != nil {
		return e
	}
	enc := newListEncoder(q.query.Get("encoding-type"))
	prefix, delimiter := q.query.Get("prefix"), q.query.Get("delimiter")
	after := q.query.Get("marker")
	token := q.query.Get("continuation-token")
	if v2 {
		after = q.query.Get("start-after")
		if token != "" {
			raw, err := base64.RawURLEncoding.DecodeString(token)
			if err != nil {
				return errInvalidArgument("continuation-token", token, "The continuation token is not valid.")
			}
			after = string(raw)
		}
	}
	s.mu.RLock()
	b := s.buckets[q.bucket]
	if b == nil {
		s.mu.RUnlock()
		return errNoSuchBucket(q.bucket)
	}
	objs, prefixes, truncated, last := listPage(b, prefix, delimiter, after, limit)
	withOwner := !v2 || q.query.Get("fetch-owner") == "true"
	contents := make([]listedObject, 0, len(objs))
	for _, om := range objs {
		lo := s.toListed(om, withOwner)
		lo.Key = enc.enc(lo.Key)
		contents = append(contents, lo)
	}
	s.mu.RUnlock()
	cps := make([]commonPrefix, 0, len(prefixes))
	for _, p := range prefixes {
		cps = append(cps, commonPrefix{enc.enc(p)})
	}
	if v2 {
		type result struct {
			XMLName               xml.Name       `xml:"ListBucketResult"`
			Name                  string         `xml:"Name"`
			Prefix                string         `xml:"Prefix"`
			StartAfter            string         `xml:"StartAfter,omitempty"`
			ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
			MaxKeys               int            `xml:"MaxKeys"`
			Delimiter             string         `xml:"Delimiter"`
			EncodingType          string         `xml:"EncodingType,omitempty"`
			IsTruncated           bool           `xml:"IsTruncated"`
			NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
			KeyCount              int            `xml:"KeyCount"`
			Contents              []listedObject `xml:"Contents"`
			CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
		}
		res := result{
			Name: q.bucket, Prefix: enc.enc(prefix), StartAfter: enc.enc(q.query.Get("start-after")),
			ContinuationToken: enc.enc(token), MaxKeys: limit, Delimiter: enc.enc(delimiter), EncodingType: enc.typ,
			IsTruncated: truncated, KeyCount: len(contents) + len(cps), Contents: contents, CommonPrefixes: cps,
		}
		if truncated {
			res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
		}
		return writeXML(q.w, http.StatusOK, res)
	}
	type result struct {
		XMLName        xml.Name       `xml:"ListBucketResult"`
		Name           string         `xml:"Name"`
		Prefix         string         `xml:"Prefix"`
		Marker         string         `xml:"Marker"`
		MaxKeys        int            `xml:"MaxKeys"`
		Delimiter      string         `xml:"Delimiter"`
		EncodingType   string         `xml:"EncodingType,omitempty"`
		IsTruncated    bool           `xml:"IsTruncated"`
		NextMarker     string         `xml:"NextMarker,omitempty"`
		Contents       []listedObject `xml:"Contents"`
		CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
	}
	res := result{
		Name: q.bucket, Prefix: enc.enc(prefix), Marker: enc.enc(after), MaxKeys: limit, Delimiter: enc.enc(delimiter),
		EncodingType: enc.typ, IsTruncated: truncated, Contents: contents, CommonPrefixes: cps,
	}
	if truncated {
		res.NextMarker = enc.enc(last)
	}
	return writeXML(q.w, http.StatusOK, res)
}

type bucketEntry struct {
	CreationDate     string `xml:"CreationDate"`
	ExtranetEndpoint string `xml:"ExtranetEndpoint"`
	IntranetEndpoint string `xml:"IntranetEndpoint"`
	Location         string `xml:"Location"`
	Name             string `xml:"Name"`
	Region           string `xml:"Region"`
	StorageClass     string `xml:"StorageClass"`
}

func (s *Server) bucketEntry(bm bucketMeta) bucketEntry {
	return bucketEntry{
		CreationDate: xmlTime(bm.Created), ExtranetEndpoint: "oss-" + s.region + ".aliyuncs.com",
		IntranetEndpoint: "oss-" + s.region + "-internal.aliyuncs.com", Location: "oss-" + s.region,
		Name: bm.Name, Region: s.region, StorageClass: bm.StorageClass,
	}
}

func (s *Server) handleListBuckets(q *request) error {
	limit, e := parseLimit(q, "max-keys", 100)
	if e != nil {
		return e
	}
	prefix, marker := q.query.Get("prefix"), q.query.Get("marker")
	s.mu.RLock()
	names := make([]string, 0, len(s.buckets))
	for name := range s.buckets {
		if strings.HasPrefix(name, prefix) && name > marker {
			names = append(names, name)
		}
	}
	for name := range s.remote {
		if strings.HasPrefix(name, prefix) && name > marker {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	truncated := len(names) > limit
	if truncated {
		names = names[:limit]
	}
	entries := make([]bucketEntry, 0, len(names))
	for _, name := range names {
		if b, local := s.buckets[name]; local {
			entries = append(entries, s.bucketEntry(b.meta))
		} else {
			entries = append(entries, s.remoteEntry(name))
		}
	}
	s.mu.RUnlock()
	type result struct {
		XMLName     xml.Name      `xml:"ListAllMyBucketsResult"`
		Prefix      string        `xml:"Prefix"`
		Marker      string        `xml:"Marker"`
		MaxKeys     int           `xml:"MaxKeys"`
		IsTruncated bool          `xml:"IsTruncated"`
		NextMarker  string        `xml:"NextMarker,omitempty"`
		Owner       owner         `xml:"Owner"`
		Buckets     []bucketEntry `xml:"Buckets>Bucket"`
	}
	res := result{Prefix: prefix, Marker: marker, MaxKeys: limit, IsTruncated: truncated, Owner: defaultOwner, Buckets: entries}
	if truncated {
		res.NextMarker = names[len(names)-1]
	}
	return writeXML(q.w, http.StatusOK, res)
}

func (s *Server) handlePutBucket(q *request) error {
	raw, _ := io.ReadAll(io.LimitReader(q.r.Body, 64<<10))
	class := classStandard
	if len(bytes.TrimSpace(raw)) > 0 {
		var cfg struct {
			StorageClass string `xml:"StorageClass"`
		}
		if err := xml.Unmarshal(raw, &cfg); err != nil {
			return errMalformedXML()
		}
		if cfg.StorageClass != "" {
			if !validStorageClass(cfg.StorageClass) {
				return errInvalidArgument("StorageClass", cfg.StorageClass, "Invalid storage class.")
			}
			class = cfg.StorageClass
		}
	}
	if _, err := s.createBucket(q.bucket, class); err != nil {
		if err == errBucketExists {
			// OSS answers 200 when the requester already owns the bucket.
			q.w.Header().Set("Location", "/"+q.bucket)
			q.w.WriteHeader(http.StatusOK)
			return nil
		}
		return errInternal(err)
	}
	q.w.Header().Set("Location", "/"+q.bucket)
	q.w.Header().Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) handleDeleteBucket(q *request) error {
	s.mu.Lock()
	b := s.buckets[q.bucket]
	if b == nil {
		s.mu.Unlock()
		return errNoSuchBucket(q.bucket)
	}
	busy := len(b.objects) > 0 || len(b.older) > 0
	for _, u := range s.uploads {
		if u.meta.Bucket == q.bucket {
			busy = true
		}
	}
	if busy {
		s.mu.Unlock()
		return newError(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.").with("BucketName", q.bucket)
	}
	delete(s.buckets, q.bucket)
	err := os.RemoveAll(s.bucketDir(q.bucket))
	s.mu.Unlock()
	if err != nil {
		return errInternal(err)
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleBucketInfo(q *request) error {
	s.mu.RLock()
	b := s.buckets[q.bucket]
	var bm bucketMeta
	if b != nil {
		bm = b.meta
	}
	s.mu.RUnlock()
	if b == nil {
		return errNoSuchBucket(q.bucket)
	}
	type acl struct {
		Grant string `xml:"Grant"`
	}
	switch q.op {
	case opGetBucketLocation:
		return writeXML(q.w, http.StatusOK, struct {
			XMLName xml.Name `xml:"LocationConstraint"`
			Value   string   `xml:",chardata"`
		}{Value: "oss-" + s.region})
	case opGetBucketAcl:
		return writeXML(q.w, http.StatusOK, struct {
			XMLName xml.Name `xml:"AccessControlPolicy"`
			Owner   owner    `xml:"Owner"`
			ACL     acl      `xml:"AccessControlList"`
		}{Owner: defaultOwner, ACL: acl{"private"}})
	default:
		e := s.bucketEntry(bm)
		return writeXML(q.w, http.StatusOK, struct {
			XMLName xml.Name `xml:"BucketInfo"`
			Bucket  struct {
				bucketEntry
				DataRedundancyType string `xml:"DataRedundancyType"`
				Owner              owner  `xml:"Owner"`
				ACL                acl    `xml:"AccessControlList"`
			} `xml:"Bucket"`
		}{Bucket: struct {
			bucketEntry
			DataRedundancyType string `xml:"DataRedundancyType"`
			Owner              owner  `xml:"Owner"`
			ACL                acl    `xml:"AccessControlList"`
		}{e, "LRS", defaultOwner, acl{"private"}}})
	}
}
