#!/usr/bin/env bash
# One big object, ossq vs rclone (S3 provider, path style), against `ossq serve` on loopback:
# the upload and the download, 8 MiB parts, PARALLEL in flight, wall time, CPU seconds (user+sys) and
# peak RSS of the client process, CPU seconds of the server while it ran (on 2 cores client and server
# share the CPU), RUNS alternating runs (odd runs rclone goes first) and their medians.
# Downloads also get a reference row, "rclone+sync": rclone's download followed by an fsync of the
# file, the durability ossq gives (rclone itself never syncs; ossq syncs before renaming into place).
#   bash transfer/testdata/bench_rclone.sh [SIZE_MiB]   (default 1024)
# Environment:
#   RCLONE=path     the rclone binary (default: rclone on PATH), e.g. one from
#                   `GOBIN=/tmp/rclone176 go install github.com/rclone/rclone@v1.76.0`
#   OSSQ_BIN=path   measures that ossq binary instead of one built from this tree (e.g. an older build)
#   RUNS=n          alternating runs (default 1); the summary gives medians
#   PARALLEL=n      parts in flight for both (default 4)
#   ONLY=get|put    measure one direction (the other still runs once to place the objects)
#   DEST=dir        where downloads go (default: the work folder; /dev/shm takes the disk out)
# Without rclone it says so and measures nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
rclone=${RCLONE:-rclone}
if ! command -v "$rclone" >/dev/null; then
  echo "bench_rclone: $rclone not found (set RCLONE=path or put rclone on PATH); nothing measured"
  exit 0
fi
size_mib=${1:-1024}
runs=${RUNS:-1}
parallel=${PARALLEL:-4}
only=${ONLY:-}
work=$(mktemp -d /tmp/ossq-bench-rclone.XXXXXX)
dest=$(mktemp -d "${DEST:-$work}/ossq-bench-got.XXXXXX")
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work" "$dest"
}
trap cleanup EXIT

