package ui

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"ossq/transfer"
)

// fakeCatalog is the catalog half of fakeStore (transfer.CatalogStore):
// incomplete uploads, versions, versioning, deletes, copies and presigns
// in memory, so the real transfer.Catalog runs over it in Update tests.
type fakeCatalog struct {
	uploads    []fakeUpload
	versions   map[string][]transfer.Version // by bucket: key order, newest first per key
	versioning map[string]string
	deletes    [][]transfer.ObjectRef // each DeleteBatch call
	copies     []string               // "src -> dst" of each CopyObject
	folders    []string               // "bucket/key" of each PutObject
	presigned  []time.Duration
	aborted    []string // upload IDs
}

type fakeUpload struct {
	up    transfer.IncompleteUpload
	parts []transfer.UploadedPart
}

var _ transfer.CatalogStore = (*fakeStore)(nil)

// addUpload records an incomplete upload of key with parts of partSize.
func (s *fakeStore) addUpload(bucket, key, id string, parts int, partSize int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := fakeUpload{up: transfer.IncompleteUpload{Bucket: bucket, Key: key, UploadID: id, Initiated: fixedTime.Add(-26 * time.Hour)}}
	for i := range parts {
		u.parts = append(u.parts, transfer.UploadedPart{Number: i + 1, ETag: fmt.Sprintf(`"etag-%d"`, i+1), Size: partSize})
	}
	s.catalog.uploads = append(s.catalog.uploads, u)
}

// addVersion adds a version of key, newest first after the ones before.
func (s *fakeStore) addVersion(bucket string, v transfer.Version) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.catalog.versions == nil {
		s.catalog.versions = map[string][]transfer.Version{}
	}
	s.catalog.versions[bucket] = append(s.catalog.versions[bucket], v)
}

func (s *fakeStore) setVersioning(bucket, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.catalog.versioning == nil {
		s.catalog.versioning = map[string]string{}
	}
	s.catalog.versioning[bucket] = status
}

func (s *fakeStore) catalogState() fakeCatalog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.catalog
}

func (s *fakeStore) ListUploadsPage(_ context.Context, bucket, prefix, _, _ string) (transfer.UploadsPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p transfer.UploadsPage
	for _, u := range s.catalog.uploads {
		if u.up.Bucket == bucket && strings.HasPrefix(u.up.Key, prefix) {
			p.Uploads = append(p.Uploads, u.up)
		}
	}
	return p, nil
}

func (s *fakeStore) ListParts(_ context.Context, bucket, key, id string) ([]transfer.UploadedPart, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.catalog.uploads {
		if u.up.UploadID == id && u.up.Bucket == bucket && u.up.Key == key {
			return append([]transfer.UploadedPart(nil), u.parts...), nil
		}
	}
	return nil, &transfer.OSSError{Info: transfer.ErrorInfo{Op: "ListParts", Code: "NoSuchUpload", Status: 404}}
}

func (s *fakeStore) AbortMultipart(_ context.Context, bucket, key, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, u := range s.catalog.uploads {
		if u.up.UploadID == id && u.up.Bucket == bucket && u.up.Key == key {
			s.catalog.uploads = append(s.catalog.uploads[:i], s.catalog.uploads[i+1:]...)
			s.catalog.aborted = append(s.catalog.aborted, id)
			return nil
		}
	}
	return &transfer.OSSError{Info: transfer.ErrorInfo{Op: "AbortMultipartUpload", Code: "NoSuchUpload", Status: 404}}
}

func (s *fakeStore) ListVersionsPage(_ context.Context, bucket, prefix, delimiter, _, _ string, _ int) (transfer.VersionsPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p transfer.VersionsPage
	seen := map[string]bool{}
	for _, v := range s.catalog.versions[bucket] {
		if !strings.HasPrefix(v.Key, prefix) {
			continue
		}
		rest := v.Key[len(prefix):]
		if i := strings.Index(rest, delimiter); delimiter != "" && i >= 0 {
			if pre := prefix + rest[:i+1]; !seen[pre] {
				seen[pre] = true
				p.Prefixes = append(p.Prefixes, pre)
			}
			continue
		}
		p.Versions = append(p.Versions, v)
	}
	return p, nil
}

func (s *fakeStore) BucketVersioning(_ context.Context, bucket string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.catalog.versioning[bucket], nil
}

