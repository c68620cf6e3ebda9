package transfer

import (
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingProxy is a plain HTTP proxy on loopback that sends every request
// to target and counts them.
func countingProxy(t *testing.T, target string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		n.Add(1)
		r.Out.URL.Scheme, r.Out.URL.Host = u.Scheme, u.Host
		r.Out.Host = r.In.Host
	}}
	proxy := httptest.NewServer(rp)
	t.Cleanup(proxy.Close)
	return proxy, &n
}

// A name that never resolves: only a proxy can reach it.
const unreachableEndpoint = "http://ossq-proxy-test.invalid"

func proxiedStore(t *testing.T, profileProxy string) Store {
	t.Helper()
	s, err := NewOSSStore(ClientOptions{Endpoint: unreachableEndpoint, Region: "cn-hangzhou", UsePathStyle: true,
		AccessKeyID: stsTestAK, AccessKeySecret: stsTestSecret, Proxy: profileProxy, Retries: 1,
		ConnectTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestProxyFromTheEnvironment(t *testing.T) {
	env := newSTSEnv(t, 0)
	proxy, requests := countingProxy(t, env.endpoint)
	for _, name := range []string{"HTTPS_PROXY", "https_proxy", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(name, "")
	}
	t.Setenv("HTTP_PROXY", proxy.URL)
	mustHead(t, proxiedStore(t, ""), "through HTTP_PROXY")
	if requests.Load() == 0 {
		t.Fatal("the request did not go through HTTP_PROXY")
	}

	before := requests.Load()
	t.Setenv("NO_PROXY", "ossq-proxy-test.invalid")
	if _, err := proxiedStore(t, "").HeadObject(testCtx(t, 20*time.Second), testBucket, "hello.txt"); err == nil {
		t.Fatal("NO_PROXY host was reached, so it went through the proxy")
	}
	if requests.Load() != before {
		t.Errorf("NO_PROXY ignored: the proxy saw %d more requests", requests.Load()-before)
	}

	// The profile's proxy wins over the environment's (which is dead here).
	t.Setenv("NO_PROXY", "")
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	mustHead(t, proxiedStore(t, proxy.URL), "through the profile's proxy")
	if requests.Load() == before {
		t.Error("the profile's proxy was not used")
	}
}

func writeCA(t *testing.T, ts *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(path, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func tlsStore(t *testing.T, endpoint, caFile string, insecure bool) (Store, error) {
	return NewOSSStore(ClientOptions{Endpoint: endpoint, Region: "cn-hangzhou", UsePathStyle: true,
		AccessKeyID: stsTestAK, AccessKeySecret: stsTestSecret, CAFile: caFile, InsecureSkipVerify: insecure,
		Retries: 1, ConnectTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second})
}

func TestCAFileTrustsASelfSignedServer(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, 0)
	ts := httptest.NewUnstartedServer(env.srv.Handler())
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	ts.StartTLS()
	t.Cleanup(ts.Close)

	untrusted, err := tlsStore(t, ts.URL, "", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = untrusted.HeadObject(testCtx(t, 20*time.Second), testBucket, "hello.txt")
	if err == nil || !strings.Contains(err.Error(), "authority this machine does not trust") || !strings.Contains(err.Error(), "ca_file") ||
		!strings.Contains(err.Error(), ts.URL) {
		t.Fatalf("self-signed without ca_file: %v, want a plain message naming the endpoint and ca_file", err)
	}

	trusted, err := tlsStore(t, ts.URL, writeCA(t, ts), false)
	if err != nil {
		t.Fatal(err)
	}
	mustHead(t, trusted, "with ca_file")

	insecure, err := tlsStore(t, ts.URL, "", true)
	if err != nil {
		t.Fatal(err)
	}
	mustHead(t, insecure, "with insecure_skip_verify")

	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	if _, err := tlsStore(t, ts.URL, notPEM, false); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("ca_file without PEM: %v", err)
	}
}

func TestNetworkErrorsInPlainWords(t *testing.T) {
	t.Parallel()
	env := newSTSEnv(t, 0)
	plainAsTLS := strings.Replace(env.endpoint, "http://", "https://", 1)
	for name, c := range map[string]struct{ endpoint, want string }{
		"https to a plain server": {plainAsTLS, "does not speak TLS"},
		"unknown host":            {"http://ossq-dns-test.invalid", "cannot find the host ossq-dns-test.invalid"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := tlsStore(t, c.endpoint, "", false)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.HeadObject(testCtx(t, 30*time.Second), testBucket, "hello.txt")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.endpoint) {
				t.Fatalf("err %v, want it to say %q and name %s", err, c.want, c.endpoint)
			}
		})
	}
}
