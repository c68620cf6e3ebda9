package display

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscapeLeavesPrintableTextAlone(t *testing.T) {
	for _, s := range []string{"", "photos/a b.jpg", "日本語/ファイル.txt", "emoji 🎉", "100% \"quoted\" 'x'"} {
		if got := Escape(s); got != s {
			t.Errorf("Escape(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestEscapeMakesControlsVisible(t *testing.T) {
	cases := map[string]string{
		"two\nlines":          `two\nlines`,
		"cr\rover":            `cr\rover`,
		"tab\there":           `tab\there`,
		"esc\x1b[31mred":      `esc\x1b[31mred`,
		"soh\x01":             `soh\x01`,
		"del\x7f":             `del\x7f`,
		"c1\u009b":            `c1\x9b`,
		"sep\u2028para\u2029": `sep\u2028para\u2029`,
		"bad\xffutf8":         `bad\xffutf8`,
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %s, want %s", in, got, want)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a/b", "x\x1b[2J", "\r\n\t", "\xff\xfe", "\u2028", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Escape(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("Escape(%q) = %q still holds control %U", s, out, r)
			}
		}
		if clean(s) != (out == s) {
			t.Fatalf("Escape(%q) = %q: changed text must be exactly the text that needed it", s, out)
		}
		if !strings.Contains(s, `\`) && !clean(s) && !strings.Contains(out, `\`) {
			t.Fatalf("Escape(%q) = %q escaped nothing visibly", s, out)
		}
	})
}
