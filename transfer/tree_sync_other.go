//go:build !linux

package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"time"
)

const haveSyncFS = false

func syncFS(*os.File) error { return errors.New("syncfs is Linux only") }

// placeAt is placeAt of tree_sync_linux.go through the root by name.
func placeAt(root *os.Root, dirRel string, _ *os.File, name, dest string, mtime time.Time, force bool) error {
	from, to := filepath.Join(dirRel, name), filepath.Join(dirRel, dest)
	if !mtime.IsZero() {
		if err := root.Chtimes(from, time.Now(), mtime); err != nil {
			return err
		}
	}
	if force {
		return root.Rename(from, to)
	}
	if err := root.Link(from, to); err != nil {
		return err
	}
	return root.Remove(from)
}

func deviceOf(os.FileInfo) uint64 { return 0 }
