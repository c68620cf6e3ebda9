package ossemu

import (
	"io"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

func enableVersioning(t *testing.T, c *oss.Client, status string) {
	t.Helper()
	_, err := c.PutBucketVersioning(testContext(t), &oss.PutBucketVersioningRequest{
		Bucket: oss.Ptr(testBucket), VersioningConfiguration: &oss.VersioningConfiguration{Status: oss.VersioningStatusType(status)},
	})
	if err != nil {
		t.Fatalf("PutBucketVersioning %s: %v", status, err)
	}
}

func putVersion(t *testing.T, c *oss.Client, key, body string) string {
	t.Helper()
	res, err := c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %q: %v", key, err)
	}
	return oss.ToString(res.VersionId)
}

func getVersion(t *testing.T, c *oss.Client, key, versionID string) string {
	t.Helper()
	req := &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key)}
	if versionID != "" {
		req.VersionId = oss.Ptr(versionID)
	}
	_, b := getBytes(t, c, req)
	return string(b)
}

func listAllVersions(t *testing.T, c *oss.Client, prefix string, pageSize int32) (versions []oss.ObjectVersionProperties, markers []oss.ObjectDeleteMarkerProperties, pages int) {
	t.Helper()
	p := c.NewListObjectVersionsPaginator(&oss.ListObjectVersionsRequest{Bucket: oss.Ptr(testBucket), Prefix: oss.Ptr(prefix)},
		func(o *oss.PaginatorOptions) { o.Limit = pageSize })
	for ; p.HasNext() && pages < 100; pages++ {
		page, err := p.NextPage(testContext(t))
		if err != nil {
			t.Fatalf("ListObjectVersions: %v", err)
		}
		versions = append(versions, page.ObjectVersions...)
		markers = append(markers, page.ObjectDeleteMarkers...)
	}
	return versions, markers, pages
}

func TestVersioningStatusStartsEmptyThenEnabledThenSuspended(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	status := func() string {
		res, err := c.GetBucketVersioning(testContext(t), &oss.GetBucketVersioningRequest{Bucket: oss.Ptr(testBucket)})
		if err != nil {
			t.Fatalf("GetBucketVersioning: %v", err)
		}
		return oss.ToString(res.VersionStatus)
	}
	if got := status(); got != "" {
		t.Fatalf("new bucket versioning %q, want none", got)
	}
	enableVersioning(t, c, "Enabled")
	if got := status(); got != "Enabled" {
		t.Fatalf("status %q, want Enabled", got)
	}
	enableVersioning(t, c, "Suspended")
	if got := status(); got != "Suspended" {
		t.Fatalf("status %q, want Suspended", got)
	}
	_, err := c.PutBucketVersioning(testContext(t), &oss.PutBucketVersioningRequest{
		Bucket: oss.Ptr(testBucket), VersioningConfiguration: &oss.VersioningConfiguration{Status: "Sometimes"},
	})
	wantCode(t, "PutBucketVersioning Sometimes", err, "InvalidArgument")
}

