package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
)

const (
	uploadsSynopsis      = "ossq uploads ls oss://BUCKET[/PREFIX] | ossq uploads abort oss://BUCKET/KEY --upload-id ID | ossq uploads abort oss://BUCKET[/PREFIX] --all [--yes]"
	uploadsLsSynopsis    = "ossq uploads ls [flags] oss://BUCKET[/PREFIX]"
	uploadsAbortSynopsis = "ossq uploads abort [flags] oss://BUCKET/KEY --upload-id ID  |  --all oss://BUCKET[/PREFIX]"
)

// uploads lists or aborts incomplete multipart uploads: billed storage that
// a killed upload (or another tool) left behind.
func (r *runner) uploads(parent context.Context) int {
	fs := newFlagSet("uploads")
	var conn connectionFlags
	conn.register(fs)
	human := fs.Bool("human", false, "ls: sizes as \"8.0 MiB\" instead of bytes")
	asJSON := fs.Bool("json", false, "ls: one JSON object per line (NDJSON), fields in the README")
	uploadID := fs.String("upload-id", "", "abort: the `ID` of the upload to abort")
	all := fs.Bool("all", false, "abort: every incomplete upload under the prefix")
	yes := fs.Bool("yes", false, "abort --all: do not ask")
	positional, err := parseArgs(fs, r.args)
	if err != nil {
		return r.fail(err, fs, uploadsSynopsis)
	}
	if len(positional) == 0 || positional[0] != "ls" && positional[0] != "abort" {
		return r.fail(usagef("want 'uploads ls' or 'uploads abort'"), fs, uploadsSynopsis)
	}
	sub := positional[0]
	positional = positional[1:]
	synopsis := uploadsLsSynopsis
	if sub == "abort" {
		synopsis = uploadsAbortSynopsis
	}
	target, err := parseOneOSSURL(positional, "oss://BUCKET[/PREFIX]")
	if err == nil && sub == "abort" && *asJSON {
		err = usagef("--json applies to ls")
	}
	if err == nil && sub == "ls" && (*uploadID != "" || *all || *yes) {
		err = usagef("--upload-id, --all and --yes apply to abort")
	}
	if err == nil && sub == "abort" {
		switch {
		case *all && *uploadID != "":
			err = usagef("--all and --upload-id exclude each other")
		case !*all && *uploadID == "":
			err = usagef("name the upload with --upload-id ID, or abort every one under the prefix with --all")
		case !*all && target.IsPrefix():
			err = usagef("%s names no object; --upload-id needs oss://BUCKET/KEY", target)
		}
	}
	if err != nil {
		return r.fail(err, fs, synopsis)
	}
	s, cat, err := r.connectCatalog(conn)
	if err != nil {
		return r.fail(err, fs, synopsis)
	}
	ctx, interrupted, stop := interruptible(parent)
	defer stop()
	switch {
	case sub == "ls":
		err = r.listUploads(ctx, cat, target, *human, *asJSON)
	case *all:
		err = r.abortAll(ctx, cat, target, *yes)
	default:
		err = r.abortOne(ctx, cat, s.store, target, *uploadID)
	}
	switch {
	case errors.Is(err, errNotConfirmed):
		return ExitFailure
	case err != nil && interrupted():
		r.errorf("interrupted")
		return ExitInterrupted
	case err != nil:
		return r.fail(err, fs, synopsis)
	}
	return ExitOK
}

func (r *runner) listUploads(ctx context.Context, cat *transfer.Catalog, target ossname.URL, human, asJSON bool) error {
	out := bufio.NewWriter(r.stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	count, total := 0, int64(0)
	token := ""
	for {
		page, next, err := cat.ListUploads(ctx, target.Bucket, target.Key, token)
		if err != nil {
			return err
		}
		for _, u := range page {
			if asJSON {
				if err := enc.Encode(jsonUpload{Type: "upload", Bucket: u.Bucket, Key: u.Key, UploadID: u.UploadID,
					Initiated: u.Initiated.UTC().Format(time.RFC3339), Parts: u.Parts, Bytes: u.Bytes}); err != nil {
					return err
				}
				count++
				total += u.Bytes
				continue
			}
			size := fmt.Sprint(u.Bytes)
			if human {
				size = units.FormatSize(u.Bytes)
			}
			fmt.Fprintf(out, "%s  %5d parts  %12s  %s  %s\n", formatTime(u.Initiated), u.Parts, size, u.UploadID,
				display.Escape(ossname.URL{Bucket: u.Bucket, Key: u.Key}.String()))
			count++
			total += u.Bytes
		}
		if next == "" {
			break
		}
		token = next
	}
	out.Flush()
	fmt.Fprintf(r.stderr, "%s under %s, %s of parts\n", plural(count, "incomplete upload", "incomplete uploads"), target, units.FormatSize(total))
	return nil
}

func (r *runner) abortOne(ctx context.Context, cat *transfer.Catalog, store transfer.Store, target ossname.URL, id string) error {
	parts, err := store.ListParts(ctx, target.Bucket, target.Key, id)
	if err != nil {
		return err
	}
	var bytes int64
	for _, p := range parts {
		bytes += p.Size
	}
	if err := cat.AbortUpload(ctx, target.Bucket, target.Key, id); err != nil {
		return err
	}
	fmt.Fprintf(r.stderr, "aborted upload %s of %s: %s freed (%s)\n", id, display.Escape(target.String()), units.FormatSize(bytes), plural(len(parts), "part", "parts"))
	return nil
}

func (r *runner) abortAll(ctx context.Context, cat *transfer.Catalog, target ossname.URL, yes bool) error {
	ups, err := cat.AllUploads(ctx, target.Bucket, target.Key)
	if err != nil {
		return err
	}
	if len(ups) == 0 {
		fmt.Fprintf(r.stderr, "no incomplete uploads under %s\n", target)
		return nil
	}
	var total int64
	for _, u := range ups {
		total += u.Bytes
	}
	question := fmt.Sprintf("abort %s under %s, freeing %s?", plural(len(ups), "incomplete upload", "incomplete uploads"), target, units.FormatSize(total))
	if err := r.confirm(yes, question); err != nil {
		return err
	}
	for i, u := range ups {
		if err := cat.AbortUpload(ctx, u.Bucket, u.Key, u.UploadID); err != nil {
			return fmt.Errorf("aborted %d of %d; %s: %w", i, len(ups), u.UploadID, err)
		}
	}
	fmt.Fprintf(r.stderr, "aborted %s, %s freed\n", plural(len(ups), "upload", "uploads"), units.FormatSize(total))
	return nil
}
