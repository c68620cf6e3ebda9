package display

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes a key, name, path or message safe to draw: every control
// rune (tab, form feed, newline, CR, ESC, C1 controls) and the line and
// paragraph separators become a visible escape such as \t or \x1b. A
// terminal would otherwise act on them (move the cursor, start an escape
// sequence, split one entry over two lines) while width math counts them as
// zero cells. Text without such runes is returned unchanged. Invalid UTF-8
// bytes are escaped too (\xNN), since a terminal may read them as C1 controls.
func Escape(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == unicode.ReplacementChar && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		i += size
		if !NeedsEscape(r) {
			b.WriteRune(r)
			continue
		}
		switch r {
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		}
	}
	return b.String()
}

func clean(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if NeedsEscape(r) || r == unicode.ReplacementChar && size == 1 {
			return false
		}
		i += size
	}
	return true
}

// NeedsEscape reports whether Escape rewrites r.
func NeedsEscape(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
