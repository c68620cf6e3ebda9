package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

const queueFileVersion = 1

// queueRecord is one transfer as persisted in queue.json. It holds the
// Spec and display state only: no credentials, no endpoint.
type queueRecord struct {
	ID       ID          `json:"id"`
	Spec     Spec        `json:"spec"`
	State    State       `json:"state"`
	Err      string      `json:"err,omitempty"`
	ErrInfo  *ErrorInfo  `json:"err_info,omitempty"`
	Notice   string      `json:"notice,omitempty"`
	Size     int64       `json:"size"`
	Done     int64       `json:"done"`
	Retries  int         `json:"retries,omitempty"`
	Parallel int         `json:"parallel,omitempty"`
	Added    time.Time   `json:"added"`
	Finished time.Time   `json:"finished,omitzero"`
	Tree     *treeRecord `json:"tree,omitempty"`
	Pos      float64     `json:"pos,omitempty"`
}

type queueFile struct {
	Version   int           `json:"version"`
	Transfers []queueRecord `json:"transfers"`
}

func saveQueue(path string, recs []queueRecord) error {
	data, err := json.MarshalIndent(queueFile{Version: queueFileVersion, Transfers: recs}, "", " ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("save queue: %w", err)
	}
	return nil
}

// loadQueue reads queue.json; a missing file is an empty queue. A file that
// does not parse is reported, and the caller moves it aside rather than
// losing it silently.
func loadQueue(path string) ([]queueRecord, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var qf queueFile
	if err := json.Unmarshal(data, &qf); err != nil {
		return nil, fmt.Errorf("queue file %s is corrupted: %w", path, err)
	}
	if qf.Version != queueFileVersion {
		return nil, fmt.Errorf("queue file %s has unsupported version %d", path, qf.Version)
	}
	seen := map[ID]bool{}
	out := qf.Transfers[:0]
	for _, r := range qf.Transfers {
		if r.ID == "" || seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		out = append(out, r)
	}
	return out, nil
}
