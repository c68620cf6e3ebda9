package cli

import "ossq/internal/ossname"

// parseOSSURL reads oss://BUCKET[/KEY] by ossname's rules; a bad address is
// a usage error (exit 2), since the user has to fix the command line.
func parseOSSURL(s string) (ossname.URL, error) {
	u, err := ossname.Parse(s)
	if err != nil {
		return ossname.URL{}, usagef("%v", err)
	}
	return u, nil
}

// parseOneOSSURL is the one address a command takes (shape names it in the
// usage error, e.g. "oss://BUCKET/KEY").
func parseOneOSSURL(positional []string, shape string) (ossname.URL, error) {
	if len(positional) != 1 {
		return ossname.URL{}, usagef("want one %s, got %d arguments", shape, len(positional))
	}
	return parseOSSURL(positional[0])
}
