//go:build !linux

package transfer

import "os"

func startWriteback(f tempFile, off, n int64) {}

func dataSync(f tempFile) error { return f.Sync() }

func renameNoReplace(oldpath, newpath string) error { return linkNoReplace(oldpath, newpath) }

func newFileMode(dir string) os.FileMode { return probeFileMode(dir) }
