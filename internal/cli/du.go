package cli

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"

	"ossq/internal/display"
	"ossq/internal/ossname"
	"ossq/internal/units"
)

const duSynopsis = "ossq du [flags] oss://BUCKET[/PREFIX/]"

// maxDuDepth bounds --depth: deeper groupings are a listing, not a summary.
const maxDuDepth = 64

// usage is what du counts for one group: objects and bytes, per storage class.
type usage struct {
	objects int64
	bytes   int64
	byClass map[string]*classUsage
}

type classUsage struct{ objects, bytes int64 }

func (u *usage) add(class string, size int64) {
	u.objects++
	u.bytes += size
	if u.byClass == nil {
		u.byClass = map[string]*classUsage{}
	}
	c := u.byClass[class]
	if c == nil {
		c = &classUsage{}
		u.byClass[class] = c
	}
	c.objects++
	c.bytes += size
}

// diskUsage prints how many objects and bytes lie under a prefix, per
// storage class, and with --depth N per sub-prefix N levels down. It lists
// the prefix once (no delimiter): one request per 1,000 objects.
func (r *runner) diskUsage(parent context.Context) int {
	fs := newFlagSet("du")
	var conn connectionFlags
	conn.register(fs)
	depth := fs.Int("depth", 0, "also total each sub-prefix this many levels below PREFIX (0: the prefix as a whole)")
	positional, err := parseArgs(fs, r.args)
	if err == nil && len(positional) != 1 {
		err = usagef("want one oss://BUCKET[/PREFIX/], got %d arguments", len(positional))
	}
	if err == nil && (*depth < 0 || *depth > maxDuDepth) {
		err = usagef("--depth %d: allowed 0 to %d", *depth, maxDuDepth)
	}
	var target ossname.URL
	if err == nil {
		target, err = parseOSSURL(positional[0])
	}
	if err != nil {
		return r.fail(err, fs, duSynopsis)
	}
	s, err := r.connect(conn)
	if err != nil {
		return r.fail(err, fs, duSynopsis)
	}
	ctx, interrupted, stop := interruptible(parent)
	defer stop()

	total, groups, err := measure(ctx, s, target, *depth)
	if err != nil {
		if interrupted() {
			r.errorf("interrupted")
			return ExitInterrupted
		}
		return r.fail(err, fs, duSynopsis)
	}
	out := bufio.NewWriter(r.stdout)
	defer out.Flush()
	writeUsage(out, target, total, groups, *depth)
	return ExitOK
}

// measure lists everything under target and sums it, overall and per group
// (the key's first depth segments below the prefix).
func measure(ctx context.Context, s *session, target ossname.URL, depth int) (*usage, map[string]*usage, error) {
	total := &usage{}
	groups := map[string]*usage{}
	token := ""
	for {
		p, err := s.store.ListObjects(ctx, target.Bucket, target.Key, "", token, listPageSize)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range p.Objects {
			total.add(o.StorageClass, o.Size)
			if depth > 0 {
				g := groupOf(strings.TrimPrefix(o.Key, target.Key), depth)
				if groups[g] == nil {
					groups[g] = &usage{}
				}
				groups[g].add(o.StorageClass, o.Size)
			}
		}
		if p.NextToken == "" {
			return total, groups, nil
		}
		if p.NextToken == token {
			return nil, nil, fmt.Errorf("listing %s: the server repeated continuation token %q", target, token)
		}
		token = p.NextToken
	}
}

// groupOf is the sub-prefix (ending in "/") of the first depth segments of
// rel, or "" for an object that lies less deep (counted as "(objects here)").
func groupOf(rel string, depth int) string {
	end := 0
	for i := 0; i < depth; i++ {
		j := strings.IndexByte(rel[end:], '/')
		if j < 0 {
			if i == 0 {
				return ""
			}
			break
		}
		end += j + 1
	}
	return rel[:end]
}

func writeUsage(out *bufio.Writer, target ossname.URL, total *usage, groups map[string]*usage, depth int) {
	row := func(objects, bytes int64, what string) {
		fmt.Fprintf(out, "%10d  %15d  %10s  %s\n", objects, bytes, units.FormatSize(bytes), what)
	}
	fmt.Fprintf(out, "%10s  %15s  %10s  %s\n", "OBJECTS", "BYTES", "SIZE", "WHAT")
	if depth > 0 {
		names := make([]string, 0, len(groups))
		for name := range groups {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			label := display.Escape(ossname.URL{Bucket: target.Bucket, Key: target.Key + name}.String())
			if name == "" {
				label = "(objects directly under " + display.Escape(target.String()) + ")"
			}
			row(groups[name].objects, groups[name].bytes, label)
		}
	}
	classes := make([]string, 0, len(total.byClass))
	for class := range total.byClass {
		classes = append(classes, class)
	}
	slices.Sort(classes)
	for _, class := range classes {
		name := class
		if name == "" {
			name = "(no class given)"
		}
		row(total.byClass[class].objects, total.byClass[class].bytes, "class "+display.Escape(name))
	}
	row(total.objects, total.bytes, "total "+display.Escape(target.String()))
}
