package cli

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestRmAsksThenDeletesAnObjectOrAPrefixInBatches(t *testing.T) {
	t.Parallel()
	skipIfShort(t, "thousands of objects")
	e := newEnv(t, "")
	e.put("one.txt", []byte("12345"))
	keys := make([]string, 1500)
	for i := range keys {
		keys[i] = fmt.Sprintf("logs/%04d", i)
	}
	if err := e.server.PutGeneratedMany(testBucket, keys, 100, 1); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := e.run("rm", "oss://"+testBucket+"/one.txt")
	if code != ExitFailure || !strings.Contains(errOut, "delete oss://"+testBucket+"/one.txt (5 B)?") || !strings.Contains(errOut, "--yes") {
		t.Fatalf("rm without a terminal or --yes: exit %d %s", code, errOut)
	}
	if got := e.server.Object("one.txt"); string(got) != "12345" {
		t.Fatal("a refused rm deleted the object")
	}
	code, _, errOut = e.runInput("y\n", "rm", "oss://"+testBucket+"/one.txt")
	if code != ExitOK || !strings.Contains(errOut, "deleted oss://"+testBucket+"/one.txt") {
		t.Fatalf("rm answered yes: exit %d %s", code, errOut)
	}
	code, _, errOut = e.run("rm", "oss://"+testBucket+"/logs/")
	if code != ExitUsage || !strings.Contains(errOut, "rm -r") {
		t.Fatalf("rm of a prefix without -r: exit %d %s", code, errOut)
	}
	e.server.ResetStats()
	code, _, errOut = e.run("rm", "-r", "--yes", "oss://"+testBucket+"/logs")
	if code != ExitOK {
		t.Fatalf("rm -r: exit %d %s", code, errOut)
	}
	mustContain(t, "rm -r", errOut, "deleted 1000 of 1500", "deleted 1500 objects (146 KiB) in 2 requests")
	if n := e.server.Stats().Requests["DeleteMultipleObjects"]; n != 2 {
		t.Fatalf("%d DeleteMultipleObjects requests, want 2", n)
	}
	code, out, _ := e.run("ls", "--recursive", "oss://"+testBucket)
	if code != ExitOK || out != "" {
		t.Fatalf("left after rm -r:\n%s", out)
	}
}

func TestVersionsListDownloadAndDeleteMarker(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `multipart_threshold = "100KiB"`)
	if err := e.server.SetVersioning(testBucket, "Enabled"); err != nil {
		t.Fatal(err)
	}
	old, latest := randomBytes(300<<10, 21), randomBytes(200<<10, 22)
	e.put("doc.bin", old)
	e.put("doc.bin", latest)
	code, out, errOut := e.run("ls", "--versions", "oss://"+testBucket)
	if code != ExitOK {
		t.Fatalf("ls --versions: exit %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "latest") || strings.Contains(lines[1], "latest") || !strings.HasPrefix(strings.TrimSpace(lines[1]), "307200") {
		t.Fatalf("ls --versions:\n%s", out)
	}
	oldID := regexp.MustCompile(`CAEQ[0-9A-F]+`).FindString(lines[1])
	dest := filepath.Join(e.work, "old.bin")
	code, _, errOut = e.run("get", "oss://"+testBucket+"/doc.bin", dest, "--version-id", oldID, "--part-size", "100KiB")
	if code != ExitOK {
		t.Fatalf("get --version-id: exit %d %s", code, errOut)
	}
	sameFile(t, dest, old)
	code, _, errOut = e.run("get", "oss://"+testBucket+"/dir/", e.work, "--version-id", oldID)
	if code != ExitUsage {
		t.Fatalf("get of a prefix with --version-id: exit %d %s", code, errOut)
	}
	code, _, errOut = e.run("rm", "--yes", "oss://"+testBucket+"/doc.bin")
	if code != ExitOK || !strings.Contains(errOut, "delete marker") {
		t.Fatalf("rm on a versioned bucket: exit %d %s", code, errOut)
	}
	code, out, _ = e.run("ls", "--versions", "oss://"+testBucket)
	if code != ExitOK || !regexp.MustCompile(`(?m)^\s+-\s.*latest,deleted\s+doc\.bin$`).MatchString(out) {
		t.Fatalf("ls --versions after rm:\n%s", out)
	}
}

func TestPresignPrintsAURLThatWorksAndCpCopiesOnTheServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.put("src/a.txt", []byte("alpha"))
	e.put("src/sub/b.txt", []byte("beta"))
	code, out, errOut := e.run("presign", "oss://"+testBucket+"/src/a.txt", "--expires", "2h")
	if code != ExitOK || !strings.Contains(errOut, "valid until") {
		t.Fatalf("presign: exit %d %s", code, errOut)
	}
	resp, err := http.Get(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "alpha" {
		t.Fatalf("GET of the presigned URL: %d %q", resp.StatusCode, body)
	}
	if code, _, _ := e.run("presign", "oss://"+testBucket+"/src/a.txt", "--expires", "8d"); code != ExitUsage {
		t.Fatalf("presign --expires 8d: exit %d, want usage error", code)
	}
	e.server.ResetStats()
	code, _, errOut = e.run("cp", "oss://"+testBucket+"/src/a.txt", "oss://"+testBucket+"/copies/")
	if code != ExitOK {
		t.Fatalf("cp object: exit %d %s", code, errOut)
	}
	code, _, errOut = e.run("cp", "-r", "oss://"+testBucket+"/src/", "oss://"+testBucket+"/tree/")
	if code != ExitOK || !strings.Contains(errOut, "copied 2 objects") {
		t.Fatalf("cp -r: exit %d %s", code, errOut)
	}
	if st := e.server.Stats(); st.GetBodyBytes != 0 || st.PutBodyBytes != 0 {
		t.Fatalf("cp moved bytes through the client: %d down, %d up", st.GetBodyBytes, st.PutBodyBytes)
	}
	if string(e.server.Object("copies/a.txt")) != "alpha" || string(e.server.Object("tree/sub/b.txt")) != "beta" {
		t.Fatal("copies differ from their sources")
	}
}