go build -o "$work/ossq" .
ossq=${OSSQ_BIN:-$work/ossq}
"$work/ossq" serve --root "$work/srv" --bucket bench >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do grep -q '^endpoint:' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(sed -n 's/^endpoint: //p' "$work/serve.out")
[ -n "$endpoint" ] || { echo "bench_rclone: ossq serve did not start:"; cat "$work/serve.err"; exit 1; }
endpoint=${endpoint#http://}

head -c "$((size_mib << 20))" /dev/urandom >"$work/src"

# Both clients get throwaway keys (the server checks none) and private state.
export OSS_ACCESS_KEY_ID=bench OSS_ACCESS_KEY_SECRET=bench XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config"
export RCLONE_CONFIG="$work/rclone.conf"
# The server is plain HTTP on loopback; an AWS_CA_BUNDLE in the environment makes older rclone fail to start.
unset AWS_CA_BUNDLE
cat >"$RCLONE_CONFIG" <<CONF
[emu]
type = s3
provider = Other
endpoint = http://$endpoint
force_path_style = true
access_key_id = bench
secret_access_key = bench
CONF
# Two minutes a request: completing 1 GiB copies and fsyncs it all, slow on a busy disk.
mkdir -p "$XDG_CONFIG_HOME/ossq"
cat >"$XDG_CONFIG_HOME/ossq/config.toml" <<CONF
[profiles.default]
endpoint = "http://$endpoint"
region = "cn-hangzhou"
read_timeout = "2m"
CONF
ossq_flags=(--part-size 8MiB --parallel "$parallel")
rclone_flags=(--s3-chunk-size 8M --s3-upload-concurrency "$parallel" --s3-upload-cutoff 8M
  --multi-thread-streams "$parallel" --multi-thread-cutoff 8M --timeout 2m)
# Older rclone (Debian's 1.60) splits a download into one chunk per stream and has no chunk-size flag.
if "$rclone" help flags 2>/dev/null | grep -q -- '--multi-thread-chunk-size'; then
  rclone_flags+=(--multi-thread-chunk-size 8M)
fi

failed=0
clk_tck=$(getconf CLK_TCK)
# server_ticks: the server's user+system CPU so far, in clock ticks.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$serve_pid/stat"; }
# measure NAME CMD...: one line with wall and CPU seconds and peak RSS of CMD and the server's CPU
# seconds meanwhile; appends "NAME wall cpu rss_kib run server_cpu" to $work/results.
measure() {
  local name=$1; shift
  local rc=0 s0 s1
  sync # the previous run's writeback must not land on this one
  s0=$(server_ticks)
  /usr/bin/time -o "$work/time.out" -f '%e %U %S %M' "$@" >/dev/null 2>"$work/cmd.err" || rc=$?
  s1=$(server_ticks)
  if [ "$rc" -ne 0 ]; then echo "$name: failed (exit $rc): $(tail -3 "$work/cmd.err")"; failed=1; return; fi
  read -r wall user sys rss <"$work/time.out"
  local cpu srv
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  srv=$(awk -v a="$s0" -v b="$s1" -v t="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / t }')
  printf '%-17s %6.2f s wall, %6s s CPU, %4d MiB peak RSS, server %5s s CPU   (load %s)\n' "$name" "$wall" "$cpu" \
    "$((rss / 1024))" "$srv" "$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$name $wall $cpu $rss $run $srv" >>"$work/results"
}

echo "$size_mib MiB, $parallel in flight, $runs run(s), rclone $("$rclone" version | head -1 | awk '{print $2}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$runs"); do
  order=(ossq rclone)
  [ $((run % 2)) -eq 0 ] && order=(rclone ossq)
  for who in "${order[@]}"; do
    if [ "$who" = ossq ]; then
      cmd=("$ossq" put "${ossq_flags[@]}" "$work/src" oss://bench/by-ossq)
    else
      cmd=("$rclone" copyto "${rclone_flags[@]}" "$work/src" emu:bench/by-rclone)
    fi
    if [ "$only" = get ]; then
      # Only the downloads are measured: place the objects once.
      [ "$run" -eq 1 ] && { "${cmd[@]}" >/dev/null 2>"$work/cmd.err" || { echo "$who put failed: $(tail -3 "$work/cmd.err")"; exit 1; }; }
      continue
    fi
    # rclone skips an object it finds identical: each put starts with none there.
    "$rclone" deletefile "emu:bench/by-$who" >/dev/null 2>&1 || true
    measure "$who put" "${cmd[@]}"
  done
  [ "$only" = put ] && continue
  for who in "${order[@]}"; do
    rm -f "$dest/got-$who"
    if [ "$who" = ossq ]; then
      measure "ossq get" "$ossq" get "${ossq_flags[@]}" --on-exists overwrite oss://bench/by-ossq "$dest/got-ossq"
    else
      measure "rclone get" "$rclone" copyto "${rclone_flags[@]}" emu:bench/by-rclone "$dest/got-rclone"
    fi
    if [ -f "$dest/got-$who" ] && ! cmp -s "$work/src" "$dest/got-$who"; then
      echo "got-$who differs from the source"; failed=1
    fi
    rm -f "$dest/got-$who"
  done
  rm -f "$dest/got-rclone"
  measure "rclone+sync get" bash -c '"$0" copyto "${@:3}" "$1" "$2" && sync "$2"' "$rclone" emu:bench/by-rclone \
    "$dest/got-rclone" "${rclone_flags[@]}"
  rm -f "$dest/got-rclone"
done

# Medians per command, then ossq's speed relative to rclone's (above 1: ossq is faster).
if [ -s "$work/results" ]; then
  echo "medians of $runs ($size_mib MiB, $parallel in flight; load now $(cut -d' ' -f1-3 /proc/loadavg)):"
  awk -v gib="$(awk -v m="$size_mib" 'BEGIN { print m / 1024 }')" '
    function median(key, n,   i, j, t, a) {
      for (i = 1; i <= n; i++) a[i] = vals[key, i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { name = $1 " " $2; runwall[name, $6] = $3; runs = $6 > runs ? $6 : runs; n[name]++; vals[name "w", n[name]] = $3 + 0
      vals[name "c", n[name]] = $4 + 0; vals[name "r", n[name]] = $5 + 0; vals[name "s", n[name]] = $7 + 0 }
    END {
      split("ossq put,rclone put,ossq get,rclone get,rclone+sync get", names, ",")
      for (k = 1; k <= 5; k++) if (names[k] in n) {
        m = n[names[k]]; w[names[k]] = median(names[k] "w", m); c = median(names[k] "c", m)
        printf "  %-16s %6.2f s wall, %5.2f CPU-s/GiB, %4d MiB peak RSS, server %5.2f CPU-s/GiB\n", names[k], w[names[k]],
          c / gib, median(names[k] "r", m) / 1024, median(names[k] "s", m) / gib
      }
      split("rclone put,rclone get,rclone+sync get", peers, ",")
      for (k = 1; k <= 3; k++) { p = peers[k]; d = p ~ /put$/ ? "put" : "get"
        if (!(("ossq " d) in w && p in w)) continue
        # The ratio within each run (both back to back, at about the same load), then their median.
        m = 0
        for (r = 1; r <= runs; r++) if ((("ossq " d), r) in runwall && (p, r) in runwall)
          vals["ratio" p, ++m] = runwall[p, r] / runwall["ossq " d, r]
        printf "  %s: ossq %.2fx %s (ratio of the median walls), %.2fx (median of the per-run ratios)\n", d,
          w[p] / w["ossq " d], substr(p, 1, length(p) - 4), median("ratio" p, m) }
    }' "$work/results"
fi
exit "$failed"
