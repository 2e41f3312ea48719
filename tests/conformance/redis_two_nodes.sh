#!/usr/bin/env bash
# The conformance suite against a hub of two sse-server nodes sharing one Redis: it subscribes on
# node B and publishes through node A, so every published case crosses the backplane.
#
# usage: redis_two_nodes.sh SSE_SERVER SSE_CONFORMANCE [sse-conformance flags...]
set -euo pipefail
server=$1 conformance=$2
shift 2

work=$(mktemp -d /tmp/sse-conformance-redis-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save '' --logfile "$work/redis.log" \
  >/dev/null &
pids+=($!)
for _ in $(seq 200); do
  [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]] && break
  sleep 0.05
done

# Two nodes on free ports; their ports are read from their "listening" log lines.
for node in a b; do
  "$server" --port 0 --redis "redis://127.0.0.1:$port" --heartbeat 1000 --static-dir '' \
    >/dev/null 2>"$work/$node.log" &
  pids+=($!)
done
node_port() {
  local log=$work/$1.log
  for _ in $(seq 400); do
    if grep -q 'msg="redis connected"' "$log" && grep -q 'msg=listening' "$log"; then
      sed -n 's/.*msg=listening .* port=\([0-9]*\) .*/\1/p' "$log" | head -1
      return 0
    fi
    sleep 0.05
  done
  echo "node $1 did not start:" >&2
  cat "$log" >&2
  return 1
}
a=$(node_port a)
b=$(node_port b)

"$conformance" server "http://127.0.0.1:$b/events?topic=conformance" \
  --publish "http://127.0.0.1:$a/publish?topic=conformance&data={data}&type={type}" "$@"
