package ui

import (
	"os"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"ossq/transfer"
)

// Theme names colours by meaning, not by hue (gh-dash's theme.go).
type Theme struct {
	PrimaryText   lipgloss.AdaptiveColor
	FaintText     lipgloss.AdaptiveColor
	AccentText    lipgloss.AdaptiveColor
	SelectedBg    lipgloss.AdaptiveColor
	ErrorText     lipgloss.AdaptiveColor
	WarningText   lipgloss.AdaptiveColor
	SuccessText   lipgloss.AdaptiveColor
	ActiveText    lipgloss.AdaptiveColor
	Border        lipgloss.AdaptiveColor
	BarEmpty      lipgloss.AdaptiveColor
	HeaderBg      lipgloss.AdaptiveColor
	HeaderText    lipgloss.AdaptiveColor
	MarkedText    lipgloss.AdaptiveColor
	FolderText    lipgloss.AdaptiveColor
	PendingText   lipgloss.AdaptiveColor
	RetryingText  lipgloss.AdaptiveColor
	PromptBorder  lipgloss.AdaptiveColor
	NoticeText    lipgloss.AdaptiveColor
	HelpKeyText   lipgloss.AdaptiveColor
	HelpDescText  lipgloss.AdaptiveColor
	HelpSeparator lipgloss.AdaptiveColor
}

