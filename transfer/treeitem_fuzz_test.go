package transfer

import (
	"reflect"
	"testing"
)

// FuzzDecodeItem: a damaged item record is an error, never a panic; a
// record that decodes encodes back to the same bytes and decodes to the
// same item.
func FuzzDecodeItem(f *testing.F) {
	for _, it := range []treeItem{
		{seq: 1, key: "logs/a.txt", rel: "a.txt", size: 12, mtime: 1700000000000000000, etag: `"abc"`, state: ItemPending},
		{seq: 2, key: "odd/../x", state: ItemSkipped, reason: "'..' path segment", fixed: true},
		{seq: 3, key: "k", rel: "k", size: -1, state: ItemFailed, reason: "GetObject: NoSuchKey",
			errInfo: &ErrorInfo{Op: "GetObject", Code: "NoSuchKey", Status: 404}},
	} {
		f.Add(seqKey(it.seq), encodeItem(&it))
	}
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1}, []byte{1, 1, 0, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, k, v []byte) {
		it, err := decodeItem(k, v)
		if err != nil {
			return
		}
		again := encodeItem(&it)
		back, err := decodeItem(k, again)
		if err != nil {
			t.Fatalf("re-encoded item does not decode: %v", err)
		}
		if !reflect.DeepEqual(back, it) {
			t.Fatalf("round trip changed the item:\n%+v\n%+v", it, back)
		}
	})
}
