package transfer

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// treeItem is one object or file of a tree job, as stored.
type treeItem struct {
	seq     uint64
	key     string // the object key (the source of a download, the target of an upload)
	rel     string // path under the tree's local root, slash-separated
	size    int64  // from the listing or the walk
	mtime   int64  // Unix ns: the object's Last-Modified, or the file's mtime
	etag    string // from the listing; "" for uploads
	state   ItemState
	reason  string
	errInfo *ErrorInfo
	// fixed marks an item skipped for what it is (a key no file can be
	// named by, a link or a FIFO in a walked folder): retrying cannot help.
	fixed bool
	// candidate marks an item whose destination has the same size: under
	// Compare checksum the worker compares CRC64s before moving anything.
	candidate bool
}

const itemEncodingVersion = 1

var itemStateCodes = map[ItemState]byte{ItemPending: 1, ItemDone: 2, ItemSkipped: 3, ItemFailed: 4, ItemActive: 5, ItemUnchanged: 6}
var itemStateByCode = map[byte]ItemState{1: ItemPending, 2: ItemDone, 3: ItemSkipped, 4: ItemFailed, 5: ItemActive, 6: ItemUnchanged}

// maxItemString bounds every string read back from the store (a key is at
// most 1,023 bytes; reasons and errors are short).
const maxItemString = 64 << 10

func encodeItem(it *treeItem) []byte {
	b := make([]byte, 0, 32+len(it.key)+len(it.rel)+len(it.etag)+len(it.reason))
	var flags byte
	if it.fixed {
		flags |= 1
	}
	if it.candidate {
		flags |= 2
	}
	b = append(b, itemEncodingVersion, itemStateCodes[it.state], flags)
	b = binary.AppendVarint(b, it.size)
	b = binary.AppendVarint(b, it.mtime)
	for _, s := range []string{it.key, it.rel, it.etag, it.reason} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var info []byte
	if it.errInfo != nil {
		info, _ = json.Marshal(it.errInfo)
	}
	b = binary.AppendUvarint(b, uint64(len(info)))
	return append(b, info...)
}

var errBadItem = errors.New("unreadable item record")

// decodeItem reads an item back; every length is bounded, so a damaged
// record is an error, never a panic or a huge allocation.
func decodeItem(k, v []byte) (treeItem, error) {
	var it treeItem
	if len(k) != 8 {
		return it, fmt.Errorf("%w: key of %d bytes", errBadItem, len(k))
	}
	it.seq = binary.BigEndian.Uint64(k)
	if len(v) < 3 || v[0] != itemEncodingVersion {
		return it, fmt.Errorf("%w %d: unknown version", errBadItem, it.seq)
	}
	st, ok := itemStateByCode[v[1]]
	if !ok {
		return it, fmt.Errorf("%w %d: unknown state %d", errBadItem, it.seq, v[1])
	}
	it.state = st
	it.fixed = v[2]&1 != 0
	it.candidate = v[2]&2 != 0
	r := v[3:]
	next := func() (int64, bool) {
		x, n := binary.Varint(r)
		if n <= 0 {
			return 0, false
		}
		r = r[n:]
		return x, true
	}
	str := func() (string, bool) {
		l, n := binary.Uvarint(r)
		if n <= 0 || l > maxItemString || l > uint64(len(r)-n) {
			return "", false
		}
		s := string(r[n : n+int(l)])
		r = r[n+int(l):]
		return s, true
	}
	var ok1, ok2 bool
	it.size, ok1 = next()
	it.mtime, ok2 = next()
	if !ok1 || !ok2 || it.size < -1 {
		return it, fmt.Errorf("%w %d: bad size or time", errBadItem, it.seq)
	}
	for _, dst := range []*string{&it.key, &it.rel, &it.etag, &it.reason} {
		s, ok := str()
		if !ok {
			return it, fmt.Errorf("%w %d: bad string", errBadItem, it.seq)
		}
		*dst = s
	}
	info, ok := str()
	if !ok || len(r) != 0 {
		return it, fmt.Errorf("%w %d: bad error info", errBadItem, it.seq)
	}
	if info != "" {
		it.errInfo = &ErrorInfo{}
		if err := json.Unmarshal([]byte(info), it.errInfo); err != nil {
			return it, fmt.Errorf("%w %d: error info: %v", errBadItem, it.seq, err)
		}
	}
	return it, nil
}
