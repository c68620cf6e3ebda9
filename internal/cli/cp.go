package cli

import (
	"context"
	"errors"
	"fmt"
	"path"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

const cpSynopsis = "ossq cp [flags] oss://BUCKET/KEY oss://BUCKET/KEY  |  ossq cp -r oss://BUCKET/PREFIX/ oss://BUCKET/PREFIX/"

// copyObjects copies on the server (CopyObject; UploadPartCopy above 1 GiB):
// no byte passes through this machine.
func (r *runner) copyObjects(parent context.Context) int {
	fs := newFlagSet("cp")
	var conn connectionFlags
	conn.register(fs)
	recursive := fs.Bool("r", false, "copy every object under the source prefix")
	versionID := fs.String("version-id", "", "copy this `version` of the source object")
	positional, err := parseArgs(fs, r.args)
	if err == nil && len(positional) != 2 {
		err = usagef("want a source and a destination oss:// address, got %d arguments", len(positional))
	}
	var src, dst ossname.URL
	if err == nil {
		src, err = parseOSSURL(positional[0])
	}
	if err == nil {
		dst, err = parseOSSURL(positional[1])
	}
	if err == nil {
		switch {
		case *recursive && *versionID != "":
			err = usagef("-r and --version-id exclude each other")
		case *recursive && (!src.IsPrefix() || !dst.IsPrefix()):
			err = usagef("cp -r copies a prefix to a prefix: both addresses end in '/'")
		case !*recursive && src.IsPrefix():
			err = usagef("%s is a prefix; use cp -r to copy everything under it", src)
		case !*recursive && dst.IsPrefix():
			dst.Key += path.Base(src.Key)
		}
	}
	if err != nil {
		return r.fail(err, fs, cpSynopsis)
	}
	_, cat, err := r.connectCatalog(conn)
	if err != nil {
		return r.fail(err, fs, cpSynopsis)
	}
	ctx, interrupted, stop := interruptible(parent)
	defer stop()
	if *recursive {
		var sum transfer.CopySummary
		sum, err = cat.CopyPrefix(ctx, src.Bucket, src.Key, dst.Bucket, dst.Key, nil)
		if err == nil {
			fmt.Fprintf(r.stderr, "copied %s (%s) to %s\n", plural(sum.Objects, "object", "objects"), units.FormatSize(sum.Bytes), display.Escape(dst.String()))
		} else if sum.Objects > 0 {
			err = fmt.Errorf("copied %d objects, then: %w", sum.Objects, err)
		}
	} else {
		var res transfer.CopyResult
		res, err = cat.CopyObject(ctx, transfer.ObjectRef{Bucket: src.Bucket, Key: src.Key, VersionID: *versionID},
			transfer.ObjectRef{Bucket: dst.Bucket, Key: dst.Key}, nil)
		if err == nil {
			line := fmt.Sprintf("copied %s to %s (%s)", display.Escape(src.String()), display.Escape(dst.String()), units.FormatSize(res.Bytes))
			if res.VersionID != "" {
				line += ", version " + res.VersionID
			}
			fmt.Fprintln(r.stderr, line)
		}
	}
	switch {
	case err != nil && interrupted() && errors.Is(err, context.Canceled):
		r.errorf("interrupted")
		return ExitInterrupted
	case err != nil:
		return r.fail(err, fs, cpSynopsis)
	}
	return ExitOK
}
