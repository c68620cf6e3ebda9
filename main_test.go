package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDispatch checks the command line's routing and exit codes without a
// terminal: usage errors are 2 with a clear message, help and version are 0.
func TestDispatch(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("OSSQ_CONFIG", "")
	cases := []struct {
		args     []string
		code     int
		stdout   string
		stderr   string
		noStdout bool
	}{
		{args: []string{"version"}, code: 0, stdout: "ossq "},
		{args: []string{"--version"}, code: 0, stdout: "ossq "},
		{args: []string{"--help"}, code: 0, stdout: "ossq get oss://BUCKET/KEY"},
		{args: []string{"help"}, code: 0, stdout: "--demo"},
		{args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`, noStdout: true},
		{args: []string{"--frobnicate"}, code: 2, stderr: "flag provided but not defined: -frobnicate", noStdout: true},
		{args: []string{"oss://a/", "oss://b/"}, code: 2, stderr: "too many arguments"},
		{args: []string{"oss://Bad/"}, code: 2, stderr: "only lower-case letters", noStdout: true},
		{args: []string{"serve", "--rate", "fast"}, code: 2, stderr: "rate"},
		{args: []string{"get"}, code: 2, stderr: "get"},
		{args: []string{"ls", "--parallel", "3", "oss://x"}, code: 2, stderr: "parallel"},
		// No config and no endpoint: a clear error, not a crash.
		{args: []string{}, code: 1, stderr: "try 'ossq --demo'"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), c.stdout) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), c.stdout)
			}
			if !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), c.stderr)
			}
			if c.noStdout && stdout.Len() > 0 {
				t.Errorf("usage error printed to stdout: %q", stdout.String())
			}
		})
	}
}

func TestStartAddressOpensAFolder(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"oss://bkt":          {"bkt", ""},
		"oss://bkt/":         {"bkt", ""},
		"oss://bkt/a/b":      {"bkt", "a/b/"},
		"oss://bkt/a/b/":     {"bkt", "a/b/"},
		"oss://bkt/日本語 dir/": {"bkt", "日本語 dir/"},
	} {
		var stdout, stderr bytes.Buffer
		f, _, stop := parseTUIFlags([]string{in}, &stdout, &stderr)
		if stop || f.start.Bucket != want[0] || f.start.Key != want[1] {
			t.Errorf("%q opens %+v (stopped %v, %s); want %q, %q", in, f.start, stop, stderr.String(), want[0], want[1])
		}
	}
}
