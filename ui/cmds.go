package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/ossname"
	"ossq/transfer"
)

const (
	// tickInterval paces byte-progress reads while something is active.
	tickInterval = 100 * time.Millisecond
	// listPageSize is the ListObjects page (OSS's maximum).
	listPageSize = 1000
	// listTimeout bounds one listing or HEAD call so a dead network shows an
	// error instead of a spinner forever.
	listTimeout = 60 * time.Second
	// noticeLifetime is how long a footer notice stays.
	noticeLifetime = 6 * time.Second
)

// engineEventMsg is one lifecycle event; Update re-arms the wait.
type engineEventMsg struct{ ev transfer.Event }

// eventsClosedMsg says the engine closed its event channel.
type eventsClosedMsg struct{}

// bucketsMsg answers a ListBuckets for listing generation seq.
type bucketsMsg struct {
	seq     int
	buckets []transfer.Bucket
	err     error
}

// pageMsg answers one ListObjects page for listing generation seq.
type pageMsg struct {
	seq            int
	bucket, prefix string
	page           transfer.Page
	err            error
}

// headMsg answers a HeadObject for bucket/key: for the info panel, or
// (forDownload) to see whether an archived object can be read yet.
type headMsg struct {
	bucket, key string
	forDownload bool
	obj         transfer.Object
	err         error
}

// downloadTarget is one thing the user asked to download.
type downloadTarget struct {
	bucket, key string
	folder      bool
	// versionID pins a download to one version ("" = the current one).
	versionID string
}

// destItem is a download target with its resolved destination.
type destItem struct {
	target downloadTarget
	dest   string
	exists bool
	// renameDest is where "rename" puts an existing folder's tree: a free
	// sibling name, "name (1)". Found with the stat, off the event loop.
	renameDest string
	// upload: dest is the local source and target.key the object key;
	// renameKey is the free "name (1).ext" key found with HEAD.
	upload    bool
	renameKey string
	// tree: the filter and compare mode of a folder's job (plan prompts).
	tree treeOptions
}

// name is what a notice or the log calls the item.
func (it destItem) name() string {
	if it.upload {
		return ossname.Join(it.target.bucket, it.target.key)
	}
	return it.dest
}

// uploadCheckMsg answers the HEADs of a batch of uploads' keys.
type uploadCheckMsg struct {
	items []destItem
	err   error
}

// destCheckMsg answers the destination stat for a batch of targets.
type destCheckMsg struct {
	items []destItem
	err   error
}

// addedMsg reports what Add/AddTree queued. existing are downloads the
// engine refused because their destination appeared after the UI looked
// (policy ask): the UI asks about them like the others.
type addedMsg struct {
	ids      []transfer.ID
	names    []string // what was queued, for the log
	errs     []error
	existing []transfer.Spec
}

// actionMsg reports one engine call on job id; done confirms it.
type actionMsg struct {
	id   transfer.ID
	op   string
	done string
	err  error
}

// localEntry is one row of the upload picker.
type localEntry struct {
	name    string
	path    string
	dir     bool
	size    int64
	modTime time.Time
}

// localDirMsg answers a read of a local folder for the picker.
type localDirMsg struct {
	dir     string
	entries []localEntry
	err     error
}

// noticeExpiredMsg clears notice seq if it is still the current one.
type noticeExpiredMsg struct{ seq int }

// waitEventCmd waits for exactly one event (examples/realtime).
func waitEventCmd(ch <-chan transfer.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		return engineEventMsg{ev: ev}
	}
}

func listBucketsCmd(cat Catalog, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		bs, err := cat.ListBuckets(ctx)
		return bucketsMsg{seq: seq, buckets: bs, err: err}
	}
}

func listPageCmd(cat Catalog, seq int, bucket, prefix, token string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		p, err := cat.ListObjects(ctx, bucket, prefix, "/", token, listPageSize)
		return pageMsg{seq: seq, bucket: bucket, prefix: prefix, page: p, err: err}
	}
}

// restoreDays is the days proposed for a restored copy, as ossutil's
// restore defaults to.
const restoreDays = 1

// restorePollInterval paces the HEAD that waits for a restore to finish:
// slow, since a restore takes minutes to hours.
const restorePollInterval = 10 * time.Second

type restoreMsg struct {
	bucket, key string
	err         error
}

// restorePollMsg answers one HEAD of an object under restore.
type restorePollMsg struct {
	bucket, key string
	obj         transfer.Object
	err         error
}

// restoreCmd asks OSS to restore an archived object.
func restoreCmd(cat Catalog, bucket, key string, days int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		return restoreMsg{bucket: bucket, key: key, err: cat.RestoreObject(ctx, bucket, key, days)}
	}
}

// restorePollCmd HEADs an object under restore after a pause.
func restorePollCmd(cat Catalog, bucket, key string, wait time.Duration) tea.Cmd {
	return tea.Tick(wait, func(time.Time) tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		o, err := cat.HeadObject(ctx, bucket, key)
		return restorePollMsg{bucket: bucket, key: key, obj: o, err: err}
	})
}

