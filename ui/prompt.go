package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"ossq/transfer"
)

type promptKind int

const (
	promptDownloadDest promptKind = iota + 1
	promptBandwidth
	promptBucketName
	promptConfirmQuit
	promptConfirmCancel
	promptOnExists
	promptRestoreDays
	promptRestoreDone
	// promptAction asks y/n; y runs confirm.
	promptAction
	// promptActionText takes a line; enter hands it to submit.
	promptActionText
	// promptInfo shows something (a share link) until a key closes it.
	promptInfo
	// promptUploadPlan queues local folders (and files) with a plan.
	promptUploadPlan
)

// promptModel is the one modal in front of the panes. Text prompts use a
// textinput; confirmations take y/n; the exists prompt takes o/s/r.
type promptModel struct {
	kind  promptKind
	title string
	body  string
	input textinput.Model
	text  bool

	// payloads, by kind
	targets []downloadTarget // promptDownloadDest, promptRestoreDays, promptRestoreDone
	id      transfer.ID      // promptConfirmCancel
	name    string           // promptConfirmCancel: what the notice calls it
	item    destItem         // promptOnExists
	more    bool             // promptOnExists: others wait, so O/S/R apply to all
	err     string           // last validation error of a text prompt
	// plan, for a folder's download (promptDownloadDest) or upload
	// (promptUploadPlan): the filter line, compare choice and live plan.
	plan   *planForm
	upload []localEntry // promptUploadPlan: the selection

	// promptAction / promptActionText: what y or enter does. They take
	// the model as it is then, never one captured when the prompt opened.
	confirm func(m *Model) tea.Cmd
	submit  func(m *Model, value string) (tea.Cmd, error)
}

func newTextPrompt(kind promptKind, title, body, value, placeholder string, width int) *promptModel {
	ti := textinput.New()
	ti.Prompt = "> "
	ti.Placeholder = placeholder
	ti.CharLimit = 4096
	// A steady cursor: no blink timer redrawing the frame twice a second.
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.Width = promptInputWidth(width)
	ti.SetValue(value)
	ti.CursorEnd()
	ti.Focus()
	return &promptModel{kind: kind, title: title, body: body, input: ti, text: true}
}

// promptInputWidth leaves room for the box, its padding and the "> ".
func promptInputWidth(termWidth int) int { return max(10, termWidth-8) }

func newConfirmPrompt(kind promptKind, title, body string) *promptModel {
	return &promptModel{kind: kind, title: title, body: body}
}

// hint is the prompt's own key line.
func (p *promptModel) hint() string {
	switch p.kind {
	case promptOnExists:
		if p.more {
			return "o overwrite · s skip · r rename (O/S/R: same for all the rest) · esc skip all"
		}
		return "o overwrite · s skip · r rename · esc skip"
	case promptRestoreDone:
		return "y download · n/esc not now"
	case promptConfirmQuit, promptConfirmCancel, promptAction:
		return "y yes · n/esc no"
	case promptInfo:
		return "enter/esc close"
	}
	if p.plan != nil {
		return "tab next field · enter queue · esc cancel"
	}
	switch p.kind {
	default:
		return "enter accept · esc cancel"
	}
}

func (p *promptModel) View(s *Styles, width int) string {
	inner := max(10, width-4)
	lines := []string{s.Title.Render(truncate(displayName(p.title), inner))}
	for _, l := range strings.Split(p.body, "\n") {
		if l == "" {
			continue
		}
		// Paths are cut (their end matters most, and it is kept); prose wraps.
		if strings.HasPrefix(l, "/") || strings.HasPrefix(l, "oss://") {
			lines = append(lines, s.Text.Render(truncate(displayName(l), inner)))
			continue
		}
		for _, w := range wrapLines(displayName(l), inner) {
			lines = append(lines, s.Text.Render(w))
		}
	}
	if p.text && (p.plan == nil || p.plan.hasDest) {
		lines = append(lines, p.input.View())
	}
	if p.plan != nil {
		lines = append(lines, p.plan.lines(s, inner)...)
	}
	if p.err != "" {
		lines = append(lines, s.Error.Render(truncate(displayName(p.err), inner)))
	}
	lines = append(lines, s.Faint.Render(truncate(p.hint(), inner)))
	return s.PromptBox.Width(max(10, width-2)).Render(strings.Join(lines, "\n"))
}
