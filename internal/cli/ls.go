package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
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
	human := fs.Bool("human", false, "sizes as \"8.0 MiB\" instead of bytes")
	asJSON := fs.Bool("json", false, "one JSON object per line (NDJSON) with stable field names (see the README)")
	versions := fs.Bool("versions", false, "list every version and delete marker (versioned buckets), newest first")
	positional, err := parseArgs(fs, r.args)
	if err == nil && len(positional) > 1 {
		err = usagef("want at most one oss://BUCKET[/PREFIX], got %d arguments", len(positional))
	}
	var target ossname.URL
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
	lineFor := textLines(*human)
	if *asJSON {
		lineFor = jsonLines()
	}
	switch {
	case len(positional) == 0:
		err = listBuckets(ctx, s, out, lineFor)
	case *versions:
		err = listVersions(ctx, s, target, *recursive, *human, out)
	default:
		err = listObjects(ctx, s, target, *recursive, out, lineFor)
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

func listBuckets(ctx context.Context, s *session, out *bufio.Writer, lineFor lineFormat) error {
	buckets, err := s.store.ListBuckets(ctx)
	if err != nil {
		return err
	}
	for _, b := range buckets {
		out.WriteString(lineFor.bucket(b))
	}
	return nil
}

func listObjects(ctx context.Context, s *session, target ossname.URL, recursive bool, out *bufio.Writer, lineFor lineFormat) error {
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
			out.WriteString(lineFor.prefix(prefix))
		}
		for _, o := range p.Objects {
			out.WriteString(lineFor.object(o))
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

// lineFormat renders ls's entries, as text for people or JSON for scripts.
type lineFormat struct {
	bucket func(transfer.Bucket) string
	prefix func(string) string
	object func(transfer.Object) string
}

func textLines(human bool) lineFormat {
	return lineFormat{
		bucket: func(b transfer.Bucket) string {
			return fmt.Sprintf("%s  %-20s  %s\n", formatTime(b.Created), display.Escape(b.Region), ossname.Scheme+display.Escape(b.Name))
		},
		prefix: func(p string) string { return fmt.Sprintf("%12s  %-19s  %s\n", "DIR", "", display.Escape(p)) },
		object: func(o transfer.Object) string {
			size := fmt.Sprint(o.Size)
			if human {
				size = units.FormatSize(o.Size)
			}
			return fmt.Sprintf("%12s  %s  %s\n", size, formatTime(o.LastModified), display.Escape(o.Key))
		},
	}
}

// The --json records. Field names are a contract with scripts (README
// "ls --json"): add fields, never rename or remove one. Every field is
// always present; "" means the server did not say.
type (
	jsonBucket struct {
		Type         string `json:"type"` // "bucket"
		Name         string `json:"name"`
		Region       string `json:"region"`
		Created      string `json:"created"`
		StorageClass string `json:"storage_class"`
	}
	jsonPrefix struct {
		Type string `json:"type"` // "prefix"
		Key  string `json:"key"`
	}
	jsonObject struct {
		Type         string `json:"type"` // "object"
		Key          string `json:"key"`
		Size         int64  `json:"size"`
		LastModified string `json:"last_modified"` // RFC 3339, UTC
		ETag         string `json:"etag"`          // without the quotes OSS puts around it
		StorageClass string `json:"storage_class"`
		CRC64        string `json:"crc64"` // decimal string: a uint64 does not fit a JSON number safely
		VersionID    string `json:"version_id"`
	}
)

func jsonLines() lineFormat {
	return lineFormat{
		bucket: func(b transfer.Bucket) string {
			return jsonLine(jsonBucket{Type: "bucket", Name: b.Name, Region: b.Region, Created: jsonTime(b.Created), StorageClass: b.StorageClass})
		},
		prefix: func(p string) string { return jsonLine(jsonPrefix{Type: "prefix", Key: p}) },
		object: func(o transfer.Object) string {
			return jsonLine(jsonObject{Type: "object", Key: o.Key, Size: o.Size, LastModified: jsonTime(o.LastModified),
				ETag: strings.Trim(o.ETag, `"`), StorageClass: o.StorageClass, CRC64: o.CRC64, VersionID: o.VersionID})
		},
	}
}

// jsonLine is one NDJSON record. encoding/json escapes control characters,
// so a hostile key cannot break the line.
func jsonLine(v any) string {
	// Marshal fails only on types these records do not use (channels,
	// functions, cycles); invalid UTF-8 becomes U+FFFD, and OSS keys are UTF-8.
	data, _ := json.Marshal(v)
	return string(data) + "\n"
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// listVersions prints every version under the prefix: size, time, version
// ID, "latest" and "deleted" (a delete marker), key.
func listVersions(ctx context.Context, s *session, target ossname.URL, recursive, human bool, out *bufio.Writer) error {
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
			fmt.Fprintf(out, "%12s  %-19s  %-36s  %-14s  %s\n", "DIR", "", "", "", display.Escape(prefix))
		}
		for _, v := range page.Versions {
			size := fmt.Sprint(v.Size)
			if human {
				size = units.FormatSize(v.Size)
			}
			var flags []string
			if v.IsLatest {
				flags = append(flags, "latest")
			}
			if v.DeleteMarker {
				size = "-"
				flags = append(flags, "deleted")
			}
			fmt.Fprintf(out, "%12s  %s  %-36s  %-14s  %s\n", size, formatTime(v.LastModified), v.VersionID, strings.Join(flags, ","), display.Escape(v.Key))
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
