package ossemu

import (
	"bytes"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// A truncated upload body is stored short, and the server's CRC64 header
// tells the truth about what it stored: a client that checks the CRC of
// what it sent (the SDK does) sees the mismatch and retries.
func TestBodyTruncateStoresShortBodyWithItsCRC(t *testing.T) {
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
	if s.objectExists(testBucket, "reset") {
		t.Fatal("a reset upload created the object")
	}
}

// Through the SDK, uploads (single and multipart) under both faults end
// byte-identical: the SDK retries resets and CRC mismatches.
func TestSDKUploadSurvivesBodyFaults(t *testing.T) {
	s, endpoint := startServer(t, Config{})
	c := newClient(endpoint, testAK, testSecret, func(cfg *oss.Config) { cfg.RetryMaxAttempts = oss.Ptr(10) })
	s.SetFaults(Faults{BodyResetRate: 0.2, BodyTruncateRate: 0.1, Seed: 11})
	small := randomBytes(150<<10, 2)
	if _, err := c.PutObject(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("small"), Body: bytes.NewReader(small)}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	big := randomBytes(2<<20, 3)
	u := c.NewUploader(func(o *oss.UploaderOptions) { o.PartSize = 200 << 10; o.ParallelNum = 2 })
	if _, err := u.UploadFrom(testContext(t), &oss.PutObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("big")}, bytes.NewReader(big)); err != nil {
		t.Fatalf("multipart upload: %v", err)
	}
	s.SetFaults(Faults{})
	for key, want := range map[string][]byte{"small": small, "big": big} {
		_, got := getBytes(t, c, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr(key)})
		mustEqualBytes(t, key, got, want)
	}
	if st := s.Stats(); st.InjectedBodyResets == 0 || st.InjectedBodyTruncations == 0 {
		t.Errorf("faults did not fire: %+v", st)
	}
}

func TestServeAcceptsBodyFaultFlags(t *testing.T) {
	for _, args := range [][]string{{"--body-reset-rate", "1.5"}, {"--body-truncate-rate", "-0.1"}} {
		var out, errOut strings.Builder
		if code := serve(testContext(t), args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "Body") {
			t.Errorf("serve %q: exit %d, %s", args, code, errOut.String())
		}
	}
}
