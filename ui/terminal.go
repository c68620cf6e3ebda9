package ui

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"path"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"ossq/transfer"
)

// terminalDoneMsg says an escape sequence was written.
type terminalDoneMsg struct{}

// copyCmd puts text on the clipboard with OSC 52, which terminals (and
// tmux with set-clipboard) pass to the system clipboard, over ssh too.
func copyCmd(w io.Writer, text string) tea.Cmd {
	return func() tea.Msg {
		fmt.Fprintf(w, "\x1b]52;c;%s\x07", base64.StdEncoding.EncodeToString([]byte(text)))
		return terminalDoneMsg{}
	}
}

// notifyCmd rings the bell and asks the terminal for a desktop
// notification: OSC 9 (iTerm2, WezTerm, kitty, Windows Terminal) and
// OSC 777 (rxvt, foot, Ghostty, VTE); a terminal ignores what it lacks.
func notifyCmd(w io.Writer, title, body string) tea.Cmd {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r < 0x20 || r == 0x7f:
				return ' '
			case r == ';': // OSC 777 separates its fields with it
				return ','
			}
			return r
		}, s)
	}
	title, body = clean(title), clean(body)
	return func() tea.Msg {
		fmt.Fprintf(w, "\a\x1b]9;%s: %s\x07\x1b]777;notify;%s;%s\x07", title, body, title, body)
		return terminalDoneMsg{}
	}
}

// maxRenameKeys bounds the search for a free "name (N).ext" key.
const maxRenameKeys = 100

// checkUploadCmd HEADs each file upload's key: it exists, or not; for an
// existing one it also finds the first free "name (N).ext".
func checkUploadCmd(cat Catalog, items []destItem) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		exists := func(bucket, key string) (bool, error) {
			_, err := cat.HeadObject(ctx, bucket, key)
			switch {
			case err == nil:
				return true, nil
			case transfer.IsNotFound(err):
				return false, nil
			}
			return false, fmt.Errorf("checking oss://%s/%s: %w", bucket, key, err)
		}
		for i := range items {
			it := &items[i]
			if it.target.folder {
				continue
			}
			ok, err := exists(it.target.bucket, it.target.key)
			if err != nil {
				return uploadCheckMsg{err: err}
			}
			if !ok {
				continue
			}
			it.exists = true
			ext := path.Ext(it.target.key)
			stem := strings.TrimSuffix(it.target.key, ext)
			for n := 1; n <= maxRenameKeys; n++ {
				candidate := fmt.Sprintf("%s (%d)%s", stem, n, ext)
				taken, err := exists(it.target.bucket, candidate)
				if err != nil {
					return uploadCheckMsg{err: err}
				}
				if !taken {
					it.renameKey = candidate
					break
				}
			}
		}
		return uploadCheckMsg{items: items}
	}
}
