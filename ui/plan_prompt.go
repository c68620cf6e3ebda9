package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"ossq/internal/filter"
	"ossq/internal/units"
	"ossq/transfer"
)

// The download prompt of a folder and the upload prompt of a local folder
// show the plan while the listing runs: "3,204 files · 41.2 GiB · 118
// unchanged skipped · 6 filtered". The plan is the engine's own dry run of
// the very spec enter would queue (a plan job: Spec.DryRun in the queue,
// read through Window.Plans on the tick like every other job), so its
// figures are what the real run decides. Editing the destination, the
// filter line or the compare choice replaces the plan job; enter removes it
// and queues the real job, which lists and compares again when it runs (as
// rclone's and ossutil's --dry-run then a real run do: the run decides on
// what is there then, not on a preview seconds old); esc removes it.

// planField is the field of a plan prompt that takes the keys.
type planField int

const (
	fieldDest planField = iota
	fieldFilter
	fieldCompare
)

// compareChoices are the compare modes in the order ←/→ go through them.
var compareChoices = []string{"", transfer.CompareUpdate, transfer.CompareChecksum}

// planRestartDelay lets typing settle before the plan job is replaced.
const planRestartDelay = 300 * time.Millisecond

// treeOptions are what a plan prompt adds to the folder jobs it queues.
type treeOptions struct {
	filter  *filter.Options
	compare string
}

// planForm is a plan prompt's own state: the filter line, the compare
// choice and the plan jobs of the current values.
type planForm struct {
	filter    textinput.Model
	compare   string
	focus     planField
	hasDest   bool // the download prompt: its input is the destination
	filterErr string
	opts      *filter.Options // the parsed filter line; nil = none
	// specs build the plan's specs (one per folder) from the form's values;
	// it runs in a command: it may stat and resolve paths.
	specs func(dest string, tree treeOptions) ([]transfer.Spec, error)
	// singles counts the files selected beside the folders (not planned).
	singles int
	gen     int                    // the values' generation: a restart's answer for an older one is dropped
	ids     []transfer.ID          // the plan jobs of gen, as the last restart reported them
	jobs    []transfer.JobSnapshot // as the last window read them
	addErr  string                 // why the plan could not be made
	live    *planJobs
}

// planJobs are a prompt's plan jobs as the commands that make and remove
// them see them. One command at a time (mu): a restart, enter and esc never
// interleave, a restart older than one already run does nothing, and once
// the prompt closed no plan is made, so the real job never finds its
// destination held by its own plan.
type planJobs struct {
	mu     sync.Mutex
	gen    int
	ids    []transfer.ID
	closed bool
}

// replace removes the plan jobs and adds one per spec build gives, unless
// a newer generation ran already or the prompt closed.
func (p *planJobs) replace(eng EngineAPI, gen int, build func() ([]transfer.Spec, error)) ([]transfer.ID, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen < p.gen || p.closed {
		return nil, errStalePlan
	}
	p.gen = gen
	disposePlans(eng, p.ids)
	p.ids = nil
	if build == nil {
		return nil, nil
	}
	specs, err := build()
	if err != nil {
		return nil, err
	}
	for _, s := range specs {
		s.DryRun = true
		id, err := eng.AddTree(s)
		if err != nil {
			return slices.Clone(p.ids), err
		}
		p.ids = append(p.ids, id)
	}
	return slices.Clone(p.ids), nil
}

// close removes the plan jobs for good (enter, esc, quit).
func (p *planJobs) close(eng EngineAPI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	disposePlans(eng, p.ids)
	p.ids = nil
}

var errStalePlan = errors.New("a newer plan replaced this one")

func newPlanForm(line, compare string, hasDest bool, width int) *planForm {
	ti := textinput.New()
	ti.Prompt = "filter  > "
	ti.Placeholder = "--include GLOB --exclude GLOB --min-size 1MiB --max-age 7d"
	ti.CharLimit = 4096
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.Width = max(10, width-8-len("filter  "))
	ti.SetValue(line)
	ti.CursorEnd()
	f := &planForm{filter: ti, compare: compare, hasDest: hasDest, live: &planJobs{}}
	if !hasDest {
		f.focus = fieldFilter
		f.filter.Focus()
	}
	f.parse()
	return f
}

// parse reads the filter line with the CLI's own parser.
func (f *planForm) parse() {
	opts, err := filter.ParseLine(f.filter.Value(), units.ParseSize)
	switch {
	case err != nil:
		f.filterErr, f.opts = "filter: "+err.Error(), nil
	case len(opts.Rules) == 0 && opts.MinSize == 0 && opts.MaxSize == 0 && opts.MinAge == 0 && opts.MaxAge == 0:
		f.filterErr, f.opts = "", nil
	default:
		f.filterErr, f.opts = "", &opts
	}
}

