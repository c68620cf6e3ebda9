#!/usr/bin/env bash
# A second sync of an unchanged tree, ossq vs rclone (S3 provider, path style, --transfers 16
# --checkers 16), against one `ossq serve --generate` on loopback: COUNT objects of 1 KiB are
# first copied down (and up again) by each client; then each re-syncs its own unchanged copy,
# download and upload. Prints wall time and the server's request count for each second run.
#   bash transfer/testdata/bench-sync.sh [COUNT] [LATENCY]     (defaults 20000, 0s)
# Needs rclone on PATH; without it only ossq is measured.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-20000}
latency=${2:-0s}
. transfer/testdata/bench-serve.sh
bench_serve bench-sync "$count" "1KiB" "$latency"
ossq=("$work/ossq")
conn=(--endpoint "$endpoint" --region cn-hangzhou)

# measure NAME CMD...: wall seconds of CMD; sets last_wall.
measure() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/cmd.err" || { echo "$name: failed"; tail -5 "$work/cmd.err"; return 1; }
  t1=$(date +%s.%N)
  last_wall=$(echo "$t1 - $t0" | bc -l)
  printf '%-60s %7.2f s\n' "$name" "$last_wall"
}

echo "$count objects of 1 KiB, server latency $latency, $(nproc) cores"
echo "-- first copies (not compared)"
measure "ossq sync (down, first)" "${ossq[@]}" sync "${conn[@]}" oss://bench/small/ "$work/got-ossq"
measure "ossq sync (up, first)" "${ossq[@]}" sync "${conn[@]}" "$work/got-ossq" oss://bench/up-ossq/
if $have_rclone; then
  measure "rclone sync (down, first)" rclone sync --transfers 16 --checkers 16 emu:bench/small "$work/got-rclone"
  measure "rclone sync (up, first)" rclone sync --update --use-server-modtime --transfers 16 --checkers 16 "$work/got-rclone" emu:bench/up-rclone
fi
echo "-- second runs, nothing changed"
measure "ossq sync (down, unchanged)" "${ossq[@]}" sync "${conn[@]}" oss://bench/small/ "$work/got-ossq"
ossq_down=$last_wall
measure "ossq sync (up, unchanged)" "${ossq[@]}" sync "${conn[@]}" "$work/got-ossq" oss://bench/up-ossq/
ossq_up=$last_wall
"${ossq[@]}" sync "${conn[@]}" --json oss://bench/small/ "$work/got-ossq" 2>/dev/null | tail -1 >"$work/summary.json"
echo "ossq's summary of a second run: $(cat "$work/summary.json")"
if $have_rclone; then
  measure "rclone sync (down, unchanged)" rclone sync --transfers 16 --checkers 16 emu:bench/small "$work/got-rclone"
  printf 'download, second run: ossq is %.2fx rclone\n' "$(echo "$last_wall / $ossq_down" | bc -l)"
  # rclone's default check of an S3 object's time reads X-Amz-Meta-Mtime (a HEAD per object), which
  # ossq serve does not keep: rclone then tries to reset each time. --update --use-server-modtime is
  # rclone's listing-only mode (the same rule as ossq's --update), so that is the upload comparison.
  measure "rclone sync --update --use-server-modtime (up, unchanged)" rclone sync --update --use-server-modtime \
    --transfers 16 --checkers 16 "$work/got-rclone" emu:bench/up-rclone
  printf 'upload, second run: ossq is %.2fx rclone\n' "$(echo "$last_wall / $ossq_up" | bc -l)"
fi
