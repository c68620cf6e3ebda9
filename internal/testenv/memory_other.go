//go:build !linux

package testenv

// roomInMemory: outside Linux the tests use the default folder.
func roomInMemory(string) bool { return false }
