package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The footer never drops "? help" and "q quit", in any pane, at 60 cells.
func TestFooterAlwaysEndsWithHelpAndQuit(t *testing.T) {
	t.Parallel()
	eng := treeEngine()
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 60, 24)
	check := func(where string) {
		t.Helper()
		f := ansi.Strip(h.m.footerText)
		if !strings.HasSuffix(f, "? help · q quit") || ansi.StringWidth(f) > 60 {
			t.Fatalf("%s footer %q", where, f)
		}
	}
	check("browser")
	h.press("tab")
	check("queue")
	h.press("G", "enter")
	check("items")
	h.press("enter")
	check("details")
	h.press("L")
	check("log")
}

// ? opens every key of the pane, the unavailable ones with their reason;
// ? or esc closes it; a disabled key pressed says why in the footer.
func TestHelpOverlayListsKeysWithReasons(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 100, 40)
	h.press("tab")
	h.selectTransfer("run")
	h.press("?")
	v := h.view()
	for _, want := range []string{"Help · queue", "retry — nothing failed or canceled to retry", "clear finished", "Cells: █ done"} {
		if !strings.Contains(v, want) {
			t.Fatalf("overlay lacks %q:\n%s", want, v)
		}
	}
	h.press("?")
	if h.m.overlay {
		t.Fatal("? did not close the overlay")
	}
	h.press("R")
	if !strings.Contains(h.m.notice, "nothing failed or canceled to retry") {
		t.Fatalf("a disabled key said nothing: %q", h.m.notice)
	}
}
