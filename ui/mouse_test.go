package ui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestMouseWheelScrolls(t *testing.T) {
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