func TestVersionedPutsKeepEveryVersionAndGetByID(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	putString(t, c, "k", "before versioning") // the null version
	enableVersioning(t, c, "Enabled")
	v1 := putVersion(t, c, "k", "one")
	v2 := putVersion(t, c, "k", "two")
	if v1 == "" || v2 == "" || v1 == v2 || v1 == "null" {
		t.Fatalf("version IDs %q, %q: want two distinct real IDs", v1, v2)
	}
	if got := getVersion(t, c, "k", ""); got != "two" {
		t.Fatalf("latest = %q, want two", got)
	}
	for id, want := range map[string]string{v1: "one", v2: "two", "null": "before versioning"} {
		if got := getVersion(t, c, "k", id); got != want {
			t.Fatalf("version %s = %q, want %q", id, got, want)
		}
	}
	head, err := c.HeadObject(testContext(t), &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k"), VersionId: oss.Ptr(v1)})
	if err != nil || head.ContentLength != 3 || oss.ToString(head.VersionId) != v1 {
		t.Fatalf("HEAD version %s: %v %+v", v1, err, head)
	}
	_, err = c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k"), VersionId: oss.Ptr("CAEQnope")})
	wantCode(t, "GET unknown version", err, "NoSuchVersion")

	putString(t, c, "gone", "hidden")
	if _, err := c.DeleteObject(testContext(t), &oss.DeleteObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("gone")}); err != nil {
		t.Fatal(err)
	}
	// Versions and delete markers survive a restart, in the same order.
	ep2 := listen(t, openServer(t, Config{Root: s.Root()}))
	c2 := newClient(ep2, testAK, testSecret)
	_, err = c2.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("gone")})
	wantCode(t, "GET behind a delete marker after a restart", err, "NoSuchKey")
	versions, markers, _ := listAllVersions(t, c2, "k", 100)
	if len(markers) != 0 {
		t.Fatalf("markers under k: %+v", markers)
	}
	if _, gm, _ := listAllVersions(t, c2, "gone", 100); len(gm) != 1 || !gm[0].IsLatest {
		t.Fatalf("gone's delete marker after a restart: %+v", gm)
	}
	var got []string
	for _, v := range versions {
		got = append(got, oss.ToString(v.VersionId))
	}
	if strings.Join(got, ",") != v2+","+v1+",null" || !versions[0].IsLatest || versions[1].IsLatest {
		t.Fatalf("after restart versions %v (latest %v), want %s,%s,null newest first", got, versions[0].IsLatest, v2, v1)
	}
}

func TestDeleteOnVersionedBucketAddsMarkerAndVersionDeleteRemoves(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	enableVersioning(t, c, "Enabled")
	v1 := putVersion(t, c, "doc.txt", "first")
	del, err := c.DeleteObject(testContext(t), &oss.DeleteObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("doc.txt")})
	if err != nil || !del.DeleteMarker || oss.ToString(del.VersionId) == "" {
		t.Fatalf("DeleteObject: %v %+v, want a delete marker", err, del)
	}
	marker := oss.ToString(del.VersionId)
	_, err = c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("doc.txt")})
	wantCode(t, "GET behind a delete marker", err, "NoSuchKey")
	if got := getVersion(t, c, "doc.txt", v1); got != "first" {
		t.Fatalf("old version after delete = %q", got)
	}
	// Plain listing hides the key; the version listing shows both.
	list, err := c.ListObjectsV2(testContext(t), &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket)})
	if err != nil || len(list.Contents) != 0 {
		t.Fatalf("ListObjectsV2 after delete: %v %d objects", err, len(list.Contents))
	}
	versions, markers, _ := listAllVersions(t, c, "", 100)
	if len(versions) != 1 || versions[0].IsLatest || len(markers) != 1 || !markers[0].IsLatest || oss.ToString(markers[0].VersionId) != marker {
		t.Fatalf("versions %+v markers %+v", versions, markers)
	}
	// Deleting the marker by ID brings the object back.
	del, err = c.DeleteObject(testContext(t), &oss.DeleteObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("doc.txt"), VersionId: oss.Ptr(marker)})
	if err != nil || !del.DeleteMarker || oss.ToString(del.VersionId) != marker {
		t.Fatalf("delete marker by ID: %v %+v", err, del)
	}
	if got := getVersion(t, c, "doc.txt", ""); got != "first" {
		t.Fatalf("after removing the marker = %q", got)
	}
	// Deleting the last version by ID removes the key for good.
	if _, err := c.DeleteObject(testContext(t), &oss.DeleteObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("doc.txt"), VersionId: oss.Ptr(v1)}); err != nil {
		t.Fatal(err)
	}
	if versions, markers, _ := listAllVersions(t, c, "", 100); len(versions)+len(markers) != 0 {
		t.Fatalf("left %d versions %d markers", len(versions), len(markers))
	}
	if _, err := c.DeleteBucket(testContext(t), &oss.DeleteBucketRequest{Bucket: oss.Ptr(testBucket)}); err != nil {
		t.Fatalf("DeleteBucket of an empty versioned bucket: %v", err)
	}
}

