package ui

// component is what every pane is to the root: it takes its size and
// draws itself from strings built in Update. Its keys are its binding
// table (keys_browser.go, keys_queue.go), built with the root's context
// (engine, prompts, notices) the way a lazygit controller is.
type component interface {
	SetSize(w, h int)
	View() string
}

// components lists the panes by their pane value, so layout and View
// route to them without a switch per pane.
func (m *Model) components() []component {
	return []component{
		paneBrowser:  &m.browser,
		paneQueue:    &m.queue,
		paneItems:    &m.items,
		paneDetails:  &m.details,
		panePicker:   &m.picker,
		paneLog:      &m.logs,
		paneUploads:  &m.uploads,
		paneVersions: &m.versions,
		paneDeleted:  &m.deleted,
	}
}
