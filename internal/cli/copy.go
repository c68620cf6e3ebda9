package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"ossq/internal/config"
	"ossq/internal/ossname"
	"ossq/internal/setup"
	"ossq/internal/units"
	"ossq/transfer"
)

const (
	getSynopsis = "ossq get [flags] oss://BUCKET/KEY [DEST]    (a KEY ending in / downloads everything under it into the folder DEST; without DEST, into a new folder named after the prefix, or the bucket, in download_dir or here)"
	putSynopsis = "ossq put [flags] SRC oss://BUCKET/KEY       (SRC may be a folder; a KEY ending in / means \"into this prefix\")"
)

// transferFlags are get's and put's flags; empty / zero means "from the config".
type transferFlags struct {
	conn          connectionFlags
	parallel      int
	partSize      string
	checkpointDir string
	noCheckpoint  bool
	bwlimit       string
	onExists      string
	stateDir      string
	versionID     string // get: the version to download
	resumeUpload  bool   // put: take over a matching incomplete upload
	parallelSet   bool   // --parallel given (0 is then an error, not "from the config")
	onExistsSet   bool   // --on-exists given (put refuses it, even empty)
}

func (f *transferFlags) register(fs *flag.FlagSet) {
	f.conn.register(fs)
	fs.IntVar(&f.parallel, "parallel", 0, fmt.Sprintf("parts in flight per object, %d-%d (default from the config: %d)",
		ossname.MinParallel, ossname.MaxParallel, transfer.DefaultParallel))
	fs.StringVar(&f.partSize, "part-size", "", fmt.Sprintf("part `size`, %s-%s, e.g. 16MiB (default from the config: %s)",
		units.FormatSize(ossname.MinPartSize), units.FormatSize(ossname.MaxPartSize), units.FormatSize(transfer.DefaultPartSize)))
	fs.StringVar(&f.checkpointDir, "checkpoint-dir", "", "`folder` for resume checkpoints (default STATE_DIR/checkpoints)")
	fs.BoolVar(&f.noCheckpoint, "no-checkpoint", false, "keep no checkpoint: an interrupted transfer starts over")
	fs.StringVar(&f.bwlimit, "bwlimit", "", "total bandwidth `rate` per second, e.g. 20MiB; 0 for none (default from the config)")
	fs.StringVar(&f.onExists, "on-exists", "", "get only: when a download's destination exists, overwrite, skip or rename (default from the config; \"ask\" refuses)")
	fs.StringVar(&f.stateDir, "state-dir", "", "state `folder` (default from the config: $XDG_STATE_HOME/ossq)")
	fs.StringVar(&f.versionID, "version-id", "", "get only: download this `version` of the object (see ls --versions)")
	fs.BoolVar(&f.resumeUpload, "resume-upload", false, "put only: take over an incomplete upload of the key whose parts verify against the file")
}

// parse reads the command line into f and returns the positional arguments.
func (f *transferFlags) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	positional, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	fs.Visit(func(fl *flag.Flag) {
		f.parallelSet = f.parallelSet || fl.Name == "parallel"
		f.onExistsSet = f.onExistsSet || fl.Name == "on-exists"
	})
	return positional, nil
}

// engineOptions merges the config's transfer settings with the flags,
// validating the flags with the same limits the config file has.
func (f *transferFlags) engineOptions(t config.Transfer) (transfer.Options, error) {
	opts := setup.EngineOptions(t)
	// A headless run does only what its command line says; it never
	// resumes transfers another ossq left in a queue.
	opts.ResumeOnStart = false
	if f.parallelSet {
		if ossname.CheckParallel(f.parallel) != nil {
			return opts, usagef("--parallel %d: allowed %d to %d", f.parallel, ossname.MinParallel, ossname.MaxParallel)
		}
		opts.Parallel = f.parallel
	}
	if f.partSize != "" {
		n, err := units.ParseSize(f.partSize)
		if err != nil {
			return opts, usagef("--part-size: %v", err)
		}
		if n < ossname.MinPartSize || n > ossname.MaxPartSize {
			return opts, usagef("--part-size %s: allowed %s to %s", f.partSize,
				units.FormatSize(ossname.MinPartSize), units.FormatSize(ossname.MaxPartSize))
		}
		opts.PartSize = n
	}
	if f.bwlimit != "" {
		n, err := units.ParseSize(f.bwlimit)
		if err != nil {
			return opts, usagef("--bwlimit: %v", err)
		}
		if n != 0 && n < config.MinBandwidthLimit {
			return opts, usagef("--bwlimit %s: allowed 0 (none) or at least %s", f.bwlimit, units.FormatSize(config.MinBandwidthLimit))
		}
		opts.BandwidthLimit = n
	}
	if f.onExists != "" {
		if !slices.Contains(config.OnExistsPolicies, f.onExists) {
			return opts, usagef("--on-exists %q: want one of %s", f.onExists, strings.Join(config.OnExistsPolicies, ", "))
		}
		opts.OnExists = transfer.OnExists(f.onExists)
	}
	if f.stateDir != "" {
		opts.StateDir = absPath(config.ExpandPath(f.stateDir, ""))
		opts.CheckpointDir = filepath.Join(opts.StateDir, "checkpoints")
	}
	if f.checkpointDir != "" {
		opts.CheckpointDir = absPath(config.ExpandPath(f.checkpointDir, ""))
	}
	return opts, nil
}