func TestSuspendedVersioningOverwritesTheNullVersionOnly(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	enableVersioning(t, c, "Enabled")
	kept := putVersion(t, c, "k", "kept")
	enableVersioning(t, c, "Suspended")
	if id := putVersion(t, c, "k", "null one"); id != "null" {
		t.Fatalf("suspended put version %q, want null", id)
	}
	putVersion(t, c, "k", "null two")
	versions, _, _ := listAllVersions(t, c, "", 100)
	if len(versions) != 2 || oss.ToString(versions[0].VersionId) != "null" || oss.ToString(versions[1].VersionId) != kept {
		t.Fatalf("versions %+v: want null (latest) and %s", versions, kept)
	}
	if got := getVersion(t, c, "k", "null"); got != "null two" {
		t.Fatalf("null version %q", got)
	}
}

func TestListObjectVersionsPagesByKeyAndVersionMarker(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	enableVersioning(t, c, "Enabled")
	want := 0
	for _, key := range []string{"a", "b", "c/d", "c/e"} {
		for i := 0; i < 3; i++ {
			putVersion(t, c, key, key+strings.Repeat("!", i))
			want++
		}
	}
	c.DeleteObject(testContext(t), &oss.DeleteObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("b")})
	want++
	versions, markers, pages := listAllVersions(t, c, "", 2)
	if len(versions)+len(markers) != want || pages != (want+1)/2 {
		t.Fatalf("paged listing: %d versions %d markers in %d pages, want %d entries in %d pages", len(versions), len(markers), pages, want, (want+1)/2)
	}
	seen := map[string]bool{}
	for _, v := range versions {
		id := oss.ToString(v.Key) + "@" + oss.ToString(v.VersionId)
		if seen[id] {
			t.Fatalf("version %s listed twice", id)
		}
		seen[id] = true
	}
	// With a delimiter, c/ is one common prefix.
	res, err := c.ListObjectVersions(testContext(t), &oss.ListObjectVersionsRequest{Bucket: oss.Ptr(testBucket), Delimiter: oss.Ptr("/")})
	if err != nil || len(res.CommonPrefixes) != 1 || oss.ToString(res.CommonPrefixes[0].Prefix) != "c/" || len(res.ObjectVersions) != 6 {
		t.Fatalf("delimited listing: %v prefixes %+v versions %d", err, res.CommonPrefixes, len(res.ObjectVersions))
	}
}

