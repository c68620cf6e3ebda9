package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

const syncSynopsis = "ossq sync [flags] SRC DST    (oss://BUCKET/PREFIX/ to a local folder, or a local folder to oss://BUCKET/PREFIX/: transfers what differs, --update by default; --delete also removes from DST what SRC no longer has)"

// planFlags are the flags that decide what a folder job moves and how its
// outcome is written: get's, put's and sync's.
type planFlags struct {
	update, checksum bool
	dryRun           bool
	asJSON           bool
	verbose          bool
	// sync only
	delete    bool
	yes       bool
	maxDelete int
	// compareGiven: --update or --checksum is on the command line (even as
	// =false, which turns a configured compare off for this run).
	compareGiven bool
	// defaultCompare is the config's compare, for folder jobs.
	defaultCompare string
}

func (f *planFlags) register(fs *flag.FlagSet, cmd string) {
	f.maxDelete = -1 // no limit, also where the flag is not registered
	fs.BoolVar(&f.update, "update", false, "folders: skip items whose destination has the same size and is no older (the default of sync)")
	fs.BoolVar(&f.checksum, "checksum", false, "folders: skip items whose destination has the same size and CRC64 (a HEAD per same-sized item; local CRC64s are cached)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "folders: print the plan (transfer, unchanged, filtered, skipped, delete: counts and bytes) and move nothing")
	fs.BoolVar(&f.asJSON, "json", false, "one JSON object per line on stdout: an event per item and a final summary (fields in the README)")
	fs.BoolVar(&f.verbose, "v", false, "with --dry-run: list each item of the plan")
	if cmd == "sync" {
		fs.BoolVar(&f.delete, "delete", false, "also remove from DST what SRC no longer has (asks unless --yes; only after every transfer succeeded)")
		fs.BoolVar(&f.yes, "yes", false, "with --delete: do not ask")
		fs.IntVar(&f.maxDelete, "max-delete", -1, "with --delete: delete nothing and fail if more than `N` would go")
	}
}

// apply puts the compare mode and the run's kind into the plan.
func (f *planFlags) apply(cmd string, p *plan) error {
	if f.update && f.checksum {
		return usagef("--update and --checksum exclude each other")
	}
	if !p.tree && (f.update || f.checksum || f.dryRun) {
		return usagef("--update, --checksum and --dry-run apply to folders and prefixes, not to one object")
	}
	if cmd != "sync" && (f.delete || f.yes || f.maxDelete >= 0) {
		return usagef("--delete, --yes and --max-delete apply to sync")
	}
	if !f.delete && (f.yes || f.maxDelete >= 0) {
		return usagef("--yes and --max-delete go with --delete")
	}
	switch {
	case f.checksum:
		p.spec.Compare = transfer.CompareChecksum
	case f.update:
		p.spec.Compare = transfer.CompareUpdate
	case f.compareGiven:
	case p.tree && f.defaultCompare != "":
		p.spec.Compare = f.defaultCompare
	case cmd == "sync":
		p.spec.Compare = transfer.CompareUpdate
	}
	p.spec.DryRun = f.dryRun
	p.spec.Mirror = f.delete
	return nil
}

// planSync reads `sync SRC DST`: a prefix to a folder or a folder to a
// prefix, both always taken as folders.
func planSync(positional []string) (plan, error) {
	if len(positional) != 2 {
		return plan{}, usagef("want SRC and DST, got %d arguments", len(positional))
	}
	src, dst := positional[0], positional[1]
	switch {
	case ossname.IsURL(src) && ossname.IsURL(dst):
		return plan{}, usagef("sync goes between OSS and a local folder; for OSS to OSS use cp")
	case ossname.IsURL(src):
		u, err := parseOSSURL(src)
		if err != nil {
			return plan{}, err
		}
		if dst == "" {
			return plan{}, usagef("the destination is empty")
		}
		return planGet([]string{u.AsPrefix().String(), dst}, "")
	case ossname.IsURL(dst):
		if info, err := os.Stat(src); err == nil && !info.IsDir() {
			return plan{}, usagef("sync takes a folder; %s is a file (use put)", src)
		}
		return planPut(positional)
	}
	return plan{}, usagef("one of SRC and DST must be an oss:// address")
}

// deleteExtras removes what the destination holds beyond the source, once
// every transfer succeeded; it returns the exit code.
func (j *job) deleteExtras(ctx context.Context, js transfer.JobSnapshot, out *jsonOut) int {
	n := js.Extras
	if n == 0 {
		return ExitOK
	}
	f := j.planFlags
	where := j.plan.target
	if f.maxDelete >= 0 && n > int64(f.maxDelete) {
		j.errorf("%d items would be deleted from %s, more than --max-delete %d: nothing deleted", n, where, f.maxDelete)
		return ExitFailure
	}
	question := fmt.Sprintf("delete %s (%s) from %s that %s no longer has?", plural(int(n), "item", "items"),
		units.FormatSize(js.ExtrasBytes), where, j.plan.source)
	if err := j.confirm(f.yes, question); err != nil {
		return ExitFailure
	}
	var del deleter
	var err error
	if j.plan.spec.Direction == transfer.Download {
		del, err = newLocalDeleter(j.plan.spec.LocalPath)
	} else {
		del, err = newObjectDeleter(j.eng.Store(), j.plan.spec.Bucket)
	}
	if err != nil {
		j.errorf("%v", err)
		return ExitFailure
	}
	failed := 0
	err = j.eng.Extras(js.ID, func(x transfer.Extra) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := del.add(ctx, x, out); err != nil {
			failed++
			j.errorf("delete %s: %s", extraName(x), describeError(err))
		}
		return nil
	})
	if err == nil {
		err = del.flush(ctx, out)
	}
	del.close()
	deleted, bytes := del.done()
	out.deleted, out.deletedBytes = deleted, bytes
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return ExitInterrupted
		}
		j.errorf("deleting: %s", describeError(err))
		return ExitFailure
	}
	fmt.Fprintf(j.stderr, "deleted %s (%s) that %s no longer has\n", plural(deleted, "item", "items"), units.FormatSize(bytes), j.plan.source)
	if failed > 0 {
		return ExitFailure
	}
	return ExitOK
}