func (f *planForm) tree() treeOptions { return treeOptions{filter: f.opts, compare: f.compare} }

// running reports whether a plan job is still deciding.
func (f *planForm) running() bool {
	if len(f.ids) == 0 {
		return false
	}
	if len(f.jobs) < len(f.ids) {
		return true
	}
	for i := range f.jobs {
		if !f.jobs[i].State.Finished() && f.jobs[i].State != transfer.StatePaused {
			return true
		}
	}
	return false
}

// planRestartMsg fires when typing settled; gen says for which values.
type planRestartMsg struct{ gen int }

// planStartedMsg reports the plan jobs made for gen.
type planStartedMsg struct {
	live *planJobs
	gen  int
	ids  []transfer.ID
	err  error
}

// planFor is the prompt's plan form, nil when it has none.
func (m *Model) planFor() *planForm {
	if m.prompt == nil {
		return nil
	}
	return m.prompt.plan
}

// schedulePlan replaces the plan once the values stopped changing (at once
// when tests drive time).
func (m *Model) schedulePlan() tea.Cmd {
	f := m.planFor()
	if f == nil {
		return nil
	}
	f.gen++
	f.jobs = nil
	if f.filterErr != "" {
		// Nothing to plan until the line reads; the old plan goes.
		f.ids = nil
		live, eng, gen := f.live, m.eng, f.gen
		return func() tea.Msg {
			live.replace(eng, gen, nil)
			return nil
		}
	}
	if m.manualTime {
		return m.restartPlan(f.gen)
	}
	gen := f.gen
	return tea.Tick(planRestartDelay, func(time.Time) tea.Msg { return planRestartMsg{gen: gen} })
}

// restartPlan removes the plan jobs and adds those of the current values.
func (m *Model) restartPlan(gen int) tea.Cmd {
	f := m.planFor()
	if f == nil || f.gen != gen || f.filterErr != "" || m.eng == nil {
		return nil
	}
	f.ids, f.jobs, f.addErr = nil, nil, ""
	live, eng, build, dest, tree := f.live, m.eng, f.specs, strings.TrimSpace(m.prompt.input.Value()), f.tree()
	return func() tea.Msg {
		ids, err := live.replace(eng, gen, func() ([]transfer.Spec, error) { return build(dest, tree) })
		return planStartedMsg{live: live, gen: gen, ids: ids, err: err}
	}
}

func (m *Model) handlePlanStarted(msg planStartedMsg) tea.Cmd {
	f := m.planFor()
	if f == nil || f.live != msg.live || f.gen != msg.gen || errors.Is(msg.err, errStalePlan) {
		return nil // a newer restart or the prompt's close removes those jobs
	}
	f.ids = msg.ids
	if msg.err != nil {
		f.addErr = "plan: " + shortError(msg.err)
	}
	return m.fetch()
}

// applyPlans takes the plan jobs' figures from a window asked for them.
func (m *Model) applyPlans(msg windowMsg) {
	if f := m.planFor(); f != nil && len(f.ids) > 0 && slices.Equal(msg.req.Plans, f.ids) {
		f.jobs = msg.win.Plans
	}
}

// closePlan hands back the command that removes the prompt's plan jobs.
func (m *Model) closePlan(p *promptModel) tea.Cmd {
	if p == nil || p.plan == nil || m.eng == nil {
		return nil
	}
	live, eng := p.plan.live, m.eng
	p.plan.ids = nil
	return func() tea.Msg {
		live.close(eng)
		return nil
	}
}

// closeThen removes a prompt's plan jobs, then runs next in the same
// command: the real job queued by next finds its destination free.
func closeThen(eng EngineAPI, f *planForm, next tea.Cmd) tea.Cmd {
	if f == nil || eng == nil {
		return next
	}
	live := f.live
	f.ids = nil
	return func() tea.Msg {
		live.close(eng)
		return next()
	}
}

// planDisposeWait bounds how long removing a plan waits for its run to stop.
const planDisposeWait = 10 * time.Second

// disposePlans cancels plan jobs, waits for their runs to stop and removes
// them (a command: it waits).
func disposePlans(eng EngineAPI, ids []transfer.ID) {
	for _, id := range ids {
		if err := eng.Cancel(id); err != nil && !errors.Is(err, transfer.ErrInvalidState) {
			continue // gone already
		}
		waitStopped(eng, id)
		eng.Remove(id)
	}
}

