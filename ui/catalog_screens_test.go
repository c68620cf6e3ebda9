package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// TestGoldenCatalogPanes checks the incomplete-uploads and versions panes
// (and the delete prompt) at 80 and 120 columns.
func TestGoldenCatalogPanes(t *testing.T) {
	t.Parallel()
	screens := []struct {
		name  string
		deps  Deps
		setup func(h *harness)
	}{
		{name: "uploads", deps: Deps{StartBucket: "photos"}, setup: func(h *harness) { h.press("M") }},
		{name: "uploads_abort_all", deps: Deps{StartBucket: "photos"}, setup: func(h *harness) { h.press("M", "X") }},
		{name: "versions", deps: Deps{StartBucket: "photos"}, setup: func(h *harness) { h.press("G", "v", "down") }},
		{name: "deleted", deps: Deps{StartBucket: "photos"}, setup: func(h *harness) { h.press("V") }},
		{name: "delete_prompt", deps: Deps{StartBucket: "photos"}, setup: func(h *harness) { h.press("D") }},
	}
	for _, sc := range screens {
		for _, size := range []struct{ w, h int }{{80, 24}, {120, 32}} {
			t.Run(fmt.Sprintf("%s/%d", sc.name, size.w), func(t *testing.T) {
				h := newHarness(t, catalogEngine(), sc.deps, size.w, size.h)
				sc.setup(h)
				golden.RequireEqual(t, []byte(ansi.Strip(h.view())+"\n"))
			})
		}
	}
}
