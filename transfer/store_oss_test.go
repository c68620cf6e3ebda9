package transfer

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"ossq/internal/ossemu/ossemutest"
)

// The SDK store against a server that checks signatures: V4 and V1 with
// the right keys work; a wrong secret fails with the OSS code, message and
// request ID kept for the details view.
func TestOSSStoreSigningAndErrorInfo(t *testing.T) {
	t.Parallel()
	srv := ossemutest.NewServer(t, ossemutest.WithBucket(testBucket), ossemutest.WithCredentials("AKID-test", "right-secret"))
	ep := srv.Endpoint
	srv.MustPut("k", []byte("hello"))
	ctx := testCtx(t, 30*time.Second)
	for _, sig := range []string{"v4", "v1"} {
		st, err := NewOSSStore(ClientOptions{Endpoint: ep, Region: "cn-hangzhou", SignatureVersion: sig,
			AccessKeyID: "AKID-test", AccessKeySecret: "right-secret", Retries: 1})
		if err != nil {
			t.Fatal(err)
		}
		obj, err := st.HeadObject(ctx, testBucket, "k")
		if err != nil || obj.Size != 5 || obj.ETag == "" || obj.CRC64 == "" {
			t.Fatalf("%s: HeadObject %+v %v", sig, obj, err)
		}
		page, err := st.ListObjects(ctx, testBucket, "", "/", "", 10)
		if err != nil || len(page.Objects) != 1 {
			t.Fatalf("%s: ListObjects %+v %v", sig, page, err)
		}
		bad, _ := NewOSSStore(ClientOptions{Endpoint: ep, Region: "cn-hangzhou", SignatureVersion: sig,
			AccessKeyID: "AKID-test", AccessKeySecret: "wrong-secret", Retries: 1})
		_, err = bad.GetRange(ctx, testBucket, "k", 0, -1, "")
		var oe *OSSError
		if !errors.As(err, &oe) {
			t.Fatalf("%s: wrong secret: %v, want *OSSError", sig, err)
		}
		if oe.Info.Code != "SignatureDoesNotMatch" || oe.Info.Status != 403 || oe.Info.RequestID == "" || oe.Info.Op != "GetObject" {
			t.Errorf("%s: error info %+v", sig, oe.Info)
		}
		if classify(err) != classPermanent {
			t.Errorf("%s: a signature error must not be retried", sig)
		}
		if strings.Contains(err.Error(), "wrong-secret") {
			t.Errorf("%s: the secret leaked into the error text", sig)
		}
	}
	// HEAD errors have no body; the code comes from x-oss-err.
	st, _ := NewOSSStore(ClientOptions{Endpoint: ep, Region: "cn-hangzhou", AccessKeyID: "AKID-test", AccessKeySecret: "right-secret"})
	_, err := st.HeadObject(ctx, testBucket, "missing")
	var oe *OSSError
	if !errors.As(err, &oe) || oe.Info.Code != "NoSuchKey" || oe.Info.Status != 404 {
		t.Errorf("HEAD of a missing key: %v", err)
	}
}

func TestGetRangeChecksTheAnswer(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	data := randomData(1000, 1)
	env.srv.PutBytes(testBucket, "k", data)
	ctx := testCtx(t, 10*time.Second)
	rc, err := env.store.GetRange(ctx, testBucket, "k", 100, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(got) != string(data[100:150]) {
		t.Fatalf("range read: %d bytes, %v", len(got), err)
	}
	// Asking past the end: the server answers fewer bytes than asked, which
	// must be an error, never a silently short part.
	if _, err := env.store.GetRange(ctx, testBucket, "k", 990, 50, ""); err == nil {
		t.Fatal("a short range answer was accepted")
	}
	// If-Match with a stale ETag is a 412, classified as "object changed".
	_, err = env.store.GetRange(ctx, testBucket, "k", 0, 10, `"0000"`)
	if classify(err) != classChanged {
		t.Fatalf("stale If-Match: %v (class %d)", err, classify(err))
	}
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{{"bytes 5-9/100", 5, true}, {"bytes 0-0/1", 0, true}, {"5-9/100", 0, false}, {"bytes x-9/100", 0, false}, {"", 0, false}} {
		got, err := contentRangeStart(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("contentRangeStart(%q) = %d, %v", c.in, got, err)
		}
	}
	short := &exactBody{rc: io.NopCloser(strings.NewReader("abc")), left: 5}
	if _, err := io.ReadAll(short); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short body: %v, want unexpected EOF", err)
	}
}
