package ossemu

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

func TestArchiveRestore(t *testing.T) {
	t.Parallel()
	var clockOffset atomic.Int64
	s, endpoint := startServer(t, Config{RestoreDelay: time.Hour, Now: func() time.Time { return time.Now().Add(time.Duration(clockOffset.Load())) }})
	c := newClient(endpoint, testAK, testSecret)
	ctx := testContext(t)
	if err := s.PutGenerated(testBucket, "cold.tar", 4096, 5, classArchive); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	wantCode(t, "GET archive", err, "InvalidObjectState")
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	if err != nil || oss.ToString(head.StorageClass) != "Archive" || head.Restore != nil {
		t.Fatalf("HEAD archive: %v %+v", err, head)
	}
	res, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	if err != nil || res.StatusCode != 202 {
		t.Fatalf("RestoreObject: %v %+v", err, res)
	}
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	wantCode(t, "restore in progress", err, "RestoreAlreadyInProgress")
	head, _ = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	if oss.ToString(head.Restore) != `ongoing-request="true"` {
		t.Fatalf("x-oss-restore while ongoing = %q", oss.ToString(head.Restore))
	}
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	wantCode(t, "GET while restoring", err, "InvalidObjectState")

	// Same store, clock moved past the restore: readable.
	clockOffset.Store(int64(2 * time.Hour))
	got, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	mustEqualBytes(t, "restored archive", b, GeneratedBytes(4096, 5))
	if !strings.HasPrefix(oss.ToString(got.Restore), `ongoing-request="false", expiry-date=`) {
		t.Fatalf("x-oss-restore after restore = %q", oss.ToString(got.Restore))
	}
	res, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cold.tar")})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("restore of a restored object: %v %+v", err, res)
	}
}