// DeleteBatch removes the objects; on a versioned bucket it adds a marker.
func (s *fakeStore) DeleteBatch(_ context.Context, bucket string, objs []transfer.ObjectRef) ([]transfer.Deleted, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalog.deletes = append(s.catalog.deletes, objs)
	versioned := s.catalog.versioning[bucket] == "Enabled"
	gone := map[string]bool{}
	var out []transfer.Deleted
	for _, o := range objs {
		gone[o.Key] = true
		d := transfer.Deleted{Key: o.Key}
		if versioned {
			d.DeleteMarker, d.VersionID = true, "marker-"+o.Key
		}
		out = append(out, d)
	}
	kept := s.objects[bucket][:0]
	for _, o := range s.objects[bucket] {
		if !gone[o.Key] {
			kept = append(kept, o)
		}
	}
	s.objects[bucket] = kept
	return out, nil
}

func (s *fakeStore) PresignGet(_ context.Context, ref transfer.ObjectRef, expires time.Duration) (transfer.Presigned, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalog.presigned = append(s.catalog.presigned, expires)
	return transfer.Presigned{URL: "http://127.0.0.1:9000/" + ref.Bucket + "/" + ref.Key + "?x-oss-signature=abc", Expires: fixedTime.Add(expires)}, nil
}

func (s *fakeStore) CopyObject(_ context.Context, src transfer.ObjectRef, dstBucket, dstKey string) (transfer.CopyResult, error) {
	s.mu.Lock()
	s.catalog.copies = append(s.catalog.copies, src.Bucket+"/"+src.Key+"@"+src.VersionID+" -> "+dstBucket+"/"+dstKey)
	s.mu.Unlock()
	o, err := s.HeadObjectVersion(context.Background(), src.Bucket, src.Key, src.VersionID)
	if err != nil {
		return transfer.CopyResult{}, err
	}
	s.addObject(dstBucket, dstKey, o.Size)
	return transfer.CopyResult{VersionID: "new-version"}, nil
}

func (s *fakeStore) UploadPartCopy(context.Context, transfer.ObjectRef, string, string, string, int, int64, int64, string) (string, error) {
	return "", errNotForUI
}

// HeadObjectVersion HEADs the current object, or a listed version.
func (s *fakeStore) HeadObjectVersion(ctx context.Context, bucket, key, versionID string) (transfer.Object, error) {
	if versionID == "" {
		return s.HeadObject(ctx, bucket, key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.catalog.versions[bucket] {
		if v.Key == key && v.VersionID == versionID && !v.DeleteMarker {
			return transfer.Object{Key: key, Size: v.Size, ETag: v.ETag, LastModified: v.LastModified, VersionID: versionID}, nil
		}
	}
	return transfer.Object{}, errors.New("NoSuchVersion")
}

func (s *fakeStore) GetRangeVersion(context.Context, string, string, string, int64, int64, string) (io.ReadCloser, error) {
	return nil, errNotForUI
}

// PutObject is what PutFolder sends: a zero-byte "name/" object.
func (s *fakeStore) PutObject(_ context.Context, bucket, key string, _ io.ReadSeeker, size int64) (string, string, error) {
	s.mu.Lock()
	s.catalog.folders = append(s.catalog.folders, bucket+"/"+key)
	s.mu.Unlock()
	s.addObject(bucket, key, size)
	return `"d41d8cd98f00b204e9800998ecf8427e"`, "0", nil
}

// addUploadOf records an incomplete upload of data whose first parts
// parts (of partSize) are on the server with their MD5 ETags.
func (s *fakeStore) addUploadOf(bucket, key, id string, data []byte, partSize int64, parts int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := fakeUpload{up: transfer.IncompleteUpload{Bucket: bucket, Key: key, UploadID: id, Initiated: fixedTime.Add(-3 * time.Hour)}}
	for i := range parts {
		lo := int64(i) * partSize
		hi := min(int64(len(data)), lo+partSize)
		u.parts = append(u.parts, transfer.UploadedPart{Number: i + 1, ETag: fmt.Sprintf(`"%x"`, md5.Sum(data[lo:hi])), Size: hi - lo})
	}
	s.catalog.uploads = append(s.catalog.uploads, u)
}
