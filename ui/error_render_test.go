package ui

import (
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"ossq/transfer"
)

// The details view, y's copy and an item's row show the engine's one
// rendering of an ErrorInfo (Summary, Fields, Detail): the TUI spells no
// cause of its own.
func TestTUIErrorsAreTheSharedRendering(t *testing.T) {
	when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		info transfer.ErrorInfo
	}{
		{"access denied", transfer.ErrorInfo{Op: "GetObject part 3", Code: transfer.CodeAccessDenied, Status: 403,
			Message: "You have no right to access this object.", RequestID: "RID-1", HostID: "h.example",
			Host: "bkt.oss-cn-hangzhou.aliyuncs.com", When: when}},
		{"no such bucket", transfer.ErrorInfo{Op: "HeadObject", Code: transfer.CodeNoSuchBucket, Status: 404,
			Message: "The specified bucket does not exist.", RequestID: "RID-2"}},
		{"code with no summary", transfer.ErrorInfo{Op: "PutObject", Code: "EntityTooLarge", Status: 400, Message: "too big"}},
		{"destination exists", *transfer.ErrorInfoOf(fmt.Errorf("/dl/k: %w", transfer.ErrDestinationExists))},
		{"disk full", *transfer.ErrorInfoOf(fmt.Errorf("write checkpoint: %w", syscall.ENOSPC))},
		{"network", transfer.ErrorInfo{Op: "GetObject", Message: "dial tcp 127.0.0.1:1: connect: connection refused",
			Text: "part 2: GetObject: dial tcp 127.0.0.1:1: connect: connection refused"}},
	}
	styles := NewStyles(DefaultTheme(), lipgloss.NewRenderer(io.Discard))
	for _, c := range cases {
		info := c.info
		d := newDetails(styles)
		d.width, d.height = 200, 40
		d.openItem("job", &transfer.ItemSnapshot{Job: "job", Seq: 1, Key: "k", Size: 10, State: transfer.ItemFailed,
			Reason: "the engine's old reason", ErrInfo: &info})
		view := ansi.Strip(d.View())
		if !strings.Contains(view, info.Summary()) {
			t.Errorf("%s: details lack the summary %q:\n%s", c.name, info.Summary(), view)
		}
		for _, f := range info.Fields() {
			if !strings.Contains(view, f.Label) || !strings.Contains(view, f.Value) {
				t.Errorf("%s: details lack field %s = %q:\n%s", c.name, f.Label, f.Value, view)
			}
		}
		if got := d.errorText(); got != info.Detail() {
			t.Errorf("%s: y copies %q, want the detail form %q", c.name, got, info.Detail())
		}
		row := ansi.Strip(itemLine(styles, &transfer.ItemSnapshot{Key: "k", State: transfer.ItemFailed, Reason: "the engine's old reason", ErrInfo: &info}, 200))
		if !strings.Contains(row, info.Summary()) || strings.Contains(row, "old reason") {
			t.Errorf("%s: item row %q does not show the summary %q", c.name, row, info.Summary())
		}
	}
}
