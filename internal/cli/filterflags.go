package cli

import (
	"flag"
	"fmt"
	"time"

	"ossq/internal/config"
	"ossq/internal/filter"
	"ossq/internal/units"
	"ossq/transfer"
)

// filterFlags are the tree filters of get and put: --include, --exclude and
// --filter-from in the order given (first match wins), size, age and shard
// limits.
type filterFlags struct {
	rules              []filter.Rule
	minSize, maxSize   string
	minAge, maxAge     string
	shard              string
	followSymlinks     bool
	anyFilterFlagGiven bool
	given              map[string]bool // the filter flags on the command line
	flagOpts           filter.Options  // what they say, before the config's defaults
}

// ruleFlag appends to the shared ordered rule list.
type ruleFlag struct {
	f       *filterFlags
	include bool
	name    string
}

func (r ruleFlag) String() string { return "" }

func (r ruleFlag) Set(glob string) error {
	if glob == "" {
		return fmt.Errorf("empty glob")
	}
	r.f.rules = append(r.f.rules, filter.Rule{Include: r.include, Glob: glob, Source: "--" + r.name})
	return nil
}

type filterFromFlag struct{ f *filterFlags }

func (filterFromFlag) String() string { return "" }

func (ff filterFromFlag) Set(path string) error {
	rules, err := filter.ReadRules(config.ExpandPath(path, ""))
	if err != nil {
		return err
	}
	ff.f.rules = append(ff.f.rules, rules...)
	return nil
}

func (f *filterFlags) register(fs *flag.FlagSet, cmd string) {
	fs.Var(ruleFlag{f, true, "include"}, "include", "transfer only items matching `GLOB` (repeatable; rules apply in order, first match wins; * within a folder, ** across, a leading / anchors at the top)")
	fs.Var(ruleFlag{f, false, "exclude"}, "exclude", "leave out items matching `GLOB` (repeatable, ordered with --include)")
	fs.Var(filterFromFlag{f}, "filter-from", "read ordered rules from `FILE`: lines \"+ GLOB\" (include) and \"- GLOB\" (exclude), # comments")
	fs.StringVar(&f.minSize, "min-size", "", "transfer only items of at least `SIZE` (e.g. 1MiB)")
	fs.StringVar(&f.maxSize, "max-size", "", "transfer only items of at most `SIZE`")
	fs.StringVar(&f.minAge, "min-age", "", "transfer only items modified at least `AGE` ago (e.g. 36h, 7d, 2w)")
	fs.StringVar(&f.maxAge, "max-age", "", "transfer only items modified at most `AGE` ago")
	fs.StringVar(&f.shard, "shard", "", "transfer only share `I/N` of the tree, by a hash of each item's path under the prefix/folder (N machines: 1/N … N/N)")
	if cmd == "put" || cmd == "sync" {
		fs.BoolVar(&f.followSymlinks, "follow-symlinks", false, "upload what symbolic links in the folder point at (files and folders; loops are detected)")
	}
}

// build validates the limits and compiles the filter; nil when no filter
// flag was given.
func (f *filterFlags) build(fs *flag.FlagSet) (*filter.Filter, error) {
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "include", "exclude", "filter-from", "min-size", "max-size", "min-age", "max-age", "shard":
			f.anyFilterFlagGiven = true
			f.given[fl.Name] = true
		}
	})
	if !f.anyFilterFlagGiven {
		return nil, nil
	}
	var opts filter.Options
	opts.Rules = f.rules
	var err error
	if opts.MinSize, err = parseLimitSize("--min-size", f.minSize); err != nil {
		return nil, err
	}
	if opts.MaxSize, err = parseLimitSize("--max-size", f.maxSize); err != nil {
		return nil, err
	}
	if opts.MinAge, err = parseLimitAge("--min-age", f.minAge); err != nil {
		return nil, err
	}
	if opts.MaxAge, err = parseLimitAge("--max-age", f.maxAge); err != nil {
		return nil, err
	}
	if f.shard != "" {
		if opts.Shard, opts.ShardCount, err = filter.ParseShard(f.shard); err != nil {
			return nil, usagef("--shard: %v", err)
		}
	}
	flt, err := filter.New(opts)
	if err != nil {
		return nil, usagef("%v", err)
	}
	f.flagOpts = opts
	return flt, nil
}

// withDefaults is the filter of a folder job: the flags over the config's
// [filters]. Any rule flag replaces the config's rules (their order is
// the command line's); each limit flag replaces that limit. nil when
// neither says anything.
func (f *filterFlags) withDefaults(defaults filter.Options) (*filter.Filter, error) {
	o := f.flagOpts
	if !f.given["include"] && !f.given["exclude"] && !f.given["filter-from"] {
		o.Rules = defaults.Rules
	}
	if !f.given["min-size"] {
		o.MinSize = defaults.MinSize
	}
	if !f.given["max-size"] {
		o.MaxSize = defaults.MaxSize
	}
	if !f.given["min-age"] {
		o.MinAge = defaults.MinAge
	}
	if !f.given["max-age"] {
		o.MaxAge = defaults.MaxAge
	}
	flt, err := filter.New(o)
	if err != nil {
		return nil, usagef("with the config's [filters]: %v", err)
	}
	if flt.Empty() {
		return nil, nil
	}
	return flt, nil
}

func parseLimitSize(name, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := units.ParseSize(s)
	if err != nil {
		return 0, usagef("%s: %v", name, err)
	}
	return n, nil
}

func parseLimitAge(name, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := filter.ParseAge(s)
	if err != nil {
		return 0, usagef("%s: %v", name, err)
	}
	return d, nil
}

// checkTreeOptions refuses filter and link options where the current engine
// cannot honour them, rather than ignoring them: filters apply to trees,
// and a folder upload's walk inside the engine takes neither a filter nor
// --follow-symlinks yet (see the README's note on tree jobs).
func (f *filterFlags) checkTreeOptions(p plan, flt *filter.Filter) error {
	switch {
	case flt != nil && !p.tree:
		return usagef("--include, --exclude, --filter-from, size, age and --shard filters apply to a prefix or a folder, not to one object")
	case f.followSymlinks && !(p.tree && p.spec.Direction == transfer.Upload):
		return usagef("--follow-symlinks applies to a folder upload; a symlinked file given as SRC is followed anyway")
	}
	return nil
}