// transfer runs get or put to completion, failure or interruption.
func (r *runner) transfer(parent context.Context) int {
	synopsis := getSynopsis
	switch r.cmd {
	case "put":
		synopsis = putSynopsis
	case "sync":
		synopsis = syncSynopsis
	}
	fs := newFlagSet(r.cmd)
	var flags transferFlags
	flags.register(fs)
	var filters filterFlags
	filters.register(fs, r.cmd)
	var pf planFlags
	pf.register(fs, r.cmd)
	positional, err := flags.parse(fs, r.args)
	if err != nil {
		return r.fail(err, fs, synopsis)
	}
	// Check the shape of the command line before touching config or network.
	if r.cmd == "get" && (len(positional) < 1 || len(positional) > 2) || r.cmd != "get" && len(positional) != 2 {
		return r.fail(usagef("wrong number of arguments (%d)", len(positional)), fs, synopsis)
	}
	flt, err := filters.build(fs)
	if err != nil {
		return r.fail(err, fs, synopsis)
	}
	if r.cmd == "sync" && flags.onExistsSet {
		return r.fail(usagef("--on-exists does not apply to sync: it replaces what differs"), fs, synopsis)
	}
	if r.cmd == "put" && flags.onExistsSet {
		// Uploads always replace the object; accepting "skip" here
		// would promise what put does not do.
		return r.fail(usagef("--on-exists applies to get only; put always replaces the object"), fs, synopsis)
	}
	s, err := r.connect(flags.conn)
	if err != nil {
		return r.fail(err, fs, synopsis)
	}
	opts, err := flags.engineOptions(s.cfg.Transfer)
	if err != nil {
		return r.fail(err, fs, synopsis)
	}
	var p plan
	switch r.cmd {
	case "get":
		p, err = planGet(positional, s.cfg.Transfer.DownloadDir)
	case "put":
		p, err = planPut(positional)
	default:
		p, err = planSync(positional)
	}
	if err == nil {
		err = filters.checkTreeOptions(p, flt)
	}
	if err == nil && p.tree {
		flt, err = filters.withDefaults(s.cfg.Filters.Options())
	}
	if err == nil {
		fs.Visit(func(fl *flag.Flag) { pf.compareGiven = pf.compareGiven || fl.Name == "update" || fl.Name == "checksum" })
		pf.defaultCompare = s.cfg.Transfer.Compare
		err = pf.apply(r.cmd, &p)
	}
	if err != nil {
		return r.fail(err, fs, synopsis)
	}
	p.spec.NoCheckpoint = flags.noCheckpoint
	if err := flags.pin(r.cmd, &p); err != nil {
		return r.fail(err, fs, synopsis)
	}
	p.spec.FollowSymlinks = filters.followSymlinks
	if flt != nil {
		o := flt.Options()
		p.spec.Filter = &o
	}
	store := s.store

	ctx, interrupted, stop := interruptible(parent)
	defer stop()
	if flags.resumeUpload {
		if err := r.takeOverUpload(ctx, s, &p); err != nil {
			return r.fail(err, fs, synopsis)
		}
	} else if r.cmd == "put" && !p.tree && multipartSized(p.spec.LocalPath, opts.MultipartThreshold) {
		r.orphanHint(ctx, s, p)
	}

	eng, err := openEngine(store, opts)
	if err != nil {
		r.errorf("%v", err)
		return ExitFailure
	}
	job := &job{runner: r, eng: eng, plan: p, planFlags: pf, progressTerminal: isTerminal(r.stderr)}
	code := job.run(ctx)
	if code == ExitFailure && interrupted() {
		code = ExitInterrupted
	}
	if code != ExitInterrupted {
		code = job.finish(ctx, code)
		if code == ExitInterrupted || interrupted() {
			code = ExitInterrupted
		}
	}
	if code == ExitInterrupted {
		fmt.Fprintf(r.stderr, "ossq %s: interrupted; saving checkpoints (press Ctrl-C again to quit at once)\n", r.cmd)
		doneBytes := job.doneBytes()
		// Close pauses what runs and waits for the last checkpoint writes;
		// only then is it true that the same command resumes.
		if err := eng.Close(); err != nil {
			r.errorf("saving state: %v", err)
		}
		job.reportInterrupted(doneBytes)
		return ExitInterrupted
	}
	if err := eng.Close(); err != nil {
		r.errorf("closing: %v", err)
		if code == ExitOK {
			code = ExitFailure
		}
	}
	return code
}

