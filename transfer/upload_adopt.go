package transfer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"ossq/internal/crc64x"
	"ossq/internal/ossname"
)

// Taking over an incomplete multipart upload (one left by a killed run, or
// by another tool): each part the server holds is checked against the local
// file's bytes before it is trusted, so what completes is the file.

// PartCheck is one uploaded part checked against the local file.
type PartCheck struct {
	Number int
	Size   int64
	OK     bool
	Reason string // why the part cannot be reused ("" when OK)
	crc    uint64
	etag   string
}

// UploadCheck is an incomplete upload checked against a local file.
type UploadCheck struct {
	UploadID string
	PartSize int64 // the upload's part size, from its parts
	Parts    []PartCheck
	// Reusable parts match the file; Missing parts of the file are not on
	// the server (or do not match) and would be sent.
	Reusable      int
	ReusableBytes int64
	Missing       int
	// Matches: the layout fits the file and every uploaded part verified.
	Matches bool
	Reason  string // why it does not match ("" when it does)
}

// VerifyUpload checks every part of uploadID (an incomplete upload of
// bucket/key) against localPath: size and CRC64 of the file's section, and
// its MD5 where the part's ETag is one.
func VerifyUpload(ctx context.Context, store Store, bucket, key, uploadID, localPath string) (UploadCheck, error) {
	listed, err := store.ListParts(ctx, bucket, key, uploadID)
	if err != nil {
		return UploadCheck{}, err
	}
	f, err := os.Open(localPath)
	if err != nil {
		return UploadCheck{}, fmt.Errorf("verify upload: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return UploadCheck{}, fmt.Errorf("verify upload: %w", err)
	}
	var partSize int64
	for _, p := range listed {
		partSize = max(partSize, p.Size)
	}
	return checkUploadParts(ctx, f, fi.Size(), partSize, uploadID, listed), nil
}

// checkUploadParts checks listed against the file laid out in partSize parts.
func checkUploadParts(ctx context.Context, f io.ReaderAt, size, partSize int64, uploadID string, listed []UploadedPart) UploadCheck {
	uc := UploadCheck{UploadID: uploadID, PartSize: partSize}
	switch {
	case len(listed) == 0:
		uc.Reason = "no parts were uploaded"
	case partSize < ossname.MinPartSize && size > partSize:
		uc.Reason = fmt.Sprintf("its parts (%d bytes) are smaller than OSS's minimum part", partSize)
	case partCount(size, partSize) > ossname.MaxParts:
		uc.Reason = fmt.Sprintf("its part size %d would need more than %d parts for this file", partSize, ossname.MaxParts)
	}
	if uc.Reason != "" {
		return uc
	}
	n := partCount(size, partSize)
	have := map[int]bool{}
	for _, p := range listed {
		pc := PartCheck{Number: p.Number, Size: p.Size, etag: p.ETag}
		if ctx.Err() != nil {
			pc.Reason = ctx.Err().Error()
		} else {
			pc.Reason = checkPart(f, size, partSize, n, p, &pc.crc)
		}
		pc.OK = pc.Reason == ""
		if pc.OK {
			uc.Reusable++
			uc.ReusableBytes += p.Size
			have[p.Number] = true
		} else if uc.Reason == "" {
			uc.Reason = fmt.Sprintf("part %d: %s", p.Number, pc.Reason)
		}
		uc.Parts = append(uc.Parts, pc)
	}
	uc.Missing = n - len(have)
	uc.Matches = uc.Reason == ""
	return uc
}

// checkPart returns why part p does not hold the file's bytes ("" if it does).
func checkPart(f io.ReaderAt, size, partSize int64, n int, p UploadedPart, crcOut *uint64) string {
	if p.Number < 1 || p.Number > n {
		return fmt.Sprintf("the file has only %d parts of %d bytes", n, partSize)
	}
	off, want := partRange(size, partSize, p.Number-1)
	if p.Size != want {
		return fmt.Sprintf("%d bytes on the server, the file's part has %d", p.Size, want)
	}
	serverCRC, hasCRC := parseCRC64(p.CRC64)
	wantMD5, hasMD5 := md5OfETag(p.ETag)
	if !hasCRC && !hasMD5 {
		return "the server gave neither a CRC64 nor an MD5 ETag to check it by"
	}
	crc := crc64x.New()
	sum := md5.New()
	if _, err := io.Copy(io.MultiWriter(crc, sum), io.NewSectionReader(f, off, want)); err != nil {
		return "reading the file: " + err.Error()
	}
	*crcOut = crc.Sum64()
	if hasCRC && serverCRC != *crcOut {
		return "its CRC64 differs from the file's bytes"
	}
	if hasMD5 && hex.EncodeToString(sum.Sum(nil)) != wantMD5 {
		return "its MD5 (ETag) differs from the file's bytes"
	}
	return ""
}

// md5OfETag returns the lower-case hex MD5 a part's ETag is, if it is one.
func md5OfETag(etag string) (string, bool) {
	e := strings.ToLower(strings.Trim(etag, `"`))
	if len(e) != 32 {
		return "", false
	}
	if _, err := hex.DecodeString(e); err != nil {
		return "", false
	}
	return e, true
}

// adoptUpload builds the checkpoint of an upload that takes over
// t.spec.AdoptUploadID: parts that verify are done, the rest pending. It
// returns nil, nil when the spec adopts nothing.
func (e *Engine) adoptUpload(ctx context.Context, t *transfer, stamp fileStamp, partSize int64) (*checkpoint, error) {
	id := t.spec.AdoptUploadID
	if id == "" {
		return nil, nil
	}
	var listed []UploadedPart
	err := e.withRetry(ctx, t, func() error {
		var err error
		listed, err = e.storeOf(t).ListParts(ctx, t.spec.Bucket, t.spec.Key, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("take over upload %s: %w", id, err)
	}
	f, err := os.Open(t.spec.LocalPath)
	if err != nil {
		return nil, fmt.Errorf("open source: %w", err)
	}
	defer f.Close()
	for _, p := range listed {
		if p.Number < partCount(stamp.size, partSize) && p.Size != partSize {
			return nil, fmt.Errorf("take over upload %s: its parts are %d bytes, this upload's are %d: %w",
				id, p.Size, partSize, errAdoptMismatch)
		}
	}
	uc := checkUploadParts(ctx, f, stamp.size, partSize, id, listed)
	cp := &checkpoint{Direction: Upload, Bucket: t.spec.Bucket, Key: t.spec.Key, LocalPath: t.spec.LocalPath,
		PartSize: partSize, Size: stamp.size, FileMTime: stamp.mtime, UploadID: id}
	cp.Parts = make([]cpPart, partCount(stamp.size, partSize))
	for i := range cp.Parts {
		cp.Parts[i].Number = i + 1
	}
	for _, pc := range uc.Parts {
		if pc.OK {
			cp.Parts[pc.Number-1] = cpPart{Number: pc.Number, Done: pc.Size, CRC: pc.crc, ETag: pc.etag}
		}
	}
	e.noticef(t, "took over upload %s: %d of %d parts verified against the file", id, uc.Reusable, len(cp.Parts))
	return cp, nil
}

// errAdoptMismatch: the upload to take over is laid out differently.
var errAdoptMismatch = errors.New("the incomplete upload does not fit this file")
