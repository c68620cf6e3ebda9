package ossemu

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strings"
)

type listedVersion struct {
	XMLName      xml.Name `xml:"Version"`
	Key          string   `xml:"Key"`
	VersionID    string   `xml:"VersionId"`
	IsLatest     bool     `xml:"IsLatest"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	Type         string   `xml:"Type"`
	Size         int64    `xml:"Size"`
	StorageClass string   `xml:"StorageClass"`
	Owner        owner    `xml:"Owner"`
	RestoreInfo  string   `xml:"RestoreInfo,omitempty"`
}

type listedDeleteMarker struct {
	XMLName      xml.Name `xml:"DeleteMarker"`
	Key          string   `xml:"Key"`
	VersionID    string   `xml:"VersionId"`
	IsLatest     bool     `xml:"IsLatest"`
	LastModified string   `xml:"LastModified"`
	Owner        owner    `xml:"Owner"`
}

// versionKeys walks, in byte order from `from`, every key with a version:
// the union of the current objects' keys and the keys with older versions.
func versionKeys(b *bucketState, from string, visit func(key string) bool) {
	a, o := b.sorted, b.olderSorted
	i, j := sort.SearchStrings(a, from), sort.SearchStrings(o, from)
	for i < len(a) || j < len(o) {
		var key string
		switch {
		case j >= len(o) || (i < len(a) && a[i] < o[j]):
			key, i = a[i], i+1
		case i >= len(a) || o[j] < a[i]:
			key, j = o[j], j+1
		default:
			key, i, j = a[i], i+1, j+1
		}
		if !visit(key) {
			return
		}
	}
}

func (s *Server) handleListObjectVersions(q *request) error {
	if e := checkEncodingType(q); e != nil {
		return e
	}
	limit, e := parseLimit(q, "max-keys", 100)
	if e != nil {
		return e
	}
	enc := newListEncoder(q.query.Get("encoding-type"))
	prefix, delimiter := q.query.Get("prefix"), q.query.Get("delimiter")
	keyMarker, idMarker := q.query.Get("key-marker"), q.query.Get("version-id-marker")
	if idMarker != "" && keyMarker == "" {
		return errInvalidArgument("version-id-marker", idMarker, "A version-id-marker cannot be specified without a key-marker.")
	}
	var entries []any // listedVersion and listedDeleteMarker, in listing order
	var prefixes []commonPrefix
	count, truncated := 0, false
	nextKey, nextID, lastPrefix := "", "", ""
	s.mu.RLock()
	b := s.buckets[q.bucket]
	if b == nil {
		s.mu.RUnlock()
		return errNoSuchBucket(q.bucket)
	}
	versionKeys(b, max(prefix, keyMarker), func(key string) bool {
		if !strings.HasPrefix(key, prefix) {
			return false
		}
		if delimiter != "" {
			if idx := strings.Index(key[len(prefix):], delimiter); idx >= 0 {
				cp := key[:len(prefix)+idx+len(delimiter)]
				if cp == lastPrefix || cp <= keyMarker {
					return true
				}
				if count == limit {
					truncated = true
					return false
				}
				count++
				lastPrefix = cp
				prefixes = append(prefixes, commonPrefix{enc.enc(cp)})
				nextKey, nextID = cp, ""
				return true
			}
		}
		full := b.history(key)
		history := full
		if key == keyMarker {
			skip := len(history) // without a version marker the whole key was listed
			for n, v := range history {
				if idMarker != "" && wireVersionID(v) == idMarker {
					skip = n + 1
				}
			}
			history = history[skip:]
		}
		for _, v := range history {
			if count == limit {
				truncated = true
				return false
			}
			count++
			latest := v == full[0]
			if v.DeleteMarker {
				entries = append(entries, listedDeleteMarker{
					Key: enc.enc(key), VersionID: wireVersionID(v), IsLatest: latest, LastModified: xmlTime(v.LastModified), Owner: defaultOwner,
				})
			} else {
				lv := listedVersion{
					Key: enc.enc(key), VersionID: wireVersionID(v), IsLatest: latest, LastModified: xmlTime(v.LastModified),
					ETag: v.ETag, Type: v.ObjectType, Size: v.Size, StorageClass: v.StorageClass, Owner: defaultOwner,
				}
				lv.RestoreInfo, _ = s.restoreState(v)
				entries = append(entries, lv)
			}
			nextKey, nextID = key, wireVersionID(v)
		}
		return true
	})
	s.mu.RUnlock()
	res := struct {
		XMLName             xml.Name       `xml:"ListVersionsResult"`
		Name                string         `xml:"Name"`
		Prefix              string         `xml:"Prefix"`
		KeyMarker           string         `xml:"KeyMarker"`
		VersionIDMarker     string         `xml:"VersionIdMarker"`
		NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
		NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
		MaxKeys             int            `xml:"MaxKeys"`
		Delimiter           string         `xml:"Delimiter"`
		EncodingType        string         `xml:"EncodingType,omitempty"`
		IsTruncated         bool           `xml:"IsTruncated"`
		Entries             []any          // each names its own element
		CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
	}{
		Name: q.bucket, Prefix: enc.enc(prefix), KeyMarker: enc.enc(keyMarker), VersionIDMarker: idMarker,
		MaxKeys: limit, Delimiter: enc.enc(delimiter), EncodingType: enc.typ, IsTruncated: truncated,
		Entries: entries, CommonPrefixes: prefixes,
	}
	if truncated {
		res.NextKeyMarker, res.NextVersionIDMarker = enc.enc(nextKey), nextID
	}
	return writeXML(q.w, http.StatusOK, res)
}