// waitStopped waits until a job's run has ended, through the engine's Wait
// when it has one.
func waitStopped(eng EngineAPI, id transfer.ID) {
	ctx, cancel := context.WithTimeout(context.Background(), planDisposeWait)
	defer cancel()
	if w, ok := eng.(interface {
		Wait(context.Context, transfer.ID) (transfer.TransferSnapshot, error)
	}); ok {
		w.Wait(ctx, id)
		return
	}
	for ctx.Err() == nil {
		if t, ok := eng.Get(id); !ok || t.State.Finished() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// handlePlanKey takes the keys of a plan prompt's fields; false leaves the
// key to the text prompt (enter, esc, and the destination's typing).
func (m *Model) handlePlanKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	p := m.prompt
	f := p.plan
	switch msg.String() {
	case "tab", "shift+tab":
		step := 1
		if msg.String() == "shift+tab" {
			step = 2
		}
		for {
			f.focus = (f.focus + planField(step)) % 3
			if f.focus != fieldDest || f.hasDest {
				break
			}
		}
		if f.focus == fieldDest {
			p.input.Focus()
		} else {
			p.input.Blur()
		}
		if f.focus == fieldFilter {
			f.filter.Focus()
		} else {
			f.filter.Blur()
		}
		return nil, true
	case "enter", "esc", "ctrl+c":
		return nil, false
	}
	switch f.focus {
	case fieldCompare:
		i := slices.Index(compareChoices, f.compare)
		switch msg.String() {
		case "right", "l", " ", "space":
			i = (i + 1) % len(compareChoices)
		case "left", "h":
			i = (i + len(compareChoices) - 1) % len(compareChoices)
		default:
			return nil, true
		}
		f.compare = compareChoices[i]
		return m.schedulePlan(), true
	case fieldFilter:
		before := f.filter.Value()
		var cmd tea.Cmd
		f.filter, cmd = f.filter.Update(msg)
		if f.filter.Value() == before {
			return cmd, true
		}
		f.parse()
		p.err = ""
		return tea.Batch(cmd, m.schedulePlan()), true
	}
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.err = ""
	if p.input.Value() != before {
		cmd = tea.Batch(cmd, m.schedulePlan())
	}
	return cmd, true
}

// planLines are the form's lines in the prompt box: the filter line, the
// compare choice, the plan (or why there is none).
func (f *planForm) lines(s *Styles, inner int) []string {
	out := []string{f.filter.View()}
	var choices []string
	for _, c := range compareChoices {
		name := c
		if c == "" {
			name = "none"
		}
		if c == f.compare {
			name = "[" + name + "]"
		}
		choices = append(choices, name)
	}
	compare := "compare   " + strings.Join(choices, " ")
	if f.focus == fieldCompare {
		out = append(out, s.Accent.Render(truncate(compare+"   ←/→ change", inner)))
	} else {
		out = append(out, s.Text.Render(truncate(compare, inner)))
	}
	switch {
	case f.filterErr != "":
		out = append(out, s.Error.Render(truncate(displayName(f.filterErr), inner)))
	case f.addErr != "":
		out = append(out, s.Error.Render(truncate(displayName(f.addErr), inner)))
	default:
		line, errText := planSummary(f.jobs, len(f.ids) == 0, f.running())
		if f.singles > 0 {
			line += " · and " + plural(f.singles, "file")
		}
		out = append(out, s.Accent.Render(truncate(line, inner)))
		if errText != "" {
			out = append(out, s.Error.Render(truncate(displayName(errText), inner)))
		}
	}
	return out
}

// planSummary: "plan: 3,204 files · 41.2 GiB · 118 unchanged skipped · 6
// filtered", with "≥" and "listing…" while the plan runs, and the first
// plan error.
func planSummary(jobs []transfer.JobSnapshot, starting, running bool) (line, errText string) {
	if starting {
		return "plan: starting…", ""
	}
	if len(jobs) == 0 {
		return "plan: listing…", ""
	}
	var files, bytes, unchanged, filtered, skipped, failed int64
	for i := range jobs {
		j := &jobs[i]
		c := j.Items
		files += c.Total - c.Unchanged - c.Skipped - c.Failed
		bytes += max(j.Size, 0)
		unchanged += c.Unchanged
		filtered += c.Filtered
		skipped += c.Skipped
		failed += c.Failed
		if errText == "" && j.State == transfer.StateFailed && j.Err != "" && c.Failed == 0 {
			errText = "plan: " + j.Err
		}
	}
	atLeast := ""
	if running {
		atLeast = "≥ "
	}
	parts := []string{atLeast + plural64(files, "file"), atLeast + units.FormatSize(bytes)}
	if unchanged > 0 {
		parts = append(parts, formatCount(unchanged)+" unchanged skipped")
	}
	if filtered > 0 {
		parts = append(parts, formatCount(filtered)+" filtered")
	}
	if skipped > 0 {
		parts = append(parts, formatCount(skipped)+" skipped")
	}
	if failed > 0 {
		parts = append(parts, formatCount(failed)+" cannot be decided")
	}
	line = "plan: " + strings.Join(parts, " · ")
	if running {
		line += " · listing…"
	}
	return line, errText
}

func plural64(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%s %ss", formatCount(n), what)
}
