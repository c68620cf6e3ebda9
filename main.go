package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ossq/internal/cli"
	"ossq/internal/config"
	"ossq/internal/display"
	"ossq/internal/ossemu"
	"ossq/internal/ossname"
	"ossq/internal/setup"
	"ossq/transfer"
	"ossq/ui"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `ossq — a terminal client for Alibaba Cloud OSS

Usage:
  ossq [flags] [oss://BUCKET[/PREFIX/]]   browse and transfer interactively
  ossq --demo                             the same, against a built-in demo server
  ossq get oss://BUCKET/KEY [DEST]        download (a KEY ending in / downloads the tree)
  ossq put SRC oss://BUCKET/KEY           upload a file or a folder
  ossq sync SRC DST                       mirror a prefix to a folder or a folder to a prefix (--delete, --dry-run)
  ossq ls [oss://BUCKET[/PREFIX]]         list buckets or objects (--versions: every version)
  ossq du oss://BUCKET[/PREFIX/]          objects and bytes per storage class (--depth N per sub-prefix)
  ossq uploads ls|abort oss://BUCKET/...  incomplete multipart uploads: list, abort
  ossq rm [-r] oss://BUCKET/KEY           delete an object, or everything under a prefix
  ossq presign oss://BUCKET/KEY           print a shareable GET URL (--expires 1h)
  ossq cp [-r] oss://SRC oss://DST        copy on the server, object or prefix
  ossq config show [--profile NAME]       the resolved profile and its credential source
  ossq serve --root DIR [flags]           run the embedded OSS-compatible server
  ossq version                            print the version

Flags (interactive mode):
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return serveCommand(args[1:], stdout, stderr)
		case "get", "put", "sync", "ls", "du", "uploads", "rm", "presign", "cp":
			return cli.Run(context.Background(), args[0], args[1:], stdout, stderr)
		case "config":
			return setup.ConfigCommand(args[1:], stdout, stderr)
		case "version":
			fmt.Fprintln(stdout, "ossq", version)
			return exitOK
		case "help":
			args = []string{"--help"}
		}
	}
	return interactive(args, stdout, stderr)
}

type tuiFlags struct {
	setup.Overrides
	demo, debug, noColor, showVersion bool
	start                             ossname.URL // where the browser opens
}

func parseTUIFlags(args []string, stdout, stderr io.Writer) (tuiFlags, int, bool) {
	var f tuiFlags
	fs := flag.NewFlagSet("ossq", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed below, help on stdout
	fs.StringVar(&f.ConfigPath, "config", "", "config `file` (default $OSSQ_CONFIG, else $XDG_CONFIG_HOME/ossq/config.toml)")
	fs.StringVar(&f.Profile, "profile", "", "profile `name` (default: default_profile, else \"default\")")
	fs.StringVar(&f.Endpoint, "endpoint", "", "OSS endpoint `URL` overriding the profile's")
	fs.StringVar(&f.Region, "region", "", "`region` overriding the profile's")
	fs.BoolVar(&f.demo, "demo", false, "start the embedded demo server and browse it")
	fs.BoolVar(&f.debug, "debug", false, "log debug detail to the log file")
	fs.BoolVar(&f.noColor, "no-color", false, "plain output (also when NO_COLOR is set)")
	fs.BoolVar(&f.showVersion, "version", false, "print the version")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			fmt.Fprintln(stdout, "\nRun 'ossq get -h', 'ossq put -h', 'ossq ls -h' or 'ossq serve -h' for their flags.")
			return f, exitOK, true
		}
		fmt.Fprintf(stderr, "ossq: %v (run 'ossq --help')\n", err)
		return f, exitUsage, true
	}
	switch rest := fs.Args(); {
	case len(rest) > 1:
		fmt.Fprintf(stderr, "ossq: too many arguments: %s\n", strings.Join(rest, " "))
		return f, exitUsage, true
	case len(rest) == 1 && !ossname.IsURL(rest[0]):
		fmt.Fprintf(stderr, "ossq: unknown command %q (run 'ossq --help')\n", rest[0])
		return f, exitUsage, true
	case len(rest) == 1:
		start, err := ossname.Parse(rest[0])
		if err != nil {
			fmt.Fprintf(stderr, "ossq: %v\n", err)
			return f, exitUsage, true
		}
		f.start = start.AsPrefix() // the browser opens folders
	}
	return f, 0, false
}

// interactive runs the TUI, against the configured profile or the demo server.
func interactive(args []string, stdout, stderr io.Writer) int {
	f, code, stop := parseTUIFlags(args, stdout, stderr)
	if stop {
		return code
	}
	if f.showVersion {
		fmt.Fprintln(stdout, "ossq", version)
		return exitOK
	}
	if err := runTUI(f, stderr); err != nil {
		fmt.Fprintf(stderr, "ossq: %v\n", err)
		if !f.demo && f.ConfigPath == "" && os.Getenv(config.EnvConfig) == "" {
			if _, statErr := os.Stat(config.DefaultConfigPath()); statErr != nil {
				fmt.Fprintf(stderr, "ossq: no config at %s; see config.toml.example, or try 'ossq --demo'\n", config.DefaultConfigPath())
			}
		}
		return exitFailure
	}
	return exitOK
}

func runTUI(f tuiFlags, stderr io.Writer) error {
	var (
		conn     setup.Connection
		stateDir string
		err      error
	)
	if f.demo {
		var stopServer func()
		conn, stateDir, stopServer, err = startDemo(f.Overrides)
		if err != nil {
			return err
		}
		defer stopServer()
	} else {
		conn, err = setup.Resolve(f.Overrides)
		if err != nil {
			return err
		}
		stateDir = conn.Config.Transfer.StateDir
	}
	for _, w := range conn.Config.Warnings {
		fmt.Fprintf(stderr, "ossq: warning: %s\n", w)
	}

	logger, closeLog, err := openLog(stateDir, f.debug)
	if err != nil {
		return err
	}
	defer closeLog()

	store, err := setup.Store(conn.Profile)
	if err != nil {
		return err
	}
	opts := setup.EngineOptions(conn.Config.Transfer)
	opts.Logger = logger
	opts.Profile, opts.Endpoint, opts.Region = conn.Profile.Name, conn.Profile.Endpoint, conn.Profile.Region
	opts.StoreFor = func(name string) (transfer.Store, error) { return setup.StoreForProfile(conn.Config, name) }
	engine, err := transfer.Open(store, opts)
	if err != nil {
		return err
	}
	defer func() {
		if err := engine.Close(); err != nil {
			fmt.Fprintf(stderr, "ossq: closing the queue: %v\n", err)
		}
	}()

	bucket, prefix := conn.Profile.Bucket, ""
	if f.start.Bucket != "" {
		bucket, prefix = f.start.Bucket, f.start.Key
	}
	return ui.Run(ui.Deps{
		Engine:      engine,
		Catalog:     ui.StoreCatalog(store),
		Profile:     conn.Profile.Name,
		Endpoint:    conn.Profile.Endpoint,
		Credentials: setup.CredentialsLabel(conn.Profile),
		StartBucket: bucket,
		StartPrefix: prefix,
		Options: ui.Options{
			OnExists:    transfer.OnExists(conn.Config.Transfer.OnExists),
			DownloadDir: conn.Config.Transfer.DownloadDir,
			Parallel:    conn.Config.Transfer.Parallel,
			Notify:      true, // the config's notify = false maps here once config has the key
			Filters:     conn.Config.Filters.Line(),
			Compare:     conn.Config.Transfer.Compare,
		},
		Logger:   logger,
		Warnings: conn.Config.Warnings,
		NoColor:  display.NoColor(os.Getenv, f.noColor),
	})
}

// startDemo starts the embedded server with the demo data under
// $XDG_STATE_HOME/ossq/demo and returns a connection to it. The demo keeps
// its own queue, checkpoints and downloads there, apart from real work, so
// quitting and re-running `ossq --demo` shows transfers resuming.
func startDemo(o setup.Overrides) (setup.Connection, string, func(), error) {
	cfg, err := config.Load(o.ConfigPath, o.Getenv)
	if err != nil {
		return setup.Connection{}, "", nil, err
	}
	demoDir := filepath.Join(config.DefaultStateDir(), "demo")
	keyID, secret := "demo-"+randomHex(8), randomHex(16) // fresh per run: only this process knows them
	srv, err := ossemu.New(ossemu.Config{
		Root:        filepath.Join(demoDir, "server"),
		Credentials: map[string]string{keyID: secret},
		Region:      "cn-hangzhou",
		Faults:      ossemu.Faults{RatePerConn: ossemu.DemoRatePerConn},
		// Real restores take minutes to hours; long enough to see the state change.
		RestoreDelay: 15 * time.Second,
	})
	if err != nil {
		return setup.Connection{}, "", nil, fmt.Errorf("demo server: %w", err)
	}
	endpoint, err := srv.Start("127.0.0.1:0")
	if err == nil {
		err = ossemu.SeedDemo(srv)
	}
	if err != nil {
		srv.Close()
		return setup.Connection{}, "", nil, fmt.Errorf("demo server: %w", err)
	}

	profile := config.DefaultProfile("demo")
	profile.Endpoint = endpoint
	profile.Region = "cn-hangzhou"
	profile.AccessKeyID, profile.AccessKeySecret = keyID, secret
	profile.CredentialSource = config.SourceConfig

	stateDir := filepath.Join(demoDir, "state")
	cfg.Transfer.StateDir = stateDir
	cfg.Transfer.CheckpointDir = filepath.Join(stateDir, "checkpoints")
	if cfg.Transfer.DownloadDir == "" {
		cfg.Transfer.DownloadDir = filepath.Join(demoDir, "downloads")
	}
	if err := os.MkdirAll(cfg.Transfer.DownloadDir, 0o755); err != nil {
		srv.Close()
		return setup.Connection{}, "", nil, err
	}
	return setup.Connection{Config: cfg, Profile: profile}, stateDir, func() { srv.Close() }, nil
}

// openLog opens the log file under the state dir: nothing may be printed over
// the TUI's screen, so everything goes there.
func openLog(stateDir string, debug bool) (*slog.Logger, func(), error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("state directory: %w", err)
	}
	path := filepath.Join(stateDir, "ossq.log")
	file, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w", err)
	}
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(file, &slog.HandlerOptions{Level: level}))
	logger.Info("ossq starting", "version", version, "pid", os.Getpid())
	return logger, func() { file.Close() }, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
