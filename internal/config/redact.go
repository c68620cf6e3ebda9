package config

import "strings"

// urlKeys are the config keys whose values are URLs that may carry a
// user:password@ part; their values are redacted wherever they are echoed.
var urlKeys = map[string]bool{"endpoint": true, "proxy": true}

// redacted replaces a URL's userinfo.
const redacted = "xxxxx"

// RedactUserinfo hides the user:password@ part of a URL value, whether or
// not the value parses ("http://u:p@host" -> "http://xxxxx@host"). Everything
// up to the last '@' after the scheme goes, so a malformed password holding
// '/', '@' or spaces cannot show through. A value without '@' is unchanged.
func RedactUserinfo(value string) string {
	start := 0
	if i := strings.Index(value, "://"); i >= 0 {
		start = i + len("://")
	}
	at := strings.LastIndex(value[start:], "@")
	if at < 0 {
		return value
	}
	return value[:start] + redacted + value[start+at:]
}

// redactUserinfoInText applies RedactUserinfo to every word of a message
// (words end at spaces and quotes), for text such as a TOML parser's error
// that may quote part of a URL-valued line.
func redactUserinfoInText(text string) string {
	if !strings.Contains(text, "@") {
		return text
	}
	var b strings.Builder
	word := 0
	flush := func(end int) {
		b.WriteString(RedactUserinfo(text[word:end]))
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '`' {
			flush(i)
			b.WriteByte(c)
			word = i + 1
		}
	}
	flush(len(text))
	return b.String()
}

// lineHoldsURL reports whether 1-based line n of text assigns a URL-valued
// key, whose value an error message must not quote unredacted.
func lineHoldsURL(text string, n int) bool {
	lines := strings.Split(text, "\n")
	if n < 1 || n > len(lines) {
		return false
	}
	path, rest, ok := parseKey(strings.TrimLeft(lines[n-1], " \t"))
	return ok && urlKeys[path[len(path)-1]] && strings.HasPrefix(strings.TrimLeft(rest, " \t"), "=")
}
