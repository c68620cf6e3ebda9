package ossemu

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// TestWaitIdleWaitsForTheHandlerInHand: WaitIdle is true at once on an idle
// server, false while a GET stalls mid-body, and true once the client that
// sent it has gone and the handler has returned; every byte the client
// read is already counted then.
func TestWaitIdleWaitsForTheHandlerInHand(t *testing.T) {
	t.Parallel()
	s, endpoint := startServer(t, Config{Credentials: map[string]string{testAK: testSecret}})
	if err := s.PutBytes(testBucket, "k", make([]byte, 256<<10)); err != nil {
		t.Fatal(err)
	}
	if !s.WaitIdle(time.Second) {
		t.Fatal("an idle server is not idle")
	}
	s.SetFaults(Faults{StallRate: 1, Stall: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := newClient(endpoint, testAK, testSecret).GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(testBucket), Key: oss.Ptr("k")})
	if err != nil {
		t.Fatal(err)
	}
	read := make(chan int64, 1)
	go func() {
		n, _ := io.Copy(io.Discard, res.Body)
		read <- n
	}()
	if s.WaitIdle(200 * time.Millisecond) {
		t.Fatal("idle while a GET is stalled mid-body")
	}
	cancel()
	n := <-read
	res.Body.Close()
	if !s.WaitIdle(10 * time.Second) {
		t.Fatal("still serving 10 s after the client went away")
	}
	if got := s.Stats().GetBodyBytes; got < n {
		t.Errorf("the client read %d body bytes, the server counted %d", n, got)
	}
}
