package cli

import (
	"strings"
)

const ossScheme = "oss://"

// ossURL is a parsed oss://BUCKET/KEY. Key is taken literally (no percent
// decoding): object keys may hold any character.
type ossURL struct {
	Bucket string
	Key    string
}

func (u ossURL) String() string { return ossScheme + u.Bucket + "/" + u.Key }

// IsPrefix reports whether the URL names a "folder": the bucket root or a
// key ending in "/".
func (u ossURL) IsPrefix() bool { return u.Key == "" || strings.HasSuffix(u.Key, "/") }

func isOSSURL(s string) bool { return strings.HasPrefix(strings.ToLower(s), ossScheme) }

// parseOSSURL reads oss://BUCKET[/KEY].
func parseOSSURL(s string) (ossURL, error) {
	if !isOSSURL(s) {
		return ossURL{}, usagef("%q is not an oss://BUCKET/KEY address", s)
	}
	rest := s[len(ossScheme):]
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return ossURL{}, usagef("%q names no bucket (want oss://BUCKET/KEY)", s)
	}
	if msg := bucketNameProblem(bucket); msg != "" {
		return ossURL{}, usagef("%q: %s", s, msg)
	}
	if strings.HasPrefix(key, "/") {
		return ossURL{}, usagef("%q: an object key cannot start with '/'", s)
	}
	if len(key) > 1023 {
		return ossURL{}, usagef("%q: an object key is at most 1023 bytes", s)
	}
	return ossURL{Bucket: bucket, Key: key}, nil
}

// bucketNameProblem applies OSS bucket naming rules; "" when the name is fine.
func bucketNameProblem(name string) string {
	if len(name) < 3 || len(name) > 63 {
		return "a bucket name has 3 to 63 characters"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return "a bucket name has only lower-case letters, digits and hyphens"
		}
	}
	if name[0] == '-' || name[len(name)-1] == '-' {
		return "a bucket name cannot start or end with a hyphen"
	}
	return ""
}
