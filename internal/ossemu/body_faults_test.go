package ossemu

import (
	"bytes"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/retry"
)

// A truncated upload body is stored short, and the server's CRC64 header
// tells the truth about what it stored: a client that checks the CRC of
// what it sent (the SDK does) sees the mismatch and retries.
func TestBodyTruncateStoresShortBodyWithItsCRC(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	data := randomBytes(300<<10, 5)
	s.SetFaults(Faults{BodyTruncateRate: 1, Seed: 7})
	// Unsigned raw PUT (no credentials configured), so nothing retries.
	req, err := http.NewRequest(http.MethodPut, endpoint+"/"+testBucket+"/cut", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Connection") != "close" && !res.Close {
		t.Fatalf("status %d, close %v", res.StatusCode, res.Close)
	}
	s.SetFaults(Faults{})
	c := newClient(endpoint, testAK, testSecret)
	_, stored := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("cut")})
	if len(stored) >= len(data) || !bytes.Equal(stored, data[:len(stored)]) {
		t.Fatalf("stored %d bytes, want a strict prefix of the %d sent", len(stored), len(data))
	}
	want := crc64.Checksum(stored, crc64.MakeTable(crc64.ECMA))
	if got := res.Header.Get("x-oss-hash-crc64ecma"); got != strconv.FormatUint(want, 10) {
		t.Fatalf("CRC64 header %s, want %d (of the stored bytes)", got, want)
	}
	if st := s.Stats(); st.InjectedBodyTruncations != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// A reset upload gets no response at all (never a 200 it could believe),
// and the object is not created.
func TestBodyResetAbortsWithoutAnswer(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	s.SetFaults(Faults{BodyResetRate: 1, Seed: 3})
	req, err := http.NewRequest(http.MethodPut, endpoint+"/"+testBucket+"/reset", bytes.NewReader(randomBytes(200<<10, 1)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		res.Body.Close()
		t.Fatalf("a reset upload got an answer: %d", res.StatusCode)
	}
	if st := s.Stats(); st.InjectedBodyResets != 1 {
		t.Fatalf("stats %+v", st)
	}
	if s.store.objectExists(testBucket, "reset") {
		t.Fatal("a reset upload created the object")
	}
}

// Through the SDK, uploads (single and multipart) under both faults end
// byte-identical when each failed request is sent again with a fresh body
// and the caller checks the CRC64 the server reports, as ossq's engine does.
// The SDK's own retry and upload CRC check are off: after a reset or an
// early answer the HTTP transport may still be reading the body, and the SDK
// rewinding it or summing its CRC then is a data race -race reports.
func TestSDKUploadSurvivesBodyFaults(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret, func(cfg *oss.Config) {
		cfg.Retryer = retry.NopRetryer{}
		cfg.DisableUploadCRC64Check = oss.Ptr(true)
	})
	crcOK := func(got *string, body []byte) error {
		if want := strconv.FormatUint(crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), 10); oss.ToString(got) != want {
			return fmt.Errorf("server CRC64 %s, body %s", oss.ToString(got), want)
		}
		return nil
	}
	s.SetFaults(Faults{BodyResetRate: 0.2, BodyTruncateRate: 0.2, Seed: 11})
	ctx := testContext(t)
	send := func(what string, call func() error) {
		t.Helper()
		var err error
		for attempt := 0; attempt < 40; attempt++ {
			if err = call(); err == nil {
				return
			}
		}
		t.Fatalf("%s: still failing after 40 attempts: %v", what, err)
	}
	small := randomBytes(150<<10, 2)
	send("PutObject", func() error {
		res, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("small"), Body: bytes.NewReader(small)})
		if err != nil {
			return err
		}
		return crcOK(res.HashCRC64, small)
	})
	big := randomBytes(2<<20, 3)
	const partSize = 200 << 10
	var up *oss.InitiateMultipartUploadResult
	send("InitiateMultipartUpload", func() (err error) {
		up, err = c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("big")})
		return err
	})
	var parts []oss.UploadPart
	for n, off := int32(1), 0; off < len(big); n, off = n+1, off+partSize {
		body := big[off:min(off+partSize, len(big))]
		send(fmt.Sprintf("UploadPart %d", n), func() error {
			res, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("big"), UploadId: up.UploadId,
				PartNumber: n, Body: bytes.NewReader(body)})
			if err == nil {
				err = crcOK(res.HashCRC64, body)
			}
			if err == nil {
				parts = append(parts, oss.UploadPart{PartNumber: n, ETag: res.ETag})
			}
			return err
		})
	}
	send("CompleteMultipartUpload", func() error {
		_, err := c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("big"),
			UploadId: up.UploadId, CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: parts}})
		return err
	})
	s.SetFaults(Faults{})
	for key, want := range map[string][]byte{"small": small, "big": big} {
		_, got := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key)})
		mustEqualBytes(t, key, got, want)
	}
	if st := s.Stats(); st.InjectedBodyResets == 0 || st.InjectedBodyTruncations == 0 {
		t.Errorf("faults did not fire: %+v", st)
	}
}
