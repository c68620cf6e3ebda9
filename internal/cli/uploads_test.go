package cli

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
)

// `put --no-checkpoint` killed with SIGKILL leaves an incomplete upload: it
// is listed, verified against the file and taken over by put
// --resume-upload, which sends only what was missing; abort frees another.
func TestOrphanOfAKilledPutIsFoundVerifiedAndTakenOver(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "kill/restart test")
	// Sized like the kill tests in resume_test.go: more than socket buffers
	// hold, so the kill really leaves parts missing.
	const size, kill = resumeSize, killAfter
	e := newEnv(t, `multipart_threshold = "1MiB"`, ossemutest.WithConfig(func(c *ossemu.Config) { c.Faults.RatePerConn = resumeRate }))
	data := randomBytes(size, 11)
	src := e.writeFile("big.bin", data)
	dst := "oss://" + testBucket + "/up/big.bin"
	args := []string{src, dst, "--part-size", resumePartFlag, "--parallel", "4", "--no-checkpoint"}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := e.startChild(ctx, "put", args...)
	e.waitForBytes(c, putBytes, kill)
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	first := e.server.Stats().PutBodyBytes
	e.server.SetFaults(ossemu.Faults{})

	code, out, errOut := e.run("uploads", "ls", "oss://"+testBucket+"/up/")
	if code != ExitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, dst) || !strings.Contains(errOut, "1 incomplete upload") {
		t.Fatalf("uploads ls after the kill: exit %d\n%s%s", code, out, errOut)
	}
	e.server.ResetStats()
	code, _, errOut = e.run("put", src, dst, "--resume-upload")
	if code != ExitOK {
		t.Fatalf("put --resume-upload: exit %d: %s", code, errOut)
	}
	mustContain(t, "put --resume-upload", errOut, "taking over upload", "verified against the file")
	if got := e.server.Object("up/big.bin"); !bytes.Equal(got, data) {
		t.Fatalf("taken-over upload differs from the file")
	}
	if n := e.server.Stats().Requests["InitiateMultipartUpload"]; n != 0 {
		t.Fatalf("the take-over started %d new uploads", n)
	}
	checkResumed(t, "take-over", first, e.server.Stats().PutBodyBytes, resumeSlack)
	code, out, _ = e.run("uploads", "ls", "oss://"+testBucket)
	if code != ExitOK || out != "" {
		t.Fatalf("uploads left after the take-over:\n%s", out)
	}
}

func TestUploadsAbortFreesOneOrAll(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `multipart_threshold = "200KiB"`)
	store := e.store()
	ctx := context.Background()
	var ids []string
	for _, key := range []string{"tmp/a", "tmp/b", "keep/c"} {
		id, err := store.InitiateMultipart(ctx, testBucket, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.UploadPart(ctx, testBucket, key, id, 1, bytes.NewReader(make([]byte, 1000)), 1000); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	code, _, errOut := e.run("uploads", "abort", "oss://"+testBucket+"/tmp/a")
	if code != ExitUsage || !strings.Contains(errOut, "--upload-id") {
		t.Fatalf("abort without an ID: exit %d %s", code, errOut)
	}
	code, _, errOut = e.run("uploads", "abort", "oss://"+testBucket+"/tmp/a", "--upload-id", ids[0])
	if code != ExitOK || !strings.Contains(errOut, "1000 B freed") {
		t.Fatalf("abort one: exit %d %s", code, errOut)
	}
	// --all without --yes and without a terminal refuses and does nothing.
	code, _, errOut = e.run("uploads", "abort", "--all", "oss://"+testBucket+"/tmp/")
	if code != ExitFailure || !strings.Contains(errOut, "--yes") {
		t.Fatalf("abort --all without --yes: exit %d %s", code, errOut)
	}
	code, _, errOut = e.runInput("n\n", "uploads", "abort", "--all", "oss://"+testBucket+"/tmp/")
	if code != ExitFailure || !strings.Contains(errOut, "abort 1 incomplete upload under oss://"+testBucket+"/tmp/, freeing 1000 B? [y/N]") {
		t.Fatalf("abort --all answered no: exit %d %s", code, errOut)
	}
	code, _, errOut = e.runInput("y\n", "uploads", "abort", "--all", "oss://"+testBucket+"/tmp/")
	if code != ExitOK || !strings.Contains(errOut, "aborted 1 upload, 1000 B freed") {
		t.Fatalf("abort --all answered yes: exit %d %s", code, errOut)
	}
	code, out, _ := e.run("uploads", "ls", "oss://"+testBucket)
	if code != ExitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, "keep/c") {
		t.Fatalf("after aborting tmp/: %s", out)
	}
	// A put of a multipart-sized file to keep/c notes the upload left there.
	src := e.writeFile("c.bin", randomBytes(300<<10, 12))
	code, _, errOut = e.run("put", src, "oss://"+testBucket+"/keep/c", "--part-size", "100KiB")
	if code != ExitOK {
		t.Fatalf("put: exit %d %s", code, errOut)
	}
	mustContain(t, "put of a key with an incomplete upload", errOut, "has 1 incomplete upload (1000 B of parts, billed)", "--resume-upload")
}
