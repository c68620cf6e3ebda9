#!/usr/bin/env bash
# One big object, ossq vs rclone (S3 provider, path style), against `ossq serve` on loopback:
# the upload and the download, 8 MiB parts, 4 in flight, wall time and CPU seconds (user+sys) of the client.
#   bash transfer/testdata/bench_rclone.sh [SIZE_MiB]   (default 1024)
# OSSQ_BIN=path measures that ossq binary instead of one built from this tree (e.g. an older build).
# Needs rclone on PATH (`apt-get install -y rclone` gives Debian's, or `go install github.com/rclone/rclone@v1.76.0`);
# without it it says so and measures nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v rclone >/dev/null; then
  echo "bench_rclone: rclone is not on PATH; nothing measured"
  exit 0
fi
size_mib=${1:-1024}
work=$(mktemp -d /tmp/ossq-bench-rclone.XXXXXX)
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
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
ossq_flags=(--part-size 8MiB --parallel 4)
rclone_flags=(--s3-chunk-size 8M --s3-upload-concurrency 4 --s3-upload-cutoff 8M --multi-thread-streams 4
  --multi-thread-cutoff 8M --timeout 2m)
# Older rclone (Debian's 1.60) splits a download into one chunk per stream and has no chunk-size flag.
if rclone help flags 2>/dev/null | grep -q -- '--multi-thread-chunk-size'; then
  rclone_flags+=(--multi-thread-chunk-size 8M)
fi

# measure NAME CMD...: one line with wall and CPU seconds of CMD.
measure() {
  local name=$1; shift
  local TIMEFORMAT="$name: %R s wall, %U+%S s CPU" rc=0
  time { "$@" >/dev/null 2>"$work/cmd.err" || rc=$?; }
  if [ "$rc" -ne 0 ]; then echo "$name: failed (exit $rc): $(tail -3 "$work/cmd.err")"; failed=1; fi
}
failed=0

echo "$size_mib MiB, rclone $(rclone version | head -1 | awk '{print $2}')"
measure "ossq put  " "$ossq" put "${ossq_flags[@]}" "$work/src" oss://bench/by-ossq
measure "rclone put" rclone copyto "${rclone_flags[@]}" "$work/src" emu:bench/by-rclone
measure "ossq get  " "$ossq" get "${ossq_flags[@]}" --on-exists overwrite oss://bench/by-ossq "$work/got-ossq"
measure "rclone get" rclone copyto "${rclone_flags[@]}" emu:bench/by-rclone "$work/got-rclone"
for got in got-ossq got-rclone; do
  [ -f "$work/$got" ] && ! cmp -s "$work/src" "$work/$got" && { echo "$got differs from the source"; failed=1; }
done
exit "$failed"