// DefaultTheme works on light and dark terminals.
func DefaultTheme() Theme {
	c := func(light, dark string) lipgloss.AdaptiveColor {
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	return Theme{
		PrimaryText:   c("#1a1a1a", "#e6e6e6"),
		FaintText:     c("#8a8a8a", "#7a7a7a"),
		AccentText:    c("#5b4bd6", "#9d8cff"),
		SelectedBg:    c("#dcd8ff", "#3a335e"),
		ErrorText:     c("#c0262d", "#ff6b6b"),
		WarningText:   c("#a66300", "#ffb454"),
		SuccessText:   c("#1d7f3c", "#6bd88e"),
		ActiveText:    c("#1565c0", "#64b5ff"),
		Border:        c("#c8c8c8", "#4a4a4a"),
		BarEmpty:      c("#d0d0d0", "#454545"),
		HeaderBg:      c("#5b4bd6", "#3a335e"),
		HeaderText:    c("#ffffff", "#f0f0f0"),
		MarkedText:    c("#a66300", "#ffd166"),
		FolderText:    c("#1565c0", "#7cc4ff"),
		PendingText:   c("#9a9a9a", "#5c5c5c"),
		RetryingText:  c("#a66300", "#ffb454"),
		PromptBorder:  c("#5b4bd6", "#9d8cff"),
		NoticeText:    c("#5b4bd6", "#c3b8ff"),
		HelpKeyText:   c("#707070", "#8c8c8c"),
		HelpDescText:  c("#9a9a9a", "#5e5e5e"),
		HelpSeparator: c("#cfcfcf", "#3c3c3c"),
	}
}

// Styles is every style the views use, built once from a Theme so that no
// View calls lipgloss.NewStyle.
type Styles struct {
	Header      lipgloss.Style
	HeaderFaint lipgloss.Style
	Location    lipgloss.Style
	Title       lipgloss.Style
	Text        lipgloss.Style
	Faint       lipgloss.Style
	Accent      lipgloss.Style
	Cursor      lipgloss.Style
	Marked      lipgloss.Style
	Folder      lipgloss.Style
	Error       lipgloss.Style
	Warning     lipgloss.Style
	Success     lipgloss.Style
	Active      lipgloss.Style
	Notice      lipgloss.Style
	NoticeError lipgloss.Style
	PromptBox   lipgloss.Style
	PanelBox    lipgloss.Style
	ColumnHead  lipgloss.Style

	BarFull  lipgloss.Style
	BarEmpty lipgloss.Style

	Part map[transfer.PartState]lipgloss.Style
	// partWrap, barFullWrap, barEmptyWrap: the escape codes those styles put
	// around a line, so long runs of cells are wrapped without Render's
	// per-grapheme width pass (the hot path of the 10,000-part grid).
	partWrap      map[transfer.PartState]styleWrap
	barFullWrap   styleWrap
	barEmptyWrap  styleWrap
	barFailedWrap styleWrap
	// textWrap… : the same for the queue row's text styles.
	textWrap, faintWrap, warningWrap, errorWrap styleWrap
	stateWrap                                   map[transfer.State]styleWrap
	State                                       map[transfer.State]lipgloss.Style

	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style
}

// newRenderer returns a renderer for the terminal that honours noColor
// (main sets it from --no-color and NO_COLOR, through display.NoColor).
func newRenderer(noColor bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(os.Stdout)
	applyNoColor(r, noColor)
	return r
}

// applyNoColor drops colours (not bold or reverse) when asked to.
func applyNoColor(r *lipgloss.Renderer, noColor bool) {
	if noColor {
		r.SetColorProfile(termenv.Ascii)
	}
}

// NewStyles builds the Styles from a theme on a renderer.
func NewStyles(t Theme, r *lipgloss.Renderer) *Styles {
	ns := r.NewStyle
	s := &Styles{
		Header:      ns().Bold(true).Foreground(t.HeaderText).Background(t.HeaderBg),
		HeaderFaint: ns().Foreground(t.FaintText),
		Location:    ns().Bold(true).Foreground(t.AccentText),
		Title:       ns().Bold(true).Foreground(t.PrimaryText),
		Text:        ns().Foreground(t.PrimaryText),
		Faint:       ns().Foreground(t.FaintText),
		Accent:      ns().Foreground(t.AccentText),
		Cursor:      ns().Bold(true).Background(t.SelectedBg),
		Marked:      ns().Foreground(t.MarkedText),
		Folder:      ns().Foreground(t.FolderText),
		Error:       ns().Foreground(t.ErrorText),
		Warning:     ns().Foreground(t.WarningText),
		Success:     ns().Foreground(t.SuccessText),
		Active:      ns().Foreground(t.ActiveText),
		Notice:      ns().Foreground(t.NoticeText),
		NoticeError: ns().Bold(true).Foreground(t.ErrorText),
		PromptBox:   ns().Border(lipgloss.RoundedBorder()).BorderForeground(t.PromptBorder).Padding(0, 1),
		PanelBox:    ns().Border(lipgloss.NormalBorder(), true, false, false, false).BorderForeground(t.Border),
		ColumnHead:  ns().Foreground(t.FaintText).Bold(true),
		// Full cells carry their colour as background too, so a font whose
		// █ does not fill the cell leaves no hairline gaps between them.
		BarFull:  ns().Foreground(t.AccentText).Background(t.AccentText),
		BarEmpty: ns().Foreground(t.BarEmpty),
		HelpKey:  ns().Foreground(t.HelpKeyText),
		HelpDesc: ns().Foreground(t.HelpDescText),
		HelpSep:  ns().Foreground(t.HelpSeparator),
	}
	s.Part = map[transfer.PartState]lipgloss.Style{
		transfer.PartPending:  ns().Foreground(t.PendingText),
		transfer.PartActive:   ns().Foreground(t.ActiveText),
		transfer.PartDone:     ns().Foreground(t.SuccessText).Background(t.SuccessText),
		transfer.PartRetrying: ns().Foreground(t.RetryingText),
		transfer.PartFailed:   ns().Foreground(t.ErrorText),
	}
	s.State = map[transfer.State]lipgloss.Style{
		transfer.StateQueued:    ns().Foreground(t.FaintText),
		transfer.StateRunning:   ns().Foreground(t.ActiveText),
		transfer.StatePaused:    ns().Foreground(t.WarningText),
		transfer.StateVerifying: ns().Foreground(t.ActiveText),
		transfer.StateRetrying:  ns().Foreground(t.RetryingText),
		transfer.StateFailed:    ns().Foreground(t.ErrorText),
		transfer.StateDone:      ns().Foreground(t.SuccessText),
		transfer.StateCanceled:  ns().Foreground(t.FaintText),
	}
	s.partWrap = make(map[transfer.PartState]styleWrap, len(s.Part))
	for k, st := range s.Part {
		s.partWrap[k] = newStyleWrap(st)
	}
	s.barFullWrap = newStyleWrap(s.BarFull)
	s.barEmptyWrap = newStyleWrap(s.BarEmpty)
	s.barFailedWrap = newStyleWrap(ns().Foreground(t.ErrorText).Background(t.ErrorText))
	s.textWrap, s.faintWrap = newStyleWrap(s.Text), newStyleWrap(s.Faint)
	s.warningWrap, s.errorWrap = newStyleWrap(s.Warning), newStyleWrap(s.Error)
	s.stateWrap = make(map[transfer.State]styleWrap, len(s.State))
	for k, st := range s.State {
		s.stateWrap[k] = newStyleWrap(st)
	}
	return s
}

// styleWrap is a single-line, colour-only style split into what goes
// before and after the text.
type styleWrap struct{ open, close string }

// newStyleWrap renders a marker and keeps what surrounds it.
func newStyleWrap(st lipgloss.Style) styleWrap {
	const marker = "\x1f"
	open, close, ok := strings.Cut(st.Render(marker), marker)
	if !ok {
		return styleWrap{}
	}
	return styleWrap{open: open, close: close}
}

// render is Render for a colour-only style on one line of text.
func (w styleWrap) render(text string) string {
	return w.open + text + w.close
}

func (w styleWrap) wrap(b *strings.Builder, text string) {
	b.WriteString(w.open)
	b.WriteString(text)
	b.WriteString(w.close)
}

func (s *Styles) partWrapFor(p transfer.PartState) styleWrap {
	if w, ok := s.partWrap[p]; ok {
		return w
	}
	return styleWrap{}
}

// partStyle is the style of a part state's text (its cells' colour,
// without the background the cells carry).
func (s *Styles) partStyle(p transfer.PartState) lipgloss.Style {
	if st, ok := s.Part[p]; ok {
		return st.UnsetBackground()
	}
	return s.Faint
}

func (s *Styles) stateStyle(st transfer.State) lipgloss.Style {
	if v, ok := s.State[st]; ok {
		return v
	}
	return s.Text
}
