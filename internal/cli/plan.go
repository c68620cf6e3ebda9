package cli

// Planning a get or put: what the arguments name and where it goes.

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"ossq/internal/ossname"
	"ossq/transfer"
)

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// plan is what one get/put will do.
type plan struct {
	spec   transfer.Spec
	tree   bool   // a prefix or a folder: AddTree
	source string // for messages
	target string
}

// planGet reads `get oss://BUCKET/KEY [DEST]`.
func planGet(positional []string, downloadDir string) (plan, error) {
	if len(positional) < 1 || len(positional) > 2 {
		return plan{}, usagef("want oss://BUCKET/KEY and an optional destination, got %d arguments", len(positional))
	}
	src, err := parseOSSURL(positional[0])
	if err != nil {
		return plan{}, err
	}
	dest, destIsFolder := "", false
	if len(positional) == 2 {
		dest = positional[1]
		if ossname.IsURL(dest) {
			return plan{}, usagef("the destination %q is an OSS address; get downloads to a local path (use put to upload)", dest)
		}
		if dest == "" {
			return plan{}, usagef("the destination is empty")
		}
	}
	if dest == "" {
		// No destination: the configured download folder, else here.
		dest, destIsFolder = downloadDir, true
		if dest == "" {
			dest = "."
		}
	}
	p := plan{source: src.String(), spec: transfer.Spec{Direction: transfer.Download, Bucket: src.Bucket, Key: src.Key}}
	if src.IsPrefix() {
		if destIsFolder {
			// No destination named: the prefix gets a folder of its own,
			// as in the TUI, rather than spilling into the current one.
			dest = filepath.Join(dest, src.FolderName())
		}
		if info, err := os.Stat(dest); err == nil && !info.IsDir() {
			return plan{}, usagef("%s is a prefix; the destination %s is a file, not a folder", src, dest)
		}
		p.tree = true
		p.spec.LocalPath = absPath(dest)
		p.target = p.spec.LocalPath
		return p, nil
	}
	name := path.Base(src.Key)
	if destIsFolder || strings.HasSuffix(dest, string(filepath.Separator)) || strings.HasSuffix(dest, "/") {
		dest = filepath.Join(dest, name)
	} else if info, err := os.Stat(dest); err == nil && info.IsDir() {
		dest = filepath.Join(dest, name)
	}
	p.spec.LocalPath = absPath(dest)
	p.target = p.spec.LocalPath
	return p, nil
}

// planPut reads `put SRC oss://BUCKET/KEY`.
func planPut(positional []string) (plan, error) {
	if len(positional) != 2 {
		return plan{}, usagef("want a local source and an oss://BUCKET/KEY destination, got %d arguments", len(positional))
	}
	srcPath := positional[0]
	if ossname.IsURL(srcPath) {
		return plan{}, usagef("the source %q is an OSS address; put uploads a local file or folder (use get to download)", srcPath)
	}
	dst, err := parseOSSURL(positional[1])
	if err != nil {
		return plan{}, err
	}
	info, err := os.Stat(srcPath)
	if err != nil {
		return plan{}, fmt.Errorf("source: %w", err)
	}
	p := plan{source: srcPath, spec: transfer.Spec{Direction: transfer.Upload, Bucket: dst.Bucket, LocalPath: absPath(srcPath)}}
	switch {
	case info.IsDir():
		p.tree = true
		p.spec.Key = dst.AsPrefix().Key
	case !info.Mode().IsRegular():
		return plan{}, fmt.Errorf("source %s is not a regular file or folder", srcPath)
	case dst.IsPrefix():
		p.spec.Key = dst.Key + filepath.Base(p.spec.LocalPath)
	default:
		p.spec.Key = dst.Key
	}
	p.target = ossname.URL{Bucket: dst.Bucket, Key: p.spec.Key}.String()
	return p, nil
}
