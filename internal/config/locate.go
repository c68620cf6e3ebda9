package config

import (
	"strings"
)

// position is a 1-based line and column in the config file.
type position struct{ Line, Col int }

// keyPositions maps every dotted key path ("transfer.parallel",
// "profiles.prod.endpoint") to where it is written. BurntSushi/toml keeps key
// positions private, so this scans the text: table headers, plain, quoted and
// dotted keys, skipping multi-line strings. Keys inside inline tables are not
// indexed; lookups fall back to the nearest enclosing key.
func keyPositions(text string) filePositions {
	positions := make(filePositions)
	var table []string
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSuffix(lines[i], "\r")
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		rest := line[indent:]
		if rest == "" || rest[0] == '#' {
			continue
		}
		if rest[0] == '[' {
			header := strings.TrimPrefix(rest, "[")
			header = strings.TrimPrefix(header, "[")
			path, after, ok := parseKey(header)
			if !ok || !strings.HasPrefix(strings.TrimLeft(after, " \t"), "]") {
				continue
			}
			table = path
			remember(positions, path, position{i + 1, indent + 1})
			continue
		}
		path, after, ok := parseKey(rest)
		if !ok {
			continue
		}
		after = strings.TrimLeft(after, " \t")
		if !strings.HasPrefix(after, "=") {
			continue
		}
		full := append(append([]string(nil), table...), path...)
		remember(positions, full, position{i + 1, indent + 1})
		// Skip the body of a multi-line string so its lines are not read as keys.
		value := strings.TrimLeft(after[1:], " \t")
		for _, quote := range []string{`"""`, `'''`} {
			if strings.HasPrefix(value, quote) && !strings.Contains(value[3:], quote) {
				for i+1 < len(lines) && !strings.Contains(lines[i+1], quote) {
					i++
				}
				i++
			}
		}
	}
	return positions
}

// remember records the first place a key path appears (for parents of dotted
// keys too, so a lookup of an undeclared parent still finds a line).
func remember(positions filePositions, path []string, pos position) {
	for n := 1; n <= len(path); n++ {
		key := strings.Join(path[:n], ".")
		if _, seen := positions[key]; !seen {
			positions[key] = pos
		}
	}
}

// parseKey reads a TOML key (bare, "quoted", 'literal', dotted) from the
// start of s and returns its pieces and the text after it.
func parseKey(s string) (path []string, rest string, ok bool) {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, "", false
		}
		var piece string
		switch s[0] {
		case '"':
			var b strings.Builder
			j := 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, "", false
			}
			piece, s = b.String(), s[j+1:]
		case '\'':
			j := strings.IndexByte(s[1:], '\'')
			if j < 0 {
				return nil, "", false
			}
			piece, s = s[1:j+1], s[j+2:]
		default:
			j := 0
			for j < len(s) && isBareKeyChar(s[j]) {
				j++
			}
			if j == 0 {
				return nil, "", false
			}
			piece, s = s[:j], s[j:]
		}
		path = append(path, piece)
		s = strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(s, ".") {
			return path, s, true
		}
		s = s[1:]
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// lookup finds where key path is written, falling back to its closest
// written ancestor (for keys inside inline tables).
func (p filePositions) lookup(path []string) (position, bool) {
	for n := len(path); n > 0; n-- {
		if pos, ok := p[strings.Join(path[:n], ".")]; ok {
			return pos, true
		}
	}
	return position{}, false
}

type filePositions map[string]position
