package cli

import (
	"errors"
	"strings"
	"testing"

	"ossq/internal/ossname"
)

// FuzzParseOSSURL: any argument is ossname's address or a usage error with
// ossname's message (never a panic, never another kind of error), so a bad
// address always exits 2 with the reason.
func FuzzParseOSSURL(f *testing.F) {
	for _, s := range []string{"oss://bucket/key", "oss://bucket", "oss://bucket/", "OSS://b-1/dir/", "oss:///key", "oss://Bad/k",
		"oss://bucket//k", "oss://bucket/" + strings.Repeat("k", 1024), "s3://bucket/k", "oss://-b-/k", "oss://bucket/日本/\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := parseOSSURL(s)
		want, wantErr := ossname.Parse(s)
		if err != nil {
			var usage *usageError
			if !errors.As(err, &usage) || wantErr == nil || usage.msg != wantErr.Error() {
				t.Fatalf("parseOSSURL(%q): %v is not a usage error saying ossname's %v", s, err, wantErr)
			}
			return
		}
		if wantErr != nil || u != want {
			t.Fatalf("parseOSSURL(%q) = %+v; ossname.Parse gives %+v, %v", s, u, want, wantErr)
		}
	})
}
