package filter

import (
	"fmt"
	"testing"
)

// The hash is fixed: these values must never change, or N machines running
// different ossq versions would split a tree differently.
func TestShardOfIsDeterministic(t *testing.T) {
	pinned := map[string]int{"": 0, "a": 0, "photos/2024/img_0001.jpg": 0, "日本語.txt": 0}
	for key := range pinned {
		pinned[key] = ShardOf(key, 7)
	}
	for i := 0; i < 3; i++ {
		for key, want := range pinned {
			if got := ShardOf(key, 7); got != want {
				t.Fatalf("ShardOf(%q, 7) = %d, then %d", key, want, got)
			}
		}
	}
	// FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c.
	if got, want := ShardOf("a", 1000), int(uint64(0xaf63dc4c8601ec8c)%1000); got != want {
		t.Errorf("ShardOf(\"a\", 1000) = %d, want %d (FNV-1a 64)", got, want)
	}
	if ShardOf("x", 1) != 0 || ShardOf("x", 0) != 0 || ShardOf("x", -3) != 0 {
		t.Error("fewer than 2 shards must put everything in shard 0")
	}
}

// Keys that look alike (sequential names, as real trees have) spread
// evenly: every shard within 10% of its fair share over 100,000 keys.
func TestShardOfIsBalanced(t *testing.T) {
	const keys = 100_000
	for _, n := range []int{2, 3, 8, 16} {
		counts := make([]int, n)
		for i := 0; i < keys; i++ {
			s := ShardOf(fmt.Sprintf("backup/2026/12/01/file-%06d.dat", i), n)
			if s < 0 || s >= n {
				t.Fatalf("ShardOf(_, %d) = %d", n, s)
			}
			counts[s]++
		}
		fair := keys / n
		for s, c := range counts {
			if c < fair*9/10 || c > fair*11/10 {
				t.Errorf("n=%d: shard %d holds %d keys, fair share %d", n, s, c, fair)
			}
		}
	}
}

func TestParseShard(t *testing.T) {
	for in, want := range map[string][2]int{"1/4": {1, 4}, "4/4": {4, 4}, " 2 / 3 ": {2, 3}, "1/1": {1, 1}} {
		i, n, err := ParseShard(in)
		if err != nil || i != want[0] || n != want[1] {
			t.Errorf("ParseShard(%q) = %d/%d, %v", in, i, n, err)
		}
	}
	for _, in := range []string{"", "1", "0/4", "5/4", "-1/4", "1/0", "a/b", "1/4/2", "1/2000000"} {
		if _, _, err := ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) succeeded", in)
		}
	}
}
