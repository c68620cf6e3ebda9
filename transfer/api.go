// This file is the contract the front ends (ui/, internal/cli/) build on.

package transfer

import (
	"context"
	"io"
	"time"

	"ossq/internal/filter"
)

// ID names one transfer in the queue; stable across restarts.
type ID string

// Direction of a transfer.
type Direction string

const (
	Download Direction = "download"
	Upload   Direction = "upload"
)

// State is a transfer's lifecycle state.
type State string

const (
	StateQueued    State = "queued"
	StateRunning   State = "running"
	StatePaused    State = "paused"
	StateVerifying State = "verifying"
	StateRetrying  State = "retrying"
	StateFailed    State = "failed"
	StateDone      State = "done"
	StateCanceled  State = "canceled"
)

// Active reports whether the state means work is (or is about to be) under way.
func (s State) Active() bool {
	return s == StateQueued || s == StateRunning || s == StateVerifying || s == StateRetrying
}

// Finished reports whether the transfer reached an end state (done, failed, canceled).
func (s State) Finished() bool {
	return s == StateDone || s == StateFailed || s == StateCanceled
}

// PartState is one part's state.
type PartState string

const (
	PartPending  PartState = "pending"
	PartActive   PartState = "active"
	PartDone     PartState = "done"
	PartRetrying PartState = "retrying"
	PartFailed   PartState = "failed"
)

// OnExists is the policy when a download's destination already exists.
type OnExists string

const (
	// ExistsAsk: the front end asks before Add; the engine itself treats it
	// as a refusal (ErrDestinationExists) so nothing is ever overwritten silently.
	ExistsAsk       OnExists = "ask"
	ExistsOverwrite OnExists = "overwrite"
	ExistsSkip      OnExists = "skip"
	ExistsRename    OnExists = "rename" // "name (1).ext"
)

