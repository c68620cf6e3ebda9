package ossemu

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// Signatures (V1 and V4, headers and presigned queries) and clock skew.

func TestAuthV4AndV1(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{Credentials: map[string]string{testAK: testSecret}})
	if err := s.PutBytes(testBucket, "dir/a b+c%d~é.txt", []byte("signed")); err != nil {
		t.Fatal(err)
	}
	noRetry := func(c *oss.Config) { c.WithRetryMaxAttempts(1) }
	v1 := func(c *oss.Config) { c.WithSignatureVersion(oss.SignatureVersionV1) }
	for _, tc := range []struct {
		name    string
		ak, sk  string
		version func(*oss.Config)
		code    string
	}{
		{"v4 right keys", testAK, testSecret, func(*oss.Config) {}, ""},
		{"v1 right keys", testAK, testSecret, v1, ""},
		{"v4 wrong key id", "nobody", testSecret, func(*oss.Config) {}, "InvalidAccessKeyId"},
		{"v1 wrong key id", "nobody", testSecret, v1, "InvalidAccessKeyId"},
		{"v4 wrong secret", testAK, "wrong", func(*oss.Config) {}, "SignatureDoesNotMatch"},
		{"v1 wrong secret", testAK, "wrong", v1, "SignatureDoesNotMatch"},
		{"v4 additional headers", testAK, testSecret, func(c *oss.Config) { c.WithAdditionalHeaders([]string{"User-Agent", "x-oss-meta-a"}) }, ""},
		{"v4 additional headers wrong secret", testAK, "wrong", func(c *oss.Config) { c.WithAdditionalHeaders([]string{"User-Agent"}) }, "SignatureDoesNotMatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(endpoint, tc.ak, tc.sk, noRetry, tc.version)
			ctx := testContext(t)
			// A spread of request shapes: query sub-resources, odd keys, metadata headers, list params.
			_, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("up/é+ %.txt"), Body: strings.NewReader("x"), Metadata: map[string]string{"a": " b "}})
			if tc.code != "" {
				wantCode(t, "PutObject", err, tc.code)
				_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt")})
				wantCode(t, "HeadObject", err, tc.code)
				return
			}
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			_, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt"), ResponseContentType: oss.Ptr("text/x")})
			if string(b) != "signed" {
				t.Fatalf("got %q", b)
			}
			if _, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr(testBucket), Prefix: oss.Ptr("dir/a b"), Delimiter: oss.Ptr("/"), ContinuationToken: oss.Ptr("ZGly"), MaxKeys: 2}); err != nil {
				t.Fatalf("ListObjectsV2: %v", err)
			}
			if _, err := c.ListBuckets(ctx, &oss.ListBucketsRequest{}); err != nil {
				t.Fatalf("ListBuckets: %v", err)
			}
			up := c.NewUploader(func(o *oss.UploaderOptions) { o.PartSize = minPartSize })
			if _, err := up.UploadFrom(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("mp/signed")}, bytes.NewReader(randomBytes(3*minPartSize, 9))); err != nil {
				t.Fatalf("multipart upload: %v", err)
			}
			for _, method := range []string{"GET", "HEAD"} {
				pre, err := c.Presign(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt")})
				if method == "HEAD" {
					pre, err = c.Presign(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt")})
				}
				if err != nil {
					t.Fatal(err)
				}
				hreq, _ := http.NewRequest(pre.Method, pre.URL, nil)
				for k, v := range pre.SignedHeaders {
					hreq.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(hreq)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("presigned %s: status %d", method, resp.StatusCode)
				}
			}
		})
	}

	// Keys configured, no signature at all.
	anon := oss.NewClient(oss.LoadDefaultConfig().WithCredentialsProvider(credentials.NewAnonymousCredentialsProvider()).
		WithRegion("cn-hangzhou").WithEndpoint(endpoint))
	_, err := anon.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("dir/a b+c%d~é.txt")})
	wantCode(t, "anonymous request", err, "AccessDenied")
}

func TestClockSkew(t *testing.T) {
	t.Parallel()
	serverAhead := func() time.Time { return time.Now().Add(time.Hour) }
	s, endpoint := startServer(t, Config{Credentials: map[string]string{testAK: testSecret}, Now: serverAhead})
	if err := s.PutBytes(testBucket, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	// The SDK reads Date from the RequestTimeTooSkewed answer, corrects its
	// clock and retries: the request succeeds after one skew error.
	c := newClient(endpoint, testAK, testSecret)
	_, b := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	if string(b) != "v" || s.Stats().Errors["RequestTimeTooSkewed"] != 1 {
		t.Fatalf("body %q errors %v", b, s.Stats().Errors)
	}
	// Without retries the code itself surfaces.
	c1 := newClient(endpoint, testAK, testSecret, func(c *oss.Config) { c.WithRetryMaxAttempts(1) })
	_, err := c1.GetObject(testContext(t), &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	wantCode(t, "skewed request", err, "RequestTimeTooSkewed")
	var se *oss.ServiceError
	asServiceError(err, &se)
	if d := time.Until(se.Timestamp); d < 50*time.Minute {
		t.Fatalf("error Date %v is not the server's (1 h ahead)", se.Timestamp)
	}
}
