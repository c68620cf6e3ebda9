package ossemu

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func getJSON(t *testing.T, url string, into any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if into != nil && res.StatusCode == 200 {
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("%s: %v: %s", url, err, body)
		}
	}
	return res.StatusCode
}

func stsClient(endpoint string, c credentialsJSON) *oss.Client {
	return oss.NewClient(oss.LoadDefaultConfig().WithRegion("cn-hangzhou").WithEndpoint(endpoint).
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)))
}

// Temporary keys from the metadata paths and the credentials URI work until
// their TTL passes, then fail with SecurityTokenExpired; a wrong token is an
// InvalidAccessKeyId, as on OSS.
func TestTemporaryCredentialsExpire(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now().UTC()}
	_, endpoint := startServer(t, Config{STSTTL: time.Minute, Now: clock.now})
	ctx := testContext(t)

	var role string
	res, err := http.Get(endpoint + metadataRolesPath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if role = string(b); role != DefaultSTSRole {
		t.Fatalf("metadata role %q, want %q", role, DefaultSTSRole)
	}
	var fromMetadata, fromURI credentialsJSON
	if code := getJSON(t, endpoint+metadataRolesPath+role, &fromMetadata); code != 200 {
		t.Fatalf("metadata credentials: status %d", code)
	}
	if code := getJSON(t, endpoint+metadataRolesPath+"other-role", nil); code != 404 {
		t.Errorf("unknown role: status %d, want 404", code)
	}
	if code := getJSON(t, endpoint+CredentialsURIPath, &fromURI); code != 200 {
		t.Fatalf("credentials URI: status %d", code)
	}
	for _, c := range []credentialsJSON{fromMetadata, fromURI} {
		if c.Code != "Success" || !strings.HasPrefix(c.AccessKeyID, "STS.") || c.SecurityToken == "" {
			t.Fatalf("credentials document %+v", c)
		}
		if _, err := stsClient(endpoint, c).ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket)}); err != nil {
			t.Fatalf("with fresh temporary keys: %v", err)
		}
	}
	forged := fromURI
	forged.SecurityToken = "CAISforged"
	if _, err := stsClient(endpoint, forged).ListBuckets(ctx, &oss.ListBucketsRequest{}); errorCode(err) != "InvalidAccessKeyId" {
		t.Errorf("wrong token: %v, want InvalidAccessKeyId", err)
	}
	if _, err := newClient(endpoint, "nobody", "x").ListBuckets(ctx, &oss.ListBucketsRequest{}); errorCode(err) != "InvalidAccessKeyId" {
		t.Errorf("unknown key with STS on: %v, want InvalidAccessKeyId", err)
	}

	clock.add(time.Minute + time.Second)
	_, err = stsClient(endpoint, fromMetadata).ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket)})
	var se *oss.ServiceError
	if !errors.As(err, &se) || se.Code != "SecurityTokenExpired" || se.StatusCode != 403 {
		t.Fatalf("expired keys: %v, want 403 SecurityTokenExpired", err)
	}
}

func TestExpireTemporaryCredentialsRevokesAll(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{STSTTL: time.Hour})
	var c credentialsJSON
	getJSON(t, endpoint+CredentialsURIPath, &c)
	s.ExpireTemporaryCredentials()
	_, err := stsClient(endpoint, c).ListBuckets(testContext(t), &oss.ListBucketsRequest{})
	if errorCode(err) != "SecurityTokenExpired" {
		t.Fatalf("after ExpireTemporaryCredentials: %v, want SecurityTokenExpired", err)
	}
}

// AssumeRole is answered only when signed with a known long-term key.
func TestAssumeRoleChecksTheRPCSignature(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{STSTTL: 30 * time.Second, Credentials: map[string]string{testAK: testSecret}})
	call := func(secret string) (int, map[string]any) {
		v := url.Values{}
		for k, val := range map[string]string{"Action": "AssumeRole", "Format": "JSON", "Version": "2015-04-01",
			"AccessKeyId": testAK, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": randomText(8),
			"Timestamp": time.Now().UTC().Format("2006-01-02T15:04:05Z"), "RoleArn": "acs:ram::1:role/r",
			"RoleSessionName": "s", "DurationSeconds": "3600"} {
			v.Set(k, val)
		}
		v.Set("Signature", rpcSignature(http.MethodGet, v, secret))
		res, err := http.Get(endpoint + "/?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	if status, out := call("wrong-secret"); status != 403 || out["Code"] != "SignatureDoesNotMatch" {
		t.Errorf("bad signature: %d %v", status, out)
	}
	status, out := call(testSecret)
	creds, _ := out["Credentials"].(map[string]any)
	if status != 200 || creds == nil || creds["SecurityToken"] == "" {
		t.Fatalf("AssumeRole: %d %v", status, out)
	}
	expires, err := time.Parse(time.RFC3339, creds["Expiration"].(string))
	if err != nil || time.Until(expires) > 31*time.Second {
		t.Errorf("Expiration %v (%v): the server's TTL must cap DurationSeconds", creds["Expiration"], err)
	}
}

// A bucket of another region is listed with its region and redirects to its
// endpoint, as OSS does.
func TestRemoteBucketRedirects(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	if err := s.AddRemoteBucket("far", "cn-beijing", "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	c := newClient(endpoint, "", "", func(cfg *oss.Config) { cfg.WithCredentialsProvider(credentials.NewAnonymousCredentialsProvider()) })
	res, err := c.ListBuckets(ctx, &oss.ListBucketsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string]string{}
	for _, b := range res.Buckets {
		regions[*b.Name] = *b.Region
	}
	if regions["far"] != "cn-beijing" || regions[testBucket] != "cn-hangzhou" {
		t.Errorf("ListBuckets regions %v", regions)
	}
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("far"), Key: oss.Ptr("k")})
	var se *oss.ServiceError
	if !errors.As(err, &se) || se.Code != "AccessDenied" || !strings.Contains(string(se.Snapshot), "<Endpoint>http://127.0.0.1:1</Endpoint>") {
		t.Fatalf("remote bucket: %v, want AccessDenied naming the endpoint", err)
	}
}
