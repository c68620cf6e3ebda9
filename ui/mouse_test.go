package ui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestMouseWheelScrolls(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	for i := range 50 {
		eng.store.addObject("b", fmt.Sprintf("k%02d", i), int64(i))
	}
	h := newHarness(t, eng, Deps{StartBucket: "b"}, 80, 24)
	h.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if h.m.browser.cursor != wheelStep {
		t.Fatalf("cursor = %d", h.m.browser.cursor)
	}
}

// A click selects a row; a second click on it soon after opens it.
func TestClickSelectsAndDoubleClickOpens(t *testing.T) {
	t.Parallel()
	h := newHarness(t, demoEngine(), Deps{}, 80, 24)
	click := func(y int) {
		h.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonLeft, Y: y})
	}
	// Row 0 of the list is the line under the header and the column head.
	click(headerHeight + 2)
	if h.m.browser.cursor != 1 || h.m.browser.bucket != "" {
		t.Fatalf("click: cursor %d bucket %q", h.m.browser.cursor, h.m.browser.bucket)
	}
	click(headerHeight + 2)
	if h.m.browser.bucket != "photos" {
		t.Fatalf("double click did not open: bucket %q", h.m.browser.bucket)
	}
}
