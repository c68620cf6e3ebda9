package ossemu

import (
	"bufio"
	"crypto/md5"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// rawDo sends a plain HTTP request (for inputs the SDK refuses to build).
func rawDo(t *testing.T, method, url, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestRawErrorsTheSDKCannotProduce(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	s.PutBytes(testBucket, "k", []byte("v"))
	for _, tc := range []struct {
		method, path, body string
		header             map[string]string
		status             int
		code               string
	}{
		{"GET", "/Bad_Bucket/", "", nil, 400, "InvalidBucketName"},
		{"POST", "/bkt/k", "", nil, 405, "MethodNotAllowed"},
		{"PUT", "/bkt/copy", "", map[string]string{"x-oss-copy-source": "bkt-no-slash"}, 400, "InvalidArgument"},
		{"POST", "/bkt/?delete", "<Delete><not-closed>", nil, 400, "MalformedXML"},
		{"PUT", "/newbucket/?acl", "", nil, 501, "NotImplemented"},
		{"GET", "/bkt/k?tagging", "", nil, 501, "NotImplemented"},
		{"POST", "/bkt/k?append&position=0", "x", nil, 501, "NotImplemented"},
		{"GET", "/bkt/?list-type=2&encoding-type=base64", "", nil, 400, "InvalidArgument"},
		{"GET", "/bkt/k?uploadId=NOPE", "", nil, 404, "NoSuchUpload"},
		{"GET", "/bkt/%2Fabs", "", nil, 400, "InvalidObjectName"},
	} {
		resp, body := rawDo(t, tc.method, endpoint+tc.path, tc.body, tc.header)
		if resp.StatusCode != tc.status || !strings.Contains(body, "<Code>"+tc.code+"</Code>") ||
			!strings.Contains(body, "<RequestId>"+resp.Header.Get("x-oss-request-id")+"</RequestId>") || !strings.Contains(body, "<HostId>") {
			t.Errorf("%s %s: status %d body %s; want %d %s", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.code)
		}
	}
	// CompleteMultipartUpload with an unparsable body.
	c := newClient(endpoint, testAK, testSecret)
	init, err := c.InitiateMultipartUpload(testContext(t), &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("m")})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := rawDo(t, "POST", endpoint+"/bkt/m?uploadId="+oss.ToString(init.UploadId), "<CompleteMultipartUpload>", nil)
	if resp.StatusCode != 400 || !strings.Contains(body, "MalformedXML") {
		t.Errorf("complete with bad XML: %d %s", resp.StatusCode, body)
	}
	// Virtual-hosted style: the bucket comes from Host, the path is the key.
	req, _ := http.NewRequest("GET", endpoint+"/k", nil)
	req.Host = testBucket + ".localhost"
	vresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	vbody, _ := io.ReadAll(vresp.Body)
	vresp.Body.Close()
	if vresp.StatusCode != 200 || string(vbody) != "v" {
		t.Errorf("Host: bkt.localhost GET /k: %d %q", vresp.StatusCode, vbody)
	}
	// HEAD errors: no body, details in x-oss-err.
	resp, body = rawDo(t, "HEAD", endpoint+"/bkt/missing", "", nil)
	if resp.StatusCode != 404 || body != "" || resp.Header.Get("x-oss-err") == "" || resp.Header.Get("x-oss-ec") != "0026-00000001" {
		t.Errorf("HEAD error: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

func TestEntityTooLargeRejectedBeforeReading(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "PUT /bkt/huge HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", int64(maxObjectSize)+1)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != 400 || !strings.Contains(string(body), "EntityTooLarge") {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
}

// Concurrent overwrites and reads of one key: every GET sees one consistent
// version (its body hashes to the ETag it was served with).
func TestConcurrentOverwriteAndReadAreConsistent(t *testing.T) {
	t.Parallel()
	_, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret)
	putString(t, c, "hot", "initial")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				body := strings.Repeat(fmt.Sprintf("writer-%d-round-%d;", w, i), 1+i*50)
				if _, err := c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("hot"), Body: strings.NewReader(body)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 30 {
				res, err := c.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("hot")})
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				sum := md5.Sum(b)
				if want := fmt.Sprintf(`"%X"`, sum); err != nil || oss.ToString(res.ETag) != want {
					errs <- fmt.Errorf("GET served ETag %s with a body hashing to %s (%v)", oss.ToString(res.ETag), want, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
