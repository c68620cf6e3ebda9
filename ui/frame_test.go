package ui

import (
	"io"
	"os"
	"ossq/internal/display"
	"ossq/transfer"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// oddKey is demo-odd's key with a tab and a form feed in it.
const oddKey = "tab\tand\x0ccontrol.txt"

// oddEngine has a bucket with demo-odd's names plus more control runes.
func oddEngine() *fakeEngine {
	eng := newFakeEngine()
	eng.store.buckets = []transfer.Bucket{{Name: "demo-odd", Region: "oss-cn-hangzhou", Created: fixedTime}}
	for i, k := range []string{
		"日本語/ファイル.txt", "spaces in name.txt", "a//b", "../escape-attempt.txt", "./dot-slash-start.txt",
		oddKey, "esc\x1b[31mred.txt", "line\u2028sep\nnew\rret.txt", "dir\twith tab/inside.txt",
	} {
		eng.store.addObject("demo-odd", k, int64(100+i*1000))
	}
	return eng
}

// checkFrame fails when the frame is taller than the terminal,
// has a line wider than it, or carries a raw control rune other than the
// line breaks and the colour escapes.
func checkFrame(t *testing.T, h *harness, where string) {
	t.Helper()
	v := h.view()
	lines := strings.Split(v, "\n")
	if len(lines) > h.m.height {
		t.Fatalf("%s: %d lines on a %d-line terminal:\n%s", where, len(lines), h.m.height, v)
	}
	for _, l := range lines {
		plain := ansi.Strip(l)
		if cellWidth(plain) > h.m.width {
			t.Fatalf("%s: line wider than %d: %q", where, h.m.width, plain)
		}
		if strings.ContainsFunc(plain, display.NeedsEscape) {
			t.Fatalf("%s: raw control rune drawn: %q", where, plain)
		}
	}
}

func TestDisplayNameEscapesControlRunes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain.txt":                 "plain.txt",
		"日本語 🎉":                     "日本語 🎉",
		oddKey:                      `tab\tand\x0ccontrol.txt`,
		"a\nb\rc\x1b[31m\x7f\u0085": `a\nb\rc\x1b[31m\x7f\x85`,
		"l\u2028p\u2029":            `l\u2028p\u2029`,
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestControlCharactersInKeysNeverBreakTheFrame(t *testing.T) {
	t.Parallel()
	eng := oddEngine()
	dir := t.TempDir()
	h := newHarness(t, eng, Deps{StartBucket: "demo-odd", Options: Options{DownloadDir: dir}}, 100, 30)
	checkFrame(t, h, "browser")
	if !strings.Contains(h.view(), `tab\tand\x0ccontrol.txt`) {
		t.Fatalf("the escaped name is not shown:\n%s", h.view())
	}
	// The filter matches what is shown.
	h.press("/")
	h.typeText(`\x0c`)
	h.press("enter")
	if got := h.names(); len(got) != 1 || got[0] != `tab\tand\x0ccontrol.txt` {
		t.Fatalf("filter on the escape shows %q", got)
	}
	h.press("i")
	checkFrame(t, h, "info")
	h.press("esc", "esc")

	// Into a folder whose name holds a tab: the header location.
	h.press("g")
	for range len(h.m.browser.visible) {
		if e := h.m.browser.current(); e == nil || e.key == "dir\twith tab/" {
			break
		}
		h.press("down")
	}
	if e := h.m.browser.current(); e == nil || e.key != "dir\twith tab/" {
		t.Fatalf("folder not found in %q (filter %q)", h.names(), h.m.browser.filter)
	}
	h.press("enter")
	checkFrame(t, h, "folder with a tab")
	if !strings.Contains(h.view(), `oss://demo-odd/dir\twith tab/`) {
		t.Fatalf("header location not escaped:\n%s", h.view())
	}
	h.press("backspace")

	// Download: the prompt shows the escape, the request carries the raw key.
	h.press("/")
	h.typeText("control")
	h.press("enter", "d")
	checkFrame(t, h, "download prompt")
	h.press("enter")
	if len(eng.added) != 1 || eng.added[0].Key != oddKey || eng.added[0].LocalPath != filepath.Join(dir, oddKey) {
		t.Fatalf("added = %+v", eng.added)
	}

	// Queue row, details, event notices and the cancel prompt.
	snap := transfer.Snapshot{Version: 2, Active: 1, Transfers: []transfer.TransferSnapshot{{
		ID: "t1", Direction: transfer.Download, Bucket: "demo-odd", Key: oddKey, LocalPath: filepath.Join(dir, oddKey),
		State: transfer.StateRunning, Size: 100, Done: 50, Parallel: 4,
		Notice: "renamed\tto\x0cx", Err: "",
	}}}
	eng.setSnapshot(snap)
	h.sendSnap(snap)
	h.press("tab")
	checkFrame(t, h, "queue")
	h.send(engineEventMsg{ev: transfer.Event{Kind: transfer.EventNotice, ID: "t1", Message: "saved as x\ty"}})
	checkFrame(t, h, "notice")
	h.press("+")
	checkFrame(t, h, "parallel notice")
	h.press("enter")
	checkFrame(t, h, "details")
	h.press("x")
	checkFrame(t, h, "cancel prompt")
	h.press("n")
	h.send(tea.WindowSizeMsg{Width: 40, Height: 12})
	checkFrame(t, h, "details at 40x12")
}

func TestTinyAndResizedWindowsNeverOverflow(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	eng.setSnapshot(gridSnapshot())
	h := newHarness(t, eng, Deps{StartBucket: "photos"}, 80, 24)
	check := func(where string) {
		t.Helper()
		v := h.view()
		lines := strings.Split(v, "\n")
		w, ht := h.m.width, h.m.height
		if len(lines) > ht {
			t.Fatalf("%s %dx%d: %d lines", where, w, ht, len(lines))
		}
		for _, l := range lines {
			if cellWidth(l) > w {
				t.Fatalf("%s %dx%d: line wider than the screen: %q", where, w, ht, l)
			}
		}
	}
	for _, size := range [][2]int{{80, 24}, {20, 5}, {200, 60}, {33, 10}, {60, 20}, {64, 24}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		check("browser")
		h.press("i")
		check("info")
		h.press("esc", "tab")
		check("queue")
		h.press("enter")
		check("details")
		h.press("esc", "tab", "d")
		check("prompt")
		h.press("esc")
	}
}

func TestSmallTerminalFilterHintPromptResizeAndCheckingNotice(t *testing.T) {
	t.Parallel()
	eng := demoEngine()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, eng, Deps{StartBucket: "photos", Options: Options{DownloadDir: dir}}, 30, 12)
	h.press("/")
	checkFrame(t, h, "filter hint at 30 columns")
	if !strings.Contains(h.view(), "type to filter") {
		t.Fatalf("filter hint missing:\n%s", h.view())
	}
	h.press("esc")

	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.press("G", "d")
	h.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	if got, want := h.m.prompt.input.Width, promptInputWidth(40); got != want {
		t.Fatalf("prompt input width after resize = %d, want %d", got, want)
	}
	checkFrame(t, h, "prompt after resize")
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.press("enter") // notes.txt exists: the exists prompt opens
	if h.m.prompt == nil || h.m.prompt.kind != promptOnExists {
		t.Fatalf("no exists prompt: %#v", h.m.prompt)
	}
	if h.m.notice != "" {
		t.Fatalf("notice under the exists prompt = %q", h.m.notice)
	}
}

