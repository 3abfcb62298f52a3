#!/usr/bin/env bash
# tools/bench-ab.sh BIN_A BIN_B: one lever of issue 13 measured side by side. REST accepted
# purchases/s (wrk 2x64, every request a new user, tools/bench/purchase.lua) of two
# flashsale-rest binaries on the same Redis + MariaDB (tools/stack.sh, left running if it was),
# alternating A and B (AB, BA, ...) for FLASHSALE_BENCH_ROUNDS (5) rounds of FLASHSALE_BENCH_SECONDS (8),
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
  # shellcheck disable=SC2086
  bench_purchases "$1" --redis-url "$FLASHSALE_REDIS_URL" --mysql-url "$FLASHSALE_MYSQL_URL" \
    --migrate ${FLASHSALE_BENCH_ARGS:-}
}

a="" b=""
for round in $(seq 1 "$rounds"); do
  if ((round % 2)); then  # ABBA: neither build always runs second
    out=$(run "$1"); echo "bench-ab: round $round A: $out"; a+="${out%% *} "
    out=$(run "$2"); echo "bench-ab: round $round B: $out"; b+="${out%% *} "
  else
    out=$(run "$2"); echo "bench-ab: round $round B: $out"; b+="${out%% *} "
    out=$(run "$1"); echo "bench-ab: round $round A: $out"; a+="${out%% *} "
  fi
done
ma=$(tr ' ' '\n' <<<"$a" | grep . | median)
mb=$(tr ' ' '\n' <<<"$b" | grep . | median)
echo "bench-ab: median A $ma/s, B $mb/s, B / A $(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.2f", b / a}')"
