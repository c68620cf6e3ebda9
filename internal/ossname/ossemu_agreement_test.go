package ossname_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ossq/internal/ossemu"
	"ossq/internal/ossname"
)

// The embedded server keeps its own copy of the naming rules (it imports no
// ossq package but the CRC, so the client can never lean on its quirks);
// these tests hold the two copies to each other over real HTTP on loopback.

func startServer(t *testing.T) string {
	t.Helper()
	srv, err := ossemu.New(ossemu.Config{NoSync: true}) // no credentials: anonymous, so raw requests pass
	if err != nil {
		t.Fatal(err)
	}
	endpoint, err := srv.Start("127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return endpoint
}

// put sends a PUT of body with a raw (already escaped) path and returns the
// status and the answer, so a test sees the server's own verdict, not the
// SDK's client-side checks.
func put(t *testing.T, endpoint, escapedPath, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque = "//" + req.URL.Host + escapedPath
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

func TestServerAcceptsTheBucketNamesOSSNameAccepts(t *testing.T) {
	endpoint := startServer(t)
	for _, name := range []string{
		"abc", "a-b", "0bucket", "bucket-2024", strings.Repeat("b", 63),
		"ab", strings.Repeat("b", 64), "Bucket", "my_bucket", "my.bucket", "-abc", "abc-", "a--b", "日本語",
	} {
		status, body := put(t, endpoint, "/"+url.PathEscape(name), "")
		serverOK := !strings.Contains(body, "InvalidBucketName")
		clientOK := ossname.CheckBucket(name) == nil
		if serverOK != clientOK {
			t.Errorf("bucket %q: server %d %s; ossname.CheckBucket says valid=%v", name, status, body, clientOK)
		}
		if serverOK && status != http.StatusOK {
			t.Errorf("bucket %q: server answered %d %s", name, status, body)
		}
	}
}

func TestServerAcceptsTheKeysOSSNameAccepts(t *testing.T) {
	endpoint := startServer(t)
	if status, body := put(t, endpoint, "/keys", ""); status != http.StatusOK {
		t.Fatalf("create bucket: %d %s", status, body)
	}
	for _, key := range []string{
		"a", "dir/file.txt", "dir/", "日本語/ファイル", "sp ace", "a\\b", "a//b", strings.Repeat("k", 1023), strings.Repeat("日", 341),
		"/lead", "\\lead", strings.Repeat("k", 1024), strings.Repeat("日", 342), "bad\xffutf8", "\xc3",
	} {
		status, body := put(t, endpoint, "/keys/"+pathEscape(key), "x")
		serverOK := !strings.Contains(body, "InvalidObjectName")
		clientOK := ossname.CheckKey(key) == nil
		if serverOK != clientOK {
			t.Errorf("key %q: server %d %s; ossname.CheckKey says valid=%v", key, status, body, clientOK)
		}
		if serverOK && status != http.StatusOK {
			t.Errorf("key %q: server answered %d %s", key, status, body)
		}
	}
}

// pathEscape percent-encodes every byte outside the unreserved set but "/",
// as the SDK does, so invalid UTF-8 reaches the server byte for byte.
func pathEscape(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