func TestNoColorEmitsNoColourCodes(t *testing.T) {
	colourful := func() *lipgloss.Renderer {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.TrueColor)
		return r
	}
	hasColour := func(r *lipgloss.Renderer) bool {
		s := NewStyles(DefaultTheme(), r)
		return strings.Contains(s.Error.Render("x")+s.partStyle(transfer.PartDone).Render("█"), "\x1b[38;")
	}
	r := colourful()
	applyNoColor(r, false)
	if !hasColour(r) {
		t.Fatal("control: a colour terminal got no colour")
	}
	r = colourful()
	applyNoColor(r, true)
	if hasColour(r) {
		t.Fatal("NoColor still colours")
	}
	// NO_COLOR reaches here as noColor: main reads it with display.NoColor.
	r = colourful()
	applyNoColor(r, display.NoColor(func(string) string { return "1" }, false))
	if hasColour(r) {
		t.Fatal("NO_COLOR still colours")
	}
}

func TestStyleWrapMatchesRender(t *testing.T) {
	t.Parallel()
	r := newRenderer(false)
	r.SetColorProfile(termenv.TrueColor)
	s := NewStyles(DefaultTheme(), r)
	for st, style := range s.Part {
		var b strings.Builder
		s.partWrapFor(st).wrap(&b, "▓▓░░")
		if got, want := b.String(), style.Render("▓▓░░"); got != want {
			t.Errorf("%s: wrap %q, Render %q", st, got, want)
		}
	}
	for st, style := range s.State {
		if got, want := s.stateWrap[st].render("running"), style.Render("running"); got != want {
			t.Errorf("%s: wrap %q, Render %q", st, got, want)
		}
	}
	if got, want := s.textWrap.render("a b"), s.Text.Render("a b"); got != want {
		t.Errorf("text: wrap %q, Render %q", got, want)
	}
	if got, want := s.errorWrap.render("✗ x"), s.Error.Render("✗ x"); got != want {
		t.Errorf("error: wrap %q, Render %q", got, want)
	}
}
