package ossemu

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestCompressText: with CompressText, a full GET of a text object that
// accepts gzip comes back compressed without Content-Length and ETag, as OSS
// sends it; ranged GETs and binary objects are untouched.
func TestCompressText(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{CompressText: true})
	if err := s.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	text := []byte(strings.Repeat("a line of a log file\n", 200))
	if err := s.PutBytes("bkt", "logs/app.log.txt", text); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBytes("bkt", "blob.bin", text); err != nil {
		t.Fatal(err)
	}
	get := func(key, rangeHeader string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, endpoint+"/bkt/"+key, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if rangeHeader != "" {
			req.Header.Set("Range", rangeHeader)
		}
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gunzip
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	resp := get("logs/app.log.txt", "")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") != "" || resp.ContentLength != -1 {
		t.Fatalf("text GET: encoding %q, ETag %q, length %d; want gzip, none, unknown",
			resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"), resp.ContentLength)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, text) {
		t.Fatalf("decompressed body differs (err %v, %d bytes)", err, len(got))
	}

	for _, c := range []struct{ key, rng string }{{"logs/app.log.txt", "bytes=0-99"}, {"blob.bin", ""}} {
		resp := get(c.key, c.rng)
		if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("ETag") == "" || resp.ContentLength <= 0 {
			t.Errorf("%s %q: encoding %q, ETag %q, length %d; want plain with ETag and length",
				c.key, c.rng, resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"), resp.ContentLength)
		}
	}
}
