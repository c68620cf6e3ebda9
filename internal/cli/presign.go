package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ossq/internal/ossname"
	"ossq/transfer"
)

const presignSynopsis = "ossq presign [flags] oss://BUCKET/KEY [--expires 1h]"

// presign prints a URL anyone can GET the object with until it expires.
func (r *runner) presign(parent context.Context) int {
	fs := newFlagSet("presign")
	var conn connectionFlags
	conn.register(fs)
	expiresText := fs.String("expires", "1h", "how long the URL works, e.g. 30m, 12h, 7d (at most 7d)")
	versionID := fs.String("version-id", "", "share this `version` of the object")
	positional, err := parseArgs(fs, r.args)
	var target ossname.URL
	if err == nil {
		target, err = parseOneOSSURL(positional, "oss://BUCKET/KEY")
	}
	if err == nil && target.IsPrefix() {
		err = usagef("%s names no object", target)
	}
	var expires time.Duration
	if err == nil {
		expires, err = parseExpiry(*expiresText)
	}
	if err != nil {
		return r.fail(err, fs, presignSynopsis)
	}
	_, cat, err := r.connectCatalog(conn)
	if err != nil {
		return r.fail(err, fs, presignSynopsis)
	}
	ctx, _, stop := interruptible(parent)
	defer stop()
	pre, err := cat.Presign(ctx, transfer.ObjectRef{Bucket: target.Bucket, Key: target.Key, VersionID: *versionID}, expires)
	if err != nil {
		return r.fail(err, fs, presignSynopsis)
	}
	fmt.Fprintln(r.stdout, pre.URL)
	fmt.Fprintf(r.stderr, "valid until %s\n", pre.Expires.Local().Format("2006-01-02 15:04:05 MST"))
	return ExitOK
}

// parseExpiry reads a Go duration, or a number of days as "7d".
func parseExpiry(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, usagef("--expires %q: want a duration such as 30m, 12h or 7d", s)
		}
		if n < 1 || n > 7 { // checked before multiplying, which could overflow
			return 0, usagef("--expires %s: allowed more than 0 and at most 7d", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, usagef("--expires %q: want a duration such as 30m, 12h or 7d", s)
		}
	}
	if d <= 0 || d > 7*24*time.Hour {
		return 0, usagef("--expires %s: allowed more than 0 and at most 7d", s)
	}
	return d, nil
}
