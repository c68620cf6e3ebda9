//go:build !unix

package transfer

import "os"

const oNoFollow = 0

func ownedByUs(os.FileInfo) bool { return true }

func linkCount(os.FileInfo) uint64 { return 1 }

func allocatedBytes(fi os.FileInfo) int64 { return fi.Size() }
