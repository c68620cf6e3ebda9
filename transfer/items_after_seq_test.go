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

// TestItemsWindowTrustsAStoredEndedState: an item is committed to the store
// before it leaves the active set; a window read in between reports the
// stored end (done), not "active" — a --json stream writes each item once,
// from such a read.
func TestItemsWindowTrustsAStoredEndedState(t *testing.T) {
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "ended/f0", []byte("x"))
	e := env.open(env.testOptions())
	id, err := e.AddTree(Spec{Direction: Download, Bucket: testBucket, Key: "ended/", LocalPath: filepath.Join(env.dir, "ended")})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id)
	e.mu.Lock()
	ts := e.byID[id].tree
	ts.active[1] = &activeItem{it: treeItem{seq: 1, key: "ended/f0", size: 1}}
	e.mu.Unlock()
	for _, req := range []ItemsRequest{{State: ItemDone}, {}} {
		req.Job, req.Limit = id, 10
		items := e.Window(WindowRequest{Limit: 1, Items: &req}).Items
		if len(items) != 1 || items[0].State != ItemDone || items[0].Done != 1 {
			t.Errorf("%+v: %+v, want the one item done with its byte", req, items)
		}
	}
	e.mu.Lock()
	delete(ts.active, 1)
	e.mu.Unlock()
}
