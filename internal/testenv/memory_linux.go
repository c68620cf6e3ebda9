package testenv

import "syscall"

// tmpfsMagic is the statfs type of a tmpfs (linux/magic.h).
const tmpfsMagic = 0x01021994

// memoryNeeds is the free space a memory folder must have: the whole suite
// holds under 300 MiB there at its peak; the margin covers a machine that
// runs a few suites at once, and a container's small /dev/shm is refused.
const memoryNeeds = 2 << 30

// roomInMemory reports whether path is a tmpfs with memoryNeeds free.
func roomInMemory(path string) bool {
	var st syscall.Statfs_t
	if syscall.Statfs(path, &st) != nil {
		return false
	}
	return st.Type == tmpfsMagic && int64(st.Bavail)*int64(st.Bsize) >= memoryNeeds
}
