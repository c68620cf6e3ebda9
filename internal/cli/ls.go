package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"ossq/internal/config"
	"ossq/internal/display"
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
	positional, err := parseArgs(fs, r.args)
	if err == nil && len(positional) > 1 {
		err = usagef("want at most one oss://BUCKET[/PREFIX], got %d arguments", len(positional))
	}
	var target ossURL
	if err == nil && len(positional) == 1 {
		target, err = parseOSSURL(positional[0])
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
	if len(positional) == 0 {
		err = listBuckets(ctx, s, out)
	} else {
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
		fmt.Fprintf(out, "%s  %-20s  %s\n", formatTime(b.Created), display.Escape(b.Region), ossScheme+display.Escape(b.Name))
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
			fmt.Fprintf(out, "%12s  %-19s  %s\n", "DIR", "", display.Escape(prefix))
		}
		for _, o := range p.Objects {
			size := fmt.Sprint(o.Size)
			if human {
				size = config.FormatSize(o.Size)
			}
			fmt.Fprintf(out, "%12s  %s  %s\n", size, formatTime(o.LastModified), display.Escape(o.Key))
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
