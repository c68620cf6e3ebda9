package ossname

import (
	"strings"
	"testing"
)

func TestParseReadsBucketAndKey(t *testing.T) {
	for in, want := range map[string]URL{
		"oss://bkt":               {Bucket: "bkt"},
		"oss://bkt/":              {Bucket: "bkt"},
		"OSS://bkt/a/b":           {Bucket: "bkt", Key: "a/b"},
		"oss://b-1/dir/":          {Bucket: "b-1", Key: "dir/"},
		"oss://bkt/日本語 dir/x.txt": {Bucket: "bkt", Key: "日本語 dir/x.txt"},
		"oss://bkt/a//b":          {Bucket: "bkt", Key: "a//b"},
		"oss://bkt/%41":           {Bucket: "bkt", Key: "%41"}, // literal, not percent-decoded
	} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
}

func TestParseRejectsWithAClearMessage(t *testing.T) {
	for in, want := range map[string]string{
		"s3://bkt/k":                             "is not an oss://BUCKET/KEY address",
		"bkt/k":                                  "is not an oss://BUCKET/KEY address",
		"oss://":                                 "names no bucket",
		"oss:///k":                               "names no bucket",
		"oss://ab/k":                             "3 to 63 characters",
		"oss://" + strings.Repeat("b", 64):       "3 to 63 characters",
		"oss://Bucket/k":                         "only lower-case letters, digits and hyphens",
		"oss://my_bucket/k":                      "only lower-case letters, digits and hyphens",
		"oss://-bkt/k":                           "cannot start or end with a hyphen",
		"oss://bkt-/k":                           "cannot start or end with a hyphen",
		"oss://bkt//k":                           "cannot start with '/'",
		`oss://bkt/\k`:                           `cannot start with '\\'`,
		"oss://bkt/" + strings.Repeat("k", 1024): "at most 1023 bytes, this one has 1024",
		"oss://bkt/bad\xffutf8":                  "valid UTF-8",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error %v; want one saying %q", in, err, want)
		}
	}
}

func TestKeyLimitIsInBytes(t *testing.T) {
	if err := CheckKey(strings.Repeat("k", MaxKeyLen)); err != nil {
		t.Errorf("a key of exactly %d bytes: %v", MaxKeyLen, err)
	}
	// 341 × 3-byte runes = 1023 bytes; one more is over, though only 342 characters.
	if err := CheckKey(strings.Repeat("日", 341)); err != nil {
		t.Errorf("1023 bytes of CJK: %v", err)
	}
	if err := CheckKey(strings.Repeat("日", 342)); err == nil {
		t.Error("1026 bytes of CJK accepted")
	}
}

