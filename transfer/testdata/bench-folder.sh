#!/usr/bin/env bash
# A folder of small objects, ossq vs rclone (S3 provider, path style, --transfers 16), against one
# `ossq serve --generate` on loopback: download of COUNT objects of 1 KiB, then upload of the same
# files. Prints wall time, files/s and the client's peak RSS for each, and the ratio.
#   bash transfer/testdata/bench-folder.sh [COUNT] [LATENCY] [SIZE]     (defaults 100000, 0s, 1KiB; e.g. 2000 0s 16KiB)
# Needs rclone on PATH (`apt-get install -y rclone`); without it only ossq is measured.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-100000}
latency=${2:-0s}
size=${3:-1KiB}
. transfer/testdata/bench-serve.sh
bench_serve bench-folder "$count" "$size" "$latency"

# measure NAME CMD...: wall seconds and peak RSS of CMD; sets last_wall.
measure() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/cmd.err" || { echo "$name: failed"; tail -5 "$work/cmd.err"; return 1; }
  t1=$(date +%s.%N)
  last_wall=$(echo "$t1 - $t0" | bc -l)
  printf '%-12s %7.2f s  %8.0f files/s  peak RSS %6.1f MB\n' "$name" "$last_wall" "$(echo "$count / $last_wall" | bc -l)" \
    "$(echo "$(tail -1 "$work/rss") / 1024" | bc -l)"
}

echo "$count objects of $size, server latency $latency, $(nproc) cores${have_rclone:+}"
measure "ossq get" "$work/ossq" get --endpoint "$endpoint" --region cn-hangzhou oss://bench/small/ "$work/got-ossq"
ossq_get=$last_wall
if $have_rclone; then
  measure "rclone copy" rclone copy --transfers 16 --checkers 16 emu:bench/small "$work/got-rclone"
  printf 'download: ossq is %.2fx rclone\n' "$(echo "$last_wall / $ossq_get" | bc -l)"
  diff -rq "$work/got-ossq" "$work/got-rclone" >/dev/null && echo "both downloads are identical"
fi
measure "ossq put" "$work/ossq" put --endpoint "$endpoint" --region cn-hangzhou "$work/got-ossq" oss://bench/up-ossq/
ossq_put=$last_wall
if $have_rclone; then
  measure "rclone copy" rclone copy --transfers 16 --checkers 16 "$work/got-ossq" emu:bench/up-rclone
  printf 'upload: ossq is %.2fx rclone\n' "$(echo "$last_wall / $ossq_put" | bc -l)"
fi
