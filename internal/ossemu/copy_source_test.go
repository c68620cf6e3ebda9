package ossemu

import (
	"testing"
)

func TestParseCopySourceReadsBucketKeyAndVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in                   string
		bucket, key, version string
		ok                   bool
	}{
		{"/bkt/a/b.txt", "bkt", "a/b.txt", "", true},
		{"/bkt/with%20space%3F.txt?versionId=CAEQ12", "bkt", "with space?.txt", "CAEQ12", true},
		{"bkt/k", "", "", "", false},
		{"/bkt/", "", "", "", false},
		{"/Bad_Bucket/k", "", "", "", false},
		{"/bkt/k?versionId=", "", "", "", false},
		{"/bkt/%zz", "", "", "", false},
	} {
		src, e := parseCopySource(tc.in)
		if ok := e == nil; ok != tc.ok || ok && (src.bucket != tc.bucket || src.key != tc.key || src.versionID != tc.version) {
			t.Errorf("parseCopySource(%q) = %+v, %v; want %q %q %q ok=%v", tc.in, src, e, tc.bucket, tc.key, tc.version, tc.ok)
		}
	}
}

func FuzzParseCopySource(f *testing.F) {
	for _, s := range []string{"/bkt/k", "/bkt/a%2Fb?versionId=x", "/", "", "/bkt/k?x=%", "//k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src, e := parseCopySource(s)
		if e != nil {
			return
		}
		if !validBucketName(src.bucket) || validateKey(src.key) != nil {
			t.Fatalf("parseCopySource(%q) accepted bucket %q key %q", s, src.bucket, src.key)
		}
	})
}