// Spec asks for one transfer. For downloads LocalPath is the destination file;
// for uploads the source file. Whole prefixes / folders are expanded by
// AddTree into one Spec per object / file.
type Spec struct {
	Direction Direction
	Bucket    string
	Key       string
	LocalPath string
	OnExists  OnExists // "" means the engine's default (Options.OnExists)
	Parallel  int      // 0 means Options.Parallel
	PartSize  int64    // 0 means Options.PartSize
	// NoCheckpoint disables the checkpoint (and so resume) for this transfer.
	NoCheckpoint bool
	// Profile, Endpoint and Region record the account a job belongs to (set
	// by the engine from Options when empty; never a secret): a job runs
	// with its profile's store whatever profile ossq was started with.
	Profile  string `json:"profile,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	Region   string `json:"region,omitempty"`
	// Filter, for a tree, leaves out what its rules do not keep (rclone's
	// semantics: internal/filter); nil keeps everything.
	Filter *filter.Options `json:"filter,omitempty"`
	// FollowSymlinks, for a folder upload, follows links to files and
	// folders (loops are detected and skipped with their reason).
	FollowSymlinks bool `json:"follow_symlinks,omitempty"`
	// Compare, for a tree, skips items whose destination already matches
	// (CompareUpdate, CompareChecksum; "" compares nothing): they end
	// ItemUnchanged. A destination that differs is replaced.
	Compare string `json:"compare,omitempty"`
	// DryRun, for a tree, lists, compares and decides as a real run does
	// but moves no bytes and writes nothing at the destination: items that
	// would move end ItemDone with DryRunReason. In a queue (not an
	// Ephemeral engine) such a job is a plan, a prompt's preview: it starts
	// at once whatever MaxActive says, jobs windows, totals and events
	// leave it out (WindowRequest.Plans reads it), Remove drops it when it
	// ended, and the next Open drops one left behind.
	DryRun bool `json:"dry_run,omitempty"`
	// Mirror, for a tree, also records what the destination holds that the
	// source does not (Engine.Extras), for sync --delete.
	Mirror bool `json:"mirror,omitempty"`
	// VersionID pins a download to one version of the object ("" = the
	// current one); the store must implement VersionReader.
	VersionID string
	// AdoptUploadID makes an upload continue this incomplete multipart
	// upload of Key instead of starting one: parts that verify against the
	// file (size, CRC64, MD5 ETag) are kept, the rest are sent. PartSize
	// must be the upload's part size (VerifyUpload reports it).
	AdoptUploadID string
	// TreeRoot, for a download expanded from a prefix, is the folder the
	// user chose: LocalPath lies under it and no folder between the two may
	// be a symbolic link (ErrPathSymlink). Empty for a single download.
	TreeRoot string `json:",omitempty"`
}

// PartSnapshot is one part, as plain values.
type PartSnapshot struct {
	Number int // 1-based
	Offset int64
	Size   int64
	Done   int64
	State  PartState
}

// TransferSnapshot is one transfer, as plain values copied under a short lock.
type TransferSnapshot struct {
	ID             ID
	Direction      Direction
	Bucket, Key    string
	LocalPath      string
	State          State
	Size           int64 // -1 while unknown
	Done           int64
	Speed          float64       // bytes/s, moving average
	ETA            time.Duration // 0 when unknown
	Retries        int
	Parallel       int
	PartSize       int64
	Err            string     // short cause, for a row
	ErrInfo        *ErrorInfo // full cause, for the details view
	Notice         string     // e.g. "restarted: object changed since checkpoint"
	CheckpointPath string
	Profile        string         // the profile the job belongs to
	Parts          []PartSnapshot // nil for single-request transfers
	Added          time.Time
	Finished       time.Time
}

// Snapshot is the whole queue in display order plus engine-wide figures.
type Snapshot struct {
	Transfers      []TransferSnapshot
	Speed          float64 // total bytes/s
	Active, Queued int
	BandwidthLimit int64 // bytes/s, 0 = none
	// Version increases whenever anything in the snapshot changed, so a
	// front end can skip rebuilding rows when nothing moved.
	Version uint64
}

// EventKind names a lifecycle event.
type EventKind string

const (
	EventAdded    EventKind = "added"
	EventStarted  EventKind = "started"
	EventPaused   EventKind = "paused"
	EventRetrying EventKind = "retrying"
	EventFailed   EventKind = "failed"
	EventDone     EventKind = "done"
	EventCanceled EventKind = "canceled"
	EventRemoved  EventKind = "removed"
	EventNotice   EventKind = "notice" // e.g. checkpoint discarded, restarted
)

// Event is a lifecycle event; Events() never drops one.
type Event struct {
	Kind    EventKind
	ID      ID
	Message string
	Time    time.Time
}

// Options are the engine's plain settings; main fills them from the config.
type Options struct {
	// Zero values mean the Default constants (defaults.go).
	PartSize           int64  // bytes per part; uploads use at least 100 KiB and grow it to stay ≤ 10,000 parts
	Parallel           int    // parts in flight per transfer (the SDKs' thread_num)
	MaxActive          int    // jobs at once
	FileParallel       int    // items in flight per tree job
	MultipartThreshold int64  // below it: one GET / one PutObject
	StateDir           string // queue.json and queue.lock live here (required unless Ephemeral)
	CheckpointDir      string // per-transfer checkpoints and destination locks ("" = StateDir/checkpoints)
	BandwidthLimit     int64  // bytes/s across all transfers, 0 = none
	Retries            int    // per part, for transient errors. 0 = DefaultRetries, NOT none; negative = none (map a config's retries = 0 to -1)
	OnExists           OnExists
	ResumeOnStart      bool
	// Ephemeral is the headless mode for `ossq get/put`: no queue file and
	// no queue lock, so it runs while a TUI owns StateDir's queue. The
	// per-transfer checkpoints (in CheckpointDir, default StateDir/checkpoints)
	// and per-destination locks are still used, so an interrupted CLI
	// transfer resumes on the next run and never clashes with the TUI's.
	Ephemeral bool
	// RetryDelay is the first backoff before retrying a transient error
	// (doubling per attempt, capped at 10 s); 0 means 250 ms.
	RetryDelay time.Duration
	// Logger receives structured logs; nil means discard.
	Logger Logger
	// Profile, Endpoint and Region name the account the store reaches; new
	// jobs record them. StoreFor builds the store of another profile, for
	// jobs queued under it (nil: every job uses the engine's store).
	Profile, Endpoint, Region string
	StoreFor                  func(profile string) (Store, error)

	// listLookahead, listPage, walkBatch and credentialPoll, when set (by a
	// test of this package), replace listLookaheadDefault, listPageSize,
	// walkBatchSize and credentialPollFirst for this engine, so such tests
	// see several pages of a small tree, and run in parallel.
	listLookahead  int64
	listPage       int
	walkBatch      int
	credentialPoll time.Duration
}

// Logger is the slice of *slog.Logger the engine uses.
type Logger interface {
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
	Debug(msg string, args ...any)
}

// Bucket is one row of ListBuckets.
type Bucket struct {
	Name         string
	Region       string
	Created      time.Time
	StorageClass string
}

// Object is one object, from a listing or a HEAD.
type Object struct {
	Key          string
	Size         int64
	LastModified time.Time
	ETag         string
	StorageClass string
	ContentType  string
	CRC64        string // decimal, "" when the server gave none
	VersionID    string
	ObjectType   string
	// Restore is the x-oss-restore header ("" when not an archive under restore).
	Restore string
}

// Page is one page of a delimited listing.
type Page struct {
	Prefixes  []string // common prefixes (folders), full keys ending in the delimiter
	Objects   []Object
	NextToken string // "" when this was the last page
}

// Store is what the engine needs from OSS. NewOSSStore implements it with the
// real SDK; the engine owns the interface so it can be narrow. A Store may
// also implement OpenObject(ctx, bucket, key) (Object, io.ReadCloser, error)
// (NewOSSStore's does): small objects from AddTree are then fetched with one
// GET instead of HEAD + GET. Errors should wrap *OSSError so failures keep
// the OSS code, message and request ID.
type Store interface {
	ListBuckets(ctx context.Context) ([]Bucket, error)
	ListObjects(ctx context.Context, bucket, prefix, delimiter, token string, max int) (Page, error)
	HeadObject(ctx context.Context, bucket, key string) (Object, error)
	// GetRange streams [off, off+n) of the object; n < 0 means to the end.
	// ifMatch, when set, is sent as If-Match so a changed object fails (412).
	GetRange(ctx context.Context, bucket, key string, off, n int64, ifMatch string) (io.ReadCloser, error)
	PutObject(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) (etag, crc64 string, err error)
	InitiateMultipart(ctx context.Context, bucket, key string) (uploadID string, err error)
	UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body io.ReadSeeker, size int64) (etag, crc64 string, err error)
	ListParts(ctx context.Context, bucket, key, uploadID string) ([]UploadedPart, error)
	CompleteMultipart(ctx context.Context, bucket, key, uploadID string, parts []UploadedPart) (crc64 string, err error)
	AbortMultipart(ctx context.Context, bucket, key, uploadID string) error
}

// Restorer is implemented by stores that can restore archived objects
// (NewOSSStore's can). It is separate from Store so that Store stays the
// narrow set of calls the engine itself needs.
type Restorer interface {
	RestoreObject(ctx context.Context, bucket, key string, days int) error
}

// IsArchiveClass reports whether objects of this storage class must be
// restored before they can be read.
func IsArchiveClass(storageClass string) bool { return archiveClasses[storageClass] }

// NeedsRestore reports whether obj is in an archive storage class and not
// (yet) restored, so a GET would fail with InvalidObjectState.
func NeedsRestore(obj Object) bool {
	return IsArchiveClass(obj.StorageClass) && !restored(obj)
}

// UploadedPart is a part the server holds for a multipart upload.
type UploadedPart struct {
	Number int
	ETag   string
	Size   int64
	CRC64  string
}

// ClientOptions are the plain settings to build the SDK client.
type ClientOptions struct {
	Endpoint         string
	Region           string
	SignatureVersion string // "v4" (default) or "v1"
	UseCName         bool
	UsePathStyle     bool
	AccessKeyID      string
	AccessKeySecret  string
	SessionToken     string
	Anonymous        bool
	Proxy            string
	ConnectTimeout   time.Duration
	ReadTimeout      time.Duration
	// Retries is the SDK's attempts per request (the engine retries parts on top).
	Retries int

	// Credentials, when set, is the source of the keys (and replaces
	// AccessKeyID, AccessKeySecret and SessionToken); CredentialSource names
	// it in messages ("ecs_ram_role", "environment", …).
	Credentials      CredentialsFunc
	CredentialSource string
	// EndpointForRegion gives the endpoint of another region, for buckets
	// that live there; nil when the endpoint is not one of a region's (a
	// custom domain, an emulator), and then only the server's redirects
	// move a bucket elsewhere.
	EndpointForRegion func(region string) string
	// RegionFromEndpoint reads the region out of an endpoint the server
	// redirects to ("" when it does not say).
	RegionFromEndpoint func(endpoint string) string
	// CAFile is a PEM bundle of extra root certificates; InsecureSkipVerify
	// turns certificate checks off. Without Proxy, HTTPS_PROXY, HTTP_PROXY
	// and NO_PROXY apply.
	CAFile             string
	InsecureSkipVerify bool
}
