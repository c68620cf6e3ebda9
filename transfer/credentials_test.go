package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
)

const (
	stsTestAK     = "LTAI-sts-test"
	stsTestSecret = "sts-test-secret"
)

// stsEnv is an emulator that checks signatures and hands out temporary keys.
type stsEnv struct {
	srv      *ossemutest.Server
	endpoint string
}

func newSTSEnv(t testing.TB, ttl time.Duration) *stsEnv {
	t.Helper()
	srv := ossemutest.NewServer(t, ossemutest.WithBucket(testBucket), ossemutest.WithCredentials(stsTestAK, stsTestSecret),
		ossemutest.WithConfig(func(c *ossemu.Config) { c.STSTTL = ttl }))
	srv.MustPut("hello.txt", []byte("hello"))
	return &stsEnv{srv: srv, endpoint: srv.Endpoint}
}

func (e *stsEnv) store(t testing.TB, source string, fetch CredentialsFunc) Store {
	t.Helper()
	s, err := NewOSSStore(ClientOptions{Endpoint: e.endpoint, Region: "cn-hangzhou", Credentials: fetch, CredentialSource: source,
		Retries: 2, ConnectTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// temporaryKeys GETs one set of keys from the emulator's credentials URI.
func (e *stsEnv) temporaryKeys(t testing.TB) Credentials {
	t.Helper()
	got, err := URICredentials(http.DefaultClient, e.endpoint+ossemu.CredentialsURIPath)(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// counted counts the calls of a source.
func counted(fetch CredentialsFunc, n *atomic.Int64) CredentialsFunc {
	return func(ctx context.Context) (Credentials, error) {
		n.Add(1)
		return fetch(ctx)
	}
}

func mustHead(t *testing.T, s Store, what string) {
	t.Helper()
	if _, err := s.HeadObject(testCtx(t, 20*time.Second), testBucket, "hello.txt"); err != nil {
		t.Fatalf("%s: HeadObject: %v", what, err)
	}
}

// Every network source yields keys the emulator accepts.
func TestCredentialSourcesAgainstTheEmulator(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, time.Minute)
	dir := t.TempDir()
	doc, _ := json.Marshal(map[string]string{"AccessKeyId": stsTestAK, "AccessKeySecret": stsTestSecret})
	docFile := filepath.Join(dir, "keys.json")
	tokenFile := filepath.Join(dir, "oidc-token")
	os.WriteFile(docFile, doc, 0o600)
	os.WriteFile(tokenFile, []byte("eyJhbGciOi.oidc.token\n"), 0o600)
	role := RoleOptions{STSEndpoint: env.endpoint, RoleARN: "acs:ram::1:role/ossq", SessionName: "test"}
	for name, fetch := range map[string]CredentialsFunc{
		"uri":          URICredentials(http.DefaultClient, env.endpoint+ossemu.CredentialsURIPath),
		"ecs_ram_role": ECSRoleCredentials(http.DefaultClient, env.endpoint, ""),
		"ecs named":    ECSRoleCredentials(http.DefaultClient, env.endpoint, ossemu.DefaultSTSRole),
		"process":      ProcessCredentials("cat " + docFile),
		"ram_role_arn": AssumeRole(http.DefaultClient, StaticCredentials(stsTestAK, stsTestSecret, ""), role),
		"oidc":         AssumeRoleWithOIDC(http.DefaultClient, "acs:ram::1:oidc-provider/p", tokenFile, role),
		"static":       StaticCredentials(stsTestAK, stsTestSecret, ""),
	} {
		t.Run(name, func(t *testing.T) {
			mustHead(t, env.store(t, name, fetch), name)
		})
	}
}

// Sources that cannot deliver say why, naming the source.
func TestCredentialSourceFailuresAreClear(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, time.Minute)
	role := RoleOptions{STSEndpoint: env.endpoint, RoleARN: "acs:ram::1:role/ossq"}
	for name, c := range map[string]struct {
		fetch CredentialsFunc
		want  string
	}{
		"wrong role":      {ECSRoleCredentials(http.DefaultClient, env.endpoint, "not-this-role"), "404"},
		"bad signature":   {AssumeRole(http.DefaultClient, StaticCredentials(stsTestAK, "wrong", ""), role), "SignatureDoesNotMatch"},
		"failing process": {ProcessCredentials("exit 3"), "credential_process"},
		"unknown key":     {StaticCredentials("LTAI-nobody", "x", ""), "InvalidAccessKeyId"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := env.store(t, name, c.fetch).HeadObject(testCtx(t, 20*time.Second), testBucket, "hello.txt")
			if !errors.Is(err, ErrCredentials) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want ErrCredentials mentioning %q", err, c.want)
			}
		})
	}
}

// Keys the server revokes are dropped at once: the store fetches fresh ones
// and the request succeeds without the caller seeing anything.
func TestRevokedKeysAreRefetchedAndRetried(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, time.Hour)
	var fetches atomic.Int64
	s := env.store(t, "uri", counted(URICredentials(http.DefaultClient, env.endpoint+ossemu.CredentialsURIPath), &fetches))
	mustHead(t, s, "first")
	env.srv.ExpireTemporaryCredentials()
	mustHead(t, s, "after revocation")
	if got := fetches.Load(); got != 2 {
		t.Errorf("credential fetches = %d, want 2 (one at start, one after the revocation)", got)
	}
	if got := env.srv.Stats().Errors["SecurityTokenExpired"]; got != 1 {
		t.Errorf("SecurityTokenExpired answers = %d, want exactly the one that triggered the refetch", got)
	}
}

