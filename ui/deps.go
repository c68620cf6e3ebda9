// Package ui is ossq's terminal front end: a Bubble Tea v1 program that
// browses OSS and drives the transfer engine through its Go API.
//
// Layout follows gh-dash (a root model holding concrete child models, a
// semantic theme, one KeyMap) and the engine wiring follows pug: lifecycle
// events are pushed over a channel and re-armed one at a time, byte progress
// is pulled from Snapshot on a tick that only runs while work is active.
package ui

import (
	"log/slog"

	"ossq/transfer"
)

// EngineAPI is exactly the slice of *transfer.Engine the UI calls.
type EngineAPI interface {
	Snapshot() transfer.Snapshot
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
	Get(id transfer.ID) (transfer.TransferSnapshot, bool)
	Store() transfer.Store
}

var _ EngineAPI = (*transfer.Engine)(nil)

// Options are the user's transfer preferences the UI applies when it queues.
type Options struct {
	// OnExists is the policy for a download whose destination exists;
	// "" or ask means the UI asks (overwrite / skip / rename).
	OnExists transfer.OnExists
	// DownloadDir is the destination folder proposed for downloads and the
	// folder the upload picker opens in; "" means the working directory.
	DownloadDir string
	// Parallel is the default parts in flight per transfer; 0 = engine default.
	Parallel int
}

// Deps is everything the UI needs from main.
type Deps struct {
	Engine      EngineAPI
	Profile     string
	Endpoint    string
	Credentials string // where the keys come from, for the header; never a secret
	StartBucket string
	StartPrefix string
	Options     Options
	Logger      *slog.Logger
	// NoColor forces plain output (also implied by the NO_COLOR variable).
	NoColor bool
}
