package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"ossq/internal/ossemu"
)

const (
	serveTestAK     = "LTAI-test-key-id"
	serveTestSecret = "test-secret-value"
	// metadataRolesPath is the ECS metadata service's path for RAM role keys.
	metadataRolesPath = "/latest/meta-data/ram/security-credentials/"
)

// startServe runs `ossq serve args` until the test ends and returns the
// first stdout line, the exit code channel and the stop function.
func startServe(t *testing.T, args []string, stderr io.Writer) (firstLine string, done <-chan int, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	codes := make(chan int, 1)
	go func() {
		code := serve(ctx, args, pw, stderr)
		pw.Close()
		codes <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve %q printed no endpoint: %v", args, err)
	}
	go io.Copy(io.Discard, pr)
	return line, codes, cancel
}

func serveClient(endpoint string, provider credentials.CredentialsProvider) *oss.Client {
	return oss.NewClient(oss.LoadDefaultConfig().WithRegion("cn-hangzhou").WithEndpoint(endpoint).WithCredentialsProvider(provider))
}

func serveContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestServeCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--bogus"}, {"--rate", "12XB"}, {"--fail-rate", "2"}, {"--access-key-id", "only-id"},
		{"--bucket", "Bad_Name"}, {"--addr", "nonsense"}, {"extra-arg"}, {"--fail-nth", "0"}, {"--replace-after", "bkt/k"},
		{"--replace-after", "nokey=5"}, {"--latency", "fast"},
	} {
		var stderr bytes.Buffer
		if code := serve(context.Background(), args, io.Discard, &stderr); code != 2 || stderr.Len() == 0 {
			t.Fatalf("serve %q: exit %d, stderr %q; want 2 and a message", args, code, stderr.String())
		}
	}

	root := t.TempDir()
	line, done, stop := startServe(t, []string{"--root", root, "--bucket", "one", "--bucket", "two", "--rate", "64MiB", "--latency", "1ms", "--fail-nth", "1000000", "--replace-after", "one/x=1MiB",
		"--access-key-id", serveTestAK, "--access-key-secret", serveTestSecret, "--demo-data"}, io.Discard)
	if !regexp.MustCompile(`^endpoint: http://127\.0\.0\.1:\d+\n$`).MatchString(line) {
		t.Fatalf("first line %q", line)
	}
	endpoint := strings.TrimSpace(strings.TrimPrefix(line, "endpoint: "))
	c := serveClient(endpoint, credentials.NewStaticCredentialsProvider(serveTestAK, serveTestSecret))
	// the four demo buckets (demo-versions among them) and the two of --bucket
	lb, err := c.ListBuckets(serveContext(t), &oss.ListBucketsRequest{})
	if err != nil || len(lb.Buckets) != 6 {
		t.Fatalf("ListBuckets: %v %+v", err, lb)
	}
	resp, err := http.Get(endpoint + "/one/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("unsigned request with keys configured: status %d", resp.StatusCode)
	}
	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
}

func TestServeAcceptsBodyFaultFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--body-reset-rate", "1.5"}, {"--body-truncate-rate", "-0.1"}} {
		var out, errOut strings.Builder
		if code := serve(serveContext(t), args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "Body") {
			t.Errorf("serve %q: exit %d, %s", args, code, errOut.String())
		}
	}
}

// `ossq serve --sts-ttl` serves temporary keys and says where.
func TestServeWithSTSTTL(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	if code := serve(context.Background(), []string{"--sts-ttl", "-1s"}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "--sts-ttl") {
		t.Fatalf("negative --sts-ttl: exit %d, %q", code, stderr.String())
	}
	var logs serveOutput
	line, done, stop := startServe(t, []string{"--bucket", "one", "--sts-ttl", "30s", "--sts-role", "my-role"}, &logs)
	endpoint := strings.TrimSpace(strings.TrimPrefix(line, "endpoint: "))
	res, err := http.Get(endpoint + metadataRolesPath + "my-role")
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ AccessKeyId, AccessKeySecret, SecurityToken string }
	err = json.NewDecoder(res.Body).Decode(&c)
	res.Body.Close()
	if res.StatusCode != 200 || err != nil || c.SecurityToken == "" {
		t.Fatalf("metadata credentials: %d %v %+v", res.StatusCode, err, c)
	}
	temporary := credentials.NewStaticCredentialsProvider(c.AccessKeyId, c.AccessKeySecret, c.SecurityToken)
	if _, err := serveClient(endpoint, temporary).ListObjectsV2(serveContext(t), &oss.ListObjectsV2Request{Bucket: oss.Ptr("one")}); err != nil {
		t.Fatal(err)
	}
	stop()
	<-done
	for _, want := range []string{"region cn-hangzhou", "metadata_endpoint", ossemu.CredentialsURIPath, "sts_endpoint"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("serve's stderr lacks %q:\n%s", want, logs.String())
		}
	}
}

// serveOutput is a bytes.Buffer safe for a writer and a reader goroutine.
type serveOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveOutput) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *serveOutput) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
