package ossemu

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseRange: any Range header and size give a clean answer; a range
// served lies inside the object; "unsatisfiable" only where the standard
// Range rules apply, and never together with a range to serve.
func FuzzParseRange(f *testing.F) {
	for _, h := range []string{"bytes=0-99", "bytes=100-", "bytes=-50", "bytes=0-0", "bytes=5-1", "bytes=1-2,3-4",
		"bytes=-0", "bytes= 1 - 2 ", "bytes=99999999999999999999-", "items=0-1", "bytes=-9223372036854775808", ""} {
		f.Add(h, int64(100), true)
		f.Add(h, int64(0), false)
	}
	f.Fuzz(func(t *testing.T, header string, size int64, standard bool) {
		if size < 0 {
			size = -(size + 1) // objects have no negative size; keep the input useful
		}
		start, end, ok, unsatisfiable := parseRange(header, size, standard)
		if ok && unsatisfiable {
			t.Fatalf("parseRange(%q, %d): both a range and 416", header, size)
		}
		if ok && (start < 0 || end < start || end >= size) {
			t.Fatalf("parseRange(%q, %d) = [%d, %d], outside the object", header, size, start, end)
		}
		if unsatisfiable && !standard {
			t.Fatalf("parseRange(%q, %d, legacy) answered 416", header, size)
		}
		if !ok && (start != 0 || end != 0) {
			t.Fatalf("parseRange(%q, %d) returned bounds [%d, %d] with ok=false", header, size, start, end)
		}
	})
}

// FuzzRoute: any method, path, query and Host are routed to an operation
// or refused with an OSS error; a routed request names a valid bucket and
// key; the whole handler answers every such request with a well-formed
// status and a request ID, and (signatures being required) changes nothing.
func FuzzRoute(f *testing.F) {
	for _, seed := range [][3]string{
		{"GET", "/", "127.0.0.1:9000"},
		{"GET", "/bkt/dir/key.txt", "127.0.0.1"},
		{"PUT", "/bkt/key?partNumber=1&uploadId=abc", "localhost"},
		{"POST", "/bkt/key?uploads", "bkt.localhost:80"},
		{"GET", "/?prefix=a&list-type=2", "bkt.oss-cn-hangzhou.aliyuncs.com"},
		{"DELETE", "/bkt/%2e%2e/%00", "x"},
		{"GET", "/bkt/k?acl", ""},
		{"PUT", "/BAD_bucket/k", "[::1]:1"},
		{"HEAD", "/bkt/" + strings.Repeat("k", 1100), "h"},
		{"OPTIONS", "/bkt?delete", "h"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	s := openServer(f, Config{Root: f.TempDir(), Credentials: map[string]string{testAK: testSecret}})
	if err := s.CreateBucket(testBucket); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, host string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || method == "" || strings.ContainsAny(method, " \t\r\n") {
			return // net/http would not deliver such a request
		}
		r := &http.Request{Method: method, URL: u, Host: host, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Body: http.NoBody, RequestURI: target}
		q := &request{r: r, query: u.Query()}
		if e := s.route(q); e == nil {
			if q.op == opInvalid || q.op == "" {
				t.Fatalf("%s %s (Host %q): routed to no operation", method, target, host)
			}
			if q.bucket != "" && !validBucketName(q.bucket) {
				t.Fatalf("%s %s: routed with invalid bucket %q", method, target, q.bucket)
			}
			if q.hasKey && validateKey(q.key) != nil {
				t.Fatalf("%s %s: routed with invalid key %q", method, target, q.key)
			}
		} else if e.Status < 400 || e.Status > 599 || e.Code == "" {
			t.Fatalf("%s %s: refusal %+v", method, target, e)
		}

		rec := httptest.NewRecorder()
		s.serveHTTP(rec, r)
		if rec.Code < 200 || rec.Code > 599 || rec.Header().Get("x-oss-request-id") == "" {
			t.Fatalf("%s %s: answered %d, request ID %q", method, target, rec.Code, rec.Header().Get("x-oss-request-id"))
		}
		if rec.Code < 300 {
			t.Fatalf("%s %s: an unsigned request succeeded (%d)", method, target, rec.Code)
		}
	})
}
