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
