// Package ui is ossq's terminal front end: a Bubble Tea v1 program that
// browses OSS and drives the transfer engine through its Go API.
//
// The root model routes; each pane (browser, queue, job items, details,
// picker, log, help overlay) owns its state, size and one binding table
// that drives key matching, the footer and the help overlay (lazygit's
// Binding with GetDisabledReason). The engine is read through windows:
// the jobs on screen, the items of the open job, the parts of the one in
// detail — never the whole queue. Lifecycle events are pushed over a
// channel and re-armed one at a time; byte progress is pulled on a tick
// that only runs while work is active.
package ui
