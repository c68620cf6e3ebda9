package transfer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxNameBytes is the longest file name common Linux/macOS file systems hold.
const maxNameBytes = 255

// LocalPathForKey maps an object key, minus the listed prefix, to a path
// inside root. Keys that would land outside root, or that no file system can
// hold as a name, are refused with an error that says why; the key is never
// "cleaned" into some other path, because two different keys must never
// collide on one file.
func LocalPathForKey(root, key, prefix string) (string, error) {
	if root == "" {
		return "", errors.New("local root is empty")
	}
	if !strings.HasPrefix(key, prefix) {
		return "", fmt.Errorf("key %q is not under prefix %q", key, prefix)
	}
	rel := key[len(prefix):]
	switch {
	case rel == "":
		return "", fmt.Errorf("key %q: empty name after removing the prefix", key)
	case strings.ContainsRune(rel, 0):
		return "", fmt.Errorf("key %q: contains a NUL byte", key)
	case strings.Contains(rel, `\`):
		return "", fmt.Errorf("key %q: contains a backslash, which could be read as a path separator", key)
	case strings.HasPrefix(rel, "/"):
		return "", fmt.Errorf("key %q: absolute path after the prefix", key)
	case strings.HasSuffix(rel, "/"):
		return "", fmt.Errorf("key %q: ends in '/', a directory marker, not a file", key)
	}
	for _, seg := range strings.Split(rel, "/") {
		switch {
		case seg == "":
			return "", fmt.Errorf("key %q: empty path segment ('//')", key)
		case seg == ".":
			return "", fmt.Errorf("key %q: '.' path segment", key)
		case seg == "..":
			return "", fmt.Errorf("key %q: '..' path segment would escape the destination folder", key)
		case len(seg) > maxNameBytes:
			return "", fmt.Errorf("key %q: a path segment is %d bytes, longer than the %d a file name may hold", key, len(seg), maxNameBytes)
		}
	}
	if name := rel[strings.LastIndex(rel, "/")+1:]; looksLikeTempName(name) {
		return "", fmt.Errorf("key %q: name %q has the form reserved for ossq temp files (*.ossq-<12 hex>.part)", key, name)
	}
	if name := rel[strings.LastIndex(rel, "/")+1:]; looksLikeLockName(name) {
		return "", fmt.Errorf("key %q: name %q has the form reserved for ossq locks (.*%s)", key, name, lockExt)
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("local root %q: %w", root, err)
	}
	out := filepath.Join(absRoot, filepath.FromSlash(rel))
	if r, err := filepath.Rel(absRoot, out); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("key %q: would land outside %q", key, root)
	}
	return out, nil
}

// renameFree finds "name (N).ext" beside path that does not exist yet and
// that taken (another queued transfer's destination) does not claim.
func renameFree(path string, taken func(string) bool) (string, error) {
	return freeName(path, func(cand string) bool {
		_, err := os.Lstat(cand)
		return !errors.Is(err, os.ErrNotExist) || taken(cand)
	})
}

// freeName finds the first "name (N).ext" beside path that used does not claim.
func freeName(path string, used func(string) bool) (string, error) {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := 1; i < 10000; i++ {
		tag := fmt.Sprintf(" (%d)%s", i, ext)
		// A name at the length limit has no room for the tag: shorten the stem.
		cand := filepath.Join(dir, truncateUTF8(stem, maxNameBytes-len(tag))+tag)
		if !used(cand) {
			return cand, nil
		}
	}
	return "", fmt.Errorf("%s: no free name of the form %q", path, stem+" (N)"+ext)
}
