package ossname

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Scheme starts every OSS address.
const Scheme = "oss://"

// OSS's limits (bucket and object naming, multipart upload), and ossq's
// bound on parts in flight per transfer.
const (
	MinBucketLen = 3
	MaxBucketLen = 63
	MaxKeyLen    = 1023 // bytes of UTF-8

	MinPartSize = 100 << 10 // every part of a multipart upload but the last
	MaxPartSize = 5 << 30
	MaxParts    = 10000
	// MaxPutSize is the most one PutObject (or one GET ossq does not split) takes.
	MaxPutSize = 5 << 30

	// MaxListPage is the most entries one listing page holds (objects,
	// versions, uploads, parts); MaxDeleteBatch the most keys one
	// DeleteMultipleObjects takes.
	MaxListPage    = 1000
	MaxDeleteBatch = 1000

	MinParallel = 1
	MaxParallel = 100
)

// URL is a parsed oss://BUCKET/KEY. The key is taken literally (no percent
// decoding): object keys may hold any character.
type URL struct {
	Bucket string
	Key    string
}

// String is the address "oss://BUCKET/KEY" ("oss://BUCKET/" for the bucket's top).
func (u URL) String() string { return Join(u.Bucket, u.Key) }

// Join is the address of key in bucket.
func Join(bucket, key string) string { return Scheme + bucket + "/" + key }

// IsPrefix reports whether the URL names a "folder": the bucket's top or a
// key ending in "/".
func (u URL) IsPrefix() bool { return u.Key == "" || strings.HasSuffix(u.Key, "/") }

// AsPrefix is u as a folder: a non-empty key gets its trailing "/".
func (u URL) AsPrefix() URL {
	if !u.IsPrefix() {
		u.Key += "/"
	}
	return u
}

// FolderName is the local folder a prefix downloads into: the last element of
// the key, or the bucket's name for the bucket's top and for "." and "..",
// which name no folder of their own.
func (u URL) FolderName() string {
	name := Base(u.Key)
	if name == "" || name == "." || name == ".." {
		return u.Bucket
	}
	return name
}

// Base is the last element of a key or prefix ("a/b/c.txt" → "c.txt",
// "a/b/" → "b"): the local name a download gets.
func Base(key string) string {
	name := strings.TrimSuffix(key, "/")
	return name[strings.LastIndex(name, "/")+1:]
}

// IsURL reports whether s is written as an OSS address (the scheme in any case).
func IsURL(s string) bool { return len(s) >= len(Scheme) && strings.EqualFold(s[:len(Scheme)], Scheme) }

// Parse reads oss://BUCKET[/KEY]. The bucket must be a valid name; the key
// may be empty (the bucket's top) and otherwise must be one OSS accepts.
func Parse(s string) (URL, error) {
	if !IsURL(s) {
		return URL{}, fmt.Errorf("%q is not an oss://BUCKET/KEY address", s)
	}
	return parseRest(s, s[len(Scheme):])
}

// ParseLocation reads what a person types to go somewhere: "bucket",
// "bucket/prefix" or "oss://bucket/prefix", with surrounding spaces ignored.
func ParseLocation(s string) (URL, error) {
	text := strings.TrimSpace(s)
	if IsURL(text) {
		return Parse(text)
	}
	return parseRest(s, text)
}

func parseRest(s, rest string) (URL, error) {
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return URL{}, fmt.Errorf("%q names no bucket (want oss://BUCKET/KEY)", s)
	}
	if err := CheckBucket(bucket); err != nil {
		return URL{}, fmt.Errorf("%q: %w", s, err)
	}
	if key != "" {
		if err := CheckKey(key); err != nil {
			return URL{}, fmt.Errorf("%q: %w", s, err)
		}
	}
	return URL{Bucket: bucket, Key: key}, nil
}

// CheckBucket applies OSS's bucket naming rules: 3 to 63 characters, only
// lower-case letters, digits and hyphens, no hyphen first or last.
func CheckBucket(name string) error {
	if len(name) < MinBucketLen || len(name) > MaxBucketLen {
		return fmt.Errorf("a bucket name has %d to %d characters", MinBucketLen, MaxBucketLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return errors.New("a bucket name has only lower-case letters, digits and hyphens")
		}
	}
	if name[0] == '-' || name[len(name)-1] == '-' {
		return errors.New("a bucket name cannot start or end with a hyphen")
	}
	return nil
}

// CheckKey applies OSS's object key rules: 1 to 1,023 bytes of valid UTF-8,
// not starting with "/" or "\".
func CheckKey(key string) error {
	switch {
	case key == "":
		return errors.New("an object key cannot be empty")
	case len(key) > MaxKeyLen:
		return fmt.Errorf("an object key is at most %d bytes, this one has %d", MaxKeyLen, len(key))
	case !utf8.ValidString(key):
		return errors.New("an object key must be valid UTF-8")
	case key[0] == '/' || key[0] == '\\':
		return fmt.Errorf("an object key cannot start with %q", key[0])
	}
	return nil
}

// CheckParallel bounds parts in flight per transfer.
func CheckParallel(n int) error {
	if n < MinParallel || n > MaxParallel {
		return fmt.Errorf("parallel %d out of range (%d–%d)", n, MinParallel, MaxParallel)
	}
	return nil
}

// CheckPartSize bounds a requested part size (0 is "the default", checked
// by the caller): at most MaxPartSize; the engine grows a part past
// MinPartSize or the part count where it must.
func CheckPartSize(n int64) error {
	if n < 0 || n > MaxPartSize {
		return fmt.Errorf("part size %d out of range (1 B – 5 GiB)", n)
	}
	return nil
}

// ClampParallel brings n into the allowed range, e.g. for a value read back
// from a file someone may have edited.
func ClampParallel(n int) int { return min(max(n, MinParallel), MaxParallel) }
