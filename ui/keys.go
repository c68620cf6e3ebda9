package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds every key and its help text, in one place. Which keys a pane
// offers, what they do and why one cannot run now is the pane's binding
// table (bindings.go), which also sets the Enabled flags here.
type KeyMap struct {
	// global
	SwitchPane key.Binding
	Help       key.Binding
	Quit       key.Binding
	ForceQuit  key.Binding
	Back       key.Binding

	// lists
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding

	// browser
	Open     key.Binding
	Parent   key.Binding
	Select   key.Binding
	Download key.Binding
	Upload   key.Binding
	Refresh  key.Binding
	Info     key.Binding
	Filter   key.Binding
	Sort     key.Binding
	Bucket   key.Binding
	Restore  key.Binding

	// queue
	Details      key.Binding
	PauseResume  key.Binding
	PauseAll     key.Binding
	Cancel       key.Binding
	Retry        key.Binding
	Remove       key.Binding
	ClearDone    key.Binding
	MoveUp       key.Binding
	MoveDown     key.Binding
	MoreParallel key.Binding
	LessParallel key.Binding
	Bandwidth    key.Binding

	// jobs, items, details, log
	StateFilter key.Binding
	Log         key.Binding
	Grid        key.Binding
	Copy        key.Binding

	// local picker
	PickerUpload key.Binding

	// object actions (browser) and the catalog panes
	Uploads      key.Binding
	Versions     key.Binding
	ShowDeleted  key.Binding
	Delete       key.Binding
	Share        key.Binding
	NewFolder    key.Binding
	CopyTo       key.Binding
	MoveTo       key.Binding
	Abort        key.Binding
	AbortAll     key.Binding
	ResumeUpload key.Binding
	Undelete     key.Binding
}

// DefaultKeyMap returns the bindings; each call gives a fresh value, so no
// global keymap is ever mutated.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		SwitchPane: b("tab", "browser/queue", "tab"),
		Help:       b("?", "help", "?"),
		Quit:       b("q", "quit", "q"),
		ForceQuit:  b("ctrl+c", "quit", "ctrl+c"),
		Back:       b("esc", "back", "esc"),

		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+d"),
		Top:      b("home/g", "top", "home", "g"),
		Bottom:   b("end/G", "bottom", "end", "G"),

		Open:     b("enter/l", "open", "enter", "l", "right"),
		Parent:   b("⌫/h", "up a level", "backspace", "h", "left"),
		Select:   b("space", "select", " "),
		Download: b("d", "download", "d"),
		Upload:   b("u", "upload here", "u"),
		Refresh:  b("r", "refresh", "r"),
		Info:     b("i", "info", "i"),
		Filter:   b("/", "filter", "/"),
		Sort:     b("s", "sort", "s"),
		Bucket:   b("o", "open bucket…", "o"),
		Restore:  b("R", "restore archive", "R"),

		Details:     b("enter", "details", "enter"),
		PauseResume: b("p", "pause/resume", "p"),
		PauseAll:    b("P", "pause/resume all", "P"),
		Cancel:      b("x", "cancel", "x"),
		Retry:       b("R", "retry", "R"),
		// backspace too: a Mac's ⌫ sends it. Parent (also backspace) is
		// off in the queue and details panes, where Remove lives.
		Remove:       b("del/⌫", "remove", "delete", "backspace"),
		ClearDone:    b("C", "clear finished", "C"),
		MoveUp:       b("K", "move up", "K"),
		MoveDown:     b("J", "move down", "J"),
		MoreParallel: b("+", "more parallel", "+", "="),
		LessParallel: b("-", "less parallel", "-"),
		Bandwidth:    b("b", "bandwidth", "b"),

		StateFilter: b("f", "filter by state", "f"),
		Log:         b("L", "log", "L"),
		Grid:        b("g", "bars/grid", "g"),
		Copy:        b("y", "copy error", "y"),

		PickerUpload: b("U", "upload selection", "U"),

		Uploads:      b("M", "incomplete uploads", "M"),
		Versions:     b("v", "versions", "v"),
		ShowDeleted:  b("V", "deleted objects", "V"),
		Delete:       b("D", "delete", "D"),
		Share:        b("S", "share link", "S"),
		NewFolder:    b("N", "new folder", "N"),
		CopyTo:       b("c", "copy to…", "c"),
		MoveTo:       b("m", "move to…", "m"),
		Abort:        b("x", "abort", "x"),
		AbortAll:     b("X", "abort all", "X"),
		ResumeUpload: b("enter/r", "resume upload", "enter", "r"),
		Undelete:     b("u/R", "restore", "u", "R"),
	}
}

// allBindings lists every binding so updateKeybindings can start from a
// known state.
func (k *KeyMap) allBindings() []*key.Binding {
	return []*key.Binding{
		&k.SwitchPane, &k.Help, &k.Quit, &k.ForceQuit, &k.Back,
		&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom,
		&k.Open, &k.Parent, &k.Select, &k.Download, &k.Upload, &k.Refresh, &k.Info, &k.Filter, &k.Sort, &k.Bucket, &k.Restore,
		&k.Details, &k.PauseResume, &k.PauseAll, &k.Cancel, &k.Retry, &k.Remove, &k.ClearDone, &k.MoveUp, &k.MoveDown,
		&k.MoreParallel, &k.LessParallel, &k.Bandwidth, &k.PickerUpload,
		&k.StateFilter, &k.Log, &k.Grid, &k.Copy,
		&k.Uploads, &k.Versions, &k.ShowDeleted, &k.Delete, &k.Share, &k.NewFolder, &k.CopyTo, &k.MoveTo,
		&k.Abort, &k.AbortAll, &k.ResumeUpload, &k.Undelete,
	}
}
