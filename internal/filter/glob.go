package filter

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// compileGlob turns an rclone-style glob into a regexp over a
// slash-separated relative path:
//
//   - a leading "/" anchors the glob at the root; otherwise it matches at any
//     depth, starting after a "/" ("*.jpg" matches "a.jpg" and "x/y/a.jpg");
//   - "*" matches within one path segment, "**" across "/", "?" one
//     character other than "/";
//   - "[...]" is a character class ("[!...]" or "[^...]" negates it);
//   - "{a,b}" matches either alternative (groups may nest);
//   - "\" makes the next character literal;
//   - a trailing "/" names a folder: the glob matches every path under it
//     ("- cache/" leaves out every folder called cache and what it holds).
//
// A glob is matched against the whole path (anchored at its end too).
func compileGlob(glob string) (*regexp.Regexp, error) {
	if glob == "" {
		return nil, fmt.Errorf("empty glob")
	}
	if strings.ContainsRune(glob, 0) {
		return nil, fmt.Errorf("glob %q holds a NUL byte", glob)
	}
	var re strings.Builder
	rest := glob
	if strings.HasPrefix(rest, "/") {
		rest = rest[1:]
		re.WriteString(`^`)
	} else {
		re.WriteString(`(?:^|/)`)
	}
	folder := strings.HasSuffix(rest, "/") && !strings.HasSuffix(rest, `\/`)
	if folder {
		rest = rest[:len(rest)-1]
	}
	if err := translate(&re, rest, glob); err != nil {
		return nil, err
	}
	if folder {
		re.WriteString(`/.*`)
	}
	re.WriteString(`$`)
	compiled, err := regexp.Compile(re.String())
	if err != nil {
		return nil, fmt.Errorf("glob %q: %v", glob, err)
	}
	return compiled, nil
}

// translate writes the regexp for the glob body s (the whole glob is only
// for messages).
func translate(re *strings.Builder, s, glob string) error {
	depth := 0 // open {...} groups
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) {
				return fmt.Errorf("glob %q ends in a lone '\\'", glob)
			}
			i++
			r, size := nextRune(s[i:])
			re.WriteString(regexp.QuoteMeta(r))
			i += size - 1
		case '*':
			stars := 1
			for i+1 < len(s) && s[i+1] == '*' {
				stars++
				i++
			}
			switch stars {
			case 1:
				re.WriteString(`[^/]*`)
			case 2:
				re.WriteString(`.*`)
			default:
				return fmt.Errorf("glob %q: %d stars in a row (use * within a folder or ** across folders)", glob, stars)
			}
		case '?':
			re.WriteString(`[^/]`)
		case '[':
			end, class, err := charClass(s[i:], glob)
			if err != nil {
				return err
			}
			re.WriteString(class)
			i += end - 1
		case ']':
			return fmt.Errorf("glob %q: ']' without '['", glob)
		case '{':
			depth++
			re.WriteString(`(?:`)
		case '}':
			if depth == 0 {
				return fmt.Errorf("glob %q: '}' without '{'", glob)
			}
			depth--
			re.WriteString(`)`)
		case ',':
			if depth > 0 {
				re.WriteString(`|`)
			} else {
				re.WriteString(`,`)
			}
		default:
			r, size := nextRune(s[i:])
			re.WriteString(regexp.QuoteMeta(r))
			i += size - 1
		}
	}
	if depth > 0 {
		return fmt.Errorf("glob %q: '{' without '}'", glob)
	}
	return nil
}

// charClass reads "[...]" at the start of s; it returns the bytes consumed
// and the regexp class. A class never matches "/", as in rclone's paths.
func charClass(s, glob string) (int, string, error) {
	var b strings.Builder
	b.WriteString(`[`)
	i := 1
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		b.WriteString(`^/`)
		i++
	}
	start := i
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ']' && i > start:
			b.WriteString(`]`)
			return i + 1, b.String(), nil
		case c == '\\':
			if i+1 >= len(s) {
				return 0, "", fmt.Errorf("glob %q ends in a lone '\\'", glob)
			}
			i++
			r, size := nextRune(s[i:])
			b.WriteString(escapeInClass(r))
			i += size - 1
		case c == '[' && i+1 < len(s) && s[i+1] == ':':
			end := strings.Index(s[i:], ":]")
			if end < 0 {
				return 0, "", fmt.Errorf("glob %q: unterminated [:class:]", glob)
			}
			b.WriteString(s[i : i+end+2]) // POSIX class, checked by regexp.Compile
			i += end + 1
		case c == '-' && i > start && i+1 < len(s) && s[i+1] != ']':
			b.WriteString(`-`)
		default:
			r, size := nextRune(s[i:])
			b.WriteString(escapeInClass(r))
			i += size - 1
		}
	}
	return 0, "", fmt.Errorf("glob %q: '[' without ']'", glob)
}

func escapeInClass(r string) string {
	switch r {
	case `\`, `]`, `[`, `^`, `-`:
		return `\` + r
	}
	return r
}

// nextRune returns the first UTF-8 sequence of s (one byte if invalid,
// which regexp.Compile then refuses with a clear error).
func nextRune(s string) (string, int) {
	_, size := utf8.DecodeRuneInString(s)
	return s[:size], size
}
