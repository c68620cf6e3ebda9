package transfer

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc64"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
)

// TestFolderDownloadOfCompressibleTextObjects: AddTree fetches small objects
// with one GET. OSS gzips text objects on a GET that accepts gzip and drops
// Content-Length, which once turned them into "crc64 mismatch" failures.
// The emulator here compresses as OSS does.
func TestFolderDownloadOfCompressibleTextObjects(t *testing.T) {
	t.Parallel()
	srv := ossemutest.NewServer(t, ossemutest.WithBucket(testBucket),
		ossemutest.WithConfig(func(c *ossemu.Config) { c.CompressText = true }))
	store := newTestStore(t, srv)
	objects := map[string][]byte{
		"site/data.json":  []byte(strings.Repeat(`{"k":"v"},`, 300)),
		"site/index.html": []byte(strings.Repeat("<p>hello</p>\n", 200)),
		"site/notes.txt":  []byte(strings.Repeat("hello world\n", 200)),
	}
	for k, v := range objects {
		if err := srv.PutBytes(testBucket, k, v); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	opts := Options{StateDir: filepath.Join(dir, "state"), OnExists: ExistsOverwrite, RetryDelay: time.Millisecond}
	e, err := Open(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	out := filepath.Join(dir, "out")
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "site/", LocalPath: out})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	for k, v := range objects {
		assertFile(t, filepath.Join(out, strings.TrimPrefix(k, "site/")), v)
	}
}

// TestSmallDownloadWithoutCRCNotEmptiedByGzip: an old object without a
// CRC64 header, served gzipped without a length, must not become a 0-byte
// file marked done. The server is an OSS-like httptest server because the
// emulator always sends CRC64.
func TestSmallDownloadWithoutCRCNotEmptiedByGzip(t *testing.T) {
	t.Parallel()
	body := strings.Repeat(`{"k":"v"},`, 300)
	for _, withCRC := range []bool{true, false} {
		t.Run(fmt.Sprintf("crc=%v", withCRC), func(t *testing.T) {
			srv := gzippingServer(body, withCRC)
			defer srv.Close()
			st, err := NewOSSStore(ClientOptions{Endpoint: srv.URL, Region: "cn-hangzhou", Anonymous: true, UsePathStyle: true, Retries: 1})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			e, err := Open(st, Options{StateDir: filepath.Join(dir, "s"), OnExists: ExistsOverwrite, RetryDelay: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			dest := filepath.Join(dir, "a.json")
			tr, err := e.newTransfer(Spec{Direction: Download, Bucket: "bkt", Key: "a.json", LocalPath: dest}, true)
			if err != nil {
				t.Fatal(err)
			}
			tr.sizeHint = int64(len(body)) // as AddTree sets it from the listing
			e.mu.Lock()
			err = e.addLocked(tr, e.unfinishedTargetsLocked())
			e.scheduleLocked()
			e.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			mustDone(t, e, tr.id)
			assertFile(t, dest, []byte(body))
		})
	}
}

// gzippingServer answers like OSS: a GET without Range that accepts gzip
// gets a gzipped, chunked body with no Content-Length and no ETag.
func gzippingServer(body string, withCRC bool) *httptest.Server {
	crc := crc64.Checksum([]byte(body), crc64.MakeTable(crc64.ECMA))
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Last-Modified", "Tue, 19 Nov 2024 06:04:02 GMT")
		if withCRC {
			w.Header().Set("x-oss-hash-crc64ecma", fmt.Sprint(crc))
		}
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && r.Header.Get("Range") == "" && r.Method == http.MethodGet {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write([]byte(body))
			zw.Close()
			w.Header().Set("Content-Encoding", "gzip")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			w.Write(b.Bytes())
			return
		}
		w.Header().Set("ETag", `"abc"`)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		w.Write([]byte(body))
	}))
}