func TestParseLocationTakesWhatAPersonTypes(t *testing.T) {
	for in, want := range map[string]URL{
		"bkt":                 {Bucket: "bkt"},
		"  bkt/a/b  ":         {Bucket: "bkt", Key: "a/b"},
		"oss://bkt/a/":        {Bucket: "bkt", Key: "a/"},
		" OSS://bkt/日本語 dir/": {Bucket: "bkt", Key: "日本語 dir/"},
	} {
		got, err := ParseLocation(in)
		if err != nil || got != want {
			t.Errorf("ParseLocation(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "  ", "UPPER", "ab", "bkt//x", "-x-"} {
		if got, err := ParseLocation(in); err == nil {
			t.Errorf("ParseLocation(%q) = %+v accepted", in, got)
		}
	}
}

func TestPrefixesAndFolderNames(t *testing.T) {
	for _, c := range []struct {
		url      URL
		prefix   bool
		asPrefix string
		folder   string
		base     string
	}{
		{URL{"bkt", ""}, true, "", "bkt", ""},
		{URL{"bkt", "a/b/"}, true, "a/b/", "b", "b"},
		{URL{"bkt", "a/b"}, false, "a/b/", "b", "b"},
		{URL{"bkt", "x.txt"}, false, "x.txt/", "x.txt", "x.txt"},
		{URL{"bkt", "a/../"}, true, "a/../", "bkt", ".."},
		{URL{"bkt", "./"}, true, "./", "bkt", "."},
		{URL{"bkt", "a//"}, true, "a//", "bkt", ""},
	} {
		if got := c.url.IsPrefix(); got != c.prefix {
			t.Errorf("%+v IsPrefix = %v", c.url, got)
		}
		if got := c.url.AsPrefix().Key; got != c.asPrefix {
			t.Errorf("%+v AsPrefix key = %q, want %q", c.url, got, c.asPrefix)
		}
		if got := c.url.FolderName(); got != c.folder {
			t.Errorf("%+v FolderName = %q, want %q", c.url, got, c.folder)
		}
		if got := Base(c.url.Key); got != c.base {
			t.Errorf("Base(%q) = %q, want %q", c.url.Key, got, c.base)
		}
	}
}

func TestStringAndJoinWriteTheAddress(t *testing.T) {
	if got := (URL{"bkt", "a/b"}).String(); got != "oss://bkt/a/b" {
		t.Errorf("String = %q", got)
	}
	if got := Join("bkt", ""); got != "oss://bkt/" {
		t.Errorf("Join of the top = %q", got)
	}
}

func TestPartSizeLimit(t *testing.T) {
	for n, ok := range map[int64]bool{-1: false, 0: true, 1: true, 8 << 20: true, MaxPartSize: true, MaxPartSize + 1: false} {
		if err := CheckPartSize(n); (err == nil) != ok {
			t.Errorf("CheckPartSize(%d) = %v", n, err)
		}
	}
}

func TestParallelLimit(t *testing.T) {
	for n, ok := range map[int]bool{0: false, 1: true, 8: true, 100: true, 101: false, -3: false} {
		if err := CheckParallel(n); (err == nil) != ok {
			t.Errorf("CheckParallel(%d) = %v", n, err)
		}
	}
	for in, want := range map[int]int{-1: 1, 0: 1, 50: 50, 100000: 100} {
		if got := ClampParallel(in); got != want {
			t.Errorf("ClampParallel(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestPartLimitsFitTogether(t *testing.T) {
	// The largest object OSS takes in parts must fit in MaxParts of MaxPartSize,
	// and MinPartSize is OSS's documented 100 KB (102,400 bytes).
	if MinPartSize != 102400 || MaxPartSize != 5<<30 || MaxParts != 10000 {
		t.Errorf("part limits %d, %d, %d", MinPartSize, MaxPartSize, MaxParts)
	}
}

// FuzzParse: any text is an address or an error with a message (never a
// panic); an address names a bucket and key OSS accepts and prints back to
// a string that parses to the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"oss://bucket/key", "oss://bucket", "oss://bucket/", "OSS://b-1/dir/", "oss:///key", "oss://Bad/k",
		"oss://bucket//k", "oss://bucket/" + strings.Repeat("k", 1024), "s3://bucket/k", "oss://-b-/k", "oss://bucket/日本/\x1b",
		"oss://bucket/\\k", "oss://bucket/\xff", "oss:/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Parse(%q): empty error", s)
			}
			return
		}
		if CheckBucket(u.Bucket) != nil {
			t.Fatalf("Parse(%q): invalid bucket %q accepted", s, u.Bucket)
		}
		if u.Key != "" && CheckKey(u.Key) != nil {
			t.Fatalf("Parse(%q): invalid key %q accepted", s, u.Key)
		}
		again, err := Parse(u.String())
		if err != nil || again != u {
			t.Fatalf("Parse(%q) = %+v, but its String %q parses to %+v, %v", s, u, u.String(), again, err)
		}
		if loc, err := ParseLocation(s); s == strings.TrimSpace(s) && (err != nil || loc != u) {
			t.Fatalf("ParseLocation(%q) = %+v, %v; Parse gave %+v", s, loc, err, u)
		}
		if u.FolderName() == "" {
			t.Fatalf("%+v has an empty folder name", u)
		}
	})
}

// FuzzParseLocation: what a person types is a location OSS accepts or an
// error, never a panic; a location prints as an address Parse reads back.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"oss://b-1/k", "bucket/", "oss://x", "oss://ab/", "oss://abc//k", "UPPER/k", " bkt/a b ", "bkt", "\tbkt/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseLocation(s)
		if err != nil {
			return
		}
		if again, err := Parse(u.String()); err != nil || again != u {
			t.Fatalf("ParseLocation(%q) = %+v, but %q parses to %+v, %v", s, u, u.String(), again, err)
		}
	})
}