// When the source keeps giving refused keys, the store error wraps
// ErrCredentials (so a job can wait) and keeps OSS's code; RefreshCredentials
// says no until the source yields other keys, then the store works again.
func TestErrCredentialsUntilTheSourceIsFixed(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, time.Hour)
	var mu sync.Mutex
	current := env.temporaryKeys(t)
	source := func(context.Context) (Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		return current, nil
	}
	s := env.store(t, "test source", source)
	mustHead(t, s, "fresh keys")
	env.srv.ExpireTemporaryCredentials()

	_, err := s.HeadObject(testCtx(t, 20*time.Second), testBucket, "hello.txt")
	var oe *OSSError
	if !errors.Is(err, ErrCredentials) || !errors.As(err, &oe) || oe.Info.Code != "SecurityTokenExpired" {
		t.Fatalf("err %v, want ErrCredentials wrapping the SecurityTokenExpired OSSError", err)
	}
	refresher, ok := s.(CredentialsRefresher)
	if !ok {
		t.Fatal("the OSS store does not implement CredentialsRefresher")
	}
	if err := refresher.RefreshCredentials(testCtx(t, 10*time.Second)); !errors.Is(err, ErrCredentials) {
		t.Fatalf("RefreshCredentials with the same refused keys: %v, want ErrCredentials", err)
	}

	fixed := env.temporaryKeys(t)
	mu.Lock()
	current = fixed
	mu.Unlock()
	if err := refresher.RefreshCredentials(testCtx(t, 10*time.Second)); err != nil {
		t.Fatalf("RefreshCredentials with new keys: %v", err)
	}
	mustHead(t, s, "fixed keys")
}

// Keys past their expiry are refused before any request is made.
func TestExpiredKeysFromTheSourceAreRefused(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, time.Hour)
	keys := env.temporaryKeys(t)
	keys.Expires = time.Now().Add(-time.Minute)
	s := env.store(t, "stale source", func(context.Context) (Credentials, error) { return keys, nil })
	_, err := s.HeadObject(testCtx(t, 10*time.Second), testBucket, "hello.txt")
	if !errors.Is(err, ErrCredentials) || !strings.Contains(err.Error(), "expired at") {
		t.Fatalf("err %v, want ErrCredentials saying the keys expired", err)
	}
	if got := env.srv.Stats().Requests["HeadObject"]; got != 0 {
		t.Errorf("%d HeadObject requests reached the server with expired keys", got)
	}
}

func TestExpiryMargin(t *testing.T) {
	t.Parallel()
	for lifetime, want := range map[time.Duration]time.Duration{
		2 * time.Second: 400 * time.Millisecond,
		time.Hour:       5 * time.Minute,
		10 * time.Hour:  5 * time.Minute,
	} {
		if got := expiryMargin(lifetime); got != want {
			t.Errorf("expiryMargin(%v) = %v, want %v", lifetime, got, want)
		}
	}
}

