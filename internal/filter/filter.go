package filter

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Rule is one include or exclude glob (see compileGlob for the syntax).
type Rule struct {
	Include bool   `json:"include,omitempty"`
	Glob    string `json:"glob"`
	Source  string `json:"source,omitempty"` // where it came from, for messages: "--include", "rules.txt:3"
}

func (r Rule) String() string {
	sign := "-"
	if r.Include {
		sign = "+"
	}
	return sign + " " + r.Glob
}

// Options are a filter's settings. Zero values mean "no limit".
type Options struct {
	// Rules in order; the first whose glob matches decides. When any rule
	// came from --include (Source "--include"), a path no rule matched is
	// left out, as rclone does; otherwise it is kept.
	Rules   []Rule        `json:"rules,omitempty"`
	MinSize int64         `json:"min_size,omitempty"` // keep only items of at least this many bytes (0 = no limit)
	MaxSize int64         `json:"max_size,omitempty"` // keep only items of at most this many bytes (-1 or 0 = no limit)
	MinAge  time.Duration `json:"min_age,omitempty"`  // keep only items modified at least this long ago
	MaxAge  time.Duration `json:"max_age,omitempty"`  // keep only items modified at most this long ago
	// Shard, ShardCount: keep only the items ShardOf puts in shard Shard
	// (1-based) of ShardCount. ShardCount 0 means no sharding.
	Shard      int `json:"shard,omitempty"`
	ShardCount int `json:"shard_count,omitempty"`
	// Now is the clock ages are measured against; nil means time.Now,
	// read once in New so one run judges every item by the same instant.
	Now func() time.Time `json:"-"`
}

// Filter is a compiled set of Options. It is safe for concurrent use.
type Filter struct {
	rules       []compiledRule
	excludeRest bool // an --include was given: what no rule matches is left out
	opts        Options
	now         time.Time
}

type compiledRule struct {
	Rule
	matcher interface{ MatchString(string) bool }
}

// Options returns the settings f was compiled from, without the clock, so
// they can be kept with a job and compiled again when it resumes.
func (f *Filter) Options() Options {
	o := f.opts
	o.Now = nil
	return o
}

// IncludeSource marks a rule given with --include (see Options.Rules).
const IncludeSource = "--include"

// New compiles opts; a bad glob or an impossible limit is an error that
// names the rule and where it came from.
func New(opts Options) (*Filter, error) {
	f := &Filter{opts: opts}
	for _, r := range opts.Rules {
		re, err := compileGlob(r.Glob)
		if err != nil {
			if r.Source != "" {
				return nil, fmt.Errorf("%s: %v", r.Source, err)
			}
			return nil, err
		}
		f.rules = append(f.rules, compiledRule{Rule: r, matcher: re})
		if r.Include && r.Source == IncludeSource {
			f.excludeRest = true
		}
	}
	switch {
	case opts.MinSize < 0:
		return nil, fmt.Errorf("--min-size %d: must not be negative", opts.MinSize)
	case opts.MaxSize > 0 && opts.MinSize > opts.MaxSize:
		return nil, fmt.Errorf("--min-size %d is above --max-size %d: nothing could match", opts.MinSize, opts.MaxSize)
	case opts.MinAge < 0 || opts.MaxAge < 0:
		return nil, errors.New("--min-age and --max-age must not be negative")
	case opts.MaxAge > 0 && opts.MinAge > opts.MaxAge:
		return nil, fmt.Errorf("--min-age %s is above --max-age %s: nothing could match", opts.MinAge, opts.MaxAge)
	case opts.ShardCount < 0 || opts.ShardCount > 0 && (opts.Shard < 1 || opts.Shard > opts.ShardCount):
		return nil, fmt.Errorf("shard %d/%d: want 1 to N of N", opts.Shard, opts.ShardCount)
	}
	if opts.Now != nil {
		f.now = opts.Now()
	} else {
		f.now = time.Now()
	}
	return f, nil
}

// Empty reports whether the filter keeps everything (no rules, no limits).
func (f *Filter) Empty() bool {
	return f == nil || len(f.rules) == 0 && f.opts.MinSize == 0 && f.opts.MaxSize <= 0 &&
		f.opts.MinAge == 0 && f.opts.MaxAge == 0 && f.opts.ShardCount == 0
}

// Match reports whether the item at relPath (slash-separated, relative to
// the job's prefix or folder) with this size and modification time is to be
// transferred; when not, reason says which rule or limit left it out. A nil
// Filter keeps everything. A zero mtime (unknown) passes the age limits.
func (f *Filter) Match(relPath string, size int64, mtime time.Time) (ok bool, reason string) {
	if f == nil {
		return true, ""
	}
	matched := false
	for _, r := range f.rules {
		if r.matcher.MatchString(relPath) {
			if !r.Include {
				return false, "excluded by " + r.describe()
			}
			matched = true
			break
		}
	}
	if !matched && f.excludeRest {
		return false, "matches no --include"
	}
	if f.opts.MinSize > 0 && size < f.opts.MinSize {
		return false, fmt.Sprintf("smaller than --min-size (%d < %d bytes)", size, f.opts.MinSize)
	}
	if f.opts.MaxSize > 0 && size > f.opts.MaxSize {
		return false, fmt.Sprintf("larger than --max-size (%d > %d bytes)", size, f.opts.MaxSize)
	}
	if !mtime.IsZero() {
		age := f.now.Sub(mtime)
		if f.opts.MinAge > 0 && age < f.opts.MinAge {
			return false, fmt.Sprintf("newer than --min-age %s", FormatAge(f.opts.MinAge))
		}
		if f.opts.MaxAge > 0 && age > f.opts.MaxAge {
			return false, fmt.Sprintf("older than --max-age %s", FormatAge(f.opts.MaxAge))
		}
	}
	if f.opts.ShardCount > 0 {
		if s := ShardOf(relPath, f.opts.ShardCount) + 1; s != f.opts.Shard {
			return false, fmt.Sprintf("in shard %d/%d, not %d/%d", s, f.opts.ShardCount, f.opts.Shard, f.opts.ShardCount)
		}
	}
	return true, ""
}

func (r compiledRule) describe() string {
	if r.Source == "" {
		return strconv.Quote(r.String())
	}
	return fmt.Sprintf("%q (%s)", r.String(), r.Source)
}

// ReadRules reads a --filter-from file: one rule per line, "+ GLOB" to
// include, "- GLOB" to exclude; blank lines and lines starting with '#' or
// ';' are comments. Leading and trailing spaces are trimmed, as in rclone.
func ReadRules(path string) ([]Rule, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--filter-from: %w", err)
	}
	defer file.Close()
	return ParseRules(file, path)
}

// ParseRules reads rules in the --filter-from format from r; name is used
// in messages ("name:LINE").
func ParseRules(r io.Reader, name string) ([]Rule, error) {
	var rules []Rule
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; scanner.Scan(); n++ {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		source := fmt.Sprintf("%s:%d", name, n)
		var rule Rule
		switch {
		case strings.HasPrefix(line, "+ "):
			rule = Rule{Include: true, Glob: strings.TrimSpace(line[2:]), Source: source}
		case strings.HasPrefix(line, "- "):
			rule = Rule{Glob: strings.TrimSpace(line[2:]), Source: source}
		default:
			return nil, fmt.Errorf("%s: %q: want \"+ GLOB\" or \"- GLOB\"", source, line)
		}
		if _, err := compileGlob(rule.Glob); err != nil {
			return nil, fmt.Errorf("%s: %v", source, err)
		}
		rules = append(rules, rule)
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rules, nil
}
