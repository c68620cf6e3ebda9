package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// Credentials are one set of keys from a credential source. Expires is zero
// for long-term keys; temporary (STS) keys carry their SecurityToken.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	Expires         time.Time
}

// CredentialsFunc fetches credentials from their source (the config, the
// environment, a process, an endpoint, STS). The store calls it again when
// the cached keys near their expiry and when the server rejects them.
type CredentialsFunc func(ctx context.Context) (Credentials, error)

// StaticCredentials is a source that always yields the same keys.
func StaticCredentials(id, secret, token string) CredentialsFunc {
	return func(context.Context) (Credentials, error) {
		return Credentials{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token}, nil
	}
}

// CredentialsRefresher is implemented by stores whose credentials come from a
// source that can be asked again (NewOSSStore's). A job paused on
// ErrCredentials polls it: nil means the source now yields keys that are
// neither expired nor the ones the server last refused, so the job may resume.
type CredentialsRefresher interface {
	RefreshCredentials(ctx context.Context) error
}

// CredentialSourcer is implemented by stores that know which credential
// source they use ("ecs_ram_role", "environment", …), for display.
type CredentialSourcer interface {
	CredentialSource() string
}

// credentialsError is a failure to get credentials from their source (as
// opposed to the server refusing them).
type credentialsError struct {
	source string
	err    error
}

func (e *credentialsError) Error() string {
	return fmt.Sprintf("getting credentials from %s: %v", e.source, e.err)
}

func (e *credentialsError) Unwrap() error { return e.err }

// credentialCache hands the SDK its keys. It caches them in the SDK's own
// refreshing CredentialsFetcherProvider (which refreshes ahead of expiry) and
// adds what that provider lacks: forgetting keys the server refused, so the
// next request fetches fresh ones instead of reusing them until they expire
// by the local clock.
type credentialCache struct {
	source string
	fetch  CredentialsFunc
	now    func() time.Time

	// inner is replaced by a fresh provider (empty cache) on invalidate;
	// generation counts the replacements so concurrent failures of one
	// generation cause a single refetch.
	inner      atomic.Pointer[credentials.CredentialsProvider]
	generation atomic.Uint64
	last       atomic.Pointer[credentials.Credentials] // the keys handed out most recently

	mu       sync.Mutex
	rejected Credentials // the keys the server last refused; zero when none
}

func newCredentialCache(source string, fetch CredentialsFunc) *credentialCache {
	c := &credentialCache{source: source, fetch: fetch, now: time.Now}
	c.reset()
	return c
}

// expiryMargin is how long before the stated expiry keys are treated as
// expired: a fifth of their lifetime, at most five minutes. A request signed
// just before the deadline can then still arrive in time.
func expiryMargin(lifetime time.Duration) time.Duration {
	return min(lifetime/5, 5*time.Minute)
}

func (c *credentialCache) reset() {
	provider := credentials.NewCredentialsFetcherProvider(credentials.CredentialsFetcherFunc(c.fetchForSDK))
	c.inner.Store(&provider)
}

func (c *credentialCache) fetchForSDK(ctx context.Context) (credentials.Credentials, error) {
	got, err := c.fetch(ctx)
	if err != nil {
		return credentials.Credentials{}, &credentialsError{source: c.source, err: err}
	}
	if got.AccessKeyID == "" || got.AccessKeySecret == "" {
		return credentials.Credentials{}, &credentialsError{source: c.source, err: errors.New("the source gave no access key ID or secret")}
	}
	out := credentials.Credentials{AccessKeyID: got.AccessKeyID, AccessKeySecret: got.AccessKeySecret, SecurityToken: got.SecurityToken}
	if !got.Expires.IsZero() {
		now := c.now()
		if !got.Expires.After(now) {
			return credentials.Credentials{}, &credentialsError{source: c.source,
				err: fmt.Errorf("the source gave credentials that expired at %s", got.Expires.UTC().Format(time.RFC3339))}
		}
		early := got.Expires.Add(-expiryMargin(got.Expires.Sub(now)))
		out.Expires = &early
	}
	return out, nil
}

// GetCredentials implements the SDK's CredentialsProvider.
func (c *credentialCache) GetCredentials(ctx context.Context) (credentials.Credentials, error) {
	got, err := (*c.inner.Load()).GetCredentials(ctx)
	if err == nil {
		c.last.Store(&got)
	}
	return got, err
}

// invalidate forgets the cached keys if they are still those of generation
// gen, remembering them as refused.
func (c *credentialCache) invalidate(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation.Load() != gen {
		return
	}
	if last := c.last.Load(); last != nil {
		c.rejected = Credentials{AccessKeyID: last.AccessKeyID, AccessKeySecret: last.AccessKeySecret, SecurityToken: last.SecurityToken}
	}
	c.generation.Add(1)
	c.reset()
}

// refresh drops the cache and fetches again; it fails when the source gives
// nothing, or only the keys the server refused last time.
func (c *credentialCache) refresh(ctx context.Context) error {
	c.mu.Lock()
	c.generation.Add(1)
	c.reset()
	rejected := c.rejected
	c.mu.Unlock()
	got, err := c.GetCredentials(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCredentials, err)
	}
	if rejected.AccessKeyID != "" && got.AccessKeyID == rejected.AccessKeyID &&
		got.AccessKeySecret == rejected.AccessKeySecret && got.SecurityToken == rejected.SecurityToken {
		return fmt.Errorf("%w: %s still gives the credentials the server refused", ErrCredentials, c.source)
	}
	return nil
}

// AwaitCredentials blocks until the store's credential source yields keys
// worth trying (RefreshCredentials returns nil) or ctx ends, polling with a
// delay that starts at first and doubles up to most. A store that cannot
// refresh returns at once: the caller's next request is the test. This is
// what a job paused on ErrCredentials waits in before it resumes.
func AwaitCredentials(ctx context.Context, s Store, first, most time.Duration) error {
	refresher, ok := s.(CredentialsRefresher)
	if !ok {
		return nil
	}
	delay := first
	for {
		err := refresher.RefreshCredentials(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
		delay = min(2*delay, most)
	}
}
