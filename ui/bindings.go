package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// binding is one row of a pane's binding table (lazygit's Binding with
// GetDisabledReason): the key and its help from the KeyMap, the handler,
// and why it cannot run now ("" when it can). The one table drives key
// matching, the footer and the help overlay.
type binding struct {
	key   *key.Binding
	short bool   // shown in the footer when enabled
	why   string // "" when enabled; otherwise shown, dimmed, in the overlay
	run   func() tea.Cmd
}

type bindingTable []binding

// on is an enabled binding; off carries the reason it is not.
func on(k *key.Binding, short bool, run func() tea.Cmd) binding {
	return binding{key: k, short: short, run: run}
}

func onlyIf(k *key.Binding, short bool, why string, run func() tea.Cmd) binding {
	return binding{key: k, short: short, why: why, run: run}
}

// match finds the first binding whose keys include the pressed key.
func (t bindingTable) match(msg tea.KeyMsg) *binding {
	pressed := msg.String()
	for i := range t {
		for _, k := range t[i].key.Keys() {
			if k == pressed {
				return &t[i]
			}
		}
	}
	return nil
}

// syncEnabled mirrors the table into the KeyMap's enabled flags, so code
// and tests reading a key.Binding see what the table says.
func (t bindingTable) syncEnabled(k *KeyMap) {
	for _, b := range k.allBindings() {
		b.SetEnabled(false)
	}
	for i := range t {
		t[i].key.SetEnabled(t[i].why == "")
	}
}

// footer renders the enabled short bindings in w cells. "? help" and
// "q quit" always end it; the middle is shortened to fit.
func (t bindingTable) footer(s *Styles, w int, km *KeyMap) string {
	const sep = " · "
	item := func(k *key.Binding) string {
		h := k.Help()
		return s.HelpKey.Render(h.Key) + " " + s.HelpDesc.Render(h.Desc)
	}
	var tail []string
	var mid []string
	for i := range t {
		b := &t[i]
		if b.why != "" {
			continue
		}
		if b.key == &km.Help || b.key == &km.Quit {
			tail = append(tail, item(b.key))
			continue
		}
		if b.short {
			mid = append(mid, item(b.key))
		}
	}
	tailText := strings.Join(tail, s.HelpSep.Render(sep))
	budget := w - cellWidth(tailText)
	var out []string
	used := 0
	for _, it := range mid {
		need := cellWidth(it) + cellWidth(sep)
		// Room must stay for "…" and the separator before the tail.
		if used+need > budget-1-cellWidth(sep) {
			out = append(out, s.HelpSep.Render("…"))
			break
		}
		out = append(out, it)
		used += need
	}
	if tailText != "" {
		out = append(out, tailText)
	}
	line := strings.Join(out, s.HelpSep.Render(sep))
	return fitWidth(line, w)
}

// overlay renders every binding of the table: enabled ones plain, the
// others dimmed with their reason.
func (t bindingTable) overlay(s *Styles, title string, w int, km *KeyMap) []string {
	lines := []string{s.Title.Render(truncate(title+" — keys", w))}
	nav := map[*key.Binding]bool{&km.Up: true, &km.Down: true, &km.PageUp: true, &km.PageDown: true, &km.Top: true, &km.Bottom: true}
	var navKeys []string
	navWhy := ""
	for i := range t {
		if nav[t[i].key] {
			navKeys = append(navKeys, t[i].key.Help().Key)
			navWhy = t[i].why
		}
	}
	if len(navKeys) > 0 {
		k := strings.Join(navKeys, " ")
		if navWhy == "" {
			lines = append(lines, s.HelpKey.Render("  "+k)+" "+s.Text.Render("move"))
		} else {
			lines = append(lines, s.Faint.Render(truncate("  "+k+" move — "+navWhy, w)))
		}
	}
	for i := range t {
		b := &t[i]
		h := b.key.Help()
		if h.Key == "" || nav[b.key] {
			continue
		}
		k := padRight(h.Key, 10)
		if b.why == "" {
			lines = append(lines, s.HelpKey.Render("  "+k)+" "+s.Text.Render(truncate(h.Desc, max(1, w-13))))
			continue
		}
		text := h.Desc + " — " + b.why
		lines = append(lines, s.Faint.Render("  "+k+" "+truncate(text, max(1, w-13))))
	}
	return lines
}