func headCmd(cat Catalog, bucket, key string, forDownload bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		o, err := cat.HeadObject(ctx, bucket, key)
		return headMsg{bucket: bucket, key: key, forDownload: forDownload, obj: o, err: err}
	}
}

// destFolder resolves the destination folder a download prompt names.
func destFolder(dir string) (string, error) {
	dir = expandHome(strings.TrimSpace(dir))
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("destination %q: %w", dir, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return "", fmt.Errorf("destination %q is a file, not a folder", abs)
	}
	return abs, nil
}

// targetDest is where a target lands under the destination folder: a
// folder or object by its last name, the whole bucket by the bucket's
// (ossname.URL.FolderName).
func targetDest(abs string, t downloadTarget) string {
	return filepath.Join(abs, ossname.URL{Bucket: t.bucket, Key: t.key}.FolderName())
}

// checkDestCmd resolves each target's destination under dir and stats it.
// A folder compared (tree.compare) is synced into, not asked about.
func checkDestCmd(targets []downloadTarget, dir string, tree treeOptions) tea.Cmd {
	return func() tea.Msg {
		abs, err := destFolder(dir)
		if err != nil {
			return destCheckMsg{err: err}
		}
		items := make([]destItem, 0, len(targets))
		for _, t := range targets {
			dest := targetDest(abs, t)
			_, statErr := os.Lstat(dest)
			it := destItem{target: t, dest: dest, exists: statErr == nil}
			if t.folder {
				it.tree = tree
				it.exists = it.exists && tree.compare == ""
			}
			if it.exists && t.folder {
				free, err := freeFolderName(dest)
				if err != nil {
					return destCheckMsg{err: err}
				}
				it.renameDest = free
			}
			items = append(items, it)
		}
		return destCheckMsg{items: items}
	}
}

// maxRenameTries bounds the search for a free "name (N)".
const maxRenameTries = 10_000

// freeFolderName is the first "dest (N)" that does not exist.
func freeFolderName(dest string) (string, error) {
	for n := 1; n <= maxRenameTries; n++ {
		candidate := fmt.Sprintf("%s (%d)", dest, n)
		if _, err := os.Lstat(candidate); errors.Is(err, os.ErrNotExist) {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("no free name for %s: %s (1) to (%d) all exist", dest, dest, maxRenameTries)
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

// addCmd queues single transfers and trees off the event loop.
func addCmd(eng EngineAPI, specs, trees []transfer.Spec) tea.Cmd {
	return func() tea.Msg {
		var out addedMsg
		for _, s := range specs {
			id, err := eng.Add(s)
			if errors.Is(err, transfer.ErrDestinationExists) && s.Direction == transfer.Download {
				out.existing = append(out.existing, s)
				continue
			}
			if err != nil {
				out.errs = append(out.errs, fmt.Errorf("%s: %w", specName(s), err))
				continue
			}
			out.ids = append(out.ids, id)
			out.names = append(out.names, specName(s))
		}
		for _, s := range trees {
			id, err := eng.AddTree(s)
			if err == nil {
				out.ids = append(out.ids, id)
				out.names = append(out.names, specName(s))
			}
			if err != nil {
				out.errs = append(out.errs, fmt.Errorf("%s: %w", specName(s), err))
			}
		}
		return out
	}
}

func specName(s transfer.Spec) string {
	if s.Direction == transfer.Upload {
		return s.LocalPath
	}
	if s.VersionID != "" {
		return ossname.Join(s.Bucket, s.Key) + " (version " + s.VersionID + ")"
	}
	return ossname.Join(s.Bucket, s.Key)
}

// readDirCmd lists a local folder for the picker: folders first, then files.
func readDirCmd(dir string) tea.Cmd {
	return func() tea.Msg {
		dir = expandHome(dir)
		if dir == "" {
			dir = "."
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return localDirMsg{dir: dir, err: err}
		}
		des, err := os.ReadDir(abs)
		if err != nil {
			return localDirMsg{dir: abs, err: err}
		}
		entries := make([]localEntry, 0, len(des))
		for _, de := range des {
			e := localEntry{name: de.Name(), path: filepath.Join(abs, de.Name()), dir: de.IsDir()}
			if info, err := de.Info(); err == nil {
				e.size = info.Size()
				e.modTime = info.ModTime()
				if de.Type()&os.ModeSymlink != 0 {
					if target, err := os.Stat(e.path); err == nil {
						e.dir = target.IsDir()
						e.size = target.Size()
					}
				}
			}
			entries = append(entries, e)
		}
		sort.SliceStable(entries, func(i, j int) bool {
			if entries[i].dir != entries[j].dir {
				return entries[i].dir
			}
			return entries[i].name < entries[j].name
		})
		return localDirMsg{dir: abs, entries: entries}
	}
}

func noticeExpireCmd(seq int) tea.Cmd {
	return tea.Tick(noticeLifetime, func(time.Time) tea.Msg { return noticeExpiredMsg{seq: seq} })
}

// shortError is the engine's one-line summary of an error, for a notice.
func shortError(err error) string { return transfer.Summary(err) }
