#!/usr/bin/env bash
# Redis instructions per job, repeatable to about 1% (CPU times on a shared machine are not):
#   bench/callgrind.sh [flexq|yardstick] [process|enqueue|idle] [N]     (after npm run build)
# Starts its own redis-server ($REDIS_BIN, or the one on the PATH) under valgrind's callgrind on
# 127.0.0.1:$PORT (6393), drives it with bench/callgrind.mjs (counting only the phase), prints the
# instructions per job and stops that server by its pid. KEEP=FILE keeps the dump for
# bench/callgrind-calls.mjs. Needs valgrind (callgrind_control, callgrind_annotate) and redis-server.
set -euo pipefail
system=${1:-flexq}
mode=${2:-process}
n=${3:-5000}
port=${PORT:-6393}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
# The server of a run just before may still be shutting down on the port.
for _ in $(seq 1 30); do redis-cli -p "$port" ping >/dev/null 2>&1 || break; sleep 1; done
valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" "${REDIS_BIN:-redis-server}" --port "$port" --bind 127.0.0.1 \
  --save '' --appendonly no >"$out/redis.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 60); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 1; done
node "$here/callgrind.mjs" "$system" "$mode" "$n" "$port" "$pid"
dump=$(ls "$out"/cg.out.* | sort | head -1)
total=$(callgrind_annotate "$dump" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
echo "$system $mode: $((total / n)) Redis instructions per job (N=$n)"
if [ -n "${KEEP:-}" ]; then cp "$dump" "$KEEP"; fi
