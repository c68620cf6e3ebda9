#!/usr/bin/env bash
# A prefix of COUNT (default 1,000,000) generated 1 KiB objects, `ossq get` against `ossq serve --generate`:
# how long after the start the first file lands, the client's peak RSS over SECONDS (default 60) of the
# download, how many files landed, and the size of the job's store then. The run is stopped with SIGINT
# (a full million takes a quarter of an hour here) and resumed once to show that it picks up.
#   bash transfer/testdata/bench-million.sh [COUNT] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000000}
seconds=${2:-60}
work=$(mktemp -d /tmp/ossq-bench-million.XXXXXX)
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/ossq" .
"$work/ossq" serve --root "$work/srv" --generate "bench/m/:$count:1KiB" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 1200); do grep -q '^endpoint:' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(sed -n 's/^endpoint: //p' "$work/serve.out")
[ -n "$endpoint" ] || { echo "bench-million: ossq serve did not start:"; cat "$work/serve.err"; exit 1; }
grep 'ready in' "$work/serve.err" || true
export OSS_ACCESS_KEY_ID=bench OSS_ACCESS_KEY_SECRET=bench XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config"
mkdir -p "$work/out"
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/rss" "$work/ossq" get --endpoint "$endpoint" --region cn-hangzhou oss://bench/m/ "$work/out" \
  >/dev/null 2>"$work/get.err" &
get_pid=$!
first=
for _ in $(seq 3000); do
  if [ -n "$(find "$work/out" -type f -not -name '*.ossq-*' -print -quit)" ]; then first=$(date +%s.%N); break; fi
  sleep 0.01
done
[ -n "$first" ] && printf 'first file landed %.2f s after the start of ossq get\n' "$(echo "$first - $start" | bc -l)"
sleep "$seconds"
db=$(find "$work/state" -name 'tree-*.db' -printf '%s\n' | head -1)
pkill -INT -P "$get_pid" ossq 2>/dev/null || kill -INT "$get_pid" 2>/dev/null || true
wait "$get_pid" || true
landed=$(find "$work/out" -type f -not -name '*.ossq-*' | wc -l)
printf 'after %s s: %d files landed, peak RSS %.1f MB, job store %.1f MB\n' "$seconds" "$landed" \
  "$(echo "$(tail -1 "$work/rss") / 1024" | bc -l)" "$(echo "${db:-0} / 1048576" | bc -l)"
tail -2 "$work/get.err"
