package ossemu

// Bucket operations: ListBuckets, PutBucket, DeleteBucket, GetBucketInfo,
// GetBucketLocation, GetBucketAcl and the bucket's versioning status.

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
)

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
	rows, truncated := s.store.listBuckets(prefix, marker, limit)
	entries := make([]bucketEntry, 0, len(rows))
	for _, row := range rows {
		if row.remote != nil {
			entries = append(entries, s.remoteEntry(row.name, *row.remote))
		} else {
			entries = append(entries, s.bucketEntry(row.meta))
		}
	}
	res := listAllMyBucketsResult{Prefix: prefix, Marker: marker, MaxKeys: limit, IsTruncated: truncated, Owner: defaultOwner, Buckets: entries}
	if truncated {
		res.NextMarker = rows[len(rows)-1].name
	}
	return writeXML(q.w, http.StatusOK, res)
}

func (s *Server) handlePutBucket(q *request) error {
	raw, _ := io.ReadAll(io.LimitReader(q.r.Body, 64<<10))
	class := classStandard
	if len(bytes.TrimSpace(raw)) > 0 {
		var cfg createBucketConfiguration
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
	if _, err := s.store.createBucket(q.bucket, class); err != nil {
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
	if e := s.store.deleteBucket(q.bucket); e != nil {
		return e
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleBucketInfo(q *request) error {
	bm, e := s.store.bucketMeta(q.bucket)
	if e != nil {
		return e
	}
	private := accessControlList{Grant: "private"}
	switch q.op {
	case opGetBucketLocation:
		return writeXML(q.w, http.StatusOK, locationConstraint{Value: "oss-" + s.region})
	case opGetBucketAcl:
		return writeXML(q.w, http.StatusOK, accessControlPolicy{Owner: defaultOwner, ACL: private})
	default:
		return writeXML(q.w, http.StatusOK, bucketInfo{Bucket: bucketInfoBucket{s.bucketEntry(bm), "LRS", defaultOwner, private}})
	}
}

func (s *Server) handleGetBucketVersioning(q *request) error {
	mode, e := s.store.versioningOf(q.bucket)
	if e != nil {
		return e
	}
	return writeXML(q.w, http.StatusOK, versioningConfiguration{Status: mode})
}

func (s *Server) handlePutBucketVersioning(q *request) error {
	raw, err := io.ReadAll(io.LimitReader(q.r.Body, 64<<10))
	if err != nil {
		return errMalformedXML()
	}
	var cfg versioningConfiguration
	if err := xml.Unmarshal(raw, &cfg); err != nil {
		return errMalformedXML()
	}
	if e := validVersioningStatus(cfg.Status); e != nil {
		return e
	}
	if e := s.store.setVersioning(q.bucket, cfg.Status); e != nil {
		return e
	}
	q.w.Header().Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusOK)
	return nil
}

// validVersioningStatus accepts what a bucket's status may be set to.
func validVersioningStatus(status string) *ossError {
	if status != versioningEnabled && status != versioningSuspended {
		return errInvalidArgument("Status", status, "The versioning status must be Enabled or Suspended.")
	}
	return nil
}