// openEngine opens the engine in its headless (Ephemeral) mode: no queue
// file and no queue lock, so it runs beside a TUI that owns the state
// folder, while the per-transfer checkpoints and destination locks are the
// shared ones: re-running the same command resumes, and a CLI transfer never
// clashes with the TUI's on one destination.
func openEngine(store transfer.Store, opts transfer.Options) (*transfer.Engine, error) {
	opts.Ephemeral = true
	eng, err := transfer.Open(store, opts)
	if err != nil {
		return nil, fmt.Errorf("starting the transfer engine: %w", err)
	}
	return eng, nil
}

// job is one get/put in flight.
type job struct {
	*runner
	eng              *transfer.Engine
	plan             plan
	planFlags        planFlags
	ids              []transfer.ID
	results          []transfer.TransferSnapshot // the job's end
	progressTerminal bool
	started          time.Time
	skipped          bool // AddTree left some entries out
	out              *jsonOut
}

// jsonOut is the run's --json writer (a no-op one without --json).
func (j *job) jsonOut() *jsonOut {
	if j.out == nil {
		j.out = newJSONOut(j.stdout, j.planFlags.asJSON, j.plan.spec.DryRun)
	}
	return j.out
}

func (j *job) run(ctx context.Context) int {
	j.started = time.Now()
	ids, err := j.add(ctx)
	if err != nil && len(ids) > 0 {
		// AddTree queued what it could; the rest is reported now and makes
		// the run fail once the queued ones are through.
		j.errorf("%v", err)
		j.existsHint(err)
		j.skipped = true
		err = nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ExitInterrupted
		}
		if errors.Is(err, transfer.ErrDestinationExists) && !j.plan.tree {
			j.errorf("%s exists; choose --on-exists overwrite, skip or rename", j.plan.target)
			return ExitFailure
		}
		j.errorf("%s", describeError(err))
		j.existsHint(err)
		return ExitFailure
	}
	if len(ids) == 0 {
		if j.plan.spec.Direction == transfer.Download {
			j.errorf("no objects under %s", j.plan.source)
		} else {
			j.errorf("no files under %s", j.plan.source)
		}
		return ExitFailure
	}
	j.ids = ids

	progress := newProgress(j.eng, ids, j.stderr, j.progressTerminal)
	stopProgress := progress.start()
	var stream *itemStream
	if j.plan.tree {
		stream = startItemStream(j.jsonOut(), j.eng, ids[0])
	}
	results := make([]transfer.TransferSnapshot, 0, len(ids))
	for _, id := range ids {
		snap, err := j.eng.Wait(ctx, id)
		if err != nil {
			stream.stop()
			stopProgress()
			if ctx.Err() != nil {
				return ExitInterrupted
			}
			j.errorf("%v", err)
			return ExitFailure
		}
		results = append(results, snap)
	}
	stream.stop()
	stopProgress()
	j.results = results
	if j.plan.spec.DryRun {
		return j.reportPlan(j.treeSnapshot())
	}
	if j.plan.tree {
		return j.reportTree(results[0])
	}
	return j.report(results)
}

// existsHint names the way out when destinations already exist and the
// policy is "ask" (a refusal in headless use).
func (j *job) existsHint(err error) {
	if errors.Is(err, transfer.ErrDestinationExists) {
		fmt.Fprintln(j.stderr, "hint: some destinations exist; choose --on-exists overwrite, skip or rename")
	}
}

// add queues the transfer(s). AddTree lists (network I/O, no context), so it
// runs aside and an interrupt does not wait for a long listing.
func (j *job) add(ctx context.Context) ([]transfer.ID, error) {
	if !j.plan.tree {
		id, err := j.eng.Add(j.plan.spec)
		if err != nil {
			return nil, err
		}
		return []transfer.ID{id}, nil
	}
	type added struct {
		ids []transfer.ID
		err error
	}
	done := make(chan added, 1)
	go func() {
		id, err := j.eng.AddTree(j.plan.spec)
		var ids []transfer.ID
		if err == nil {
			ids = []transfer.ID{id}
		}
		done <- added{ids, err}
	}()
	select {
	case a := <-done:
		return a.ids, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
