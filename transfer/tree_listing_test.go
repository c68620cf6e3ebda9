package transfer

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFolderItemsMustMatchTheListing: behind a proxy that shortens object
// bodies (Content-Length too) and drops the CRC64 header, a folder download
// never takes a body that disagrees with the size the listing gave: the
// items fail after their retries, nothing short lands at a destination.
func TestFolderItemsMustMatchTheListing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	sizes := map[string]int{"p/a.bin": 1000, "p/b.bin": 102400, "p/tiny": 60}
	for k, n := range sizes {
		env.srv.PutBytes(testBucket, k, randomData(n, uint64(n)))
	}
	target, _ := url.Parse(env.endpoint)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		if res.Request.Method != http.MethodGet || res.Request.URL.Query().Has("list-type") || res.ContentLength <= 100 {
			return nil
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		cut := body[:len(body)/10+1]
		res.Body = io.NopCloser(bytes.NewReader(cut))
		res.ContentLength = int64(len(cut))
		res.Header.Set("Content-Length", strconv.Itoa(len(cut)))
		res.Header.Del("x-oss-hash-crc64ecma")
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	store, err := NewOSSStore(ClientOptions{Endpoint: front.URL, Region: "cn-hangzhou", Anonymous: true,
		Retries: 1, ReadTimeout: 5 * time.Second, ConnectTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	opts := env.testOptions()
	opts.Retries = 2
	e, err := Open(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	root := filepath.Join(env.dir, "out")
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "p/", LocalPath: root})
	if err != nil {
		t.Fatal(err)
	}
	if ts := waitFor(t, e, id); ts.State != StateFailed {
		t.Fatalf("job %s %q, want failed", ts.State, ts.Err)
	}
	failed := reasonsOf(treeItems(t, e, id, ItemFailed))
	for _, k := range []string{"p/a.bin", "p/b.bin"} {
		if !strings.Contains(failed[k], "the listing said "+strconv.Itoa(sizes[k])) {
			t.Errorf("%s: failed for %q, want the size mismatch named", k, failed[k])
		}
		if _, err := os.Lstat(filepath.Join(root, strings.TrimPrefix(k, "p/"))); !os.IsNotExist(err) {
			t.Errorf("%s: something landed at the destination (%v)", k, err)
		}
	}
	assertFile(t, filepath.Join(root, "tiny"), randomData(60, 60)) // untouched by the proxy
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("destination holds %v, want only tiny (no temp files)", fmt.Sprint(entries))
	}
}
