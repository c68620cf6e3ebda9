//go:build !unix

package transfer

import (
	"errors"
	"os"
)

// Without flock(2) on an open file, destination locks fall back to the
// path-based lock (tryLockFile) on the same lock path.
const destLocksSupported = false

func flockTry(*os.File) (bool, error) { return false, errors.New("flock is not supported here") }
