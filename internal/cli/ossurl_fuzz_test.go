package cli

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseOSSURL: any argument is an address or a usage error (never a
// panic, never another kind of error); an address names a valid bucket and
// a key OSS accepts, and prints back to a string that parses to the same.
func FuzzParseOSSURL(f *testing.F) {
	for _, s := range []string{"oss://bucket/key", "oss://bucket", "oss://bucket/", "OSS://b-1/dir/", "oss:///key", "oss://Bad/k",
		"oss://bucket//k", "oss://bucket/" + strings.Repeat("k", 1024), "s3://bucket/k", "oss://-b-/k", "oss://bucket/日本/\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := parseOSSURL(s)
		if err != nil {
			var usage *usageError
			if !errors.As(err, &usage) || usage.msg == "" {
				t.Fatalf("parseOSSURL(%q): %v is not a usage error", s, err)
			}
			return
		}
		if bucketNameProblem(u.Bucket) != "" {
			t.Fatalf("parseOSSURL(%q): invalid bucket %q accepted", s, u.Bucket)
		}
		if strings.HasPrefix(u.Key, "/") || len(u.Key) > 1023 {
			t.Fatalf("parseOSSURL(%q): key %q accepted", s, u.Key)
		}
		again, err := parseOSSURL(u.String())
		if err != nil || again != u {
			t.Fatalf("parseOSSURL(%q) = %+v, but its String %q parses to %+v, %v", s, u, u.String(), again, err)
		}
		if u.IsPrefix() != (u.Key == "" || strings.HasSuffix(u.Key, "/")) {
			t.Fatalf("IsPrefix(%+v) wrong", u)
		}
	})
}