func extraName(x transfer.Extra) string {
	if x.Path != "" {
		return x.Path
	}
	return x.Key
}

// deleter removes extras: local files one by one through the folder's
// os.Root, objects in batches of 1,000.
type deleter interface {
	add(ctx context.Context, x transfer.Extra, out *jsonOut) error
	flush(ctx context.Context, out *jsonOut) error
	done() (int, int64)
	close()
}

type localDeleter struct {
	root  *os.Root
	n     int
	bytes int64
}

func newLocalDeleter(folder string) (*localDeleter, error) {
	root, err := os.OpenRoot(folder)
	if err != nil {
		return nil, fmt.Errorf("open %s to delete in it: %w", folder, err)
	}
	return &localDeleter{root: root}, nil
}

func (d *localDeleter) add(_ context.Context, x transfer.Extra, out *jsonOut) error {
	// Lstat first: a name that became a folder (or a link) meanwhile is not
	// the file the plan counted.
	fi, err := d.root.Lstat(filepath.FromSlash(x.Rel))
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is no longer a regular file", x.Rel)
	}
	if err == nil {
		err = d.root.Remove(filepath.FromSlash(x.Rel))
	}
	out.deleteEvent(x, err)
	if err != nil {
		return err
	}
	d.n++
	d.bytes += x.Size
	return nil
}

func (d *localDeleter) flush(context.Context, *jsonOut) error { return nil }
func (d *localDeleter) done() (int, int64)                    { return d.n, d.bytes }
func (d *localDeleter) close()                                { d.root.Close() }

type objectDeleter struct {
	cat     *transfer.Catalog
	bucket  string
	pending []transfer.Extra
	n       int
	bytes   int64
}

func newObjectDeleter(store transfer.Store, bucket string) (*objectDeleter, error) {
	cat, err := transfer.NewCatalog(store)
	if err != nil {
		return nil, fmt.Errorf("this store cannot delete objects: %w", err)
	}
	return &objectDeleter{cat: cat, bucket: bucket}, nil
}

const deleteBatch = 1000

func (d *objectDeleter) add(ctx context.Context, x transfer.Extra, out *jsonOut) error {
	d.pending = append(d.pending, x)
	if len(d.pending) >= deleteBatch {
		return d.flush(ctx, out)
	}
	return nil
}

func (d *objectDeleter) flush(ctx context.Context, out *jsonOut) error {
	if len(d.pending) == 0 {
		return nil
	}
	refs := make([]transfer.ObjectRef, len(d.pending))
	for i, x := range d.pending {
		refs[i] = transfer.ObjectRef{Bucket: d.bucket, Key: x.Key}
	}
	_, err := d.cat.DeleteObjects(ctx, d.bucket, refs, nil)
	for _, x := range d.pending {
		out.deleteEvent(x, err)
		if err == nil {
			d.n++
			d.bytes += x.Size
		}
	}
	d.pending = d.pending[:0]
	return err
}

func (d *objectDeleter) done() (int, int64) { return d.n, d.bytes }
func (d *objectDeleter) close()             {}
