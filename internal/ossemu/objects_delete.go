package ossemu

// DeleteObject, DeleteMultipleObjects and RestoreObject.

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"time"
)

func (s *Server) handleDeleteObject(q *request) error {
	var res deleteResult
	var e *ossError
	if q.query.Has("versionId") {
		res, e = s.store.deleteVersion(q.bucket, q.key, q.query.Get("versionId"), true)
	} else {
		res, e = s.store.deleteKey(q.bucket, q.key, true)
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
	result := deleteMultipleResult{EncodingType: enc.typ}
	for _, o := range req.Objects {
		if e := validateKey(o.Key); e != nil {
			return e
		}
		var res deleteResult
		var e *ossError
		if o.VersionID != nil {
			res, e = s.store.deleteVersion(q.bucket, o.Key, *o.VersionID, false)
		} else {
			res, e = s.store.deleteKey(q.bucket, o.Key, false)
		}
		if e != nil {
			return e
		}
		if !req.Quiet {
			d := deletedObject{Key: enc.enc(o.Key), DeleteMarker: res.deleteMarker}
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
	s.store.syncObjects(q.bucket) // the batch's removals, made durable together
	return writeXML(q.w, http.StatusOK, result)
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
	current, e := s.store.currentObject(q.bucket, q.key)
	if e != nil {
		return e
	}
	if !isArchiveClass(current.StorageClass) {
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
	if e := s.store.replaceMetaIfUnchanged(q.bucket, &current, &updated); e != nil {
		return e
	}
	q.w.Header().Set("Content-Length", "0")
	q.w.WriteHeader(status)
	return nil
}
