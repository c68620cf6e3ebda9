package transfer

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// A bucket lives in one region and answers only at that region's endpoint.
// The store keeps one SDK client per endpoint (sharing the HTTP client and
// the credentials) and remembers which endpoint each bucket needs: from
// ListBuckets' Region, or from the server's own redirect (403 AccessDenied
// naming the <Endpoint> to use).

type route struct {
	endpoint, region string
}

type regionRoutes struct {
	mu         sync.Mutex
	clients    map[string]*oss.Client // by endpoint
	completers map[string]*oss.Client // by endpoint, for CompleteMultipartUpload
	buckets    map[string]route
}

// clientFor is the client that reaches bucket ("" for service calls).
func (s *ossStore) clientFor(bucket string) *oss.Client {
	s.routes.mu.Lock()
	defer s.routes.mu.Unlock()
	r, ok := s.routes.buckets[bucket]
	if bucket == "" || !ok {
		return s.base
	}
	if c := s.routes.clients[r.endpoint]; c != nil {
		return c
	}
	cfg := s.newConfig(r.endpoint, r.region)
	c := oss.NewClient(cfg)
	if s.routes.clients == nil {
		s.routes.clients = map[string]*oss.Client{}
	}
	s.routes.clients[r.endpoint] = c
	return c
}

// completerFor is clientFor with the long read timeout Complete needs.
func (s *ossStore) completerFor(bucket string) *oss.Client {
	s.routes.mu.Lock()
	defer s.routes.mu.Unlock()
	endpoint, region := s.opts.Endpoint, s.opts.Region
	if r, ok := s.routes.buckets[bucket]; ok {
		endpoint, region = r.endpoint, r.region
	}
	if c := s.routes.completers[endpoint]; c != nil {
		return c
	}
	c := oss.NewClient(s.newConfigWith(endpoint, region, s.completeHTTP))
	if s.routes.completers == nil {
		s.routes.completers = map[string]*oss.Client{}
	}
	s.routes.completers[endpoint] = c
	return c
}

func (s *ossStore) setRoute(bucket string, r route) {
	s.routes.mu.Lock()
	defer s.routes.mu.Unlock()
	if s.routes.buckets == nil {
		s.routes.buckets = map[string]route{}
	}
	s.routes.buckets[bucket] = r
}

// learnRegion records the region ListBuckets reported for bucket.
func (s *ossStore) learnRegion(bucket, region string) {
	if region == "" || region == s.opts.Region || s.opts.EndpointForRegion == nil {
		return
	}
	if ep := s.opts.EndpointForRegion(region); ep != "" {
		s.setRoute(bucket, route{endpoint: ep, region: region})
	}
}

// redirectEndpoint is the endpoint a wrong-region error tells us to use.
func redirectEndpoint(err error) string {
	var se *oss.ServiceError
	if !errors.As(err, &se) || (se.Code != "AccessDenied" && se.Code != "PermanentRedirect") || len(se.Snapshot) == 0 {
		return ""
	}
	var body struct {
		Endpoint string `xml:"Endpoint"`
	}
	if xml.Unmarshal(se.Snapshot, &body) != nil {
		return ""
	}
	return strings.TrimSpace(body.Endpoint)
}

// followRedirect routes bucket to the endpoint the error names; false when
// the error is no redirect or names where the request already went.
func (s *ossStore) followRedirect(bucket string, used *oss.Client, err error) bool {
	ep := redirectEndpoint(err)
	if bucket == "" || ep == "" {
		return false
	}
	if !strings.Contains(ep, "://") {
		scheme, _, _ := strings.Cut(s.opts.Endpoint, "://")
		if !strings.Contains(s.opts.Endpoint, "://") {
			scheme = "https"
		}
		ep = scheme + "://" + ep
	}
	region := s.opts.Region
	if s.opts.RegionFromEndpoint != nil {
		if r := s.opts.RegionFromEndpoint(ep); r != "" {
			region = r
		}
	}
	if s.opts.EndpointForRegion != nil && region != "" {
		// Keep the profile's kind of endpoint (internal, accelerated).
		if derived := s.opts.EndpointForRegion(region); derived != "" {
			ep = derived
		}
	}
	s.setRoute(bucket, route{endpoint: ep, region: region})
	return s.clientFor(bucket) != used
}

// credentialsRefused reports whether the server (or the source) said the
// keys are no good: expired or unknown tokens and keys.
func credentialsRefused(err error) bool {
	var ce *credentialsError
	if errors.As(err, &ce) {
		return true
	}
	_, code := statusOf(err)
	switch code {
	case "SecurityTokenExpired", "InvalidAccessKeyId", "InvalidSecurityToken":
		return true
	}
	return false
}

// do runs one SDK call against bucket's endpoint. It follows a wrong-region
// redirect once, and when the credentials are refused it drops them, fetches
// fresh ones and tries once more (rewinding body, if any). Credentials still
// refused after that come back wrapping ErrCredentials.
func (s *ossStore) do(ctx context.Context, bucket string, body io.Seeker, call func(*oss.Client) error) error {
	var start int64
	if body != nil {
		pos, err := body.Seek(0, io.SeekCurrent)
		if err != nil {
			return fmt.Errorf("request body: %w", err)
		}
		start = pos
	}
	redirected, refreshed := false, false
	for {
		client := s.clientFor(bucket)
		var gen uint64
		if s.creds != nil {
			gen = s.creds.generation.Load()
		}
		err := call(client)
		if err == nil {
			return nil
		}
		switch {
		case !redirected && s.followRedirect(bucket, client, err):
			redirected = true
		case s.creds != nil && credentialsRefused(err) && !refreshed && ctx.Err() == nil:
			refreshed = true
			s.creds.invalidate(gen)
		case s.creds != nil && credentialsRefused(err):
			s.creds.invalidate(gen)
			return fmt.Errorf("%w: %w", ErrCredentials, explainNetwork(s.opts.Endpoint, err))
		default:
			return explainNetwork(s.opts.Endpoint, err)
		}
		if body != nil {
			if _, err := body.Seek(start, io.SeekStart); err != nil {
				return fmt.Errorf("request body: %w", err)
			}
		}
	}
}

// RefreshCredentials implements CredentialsRefresher.
func (s *ossStore) RefreshCredentials(ctx context.Context) error {
	if s.creds == nil {
		return nil
	}
	return s.creds.refresh(ctx)
}

// CredentialSource implements CredentialSourcer.
func (s *ossStore) CredentialSource() string { return s.opts.CredentialSource }
