package cli

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"ossq/internal/config"
)

const lsSynopsis = "ossq ls [flags] [oss://BUCKET[/PREFIX]]"

// listPageSize is how many keys one ListObjects request asks for.
const listPageSize = 1000

// list prints the buckets, or the objects and common prefixes under a
// prefix, one per line: size, modification time, key.
func (r *runner) list(parent context.Context) int {
	fs := newFlagSet("ls")
	var conn connectionFlags
	conn.register(fs)
	recursive := fs.Bool("recursive", false, "list every object under the prefix, not just one level")
	human := fs.Bool("human", false, "sizes as \"8 MiB\" instead of bytes")
	versions := fs.Bool("versions", false, "list every version and delete marker (versioned buckets), newest first")
	positional, err := parseArgs(fs, r.args)
	if err == nil && len(positional) > 1 {
		err = usagef("want at most one oss://BUCKET[/PREFIX], got %d arguments", len(positional))
	}
	var target ossURL
	if err == nil && len(positional) == 1 {
		target, err = parseOSSURL(positional[0])
	}
	if err == nil && *versions && len(positional) == 0 {
		err = usagef("--versions lists a bucket: name oss://BUCKET[/PREFIX]")
	}
	if err != nil {
		return r.fail(err, fs, lsSynopsis)
	}
	s, err := r.connect(conn)
	if err != nil {
		return r.fail(err, fs, lsSynopsis)
	}
	ctx, interrupted, stop := interruptible(parent)
	defer stop()

	out := bufio.NewWriter(r.stdout)
	defer out.Flush()
	switch {
	case len(positional) == 0:
		err = listBuckets(ctx, s, out)
	case *versions:
		err = listVersions(ctx, s, target, *recursive, *human, out)
	default:
		err = listObjects(ctx, s, target, *recursive, *human, out)
	}
	if err != nil {
		out.Flush()
		if interrupted() {
			r.errorf("interrupted")
			return ExitInterrupted
		}
		return r.fail(err, fs, lsSynopsis)
	}
	return ExitOK
}

func listBuckets(ctx context.Context, s *session, out *bufio.Writer) error {
	buckets, err := s.store.ListBuckets(ctx)
	if err != nil {
		return err
	}
	for _, b := range buckets {
		fmt.Fprintf(out, "%s  %-20s  %s\n", formatTime(b.Created), b.Region, ossScheme+b.Name)
	}
	return nil
}

func listObjects(ctx context.Context, s *session, target ossURL, recursive, human bool, out *bufio.Writer) error {
	delimiter := "/"
	if recursive {
		delimiter = ""
	}
	token := ""
	// Each page advances the continuation token; the loop ends when OSS says
	// the listing is complete. The guard stops a server that repeats a token.
	for {
		p, err := s.store.ListObjects(ctx, target.Bucket, target.Key, delimiter, token, listPageSize)
		if err != nil {
			return err
		}
		for _, prefix := range p.Prefixes {
			fmt.Fprintf(out, "%12s  %-19s  %s\n", "DIR", "", printableKey(prefix))
		}
		for _, o := range p.Objects {
			size := fmt.Sprint(o.Size)
			if human {
				size = config.FormatSize(o.Size)
			}
			fmt.Fprintf(out, "%12s  %s  %s\n", size, formatTime(o.LastModified), printableKey(o.Key))
		}
		if p.NextToken == "" {
			return nil
		}
		if p.NextToken == token {
			return fmt.Errorf("listing oss://%s/%s: the server repeated continuation token %q", target.Bucket, target.Key, token)
		}
		token = p.NextToken
		if err := out.Flush(); err != nil {
			return err
		}
	}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return strings.Repeat(" ", 19)
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// printableKey keeps one object per line: a key holding control characters
// (a newline, an escape sequence) is printed Go-quoted instead of raw.
func printableKey(key string) string {
	for _, c := range key {
		if unicode.IsControl(c) {
			return strconv.Quote(key)
		}
	}
	return key
}

// listVersions prints every version under the prefix: size, time, version
// ID, "latest" and "deleted" (a delete marker), key.
func listVersions(ctx context.Context, s *session, target ossURL, recursive, human bool, out *bufio.Writer) error {
	cat, err := s.catalog()
	if err != nil {
		return err
	}
	delimiter := "/"
	if recursive {
		delimiter = ""
	}
	keyMarker, idMarker := "", ""
	for range maxListPages {
		page, err := cat.ListVersions(ctx, target.Bucket, target.Key, delimiter, keyMarker, idMarker, listPageSize)
		if err != nil {
			return err
		}
		for _, prefix := range page.Prefixes {
			fmt.Fprintf(out, "%12s  %-19s  %-36s  %-14s  %s\n", "DIR", "", "", "", printableKey(prefix))
		}
		for _, v := range page.Versions {
			size := fmt.Sprint(v.Size)
			if human {
				size = config.FormatSize(v.Size)
			}
			var flags []string
			if v.IsLatest {
				flags = append(flags, "latest")
			}
			if v.DeleteMarker {
				size = "-"
				flags = append(flags, "deleted")
			}
			fmt.Fprintf(out, "%12s  %s  %-36s  %-14s  %s\n", size, formatTime(v.LastModified), v.VersionID, strings.Join(flags, ","), printableKey(v.Key))
		}
		if !page.Truncated {
			return nil
		}
		if page.NextKeyMarker == keyMarker && page.NextVersionIDMarker == idMarker {
			return fmt.Errorf("listing versions of oss://%s/%s: the server repeated its marker", target.Bucket, target.Key)
		}
		keyMarker, idMarker = page.NextKeyMarker, page.NextVersionIDMarker
		if err := out.Flush(); err != nil {
			return err
		}
	}
	return fmt.Errorf("listing versions of oss://%s/%s: more than %d pages", target.Bucket, target.Key, maxListPages)
}

// maxListPages bounds a listing against a server that never ends it.
const maxListPages = 1_000_000
