package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/transfer"
)

// ObjectActions is what the UI does to a bucket's contents besides moving
// bytes: incomplete uploads, versions, delete, share, new folder, copy.
// A Catalog from StoreCatalog has it when its store is a
// transfer.CatalogStore; without it the keys say why they cannot run.
type ObjectActions interface {
	AllUploads(ctx context.Context, bucket, prefix string) ([]transfer.IncompleteUpload, error)
	AbortUpload(ctx context.Context, bucket, key, uploadID string) error
	VerifyUpload(ctx context.Context, bucket, key, uploadID, localPath string) (transfer.UploadCheck, error)
	KeyVersions(ctx context.Context, bucket, key string) ([]transfer.Version, error)
	DeletedObjects(ctx context.Context, bucket, prefix string) ([]transfer.DeletedObject, error)
	Versioning(ctx context.Context, bucket string) (string, error)
	RestoreVersion(ctx context.Context, bucket, key, versionID string) (string, error)
	SummarizePrefix(ctx context.Context, bucket, prefix string) (transfer.PrefixSummary, error)
	DeleteObjects(ctx context.Context, bucket string, refs []transfer.ObjectRef, progress transfer.DeleteProgress) (transfer.DeleteSummary, error)
	DeletePrefix(ctx context.Context, bucket, prefix string, progress transfer.DeleteProgress) (transfer.DeleteSummary, error)
	Presign(ctx context.Context, ref transfer.ObjectRef, expires time.Duration) (transfer.Presigned, error)
	PutFolder(ctx context.Context, bucket, prefix string) error
	CopyObject(ctx context.Context, src, dst transfer.ObjectRef, progress transfer.CopyProgress) (transfer.CopyResult, error)
	MoveObject(ctx context.Context, src, dst transfer.ObjectRef, progress transfer.CopyProgress) (transfer.CopyResult, error)
	CopyPrefix(ctx context.Context, srcBucket, srcPrefix, dstBucket, dstPrefix string, progress func(transfer.CopySummary)) (transfer.CopySummary, error)
}

// actionCatalog is a storeCatalog with the transfer.Catalog over it.
type actionCatalog struct {
	storeCatalog
	*transfer.Catalog
}

var _ ObjectActions = actionCatalog{}

func (c actionCatalog) VerifyUpload(ctx context.Context, bucket, key, uploadID, localPath string) (transfer.UploadCheck, error) {
	return transfer.VerifyUpload(ctx, c.Store, bucket, key, uploadID, localPath)
}

// noActionsWhy is why an object action cannot run on this connection.
const noActionsWhy = "this connection cannot list uploads or versions, delete, share or copy"

// actions is the catalog's ObjectActions, or nil.
func (m *Model) actions() ObjectActions {
	a, _ := m.catalog.(ObjectActions)
	return a
}

// catalogMsg answers one catalog call; apply, run on the event loop,
// puts the answer where it belongs.
type catalogMsg struct {
	apply func(m *Model) tea.Cmd
}

// catalogCmd runs call off the event loop, bounded by listTimeout, and
// hands its result to the model through apply.
func catalogCmd(call func(ctx context.Context) func(m *Model) tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		return catalogMsg{apply: call(ctx)}
	}
}

// opTimeout bounds one long catalog operation (a delete or copy of a
// whole prefix) so a dead network ends it with an error.
const opTimeout = 6 * time.Hour

// opRun is one long catalog operation: its progress goes through a
// one-slot channel (the newest report wins, so a fast operation never
// waits on the UI), its result as an opDoneMsg.
type opRun struct {
	id       int
	progress chan string
}

type opProgressMsg struct {
	run  *opRun
	text string
}

type opDoneMsg struct {
	id     int
	text   string // the summary, for the footer and the log
	err    error
	what   string // what failed, for the error notice
	bucket string // relist the browser when it shows this bucket
}

// startOp runs fn as a command and its progress reports as another that
// re-arms itself until fn returns (examples/realtime).
func (m *Model) startOp(what, bucket string, fn func(ctx context.Context, report func(string)) (string, error)) tea.Cmd {
	m.opSeq++
	r := &opRun{id: m.opSeq, progress: make(chan string, 1)}
	if m.opsRunning == nil {
		m.opsRunning = map[int]string{}
	}
	m.opsRunning[r.id] = what
	report := func(s string) {
		select {
		case <-r.progress:
		default:
		}
		select {
		case r.progress <- s:
		default:
		}
	}
	run := func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		defer close(r.progress)
		text, err := fn(ctx, report)
		return opDoneMsg{id: r.id, text: text, err: err, what: what, bucket: bucket}
	}
	return tea.Batch(run, waitOpCmd(r), m.setNotice(what+"…", false))
}

func waitOpCmd(r *opRun) tea.Cmd {
	return func() tea.Msg {
		text, ok := <-r.progress
		if !ok {
			return nil
		}
		return opProgressMsg{run: r, text: text}
	}
}

func (m *Model) handleOpProgress(msg opProgressMsg) tea.Cmd {
	if _, running := m.opsRunning[msg.run.id]; !running {
		return nil
	}
	m.noticeSeq++
	m.notice, m.noticeErr = displayName(msg.text), false
	return waitOpCmd(msg.run)
}

func (m *Model) handleOpDone(msg opDoneMsg) tea.Cmd {
	delete(m.opsRunning, msg.id)
	var cmds []tea.Cmd
	if msg.err != nil {
		m.log.Warn("catalog operation", "what", msg.what, "err", msg.err)
		text := msg.what + ": " + shortError(msg.err)
		if msg.text != "" {
			text = msg.text + "; then " + text
		}
		cmds = append(cmds, m.setNotice(text, true))
	} else {
		cmds = append(cmds, m.setNotice(msg.text, false))
	}
	if msg.bucket != "" && msg.bucket == m.browser.bucket && !m.browser.filtering {
		cmds = append(cmds, m.relist())
	}
	switch m.pane {
	case paneUploads:
		cmds = append(cmds, m.loadUploads())
	case paneDeleted:
		cmds = append(cmds, m.loadDeleted())
	}
	return tea.Batch(cmds...)
}