func TestCopyObjectCopiesAVersionAndRangesByPart(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	enableVersioning(t, c, "Enabled")
	old := putVersion(t, c, "src", "old content")
	putVersion(t, c, "src", "new content")
	res, err := c.CopyObject(testContext(t), &oss.CopyObjectRequest{
		Bucket: oss.Ptr(testBucket), Key: oss.Ptr("src"), SourceKey: oss.Ptr("src"), SourceVersionId: oss.Ptr(old),
	})
	if err != nil || oss.ToString(res.SourceVersionId) != old || oss.ToString(res.VersionId) == "" {
		t.Fatalf("CopyObject of a version: %v %+v", err, res)
	}
	if got := getVersion(t, c, "src", ""); got != "old content" {
		t.Fatalf("after restoring the old version latest = %q", got)
	}
	// UploadPartCopy with ranges assembles an identical object.
	data := randomBytes(300<<10, 7)
	if _, err := c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("big"), Body: strings.NewReader(string(data))}); err != nil {
		t.Fatal(err)
	}
	init, err := c.InitiateMultipartUpload(testContext(t), &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("copy")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []oss.UploadPart
	for i, r := range []string{"bytes=0-204799", "bytes=204800-307199"} {
		pr, err := c.UploadPartCopy(testContext(t), &oss.UploadPartCopyRequest{
			Bucket: oss.Ptr(testBucket), Key: oss.Ptr("copy"), UploadId: init.UploadId, PartNumber: int32(i + 1),
			SourceKey: oss.Ptr("big"), Range: oss.Ptr(r),
		})
		if err != nil {
			t.Fatalf("UploadPartCopy %s: %v", r, err)
		}
		parts = append(parts, oss.UploadPart{PartNumber: int32(i + 1), ETag: pr.ETag})
	}
	_, err = c.UploadPartCopy(testContext(t), &oss.UploadPartCopyRequest{
		Bucket: oss.Ptr(testBucket), Key: oss.Ptr("copy"), UploadId: init.UploadId, PartNumber: 3,
		SourceKey: oss.Ptr("big"), IfMatch: oss.Ptr(`"0123456789ABCDEF0123456789ABCDEF"`),
	})
	wantCode(t, "UploadPartCopy of a changed source", err, "PreconditionFailed")
	if _, err := c.CompleteMultipartUpload(testContext(t), &oss.CompleteMultipartUploadRequest{
		Bucket: oss.Ptr(testBucket), Key: oss.Ptr("copy"), UploadId: init.UploadId,
		CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: parts},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("copy")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	mustEqualBytes(t, "part-copied object", b, data)
	_, err = c.CopyObject(testContext(t), &oss.CopyObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("x"), SourceKey: oss.Ptr("missing")})
	wantCode(t, "copy of a missing key", err, "NoSuchKey")
}

func TestCopyObjectOnAnUnversionedBucketReplacesAndSendsNoVersion(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	putString(t, c, "a", "alpha")
	putString(t, c, "b", "beta")
	res, err := c.CopyObject(testContext(t), &oss.CopyObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("b"), SourceKey: oss.Ptr("a")})
	if err != nil || res.VersionId != nil {
		t.Fatalf("CopyObject: %v version %v", err, res.VersionId)
	}
	if got := getVersion(t, c, "b", ""); got != "alpha" {
		t.Fatalf("b = %q", got)
	}
	versions, _, _ := listAllVersions(t, c, "", 100)
	if len(versions) != 2 || oss.ToString(versions[0].VersionId) != "null" {
		t.Fatalf("unversioned bucket lists %+v, want 2 null versions", versions)
	}
	del, err := c.DeleteObject(testContext(t), &oss.DeleteObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("a")})
	if err != nil || del.DeleteMarker {
		t.Fatalf("unversioned delete: %v marker %v", err, del.DeleteMarker)
	}
}

func TestDeleteMultipleObjectsOnAVersionedBucketReportsMarkers(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	enableVersioning(t, c, "Enabled")
	va := putVersion(t, c, "a", "A")
	putVersion(t, c, "b", "B")
	res, err := c.DeleteMultipleObjects(testContext(t), &oss.DeleteMultipleObjectsRequest{
		Bucket:  oss.Ptr(testBucket),
		Objects: []oss.DeleteObject{{Key: oss.Ptr("a"), VersionId: oss.Ptr(va)}, {Key: oss.Ptr("b")}},
	})
	if err != nil || len(res.DeletedObjects) != 2 {
		t.Fatalf("DeleteMultipleObjects: %v %+v", err, res)
	}
	a, b := res.DeletedObjects[0], res.DeletedObjects[1]
	if oss.ToString(a.VersionId) != va || a.DeleteMarker || !b.DeleteMarker || oss.ToString(b.DeleteMarkerVersionId) == "" {
		t.Fatalf("deleted a=%+v b=%+v: want a's version gone, a marker on b", a, b)
	}
	versions, markers, _ := listAllVersions(t, c, "", 100)
	if len(versions) != 1 || oss.ToString(versions[0].Key) != "b" || len(markers) != 1 {
		t.Fatalf("after multi-delete versions %+v markers %+v", versions, markers)
	}
}
