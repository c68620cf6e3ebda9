#!/usr/bin/env bash
# Regenerates the README's screenshots from the real program: it builds ossq,
# runs `ossq --demo` in tmux with a fresh state, drives it with send-keys,
# captures the screen with its colours (capture-pane -e), and renders each
# capture to PNG with aha (ANSI → HTML) and headless Chromium.
#
#   bash screenshots/make.sh          # needs: go, tmux, aha, chromium (apt-get install tmux aha chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots
cols=120 rows=40

for tool in tmux aha chromium; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (apt-get install tmux aha chromium)" >&2; exit 1; }
done

work=$(mktemp -d)
session=ossq-shots-$$
trap 'command tmux -L "$session" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/ossq" .

keys() { tmux send-keys -t "$session" "$@"; sleep "${PAUSE:-0.8}"; }
# wait_for TEXT: poll the screen until TEXT shows (bounded: 15 s).
wait_for() {
  for _ in $(seq 1 75); do
    tmux capture-pane -t "$session" -p | grep -qF -- "$1" && return 0
    sleep 0.2
  done
  echo "screenshots: timed out waiting for '$1'; the screen was:" >&2
  tmux capture-pane -t "$session" -p >&2
  exit 1
}
shot() { # shot NAME: capture with colours, render to PNG
  tmux capture-pane -t "$session" -e -p >"$work/$1.ansi"
  {
    echo '<!doctype html><meta charset="utf-8"><style>'
    echo 'body{margin:0;background:#1e1e2e} pre{margin:0;padding:12px;font:15px/1.25 "DejaVu Sans Mono","Noto Sans Mono CJK SC",monospace;color:#cdd6f4}'
    echo '</style><pre>'
    aha --no-header --black <"$work/$1.ansi"
    echo '</pre>'
  } >"$work/$1.html"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chrome" --hide-scrollbars --window-size=1140,$((rows * 19 + 24)) \
    --screenshot="$PWD/$out/$1.png" "file://$work/$1.html" >/dev/null 2>&1
  echo "screenshots: wrote $out/$1.png"
}

# A private tmux server, and the environment passed explicitly: a running tmux
# server would otherwise hand the session its own environment, not ours.
tmux() { command tmux -L "$session" "$@"; }
tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
  "env XDG_STATE_HOME='$work/state' XDG_CONFIG_HOME='$work/config' COLORTERM=truecolor TERM=xterm-256color '$work/ossq' --demo"
wait_for "demo-media"

keys j; keys Enter; wait_for "videos/"
shot browser

# The 200 MiB object first (25 parts: one bar each in the details), then a 4 GiB and a 1 GiB one.
keys G; keys k; keys Enter; wait_for "2024/"
keys Enter; wait_for "keynote-4k.mp4"
keys G; keys d; wait_for "to the folder"; keys Enter
keys Tab; wait_for "parts"
keys Enter; wait_for "Checkpoint"
PAUSE=1 keys ""
shot details
keys Escape; keys Tab
keys g; keys d; wait_for "to the folder"; keys Enter
keys j; keys d; wait_for "to the folder"; keys Enter
# A folder of demo-logs as one job: its row in the queue, then its items.
keys BSpace; keys BSpace; keys BSpace; wait_for "demo-logs"; keys g
keys Enter; wait_for "logs/"
# Its prompt plans the job live: a filter line, then the plan's counts.
keys d; wait_for "to the folder"; keys Tab
tmux send-keys -t "$session" -l -- "--exclude '*7*' --min-size 8KiB"; wait_for "filtered"
PAUSE=1.5 keys ""
shot plan
keys Enter
keys Tab
PAUSE=3 keys ""
shot queue
keys G; keys Enter; wait_for "all items:"
PAUSE=1 keys ""
shot items
keys Escape

keys "?"
shot help
keys Escape

keys L; wait_for "entries ("
shot log
keys Escape
keys q
# It asks first only while jobs run; then answer.
if tmux capture-pane -t "$session" -p 2>/dev/null | grep -qF "Quit ossq?"; then keys y; fi
