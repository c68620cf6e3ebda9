package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ossq/transfer"
)

// Every error line the CLI prints is the engine's one rendering of the
// ErrorInfo (transfer.ErrorInfo.String, which starts with its Summary):
// the CLI spells no cause of its own. Request IDs differ per request, so
// the table names the kind and the line must hold its summary, the request
// ID label and the status.
func TestCLIErrorsAreTheSharedRendering(t *testing.T) {
	e := newEnv(t, "")
	e.server.PutGenerated(testBucket, "cold.bin", 2048, 1, "Archive")
	e.server.PutGenerated(testBucket, "dir/cold.bin", 2048, 1, "Archive")
	e.put("dir/ok.txt", []byte("fine"))
	wrongKeys := filepath.Join(t.TempDir(), "wrong.toml")
	text, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wrongKeys, []byte(strings.Replace(string(text), testSecret, "not-the-secret", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	const archived = "object is in Archive storage; restore it first" // the engine's own message
	cases := []struct {
		name string
		cmd  string
		args []string
		want transfer.ErrorInfo // the kind; the line holds its Summary
	}{
		{"unknown bucket", "ls", []string{"oss://no-such-bucket/"},
			transfer.ErrorInfo{Op: "ListObjects", Code: transfer.CodeNoSuchBucket, Status: 404}},
		{"missing object", "get", []string{"oss://data/missing.bin", filepath.Join(e.work, "m")},
			transfer.ErrorInfo{Op: "HeadObject", Code: transfer.CodeNoSuchKey, Status: 404}},
		{"wrong secret", "ls", []string{"--config", wrongKeys, "oss://data/"},
			transfer.ErrorInfo{Op: "ListObjects", Code: "SignatureDoesNotMatch", Status: 403}},
		{"archived object", "get", []string{"oss://data/cold.bin", filepath.Join(e.work, "c")},
			transfer.ErrorInfo{Op: "HeadObject", Code: transfer.CodeInvalidObjectState, Message: archived}},
		{"archived item of a folder", "get", []string{"oss://data/dir/", filepath.Join(e.work, "d")},
			transfer.ErrorInfo{Op: "GetObject", Code: transfer.CodeInvalidObjectState, Message: archived}},
	}
	for _, c := range cases {
		code, _, errOut := e.run(c.cmd, c.args...)
		if code == ExitOK {
			t.Errorf("%s: exit 0, stderr %s", c.name, errOut)
			continue
		}
		want := c.want.Summary()
		if !strings.Contains(errOut, want) {
			t.Errorf("%s: stderr lacks the shared summary %q:\n%s", c.name, want, errOut)
		}
		if c.want.Status != 0 && !strings.Contains(errOut, fmt.Sprintf("(HTTP %d, request ID ", c.want.Status)) {
			t.Errorf("%s: stderr lacks the status and request ID of ErrorInfo.String:\n%s", c.name, errOut)
		}
	}
}
