package filter

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// A filter line is the CLI's filter flags written on one line, as the TUI's
// download and upload prompts and the config's defaults show them:
//
//	--include '*.jpg' --exclude 'tmp/**' --min-size 1MiB --max-age 7d
//
// It is read with the flag package, so it takes exactly what the command
// line takes ("-include", "--min-size=1MiB"); words may be quoted with ' or "
// and a backslash makes the next character literal outside single quotes.

// ParseLine reads a filter line into Options and checks them (every glob
// compiles, the limits are consistent). parseSize reads a size such as
// "1MiB" (units.ParseSize, passed in: this package imports none of
// ossq). An empty line is no filter.
func ParseLine(line string, parseSize func(string) (int64, error)) (Options, error) {
	var opts Options
	words, err := splitWords(line)
	if err != nil || len(words) == 0 {
		return opts, err
	}
	fs := flag.NewFlagSet("filter", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	addRule := func(include bool, source string) func(string) error {
		return func(glob string) error {
			if _, err := compileGlob(glob); err != nil {
				return err
			}
			opts.Rules = append(opts.Rules, Rule{Include: include, Glob: glob, Source: source})
			return nil
		}
	}
	fs.Func("include", "", addRule(true, IncludeSource))
	fs.Func("exclude", "", addRule(false, "--exclude"))
	size := func(target *int64) func(string) error {
		return func(s string) error {
			n, err := parseSize(s)
			*target = n
			return err
		}
	}
	age := func(target *Options, max bool) func(string) error {
		return func(s string) error {
			d, err := ParseAge(s)
			if max {
				target.MaxAge = d
			} else {
				target.MinAge = d
			}
			return err
		}
	}
	fs.Func("min-size", "", size(&opts.MinSize))
	fs.Func("max-size", "", size(&opts.MaxSize))
	fs.Func("min-age", "", age(&opts, false))
	fs.Func("max-age", "", age(&opts, true))
	if err := fs.Parse(words); err != nil {
		return Options{}, lineError(err)
	}
	if rest := fs.Args(); len(rest) > 0 {
		return Options{}, fmt.Errorf("%q: want --include, --exclude, --min-size, --max-size, --min-age or --max-age before each value", rest[0])
	}
	if _, err := New(opts); err != nil {
		return Options{}, err
	}
	return opts, nil
}

// lineError rewords the flag package's messages for a line typed in a prompt.
func lineError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return fmt.Errorf("unknown filter %s: want --include, --exclude, --min-size, --max-size, --min-age or --max-age", name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return fmt.Errorf("%s needs a value", name)
	}
	if strings.HasPrefix(msg, "invalid value ") {
		// `invalid value "x" for flag -min-size: cause`
		if i := strings.Index(msg, " for flag -"); i >= 0 {
			rest := msg[i+len(" for flag -"):]
			name, cause, _ := strings.Cut(rest, ": ")
			return fmt.Errorf("--%s: %s", name, cause)
		}
	}
	return err
}

// FormatLine writes opts as a line ParseLine reads back (the rules in
// their order, then the limits); formatSize writes a size ("1MiB").
func FormatLine(opts Options, formatSize func(int64) string) string {
	var words []string
	for _, r := range opts.Rules {
		name := "--exclude"
		if r.Include {
			name = "--include"
		}
		words = append(words, name, quoteWord(r.Glob))
	}
	if opts.MinSize > 0 {
		words = append(words, "--min-size", quoteWord(formatSize(opts.MinSize)))
	}
	if opts.MaxSize > 0 {
		words = append(words, "--max-size", quoteWord(formatSize(opts.MaxSize)))
	}
	if opts.MinAge > 0 {
		words = append(words, "--min-age", FormatAge(opts.MinAge))
	}
	if opts.MaxAge > 0 {
		words = append(words, "--max-age", FormatAge(opts.MaxAge))
	}
	return strings.Join(words, " ")
}

// quoteWord single-quotes a word that splitWords would otherwise split or
// unescape; a single quote inside closes the quoting, is escaped and reopens it.
func quoteWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t'\"\\") {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// splitWords splits a line into words as a POSIX shell does for quoting:
// '...' is literal, "..." allows \" and \\, a backslash outside quotes
// escapes the next character.
func splitWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			inWord = true
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("a ' quote is not closed")
			}
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			inWord = true
			closed := false
			for i++; i < len(line); i++ {
				if line[i] == '"' {
					closed = true
					break
				}
				if line[i] == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '\\') {
					i++
				}
				cur.WriteByte(line[i])
			}
			if !closed {
				return nil, errors.New(`a " quote is not closed`)
			}
		case c == '\\':
			inWord = true
			if i+1 < len(line) {
				i++
				cur.WriteByte(line[i])
			}
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
