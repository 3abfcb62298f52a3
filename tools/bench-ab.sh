#!/usr/bin/env bash
# tools/bench-ab.sh BIN_A BIN_B: one lever of issue 13 measured side by side. REST accepted
# purchases/s (wrk 2x64, every request a new user, tools/bench/purchase.lua) of two
# flashsale-rest binaries on the same Redis + MariaDB (tools/stack.sh, left running if it was),
# alternating A and B for FLASHSALE_BENCH_ROUNDS (5) rounds of FLASHSALE_BENCH_SECONDS (8),
# each run on a fresh process and a fresh sale. Prints each run, then the medians and B / A.
# Extra app flags for both: FLASHSALE_BENCH_ARGS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ $# -eq 2 && -x $1 && -x $2 ]] || { echo "usage: $0 BIN_A BIN_B" >&2; exit 2; }
secs=${FLASHSALE_BENCH_SECONDS:-8}
rounds=${FLASHSALE_BENCH_ROUNDS:-5}
port=28091
work="$root/.local/bench-ab"
mkdir -p "$work"
"$root/tools/install-deps.sh" "$root/tools/apt-bench.txt" >/dev/null
# shellcheck source=tools/bench/stack-lib.sh
source tools/bench/stack-lib.sh

run() {  # run <binary> -> "req/s answers"
  local sale="ab$RANDOM$RANDOM"
  # shellcheck disable=SC2086
  "$1" --bind 127.0.0.1 --port "$port" --demo-stock 1000000000 --demo-per-user-limit 1000000 \
    --sale-id "$sale" --redis-url "$FLASHSALE_REDIS_URL" --mysql-url "$FLASHSALE_MYSQL_URL" \
    --migrate ${FLASHSALE_BENCH_ARGS:-} >"$work/app.log" 2>&1 &
  app=$!
  for _ in $(seq 1 200); do grep -q '"msg":"listening"' "$work/app.log" && break; sleep 0.05; done
  wrk -t2 -c64 -d"${secs}s" -s tools/bench/purchase.lua "http://127.0.0.1:$port" -- "$sale" iphone-15 |
    awk '/Requests\/sec/ {rps=$2} /^answers:/ {a=$2" "$3" "$4} END {print rps, a}'
  kill "$app"; wait "$app" 2>/dev/null || true; app=""
}

a="" b=""
for round in $(seq 1 "$rounds"); do
  out=$(run "$1"); echo "bench-ab: round $round A: $out"; a+="${out%% *} "
  out=$(run "$2"); echo "bench-ab: round $round B: $out"; b+="${out%% *} "
done
ma=$(tr ' ' '\n' <<<"$a" | grep . | median)
mb=$(tr ' ' '\n' <<<"$b" | grep . | median)
echo "bench-ab: median A $ma/s, B $mb/s, B / A $(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.2f", b / a}')"
