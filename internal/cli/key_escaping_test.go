package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileKey holds what a terminal would act on: an escape sequence that
// clears the screen, a carriage return that overwrites the line, a newline
// that forges a second message, and a C0 control.
const hostileKey = "evil\x1b[2J\r\nossq get: fake\x01.txt"

// assertNoRawControls fails if out holds a control byte other than the
// newlines that end lines: the escapes must all be visible text.
func assertNoRawControls(t *testing.T, what, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if i := strings.IndexFunc(line, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
			t.Fatalf("%s holds a raw control %q in line %q", what, line[i], line)
		}
	}
	if strings.Contains(out, "\nossq get: fake") {
		t.Fatalf("%s lets a key forge a line of its own:\n%s", what, out)
	}
}

func TestGetAndPutEscapeKeysInMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.put("tree/"+hostileKey, []byte("payload"))

	// A tree download prints the key in its summary and notices.
	dest := filepath.Join(e.work, "out")
	code, _, stderr := e.run("get", "oss://data/tree/", dest)
	if code != ExitOK {
		t.Fatalf("get exit %d:\n%s", code, stderr)
	}
	assertNoRawControls(t, "get stderr", stderr)
	sameFile(t, filepath.Join(dest, hostileKey), []byte("payload"))

	// A missing key is echoed in the error, and in the resume/hint lines.
	code, _, stderr = e.run("get", "oss://data/missing/"+hostileKey, filepath.Join(e.work, "x"))
	if code != ExitFailure {
		t.Fatalf("get of a missing key: exit %d:\n%s", code, stderr)
	}
	assertNoRawControls(t, "get (missing) stderr", stderr)
	mustContain(t, "get (missing) stderr", stderr, `evil\x1b[2J\r\n`)

	// An upload from a file whose name is hostile names it in the summary.
	src := filepath.Join(e.work, "up", hostileKey)
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, []byte("up"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = e.run("put", src, "oss://data/up/")
	if code != ExitOK {
		t.Fatalf("put exit %d:\n%s", code, stderr)
	}
	assertNoRawControls(t, "put stderr", stderr)
	mustContain(t, "put stderr", stderr, `evil\x1b[2J\r\n`)
	if got := string(e.server.Object("up/" + hostileKey)); got != "up" {
		t.Fatalf("uploaded object holds %q", got)
	}

	// ls prints one line per entry, escaped.
	code, stdout, stderr := e.run("ls", "oss://data/tree/")
	if code != ExitOK {
		t.Fatalf("ls exit %d:\n%s", code, stderr)
	}
	assertNoRawControls(t, "ls stdout", stdout)
	if n := strings.Count(stdout, "\n"); n != 1 {
		t.Fatalf("ls printed %d lines for one object:\n%s", n, stdout)
	}
}
