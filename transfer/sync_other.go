//go:build !linux

package transfer

import (
	"os"
	"time"
)

func startWriteback(f tempFile, off, n int64) {}

func dataSync(f tempFile) error { return f.Sync() }

func renameAtNoReplace(*os.File, string, string) error { return errNoAtomicNoReplace }

func newFileMode(dir string) os.FileMode { return probeFileMode(dir) }

func fsCapacity(string) (int64, bool) { return 0, false }

// changeTime is unknown here: a placed file is recognised only by a
// checkpoint that claims every part.
func changeTime(os.FileInfo) (time.Time, bool) { return time.Time{}, false }
