package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"ossq/transfer"
)

// errNotConfirmed: the user said no (or could not be asked).
var errNotConfirmed = errors.New("not confirmed")

// confirm asks question on stderr and reads y/yes from stdin. Without a
// terminal to ask on it refuses, naming --yes: a script must say so itself.
func (r *runner) confirm(yes bool, question string) error {
	if yes {
		return nil
	}
	if !r.interactive {
		r.errorf("%s\nstdin is not a terminal, so nothing was asked and nothing done; pass --yes to go ahead", question)
		return errNotConfirmed
	}
	fmt.Fprintf(r.stderr, "%s [y/N] ", question)
	line, err := bufio.NewReader(r.stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(r.stderr)
		return errNotConfirmed
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	fmt.Fprintln(r.stderr, "nothing done")
	return errNotConfirmed
}

// catalog is the session's store as a transfer.Catalog.
func (s *session) catalog() (*transfer.Catalog, error) {
	return transfer.NewCatalog(s.store)
}

// connectCatalog is connect then catalog: what the object commands (cp,
// presign, rm, uploads) start with.
func (r *runner) connectCatalog(conn connectionFlags) (*session, *transfer.Catalog, error) {
	s, err := r.connect(conn)
	if err != nil {
		return nil, nil, err
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, nil, err
	}
	return s, cat, nil
}

// plural is "1 object" / "2 objects".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
