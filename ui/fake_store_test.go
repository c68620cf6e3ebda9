package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"ossq/transfer"
)

// deniedError is what the real store returns when listing buckets is denied.
func deniedError() error {
	return &transfer.OSSError{Info: transfer.ErrorInfo{Op: "ListBuckets", Code: transfer.CodeAccessDenied, Status: 403,
		Message: "You have no right to access this object."}}
}

// fakeStore serves listings from memory with OSS's delimiter and paging
// semantics; the transfer calls are not used by the UI and say so.
type fakeStore struct {
	mu         sync.Mutex
	buckets    []transfer.Bucket
	bucketsErr error
	objects    map[string][]transfer.Object // sorted by key
	listCalls  int
	restored   []string // "bucket/key" of each RestoreObject call
	catalog    fakeCatalog
}

func newFakeStore() *fakeStore { return &fakeStore{objects: map[string][]transfer.Object{}} }

var fixedTime = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// Goldens show local times; they must not depend on the machine's zone.
func init() { time.Local = time.UTC }

func (s *fakeStore) addObject(bucket, key string, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[bucket] = append(s.objects[bucket], transfer.Object{
		Key: key, Size: size, LastModified: fixedTime.Add(time.Duration(size%97) * time.Hour),
		ETag: `"0123456789ABCDEF0123456789ABCDEF"`, StorageClass: "Standard", ContentType: "application/octet-stream",
		CRC64: "1234567890123456789", ObjectType: "Normal",
	})
	sort.Slice(s.objects[bucket], func(i, j int) bool { return s.objects[bucket][i].Key < s.objects[bucket][j].Key })
}

func (s *fakeStore) ListBuckets(context.Context) ([]transfer.Bucket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]transfer.Bucket(nil), s.buckets...), s.bucketsErr
}

func (s *fakeStore) ListObjects(_ context.Context, bucket, prefix, delimiter, token string, maxKeys int) (transfer.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listCalls++
	objs, ok := s.objects[bucket]
	if !ok {
		return transfer.Page{}, errors.New("NoSuchBucket: The specified bucket does not exist.")
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil {
			return transfer.Page{}, fmt.Errorf("bad token %q", token)
		}
		start = n
	}
	var page transfer.Page
	seen := map[string]bool{}
	i := start
	count := 0
	for ; i < len(objs) && count < maxKeys; i++ {
		k := objs[i].Key
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		rest := k[len(prefix):]
		if j := strings.Index(rest, delimiter); delimiter != "" && j >= 0 {
			p := prefix + rest[:j+1]
			if !seen[p] {
				seen[p] = true
				page.Prefixes = append(page.Prefixes, p)
				count++
			}
			continue
		}
		page.Objects = append(page.Objects, objs[i])
		count++
	}
	for ; i < len(objs); i++ {
		if strings.HasPrefix(objs[i].Key, prefix) {
			page.NextToken = strconv.Itoa(i)
			break
		}
	}
	return page, nil
}

func (s *fakeStore) HeadObject(_ context.Context, bucket, key string) (transfer.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.objects[bucket] {
		if o.Key == key {
			return o, nil
		}
	}
	return transfer.Object{}, &transfer.OSSError{Info: transfer.ErrorInfo{Op: "HeadObject", Code: transfer.CodeNoSuchKey, Status: 404}}
}

// RestoreObject marks the object restore-in-progress, as OSS does, and
// answers RestoreAlreadyInProgress the second time.
func (s *fakeStore) RestoreObject(_ context.Context, bucket, key string, days int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.objects[bucket] {
		if o.Key != key {
			continue
		}
		if o.Restore != "" {
			return &transfer.OSSError{Info: transfer.ErrorInfo{Op: "RestoreObject", Code: "RestoreAlreadyInProgress", Status: 409}}
		}
		s.objects[bucket][i].Restore = `ongoing-request="true"`
		s.restored = append(s.restored, bucket+"/"+key)
		return nil
	}
	return &transfer.OSSError{Info: transfer.ErrorInfo{Op: "RestoreObject", Code: "NoSuchKey", Status: 404}}
}

var errNotForUI = errors.New("fake store: transfer calls are not used by the UI")

func (s *fakeStore) GetRange(context.Context, string, string, int64, int64, string) (io.ReadCloser, error) {
	return nil, errNotForUI
}
func (s *fakeStore) InitiateMultipart(context.Context, string, string) (string, error) {
	return "", errNotForUI
}
func (s *fakeStore) UploadPart(context.Context, string, string, string, int, io.ReadSeeker, int64) (string, string, error) {
	return "", "", errNotForUI
}
func (s *fakeStore) CompleteMultipart(context.Context, string, string, string, []transfer.UploadedPart) (string, error) {
	return "", errNotForUI
}
