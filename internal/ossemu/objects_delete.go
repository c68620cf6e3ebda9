package ossemu

// DeleteObject, DeleteMultipleObjects and RestoreObject.

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

func (s *Server) handleDeleteObject(q *request) error {
	var res deleteResult
	var e *ossError
	if q.query.Has("versionId") {
		res, e = s.deleteVersion(q.bucket, q.key, q.query.Get("versionId"), true)
	} else {
		res, e = s.deleteKey(q.bucket, q.key, true)
	}
	if e != nil {
		return e
	}
	if res.versioned {
		q.w.Header().Set("x-oss-version-id", res.versionID)
		if res.deleteMarker {
			q.w.Header().Set("x-oss-delete-marker", "true")
		}
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteObject removes key; deleting a missing key succeeds, as on OSS.
// Without durable the caller syncs the directory (once for a batch).
func (s *Server) deleteObject(bucket, key string, durable bool) (bool, *ossError) {
	dir := s.objDir(bucket)
	s.mu.Lock()
	b := s.buckets[bucket]
	if b == nil {
		s.mu.Unlock()
		return false, errNoSuchBucket(bucket)
	}
	om := b.objects[key]
	if om == nil {
		s.mu.Unlock()
		return false, nil
	}
	if err := os.Remove(filepath.Join(dir, metaFileName(om))); err != nil && !os.IsNotExist(err) {
		s.mu.Unlock()
		return false, errInternal(err)
	}
	delete(b.objects, key)
	b.removeKey(key)
	s.mu.Unlock()
	if durable {
		syncDir(dir)
	}
	if om.DataFile != "" {
		os.Remove(filepath.Join(dir, om.DataFile))
	}
	return true, nil
}

type deleteRequest struct {
	Quiet   bool `xml:"Quiet"`
	Objects []struct {
		Key       string  `xml:"Key"`
		VersionID *string `xml:"VersionId"`
	} `xml:"Object"`
}

func (s *Server) handleDeleteMultiple(q *request) error {
	raw, err := io.ReadAll(io.LimitReader(q.r.Body, 2<<20))
	if err != nil {
		return errMalformedXML()
	}
	if v := q.r.Header.Get("Content-MD5"); v != "" {
		sum := md5.Sum(raw)
		if v != base64.StdEncoding.EncodeToString(sum[:]) {
			return errInvalidDigest()
		}
	}
	var req deleteRequest
	if err := xml.Unmarshal(raw, &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return errMalformedXML()
	}
	enc := newListEncoder(q.query.Get("encoding-type"))
	type deleted struct {
		Key                   string `xml:"Key"`
		VersionID             string `xml:"VersionId,omitempty"`
		DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
		DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
	}
	result := struct {
		XMLName      xml.Name  `xml:"DeleteResult"`
		EncodingType string    `xml:"EncodingType,omitempty"`
		Deleted      []deleted `xml:"Deleted"`
	}{EncodingType: enc.typ}
	for _, o := range req.Objects {
		if e := validateKey(o.Key); e != nil {
			return e
		}
		var res deleteResult
		var e *ossError
		if o.VersionID != nil {
			res, e = s.deleteVersion(q.bucket, o.Key, *o.VersionID, false)
		} else {
			res, e = s.deleteKey(q.bucket, o.Key, false)
		}
		if e != nil {
			return e
		}
		if !req.Quiet {
			d := deleted{Key: enc.enc(o.Key), DeleteMarker: res.deleteMarker}
			switch {
			case o.VersionID != nil:
				d.VersionID = res.versionID
				if res.deleteMarker {
					d.DeleteMarkerVersionID = res.versionID
				}
			case res.deleteMarker:
				d.DeleteMarkerVersionID = res.versionID
			}
			result.Deleted = append(result.Deleted, d)
		}
	}
	syncDir(s.objDir(q.bucket)) // the batch's removals, made durable together
	return writeXML(q.w, http.StatusOK, result)
}

type restoreRequest struct {
	Days int `xml:"Days"`
}

func (s *Server) handleRestoreObject(q *request) error {
	raw, err := io.ReadAll(io.LimitReader(q.r.Body, 64<<10))
	if err != nil {
		return errMalformedXML()
	}
	days := 1
	if len(bytes.TrimSpace(raw)) > 0 {
		var req restoreRequest
		if err := xml.Unmarshal(raw, &req); err != nil {
			return errMalformedXML()
		}
		if req.Days > 0 {
			days = req.Days
		}
	}
	s.mu.RLock()
	b := s.buckets[q.bucket]
	var current objectMeta
	var found bool
	if b != nil {
		if om := b.objects[q.key]; om != nil {
			current, found = *om, true
		}
	}
	s.mu.RUnlock()
	switch {
	case b == nil:
		return errNoSuchBucket(q.bucket)
	case !found:
		return errNoSuchKey(q.key)
	case !isArchiveClass(current.StorageClass):
		return newError(400, "OperationNotSupported", "The operation is not supported for this resource").with("Key", q.key)
	}
	now := s.now()
	if !current.RestoreRequested.IsZero() && now.Before(current.RestoreReadyAt) {
		return newError(409, "RestoreAlreadyInProgress", "The restore operation is in progress.").with("Key", q.key)
	}
	status := http.StatusAccepted
	if _, readable := s.restoreState(&current); readable {
		status = http.StatusOK
	}
	updated := current
	if status == http.StatusAccepted {
		updated.RestoreRequested = now
		updated.RestoreReadyAt = now.Add(s.cfg.RestoreDelay)
	}
	updated.RestoreExpiry = updated.RestoreReadyAt.Add(time.Duration(days) * 24 * time.Hour)
	if e := s.replaceMetaIfUnchanged(q.bucket, &current, &updated); e != nil {
		return e
	}
	q.w.Header().Set("Content-Length", "0")
	q.w.WriteHeader(status)
	return nil
}

// replaceMetaIfUnchanged rewrites an object's metadata (same data file) when
// nobody replaced the object in between.
func (s *Server) replaceMetaIfUnchanged(bucket string, was, now *objectMeta) *ossError {
	return s.commitVersion(bucket, now, func(current *objectMeta) *ossError {
		if current == nil || current.ETag != was.ETag || !current.LastModified.Equal(was.LastModified) || current.VersionID != was.VersionID {
			return newError(409, "ConcurrentUpdate", "The object changed during the request; retry.").with("Key", was.Key)
		}
		return nil
	}, true, true)
}
