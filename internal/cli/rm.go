package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

const rmSynopsis = "ossq rm [flags] oss://BUCKET/KEY  |  ossq rm -r [flags] oss://BUCKET/PREFIX/"

// remove deletes one object (or one version) or, with -r, everything under
// a prefix in batches of 1,000. It says what will go and asks first.
func (r *runner) remove(parent context.Context) int {
	fs := newFlagSet("rm")
	var conn connectionFlags
	conn.register(fs)
	recursive := fs.Bool("r", false, "delete every object under the prefix")
	yes := fs.Bool("yes", false, "do not ask")
	versionID := fs.String("version-id", "", "delete this `version` of the object for good (versioned buckets)")
	positional, err := parseArgs(fs, r.args)
	var target ossname.URL
	if err == nil {
		target, err = parseOneOSSURL(positional, "oss://BUCKET/KEY")
	}
	if err == nil {
		switch {
		case *recursive && *versionID != "":
			err = usagef("-r and --version-id exclude each other")
		case *recursive && target.Key == "":
			err = usagef("refusing to delete a whole bucket; name a prefix, e.g. %s", ossname.URL{Bucket: target.Bucket, Key: "logs/"})
		case *recursive && !strings.HasSuffix(target.Key, "/"):
			target.Key += "/"
		case !*recursive && target.IsPrefix():
			err = usagef("%s is a prefix; use rm -r to delete everything under it", target)
		}
	}
	if err != nil {
		return r.fail(err, fs, rmSynopsis)
	}
	s, cat, err := r.connectCatalog(conn)
	if err != nil {
		return r.fail(err, fs, rmSynopsis)
	}
	ctx, interrupted, stop := interruptible(parent)
	defer stop()
	if *recursive {
		err = r.removePrefix(ctx, cat, target, *yes)
	} else {
		err = r.removeObject(ctx, cat, s.store, target, *versionID, *yes)
	}
	switch {
	case errors.Is(err, errNotConfirmed):
		return ExitFailure
	case err != nil && interrupted():
		r.errorf("interrupted")
		return ExitInterrupted
	case err != nil:
		return r.fail(err, fs, rmSynopsis)
	}
	return ExitOK
}

// versioningNote says what a delete does on a versioned bucket.
func versioningNote(ctx context.Context, cat *transfer.Catalog, bucket string) (string, error) {
	status, err := cat.Versioning(ctx, bucket)
	if err != nil || status == "" {
		return "", err
	}
	return fmt.Sprintf(" (versioning is %s on %s: the delete adds a delete marker; older versions stay, and are billed, until deleted by version ID)", status, bucket), nil
}

func (r *runner) removeObject(ctx context.Context, cat *transfer.Catalog, store transfer.Store, target ossname.URL, versionID string, yes bool) error {
	what := display.Escape(target.String())
	note := ""
	if versionID != "" {
		what += " version " + versionID
		note = " (for good: a version deleted by ID cannot be restored)"
	} else {
		obj, err := store.HeadObject(ctx, target.Bucket, target.Key)
		if err != nil {
			return err
		}
		what += " (" + units.FormatSize(obj.Size) + ")"
		if note, err = versioningNote(ctx, cat, target.Bucket); err != nil {
			return err
		}
	}
	if err := r.confirm(yes, "delete "+what+note+"?"); err != nil {
		return err
	}
	sum, err := cat.DeleteObjects(ctx, target.Bucket, []transfer.ObjectRef{{Bucket: target.Bucket, Key: target.Key, VersionID: versionID}}, nil)
	if err != nil {
		return err
	}
	if sum.Markers > 0 {
		fmt.Fprintf(r.stderr, "deleted %s: a delete marker now hides it\n", what)
	} else {
		fmt.Fprintf(r.stderr, "deleted %s\n", what)
	}
	return nil
}

func (r *runner) removePrefix(ctx context.Context, cat *transfer.Catalog, target ossname.URL, yes bool) error {
	sum, err := cat.SummarizePrefix(ctx, target.Bucket, target.Key)
	if err != nil {
		return err
	}
	if sum.Objects == 0 {
		fmt.Fprintf(r.stderr, "nothing under %s\n", display.Escape(target.String()))
		return nil
	}
	note, err := versioningNote(ctx, cat, target.Bucket)
	if err != nil {
		return err
	}
	question := fmt.Sprintf("delete %s (%s) under %s%s?", plural(sum.Objects, "object", "objects"), units.FormatSize(sum.Bytes), display.Escape(target.String()), note)
	if err := r.confirm(yes, question); err != nil {
		return err
	}
	progress := func(d transfer.DeleteSummary) {
		fmt.Fprintf(r.stderr, "deleted %d of %d\n", d.Objects, sum.Objects)
	}
	done, err := cat.DeletePrefix(ctx, target.Bucket, target.Key, progress)
	if err != nil {
		return fmt.Errorf("deleted %d objects, then: %w", done.Objects, err)
	}
	line := fmt.Sprintf("deleted %s (%s) in %s", plural(done.Objects, "object", "objects"), units.FormatSize(done.Bytes), plural(done.Batches, "request", "requests"))
	if done.Markers > 0 {
		line += fmt.Sprintf("; %d delete markers added, the data stays as older versions", done.Markers)
	}
	fmt.Fprintln(r.stderr, line)
	return nil
}
