package ui

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"ossq/transfer"
)

// EngineAPI is exactly the slice of *transfer.Engine the UI calls. The
// tree-job calls the engine does not have yet (RetryItem, SetFileParallel,
// ClearFinished) are looked up at run time through jobsControl, so the UI
// says "not supported by this engine" until they land.
type EngineAPI interface {
	Window(req transfer.WindowRequest) transfer.Window
	Events() <-chan transfer.Event
	Add(spec transfer.Spec) (transfer.ID, error)
	AddTree(spec transfer.Spec) (transfer.ID, error)
	Pause(id transfer.ID) error
	Resume(id transfer.ID) error
	PauseAll()
	ResumeAll()
	Cancel(id transfer.ID) error
	Retry(id transfer.ID) error
	Remove(id transfer.ID) error
	Move(id transfer.ID, delta int) error
	SetParallel(id transfer.ID, n int) error
	SetBandwidthLimit(bps int64)
	// Get names a job an event is about when it is not on screen.
	Get(id transfer.ID) (transfer.TransferSnapshot, bool)
}

var _ EngineAPI = (*transfer.Engine)(nil)

// jobsControl is the tree-job half of the engine contract; the UI uses
// each method when the engine has it.
type jobsControl interface {
	RetryItem(job transfer.ID, seq uint64) error
	SetFileParallel(job transfer.ID, n int) error
	ClearFinished() int
}

// Catalog is what the UI asks of OSS itself: listings, HEAD and restore.
// It is narrower than transfer.Store, which carries the transfer calls
// only the engine makes.
type Catalog interface {
	ListBuckets(ctx context.Context) ([]transfer.Bucket, error)
	ListObjects(ctx context.Context, bucket, prefix, delimiter, token string, max int) (transfer.Page, error)
	HeadObject(ctx context.Context, bucket, key string) (transfer.Object, error)
	RestoreObject(ctx context.Context, bucket, key string, days int) error
}

// StoreCatalog adapts a transfer.Store to a Catalog; restore works when the
// store is also a transfer.Restorer (NewOSSStore's is), and the object
// actions (ObjectActions) when it is a transfer.CatalogStore.
func StoreCatalog(s transfer.Store) Catalog {
	if c, err := transfer.NewCatalog(s); err == nil {
		return actionCatalog{storeCatalog: storeCatalog{s}, Catalog: c}
	}
	return storeCatalog{s}
}

type storeCatalog struct{ transfer.Store }

func (c storeCatalog) RestoreObject(ctx context.Context, bucket, key string, days int) error {
	r, ok := c.Store.(transfer.Restorer)
	if !ok {
		return errors.New("this connection cannot restore objects")
	}
	return r.RestoreObject(ctx, bucket, key, days)
}

// Options are the user's transfer preferences the UI applies when it queues.
type Options struct {
	// OnExists is the policy for a download's destination or an upload's
	// key that exists; "" or ask means the UI asks (overwrite / skip / rename).
	OnExists transfer.OnExists
	// DownloadDir is the destination folder proposed for downloads and the
	// folder the upload picker opens in; "" means the working directory.
	DownloadDir string
	// Parallel is the default parts in flight per transfer; 0 = engine default.
	Parallel int
	// Notify rings the terminal bell and sends a desktop notification
	// (OSC 9 and OSC 777) when a job finishes or fails.
	Notify bool
	// Filters and Compare are the folder prompts' initial filter line
	// ("--exclude tmp/** --min-size 1MiB", the config's [filters]) and
	// compare mode ("", "update", "checksum").
	Filters string
	Compare string
}

// Deps is everything the UI needs from main.
type Deps struct {
	Engine EngineAPI
	// Catalog lists, HEADs and restores; main passes StoreCatalog(store).
	Catalog     Catalog
	Profile     string
	Endpoint    string
	Credentials string // where the keys come from, for the header; never a secret
	StartBucket string
	StartPrefix string
	Options     Options
	Logger      *slog.Logger
	// Log keeps the notices the log pane shows; nil means an in-memory
	// log of the last logKeep entries.
	Log LogSource
	// Warnings are shown in the log (and once in the footer) at start,
	// e.g. the config's warning about a readable secrets file.
	Warnings []string
	// Terminal receives the out-of-band escapes (OSC 52 copy, bell, OSC 9
	// / 777 notifications); nil means standard output.
	Terminal io.Writer
	// NoColor forces plain output; main sets it from --no-color and
	// NO_COLOR with display.NoColor, the one reading of the variable.
	NoColor bool
}
