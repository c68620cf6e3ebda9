package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

// pin applies --version-id (get) and checks --resume-upload (put).
func (f *transferFlags) pin(cmd string, p *plan) error {
	if f.versionID != "" {
		if cmd != "get" {
			return usagef("--version-id applies to get only")
		}
		if p.tree {
			return usagef("--version-id names a version of one object, not of a prefix")
		}
		p.spec.VersionID = f.versionID
	}
	if f.resumeUpload {
		if cmd != "put" {
			return usagef("--resume-upload applies to put only")
		}
		if p.tree {
			return usagef("--resume-upload takes over the upload of one file, not a folder")
		}
	}
	return nil
}

// uploadsOfKey lists the incomplete uploads of exactly key.
func uploadsOfKey(ctx context.Context, cat *transfer.Catalog, bucket, key string) ([]transfer.IncompleteUpload, error) {
	all, err := cat.AllUploads(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	var mine []transfer.IncompleteUpload
	for _, u := range all {
		if u.Key == key {
			mine = append(mine, u)
		}
	}
	return mine, nil
}

// takeOverUpload looks for an incomplete upload of the key whose parts all
// verify against the file and makes the put continue it (same UploadId, same
// part size), so the bytes already on the server are not paid for twice.
func (r *runner) takeOverUpload(ctx context.Context, s *session, p *plan) error {
	cat, err := s.catalog()
	if err != nil {
		return err
	}
	ups, err := uploadsOfKey(ctx, cat, p.spec.Bucket, p.spec.Key)
	if err != nil {
		return err
	}
	target := ossname.URL{Bucket: p.spec.Bucket, Key: p.spec.Key}
	var best *transfer.UploadCheck
	for _, u := range ups {
		check, err := transfer.VerifyUpload(ctx, s.store, u.Bucket, u.Key, u.UploadID, p.spec.LocalPath)
		if err != nil {
			return err
		}
		if !check.Matches {
			fmt.Fprintf(r.stderr, "upload %s of %s does not match %s: %s\n", u.UploadID, display.Escape(target.String()), p.source, check.Reason)
			continue
		}
		if best == nil || check.ReusableBytes > best.ReusableBytes {
			best = &check
		}
	}
	if best == nil {
		fmt.Fprintf(r.stderr, "no incomplete upload of %s matches %s; starting a new one\n", display.Escape(target.String()), p.source)
		return nil
	}
	p.spec.AdoptUploadID, p.spec.PartSize = best.UploadID, best.PartSize
	fmt.Fprintf(r.stderr, "taking over upload %s: %s (%s) verified against the file, %s to send\n", best.UploadID,
		plural(best.Reusable, "part", "parts"), units.FormatSize(best.ReusableBytes), plural(best.Missing, "part", "parts"))
	return nil
}

// multipartSized reports whether the file would go up as a multipart upload.
func multipartSized(path string, threshold int64) bool {
	info, err := os.Stat(path)
	return err == nil && info.Size() >= threshold
}

// orphanHint tells, before a put without --resume-upload, about incomplete
// uploads of the same key: billed storage an interrupted run (or another
// tool) left, which --resume-upload could take over.
func (r *runner) orphanHint(ctx context.Context, s *session, p plan) {
	cat, err := s.catalog()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ups, err := uploadsOfKey(ctx, cat, p.spec.Bucket, p.spec.Key)
	if err != nil || len(ups) == 0 {
		return
	}
	var bytes int64
	for _, u := range ups {
		bytes += u.Bytes
	}
	target := shellQuote([]string{ossname.URL{Bucket: p.spec.Bucket, Key: p.spec.Key}.String()})
	fmt.Fprintf(r.stderr, "note: %s has %s (%s of parts, billed). If one was left by an interrupted put of this file,\n"+
		"  add --resume-upload to take it over instead of sending those bytes again; list them with: ossq uploads ls %s\n",
		target, plural(len(ups), "incomplete upload", "incomplete uploads"), units.FormatSize(bytes), target)
}
