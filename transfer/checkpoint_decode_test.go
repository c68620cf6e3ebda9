package transfer

import (
	"math"
	"strings"
	"testing"
)

func encodedCheckpoint(t testing.TB, cp *checkpoint) []byte {
	t.Helper()
	data, err := encodeCheckpoint(cp)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestCheckpointBoundsRefuseHugeCounts: a checksummed checkpoint whose
// sizes would overflow the part count, or claim more parts than OSS
// allows, is refused instead of trusted.
func TestCheckpointBoundsRefuseHugeCounts(t *testing.T) {
	t.Parallel()
	cases := map[string]*checkpoint{
		"size=part_size=MaxInt64, no parts": {Direction: Download, Size: math.MaxInt64, PartSize: math.MaxInt64},
		"size MaxInt64, one part":           {Direction: Download, Size: math.MaxInt64, PartSize: math.MaxInt64, Parts: []cpPart{{Number: 1}}},
		"part count overflow":               {Direction: Download, Size: math.MaxInt64, PartSize: 1},
		"too many parts":                    {Direction: Download, Size: 20000, PartSize: 1, Parts: make([]cpPart, 20000)},
		"negative size":                     {Direction: Download, Size: -1, PartSize: 1, Parts: []cpPart{{Number: 1}}},
		"zero part size":                    {Direction: Download, Size: 1, PartSize: 0, Parts: []cpPart{{Number: 1}}},
		"upload part half done":             {Direction: Upload, Size: 200, PartSize: 100, Parts: []cpPart{{Number: 1, Done: 50}, {Number: 2}}},
		"part done beyond its size":         {Direction: Download, Size: 150, PartSize: 100, Parts: []cpPart{{Number: 1, Done: 100}, {Number: 2, Done: 51}}},
		"parts misnumbered":                 {Direction: Download, Size: 200, PartSize: 100, Parts: []cpPart{{Number: 2}, {Number: 1}}},
	}
	for name, cp := range cases {
		for i := range cp.Parts {
			if cp.Parts[i].Number == 0 {
				cp.Parts[i].Number = i + 1
			}
		}
		if _, err := decodeCheckpoint(encodedCheckpoint(t, cp)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "checkpoint") {
			t.Errorf("%s: error %q does not say it is the checkpoint", name, err)
		}
	}
	ok := &checkpoint{Direction: Download, Size: 250, PartSize: 100, Parts: []cpPart{{Number: 1, Done: 100}, {Number: 2}, {Number: 3, Done: 50}}}
	if _, err := decodeCheckpoint(encodedCheckpoint(t, ok)); err != nil {
		t.Errorf("valid checkpoint refused: %v", err)
	}
}

// FuzzDecodeCheckpoint: any bytes either fail with an error or decode to
// a checkpoint whose parts all lie inside its size.
func FuzzDecodeCheckpoint(f *testing.F) {
	seeds := []*checkpoint{
		{Direction: Download, Bucket: "b", Key: "k", LocalPath: "/x", Size: 250, PartSize: 100, TempPath: "/x.ossq-0123456789ab.part",
			Parts: []cpPart{{Number: 1, Done: 100, CRC: 7}, {Number: 2, Done: 3}, {Number: 3}}},
		{Direction: Upload, Size: 0, PartSize: 1, UploadID: "u", Parts: []cpPart{{Number: 1}}},
		{Direction: Download, Size: math.MaxInt64, PartSize: math.MaxInt64},
	}
	for _, cp := range seeds {
		f.Add(encodedCheckpoint(f, cp))
	}
	f.Add([]byte(checkpointMagic + " 1\n00\n{}"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		cp, err := decodeCheckpoint(data)
		if err != nil {
			return
		}
		if len(cp.Parts) > maxCheckpointParts || cp.Size < 0 || cp.PartSize <= 0 {
			t.Fatalf("accepted out-of-bounds checkpoint: size %d part size %d, %d parts", cp.Size, cp.PartSize, len(cp.Parts))
		}
		var total int64
		for i, p := range cp.Parts {
			off, n := partRange(cp.Size, cp.PartSize, i)
			if off < 0 || n < 0 || off+n > cp.Size || p.Done > n {
				t.Fatalf("part %d [%d,+%d) done %d outside size %d", i+1, off, n, p.Done, cp.Size)
			}
			total += n
		}
		if total != cp.Size {
			t.Fatalf("parts cover %d bytes, size is %d", total, cp.Size)
		}
	})
}
