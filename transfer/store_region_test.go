package transfer

import (
	"path/filepath"
	"testing"
	"time"

	"ossq/internal/ossemu/ossemutest"
)

// twoRegions is a "home" emulator in cn-hangzhou that lists a bucket living
// in cn-beijing, served by a second emulator.
type twoRegions struct {
	home, far                 *ossemutest.Server
	homeEndpoint, farEndpoint string
}

func newTwoRegions(t *testing.T) *twoRegions {
	t.Helper()
	start := func(region string) (*ossemutest.Server, string) {
		srv := ossemutest.NewServer(t, ossemutest.WithRegion(region), ossemutest.WithoutBucket())
		return srv, srv.Endpoint
	}
	r := &twoRegions{}
	r.home, r.homeEndpoint = start("cn-hangzhou")
	r.far, r.farEndpoint = start("cn-beijing")
	if err := r.home.CreateBucket("near"); err != nil {
		t.Fatal(err)
	}
	if err := r.far.CreateBucket("far"); err != nil {
		t.Fatal(err)
	}
	if err := r.far.PutGenerated("far", "obj", 600<<10, 3, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.home.AddRemoteBucket("far", "cn-beijing", r.farEndpoint); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *twoRegions) store(t *testing.T, endpointForRegion func(string) string) Store {
	t.Helper()
	s, err := NewOSSStore(ClientOptions{Endpoint: r.homeEndpoint, Region: "cn-hangzhou", Anonymous: true,
		EndpointForRegion: endpointForRegion, Retries: 1, ConnectTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The server's redirect moves a bucket to its region's endpoint once; later
// requests go there directly, and the engine downloads from it.
func TestBucketInAnotherRegionFollowsTheRedirect(t *testing.T) {
	t.Parallel()
	r := newTwoRegions(t)
	s := r.store(t, nil)
	buckets, err := s.ListBuckets(testCtx(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string]string{}
	for _, b := range buckets {
		regions[b.Name] = b.Region
	}
	if regions["far"] != "cn-beijing" || regions["near"] != "cn-hangzhou" {
		t.Fatalf("ListBuckets across regions: %v", regions)
	}
	for i := 0; i < 2; i++ {
		if _, err := s.HeadObject(testCtx(t, 10*time.Second), "far", "obj"); err != nil {
			t.Fatalf("HeadObject %d on the far bucket: %v", i, err)
		}
	}
	if got := r.home.Stats().Errors["AccessDenied"]; got != 1 {
		t.Errorf("home endpoint redirected %d times, want once (then the route is cached)", got)
	}
	if got := r.far.Stats().Requests["HeadObject"]; got != 2 {
		t.Errorf("far endpoint saw %d HeadObject, want 2", got)
	}

	dir := t.TempDir()
	e, err := Open(s, Options{PartSize: 128 << 10, Parallel: 2, MultipartThreshold: 256 << 10,
		StateDir: filepath.Join(dir, "state"), OnExists: ExistsOverwrite, RetryDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dest := filepath.Join(dir, "obj")
	id, err := e.Add(Spec{Direction: Download, Bucket: "far", Key: "obj", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	assertGenerated(t, dest, 600<<10, 3)
}

// With region endpoints known, ListBuckets' Region routes a bucket before
// any request can be refused.
func TestListBucketsRegionRoutesBuckets(t *testing.T) {
	t.Parallel()
	r := newTwoRegions(t)
	s := r.store(t, func(region string) string {
		if region == "cn-beijing" {
			return r.farEndpoint
		}
		return ""
	})
	if _, err := s.ListBuckets(testCtx(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HeadObject(testCtx(t, 10*time.Second), "far", "obj"); err != nil {
		t.Fatal(err)
	}
	if got := r.home.Stats().Errors["AccessDenied"]; got != 0 {
		t.Errorf("home endpoint refused %d requests; the bucket should have gone to its region directly", got)
	}
}
