package filter

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// ShardOf puts a key (or a relative path) in one of n shards, 0 to n-1, by
// its FNV-1a 64-bit hash: the same on every machine and every run, so N
// machines given shards 1/N … N/N split one tree with no coordinator.
// n < 1 is treated as 1.
func ShardOf(key string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return int(h.Sum64() % uint64(n))
}

// ParseShard reads "I/N" (1 ≤ I ≤ N ≤ 1,000,000).
func ParseShard(s string) (shard, count int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("shard %q: want I/N, e.g. 1/4", s)
	}
	shard, err1 := strconv.Atoi(strings.TrimSpace(a))
	count, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("shard %q: want I/N with whole numbers, e.g. 1/4", s)
	}
	if count < 1 || count > 1_000_000 || shard < 1 || shard > count {
		return 0, 0, fmt.Errorf("shard %q: want 1 ≤ I ≤ N ≤ 1000000", s)
	}
	return shard, count, nil
}
