package transfer

import (
	"bytes"
	"context"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"golang.org/x/time/rate"
)

// newSectionPartReader is a partReader over bytes [off, off+size) of data,
// with no bandwidth limit.
func newSectionPartReader(data []byte, off, size int64) (*partReader, *part) {
	e := &Engine{limiter: rate.NewLimiter(rate.Inf, copyBufferSize)}
	p := &part{number: 1, off: off, size: size}
	return e.newPartReader(context.Background(), io.NewSectionReader(bytes.NewReader(data), off, size), p), p
}

func TestPartReaderReadsAheadAndStillBehavesAsAReadSeeker(t *testing.T) {
	t.Parallel()
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rand.Uint32())
	}
	const off, size = 100 << 10, 700 << 10
	r, _ := newSectionPartReader(data, off, size)
	if err := iotest.TestReader(r, data[off:off+size]); err != nil {
		t.Fatal(err)
	}
}

func TestPartReaderCRCCoversEveryByteWhateverTheReadSizes(t *testing.T) {
	t.Parallel()
	data := make([]byte, 3*copyBufferSize+123)
	for i := range data {
		data[i] = byte(rand.Uint32())
	}
	want := crc64.Checksum(data, crcTable)
	for _, readSize := range []int{1, 4 << 10, 32 << 10, copyBufferSize - 1, copyBufferSize, 2 * copyBufferSize} {
		r, p := newSectionPartReader(data, 0, int64(len(data)))
		// A false start, as an SDK retry does: read some, seek back to 0.
		io.ReadFull(r, make([]byte, 5000))
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got, err := readAllIn(r, readSize)
		if err != nil {
			t.Fatalf("read size %d: %v", readSize, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("read size %d: bytes differ", readSize)
		}
		if !r.complete() || r.crc != want || p.done.Load() != int64(len(data)) {
			t.Fatalf("read size %d: complete %v crc %#x (want %#x) done %d", readSize, r.complete(), r.crc, want, p.done.Load())
		}
	}
}

func TestPartReaderSeekAwayFromStartDropsTheCRCAndTheReadAhead(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789"), 100_000)
	r, _ := newSectionPartReader(data, 0, int64(len(data)))
	buf := make([]byte, 10)
	io.ReadFull(r, buf)
	if pos, err := r.Seek(3, io.SeekCurrent); err != nil || pos != 13 {
		t.Fatalf("Seek(3, current) = %d, %v; want 13", pos, err)
	}
	io.ReadFull(r, buf)
	if string(buf) != "3456789012" {
		t.Fatalf("after seek read %q, want 3456789012", buf)
	}
	if r.complete() {
		t.Fatal("complete after a seek past bytes never read")
	}
	if pos, err := r.Seek(-4, io.SeekEnd); err != nil || pos != int64(len(data))-4 {
		t.Fatalf("Seek(-4, end) = %d, %v", pos, err)
	}
	rest, _ := io.ReadAll(r)
	if string(rest) != "6789" {
		t.Fatalf("tail %q, want 6789", rest)
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("seek to -1: no error")
	}
	if err := r.verify(""); err != nil || r.crc != crc64.Checksum(data, crcTable) {
		t.Fatalf("verify recomputed crc %#x, err %v", r.crc, err)
	}
}

func readAllIn(r io.Reader, size int) ([]byte, error) {
	var out []byte
	buf := make([]byte, size)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
