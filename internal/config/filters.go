package config

import (
	"fmt"
	"time"

	"ossq/internal/filter"
	"ossq/internal/units"
)

// Filters are the default filters of folder jobs ([filters]): the CLI's
// get, put and sync use them unless a filter flag is given, and the TUI's
// download and upload prompts start from them. The globs, ages and the
// consistency of the limits are checked by internal/filter (a leaf that
// imports nothing of ossq), so the config accepts exactly what the flags do.
type Filters struct {
	Include, Exclude []string
	MinSize, MaxSize int64
	MinAge, MaxAge   time.Duration
}

// Empty reports whether no default filter is set.
func (f Filters) Empty() bool {
	return len(f.Include) == 0 && len(f.Exclude) == 0 && f.MinSize == 0 && f.MaxSize == 0 && f.MinAge == 0 && f.MaxAge == 0
}

// Options are the filters as the engine takes them. The excludes come
// first, then the includes (first match wins): exclude = ["tmp/**"] leaves
// out tmp/a.jpg even under include = ["*.jpg"]. An include leaves out what
// no include matches, as --include does.
func (f Filters) Options() filter.Options {
	opts := filter.Options{MinSize: f.MinSize, MaxSize: f.MaxSize, MinAge: f.MinAge, MaxAge: f.MaxAge}
	for _, g := range f.Exclude {
		opts.Rules = append(opts.Rules, filter.Rule{Glob: g, Source: "--exclude"})
	}
	for _, g := range f.Include {
		opts.Rules = append(opts.Rules, filter.Rule{Include: true, Glob: g, Source: filter.IncludeSource})
	}
	return opts
}

// Line is the filters as a prompt's filter line ("--exclude tmp/** …"),
// sizes exact and without a space ("1MiB", "1536B") so they read back as one word.
func (f Filters) Line() string {
	return filter.FormatLine(f.Options(), units.FormatSizeExact)
}

// CompareModes are the values compare accepts ("" compares nothing).
var CompareModes = []string{"", "update", "checksum"}

var filterFields = map[string]field[Filters]{
	"include":  func(f *Filters, v any, _ *decoder) string { return setGlobs(&f.Include, v) },
	"exclude":  func(f *Filters, v any, _ *decoder) string { return setGlobs(&f.Exclude, v) },
	"min_size": func(f *Filters, v any, _ *decoder) string { return setSize(&f.MinSize, v, 0, 1<<62, false) },
	"max_size": func(f *Filters, v any, _ *decoder) string { return setSize(&f.MaxSize, v, 0, 1<<62, false) },
	"min_age":  func(f *Filters, v any, _ *decoder) string { return setAge(&f.MinAge, v) },
	"max_age":  func(f *Filters, v any, _ *decoder) string { return setAge(&f.MaxAge, v) },
}

// decodeFilters reads the [filters] section and checks the limits together.
func (d *decoder) decodeFilters(cfg *Config, value any, path []string) {
	section, ok := value.(map[string]any)
	if !ok {
		d.fail(path, "filters must be a [filters] section, not %s", typeName(value))
		return
	}
	before := len(d.errs)
	decodeSection(d, &cfg.Filters, section, path, filterFields)
	if len(d.errs) > before {
		return
	}
	if _, err := filter.New(cfg.Filters.Options()); err != nil {
		d.fail(path, "filters: %v", err)
	}
}

func setGlobs(target *[]string, v any) string {
	list, ok := v.([]any)
	if !ok {
		return "must be a list of globs such as [\"*.jpg\", \"photos/**\"], not " + typeName(v)
	}
	globs := make([]string, 0, len(list))
	for i, item := range list {
		g, ok := item.(string)
		if !ok {
			return fmt.Sprintf("item %d must be a string, not %s", i+1, typeName(item))
		}
		if _, err := filter.New(filter.Options{Rules: []filter.Rule{{Glob: g}}}); err != nil {
			return fmt.Sprintf("item %d: %v", i+1, err)
		}
		globs = append(globs, g)
	}
	*target = globs
	return ""
}

func setAge(target *time.Duration, v any) string {
	s, ok := v.(string)
	if !ok {
		return "must be an age such as \"36h\", \"7d\" or \"2w\", not " + typeName(v)
	}
	d, err := filter.ParseAge(s)
	if err != nil {
		return err.Error()
	}
	*target = d
	return ""
}
