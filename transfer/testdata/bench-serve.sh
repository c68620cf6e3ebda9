# Sourced by the folder benchmarks: builds ossq, starts `ossq serve --generate bench/small/:COUNT:SIZE`
# on loopback in a private folder (removed on exit), and points both ossq and rclone at it.
#   bench_serve NAME COUNT SIZE LATENCY   sets work, endpoint, have_rclone; exports the clients' settings.
bench_serve() {
  local name=$1 count=$2 size=$3 latency=$4
  work=$(mktemp -d "/tmp/ossq-$name.XXXXXX")
  serve_pid=
  trap 'if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
  go build -o "$work/ossq" .
  "$work/ossq" serve --root "$work/srv" --bucket bench --generate "bench/small/:$count:$size" --latency "$latency" \
    >"$work/serve.out" 2>"$work/serve.err" &
  serve_pid=$!
  for _ in $(seq 600); do grep -q '^endpoint:' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  endpoint=$(sed -n 's/^endpoint: //p' "$work/serve.out")
  [ -n "$endpoint" ] || { echo "$name: ossq serve did not start:"; cat "$work/serve.err"; exit 1; }
  export OSS_ACCESS_KEY_ID=bench OSS_ACCESS_KEY_SECRET=bench XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config"
  unset AWS_CA_BUNDLE # rclone refuses a custom CA bundle with its own transport
  export RCLONE_CONFIG="$work/rclone.conf"
  cat >"$RCLONE_CONFIG" <<CONF
[emu]
type = s3
provider = Other
endpoint = $endpoint
force_path_style = true
access_key_id = bench
secret_access_key = bench
CONF
  have_rclone=false
  if command -v rclone >/dev/null; then have_rclone=true; fi
}
