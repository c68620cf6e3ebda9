package ossemu

import (
	"fmt"
	"strings"
)

// A bucket in another region answers only at its region's endpoint. OSS
// lists it in ListBuckets (with its Region) from any endpoint, and refuses
// every other request on it with 403 AccessDenied naming the <Endpoint> to
// use. AddRemoteBucket makes this server behave so for bucket name, as if
// it lived in region at endpoint (another emulator, for tests).

type remoteBucket struct {
	region, endpoint string
}

// AddRemoteBucket declares bucket name as living in region, served at
// endpoint (a host such as "oss-cn-beijing.aliyuncs.com" or a URL).
func (s *Server) AddRemoteBucket(name, region, endpoint string) error {
	if !validBucketName(name) {
		return fmt.Errorf("ossemu: invalid bucket name %q", name)
	}
	if region == "" || strings.TrimSpace(endpoint) == "" {
		return fmt.Errorf("ossemu: remote bucket %s needs a region and an endpoint", name)
	}
	return s.store.addRemoteBucket(name, remoteBucket{region: region, endpoint: endpoint})
}

// wrongEndpoint is the redirect for a request on a remote bucket.
func (s *Server) wrongEndpoint(q *request) *ossError {
	if q.bucket == "" {
		return nil
	}
	rb, ok := s.store.remoteBucket(q.bucket)
	if !ok {
		return nil
	}
	return newError(403, "AccessDenied", "The bucket you are attempting to access must be addressed using the specified endpoint. "+
		"Please send all future requests to this endpoint.").with("HostId", q.bucket+"."+strings.TrimPrefix(rb.endpoint, "http://")).
		with("Bucket", q.bucket).with("Endpoint", rb.endpoint)
}

// remoteEntry is a remote bucket's ListBuckets row.
func (s *Server) remoteEntry(name string, rb remoteBucket) bucketEntry {
	return bucketEntry{
		CreationDate: xmlTime(s.now()), ExtranetEndpoint: "oss-" + rb.region + ".aliyuncs.com",
		IntranetEndpoint: "oss-" + rb.region + "-internal.aliyuncs.com", Location: "oss-" + rb.region,
		Name: name, Region: rb.region, StorageClass: classStandard,
	}
}