// A capped download and upload outlive two generations of 2-second keys and
// end byte-identical: keys are refreshed ahead of expiry and parts in
// flight never fail.
func TestTransfersOutliveTemporaryCredentials(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "waits out temporary credentials in real time")
	const (
		ttl  = 2 * time.Second
		rate = 128 << 10 // per connection; 4 parts in flight => at least 5 s for 2.5 MiB
		size = 5 << 19
	)
	env := newSTSEnv(t, ttl)
	if err := env.srv.PutGenerated(testBucket, "big.bin", size, 11, ""); err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int64
	s := env.store(t, "ecs_ram_role", counted(ECSRoleCredentials(http.DefaultClient, env.endpoint, ""), &fetches))
	dir := t.TempDir()
	opts := Options{PartSize: 256 << 10, Parallel: 4, MaxActive: 2, MultipartThreshold: 256 << 10,
		StateDir: filepath.Join(dir, "state"), Retries: 3, RetryDelay: 10 * time.Millisecond, OnExists: ExistsOverwrite}
	e, err := Open(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	upData := randomData(size, 5)
	src := filepath.Join(dir, "up.bin")
	if err := os.WriteFile(src, upData, 0o600); err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(ossemu.Faults{RatePerConn: rate})
	dest := filepath.Join(dir, "down.bin")
	dl, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "big.bin", LocalPath: dest})
	if err != nil {
		t.Fatal(err)
	}
	ul, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "up.bin", LocalPath: src})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, dl)
	mustDone(t, e, ul)
	env.srv.SetFaults(ossemu.Faults{})
	assertGenerated(t, dest, size, 11)
	got, err := s.GetRange(testCtx(t, 20*time.Second), testBucket, "up.bin", 0, -1, "")
	if err != nil {
		t.Fatal(err)
	}
	uploaded, _ := io.ReadAll(got)
	got.Close()
	if string(uploaded) != string(upData) {
		t.Fatal("uploaded object differs from its source")
	}
	if n := fetches.Load(); n < 3 {
		t.Errorf("credential fetches = %d, want at least 3 (the transfers spanned two expirations)", n)
	}
	t.Logf("credential fetches %d, SecurityTokenExpired answers %d", fetches.Load(),
		env.srv.Stats().Errors["SecurityTokenExpired"])
}

func FuzzParseCredentialsDocument(f *testing.F) {
	f.Add([]byte(`{"Code":"Success","AccessKeyId":"STS.a","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"AccessKeyId":"a","AccessKeySecret":"s"}`))
	f.Add([]byte(`{"Code":"Failed","Message":"no role"}`))
	f.Add([]byte(`{"AccessKeyId":"a","AccessKeySecret":"s","Expiration":"tomorrow"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseCredentialsDocument(body)
		if err == nil && (got.AccessKeyID == "" || got.AccessKeySecret == "") {
			t.Fatalf("accepted a document without keys: %q", body)
		}
	})
}

// A token in a credentials URI's query never reaches a message.
func TestCredentialsURISecretNotInErrors(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, time.Minute)
	for _, uri := range []string{"http://127.0.0.1:1/creds?token=s3cr3t", env.endpoint + "/latest/nothing?token=s3cr3t"} {
		_, err := URICredentials(http.DefaultClient, uri)(testCtx(t, 10*time.Second))
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: error %v echoes the query (or is nil)", uri, err)
		}
	}
}

// A job waiting for credentials polls the source until it yields new keys.
func TestAwaitCredentialsPollsUntilTheSourceRecovers(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, time.Hour)
	var polls atomic.Int64
	good := env.temporaryKeys(t)
	source := func(context.Context) (Credentials, error) {
		if polls.Add(1) <= 3 {
			return Credentials{}, errors.New("metadata service unreachable")
		}
		return good, nil
	}
	s := env.store(t, "flaky source", source)
	if err := AwaitCredentials(testCtx(t, 20*time.Second), s, time.Millisecond, 4*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := polls.Load(); got != 4 {
		t.Errorf("source asked %d times, want 4 (three failures, then keys)", got)
	}
	mustHead(t, s, "after waiting")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	broken := env.store(t, "dead source", func(context.Context) (Credentials, error) { return Credentials{}, errors.New("down") })
	if err := AwaitCredentials(ctx, broken, time.Millisecond, time.Millisecond); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled wait: %v", err)
	}
}
