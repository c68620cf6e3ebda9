package ui

import (
	"strings"
	"testing"
)

func TestEnabledBindingsFollowState(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	eng.setSnapshot(queueSnapshot())
	h := newHarness(t, eng, Deps{}, 160, 40)
	k := &h.m.keys
	if !k.Download.Enabled() || k.Upload.Enabled() || k.Parent.Enabled() || !k.Open.Enabled() {
		t.Fatal("bucket list bindings wrong")
	}
	h.press("tab")
	h.selectTransfer("bad")
	// A failed transfer is finished: it can be retried or removed.
	if !k.Retry.Enabled() || k.PauseResume.Enabled() || !k.Remove.Enabled() || k.Cancel.Enabled() {
		t.Fatalf("failed transfer: retry=%v pause=%v remove=%v cancel=%v", k.Retry.Enabled(), k.PauseResume.Enabled(), k.Remove.Enabled(), k.Cancel.Enabled())
	}
	help := h.m.footerText
	if !strings.Contains(help, "R retry") || !strings.Contains(help, "del/⌫ remove") || strings.Contains(help, "x cancel") ||
		strings.Contains(help, "p pause •") || strings.Contains(help, "p resume") {
		t.Fatalf("help for a failed transfer: %s", help)
	}
	h.selectTransfer("pau")
	if !k.PauseResume.Enabled() || k.PauseResume.Help().Desc != "resume" || k.Retry.Enabled() {
		t.Fatal("paused transfer bindings wrong")
	}
	h.selectTransfer("ok")
	if !k.Remove.Enabled() || k.Cancel.Enabled() || k.PauseResume.Enabled() {
		t.Fatal("finished transfer bindings wrong")
	}
	h.press("?")
	if !h.m.overlay || !strings.Contains(h.view(), "move up") {
		t.Fatalf("? did not open full help:\n%s", h.view())
	}
	// The overlay takes the keys until ? or esc closes it.
	h.press("b")
	if h.m.prompt != nil || !h.m.overlay {
		t.Fatal("a key under the overlay acted")
	}
	h.press("esc")
	if h.m.overlay {
		t.Fatal("esc did not close the overlay")
	}
	h.press("?", "?")
	if h.m.overlay {
		t.Fatal("? did not close the overlay")
	}
	// A prompt takes every key: the help line gives way to its own hint.
	h.press("b")
	if k.Quit.Enabled() || k.SwitchPane.Enabled() {
		t.Fatal("pane bindings stayed on under a prompt")
	}
}
