package transfer

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestItemsWindowAfterSeqStartsAfterThatItem: AfterSeq starts a window of
// any state (or of all items) after the item of that seq, whatever Offset.
func TestItemsWindowAfterSeqStartsAfterThatItem(t *testing.T) {
	env := newTestEnv(t)
	for i := range 6 {
		env.srv.PutBytes(testBucket, fmt.Sprintf("after/f%d", i), []byte("x"))
	}
	e := env.open(env.testOptions())
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "after/", LocalPath: filepath.Join(env.dir, "after")})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	seqs := func(req ItemsRequest) []uint64 {
		req.Job, req.Limit = id, 10
		var out []uint64
		for _, it := range e.Window(WindowRequest{Limit: 1, Items: &req}).Items {
			out = append(out, it.Seq)
		}
		return out
	}
	if got := seqs(ItemsRequest{State: ItemDone, AfterSeq: 3, Offset: 5}); !slices.Equal(got, []uint64{4, 5, 6}) {
		t.Errorf("done after 3: %v", got)
	}
	if got := seqs(ItemsRequest{AfterSeq: 4}); !slices.Equal(got, []uint64{5, 6}) {
		t.Errorf("all after 4: %v", got)
	}
	if got := seqs(ItemsRequest{State: ItemPending, AfterSeq: 1}); len(got) != 0 {
		t.Errorf("pending after 1: %v", got)
	}
	if got := seqs(ItemsRequest{State: ItemDone, Offset: 4}); !slices.Equal(got, []uint64{5, 6}) {
		t.Errorf("done from offset 4 (no AfterSeq): %v", got)
	}
}
