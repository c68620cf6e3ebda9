package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"

	"ossq/internal/config"
	"ossq/internal/display"
	"ossq/internal/setup"
	"ossq/transfer"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailure     = 1   // a transfer or request failed
	ExitUsage       = 2   // bad command line or config
	ExitInterrupted = 130 // SIGINT/SIGTERM: paused, checkpoint saved
)

// Run executes one command ("get", "put" or "ls") with its arguments and
// returns the process exit code. It handles SIGINT and SIGTERM itself: the
// engine pauses, checkpoints are saved and Run returns ExitInterrupted. A
// second signal while that happens gets the default behaviour (exit at once).
func Run(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) int {
	return runIn(ctx, cmd, args, console{stdin: os.Stdin, interactive: term.IsTerminal(os.Stdin.Fd()),
		stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

// console is what a command runs in: where confirmations are read from
// (interactive says whether a person can answer there, else they need
// --yes), where it writes, and its environment. Tests hand in their own.
type console struct {
	stdin          io.Reader
	interactive    bool
	stdout, stderr io.Writer
	getenv         config.Getenv
}

// runIn is Run in a given console.
func runIn(ctx context.Context, cmd string, args []string, c console) int {
	stdout, stderr := c.stdout, c.stderr
	r := &runner{cmd: cmd, args: args, stdin: c.stdin, interactive: c.interactive, stdout: stdout, stderr: stderr, getenv: c.getenv}
	switch cmd {
	case "get", "put", "sync":
		return r.transfer(ctx)
	case "ls":
		return r.list(ctx)
	case "du":
		return r.diskUsage(ctx)
	case "uploads":
		return r.uploads(ctx)
	case "rm":
		return r.remove(ctx)
	case "presign":
		return r.presign(ctx)
	case "cp":
		return r.copyObjects(ctx)
	default:
		fmt.Fprintf(stderr, "ossq: unknown command %q (want get, put, sync, ls, du, uploads, rm, presign or cp)\n", cmd)
		return ExitUsage
	}
}

type runner struct {
	cmd         string
	args        []string
	stdin       io.Reader
	interactive bool // stdin is a terminal: confirmations can be asked
	stdout      io.Writer
	stderr      io.Writer
	getenv      config.Getenv // nil: the process's environment
}

func (r *runner) errorf(format string, args ...any) {
	// Messages carry keys, paths and server text: one escape here keeps a
	// hostile key from driving the terminal.
	fmt.Fprintf(r.stderr, "ossq %s: %s\n", r.cmd, display.Escape(fmt.Sprintf(format, args...)))
}

// usageError is a bad command line; Run prints it with the command's usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// setupError is a problem with the config, profile or credentials: like a
// usage error, the user has to fix something before anything can run.
type setupError struct{ err error }

func (e *setupError) Error() string { return e.err.Error() }
func (e *setupError) Unwrap() error { return e.err }

// connectionFlags are shared by every command.
type connectionFlags struct {
	configPath string
	profile    string
	endpoint   string
	region     string
}

func (c *connectionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configPath, "config", "", "config `file` (default $OSSQ_CONFIG, else ~/.config/ossq/config.toml)")
	fs.StringVar(&c.profile, "profile", "", "profile `name` from the config (default: default_profile, else \"default\")")
	fs.StringVar(&c.endpoint, "endpoint", "", "OSS endpoint `URL` overriding the profile's (e.g. an `ossq serve` address)")
	fs.StringVar(&c.region, "region", "", "`region` overriding the profile's (needed for signature v4)")
}

// session is what a command needs after the config is read.
type session struct {
	cfg   *config.Config
	store transfer.Store
}

// connect loads the config, picks the profile, applies command-line
// overrides and builds the OSS client. Problems here are usage errors: the
// user must fix the command line or the config.
func (r *runner) connect(flags connectionFlags) (*session, error) {
	s, err := r.connectProfile(flags)
	if err != nil {
		return nil, &setupError{err}
	}
	return s, nil
}

// connectProfile resolves the profile the same way the TUI does
// (internal/setup), so both front ends reach OSS identically.
func (r *runner) connectProfile(flags connectionFlags) (*session, error) {
	conn, err := setup.Resolve(setup.Overrides{
		ConfigPath: flags.configPath,
		Profile:    flags.profile,
		Endpoint:   flags.endpoint,
		Region:     flags.region,
		Getenv:     r.getenv,
	})
	if err != nil {
		return nil, err
	}
	for _, warning := range conn.Config.Warnings {
		fmt.Fprintf(r.stderr, "ossq: warning: %s\n", display.Escape(warning))
	}
	store, err := setup.Store(conn.Profile)
	if err != nil {
		return nil, err
	}
	return &session{cfg: conn.Config, store: store}, nil
}

// newFlagSet makes a quiet FlagSet: Run prints errors and usage itself.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("ossq "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseArgs parses flags that may come before, between or after the
// positional arguments; everything after "--" is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printUsage writes the command's synopsis and flags to w.
func printUsage(w io.Writer, fs *flag.FlagSet, synopsis string) {
	fmt.Fprintf(w, "usage: %s\n\nflags:\n", synopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// fail turns a setup or parse error into the right exit code and message.
func (r *runner) fail(err error, fs *flag.FlagSet, synopsis string) int {
	if errors.Is(err, flag.ErrHelp) {
		printUsage(r.stdout, fs, synopsis)
		return ExitOK
	}
	var usage *usageError
	if errors.As(err, &usage) || isFlagError(err) {
		r.errorf("%v", err)
		fmt.Fprintf(r.stderr, "usage: %s\nrun 'ossq %s -h' for the flags\n", synopsis, r.cmd)
		return ExitUsage
	}
	var setupErr *setupError
	if errors.As(err, &setupErr) {
		r.errorf("%v", setupErr.err)
		return ExitUsage
	}
	r.errorf("%s", describeError(err))
	return ExitFailure
}

// isFlagError recognises the flag package's own parse errors, which are plain
// errors.New values with recognisable text.
func isFlagError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "flag provided but not defined") ||
		strings.HasPrefix(msg, "flag needs an argument") ||
		strings.HasPrefix(msg, "invalid value") ||
		strings.HasPrefix(msg, "invalid boolean")
}

// describeError renders an error on one line with the OSS code, message
// and request ID when the server sent them: the engine's one rendering.
func describeError(err error) string { return transfer.ErrorInfoOf(err).String() }

// interruptible returns a context canceled by SIGINT or SIGTERM, and a
// function reporting whether a signal (rather than the parent) ended it.
func interruptible(parent context.Context) (ctx context.Context, interrupted func() bool, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	got := make(chan struct{})
	done := make(chan struct{})
	go func() {
		select {
		case <-signals:
			// Restore the default handling: a second Ctrl-C quits at once
			// instead of waiting for the checkpoints to be written.
			signal.Stop(signals)
			close(got)
			cancel()
		case <-done:
		}
	}()
	interrupted = func() bool {
		select {
		case <-got:
			return true
		default:
			return parent.Err() != nil
		}
	}
	stop = func() {
		signal.Stop(signals)
		close(done)
		cancel()
	}
	return ctx, interrupted, stop
}

// isTerminal reports whether w is a character device (a terminal), so the
// progress line can be redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// shellQuote renders args so the printed resume command can be pasted back.
// An argument holding control characters or invalid UTF-8 is written in
// bash's $'...' form, so nothing raw reaches the terminal.
func shellQuote(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if display.Escape(a) != a {
			quoted[i] = ansiCQuote(a)
			continue
		}
		if a != "" && strings.IndexFunc(a, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:=@%+,", c))
		}) < 0 {
			quoted[i] = a
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// ansiCQuote writes a as $'...': controls below 0x80 and invalid bytes as
// \xHH, other controls as \uHHHH (bash reads both), quote and backslash escaped.
func ansiCQuote(a string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(a); {
		r, size := utf8.DecodeRuneInString(a[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, a[i])
		case r == '\'' || r == '\\':
			b.WriteString(`\` + string(r))
		case display.NeedsEscape(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case display.NeedsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteString("'")
	return b.String()
}
