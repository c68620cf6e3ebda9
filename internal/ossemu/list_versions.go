package ossemu

import (
	"net/http"
	"strings"
)

func (s *Server) handleListObjectVersions(q *request) error {
	lp, e := s.parseListParams(q, "max-keys", 100)
	if e != nil {
		return e
	}
	limit, enc, prefix, delimiter := lp.limit, lp.enc, lp.prefix, lp.delimiter
	keyMarker, idMarker := q.query.Get("key-marker"), q.query.Get("version-id-marker")
	if idMarker != "" && keyMarker == "" {
		return errInvalidArgument("version-id-marker", idMarker, "A version-id-marker cannot be specified without a key-marker.")
	}
	var entries []any // listedVersion and listedDeleteMarker, in listing order
	var prefixes []commonPrefix
	count, truncated := 0, false
	nextKey, nextID, lastPrefix := "", "", ""
	e = s.store.versionsPage(q.bucket, max(prefix, keyMarker), func(key string, full []*objectMeta) bool {
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
	if e != nil {
		return e
	}
	res := listVersionsResult{
		Name: q.bucket, Prefix: enc.enc(prefix), KeyMarker: enc.enc(keyMarker), VersionIDMarker: idMarker,
		MaxKeys: lp.asked, Delimiter: enc.enc(delimiter), EncodingType: enc.typ, IsTruncated: truncated,
		Entries: entries, CommonPrefixes: prefixes,
	}
	if truncated {
		res.NextKeyMarker, res.NextVersionIDMarker = enc.enc(nextKey), nextID
	}
	return writeXML(q.w, http.StatusOK, res)
}
