#!/usr/bin/env bash
# tools/bench-limits.sh: what rate limits cost. REST purchases/s (wrk 2x64, every request a new
# user, tools/bench/purchase.lua) with limits off and on, limits generous enough never to
# refuse (--rate-limit-user 1000/s:1000 --rate-limit-ip 1000000/s:1000000), on the embedded
# default (in-process buckets) and on Redis + MariaDB (buckets in Redis, drawn by the reserve
# function itself: no extra call per purchase). Off and on alternate (off-on, on-off, ...), FLASHSALE_BENCH_ROUNDS (5)
# rounds; medians and the range reported (the Redis + MariaDB figures swing by 2x from run to
# run on a 2-core machine, where MariaDB's flushing competes with everything else). Uses tools/stack.sh (left
# running if it was running). FLASHSALE_BENCH_SECONDS (8) per measurement;
# FLASHSALE_BENCH_BACKENDS ("embedded stack") to measure one of them only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${FLASHSALE_BENCH_SECONDS:-8}
port=28090
work="$root/.local/bench-limits"
mkdir -p "$work"
"$root/tools/install-deps.sh" "$root/tools/apt-bench.txt"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target flashsale-rest >/dev/null
# shellcheck source=tools/bench/stack-lib.sh
source tools/bench/stack-lib.sh

run() {  # run <backend: embedded|stack> <limits: off|on> -> "req/s answers"
  local args=()
  [[ $1 == stack ]] && args+=(--redis-url "$FLASHSALE_REDIS_URL" --mysql-url "$FLASHSALE_MYSQL_URL" --migrate)
  [[ $2 == on ]] && args+=(--rate-limit-user 1000/s:1000 --rate-limit-ip 1000000/s:1000000)
  bench_purchases build/apps/flashsale-rest "${args[@]}"
}

declare -A rps answers
backends=${FLASHSALE_BENCH_BACKENDS:-embedded stack}
for backend in $backends; do
  for round in $(seq 1 "${FLASHSALE_BENCH_ROUNDS:-5}"); do
    order="off on"
    ((round % 2 == 0)) && order="on off"  # ABBA: neither setting always runs second
    for limits in $order; do
      out=$(run $backend $limits)
      echo "bench-limits: $backend limits $limits round $round: $out" >&2
      rps[$backend-$limits]+="${out%% *} "
      answers[$backend-$limits]="${out#* }"
    done
  done
done
echo "| backend | limits off, purchases/s (median, range) | limits on, purchases/s (median, range) | on / off (medians) |"
echo "|---|---|---|---|"
for backend in $backends; do
  off=$(tr ' ' '\n' <<<"${rps[$backend-off]}" | grep . | median)
  on=$(tr ' ' '\n' <<<"${rps[$backend-on]}" | grep . | median)
  ratio=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.2f", a / b}')
  range_off=$(tr ' ' '\n' <<<"${rps[$backend-off]}" | grep . | sort -g | awk 'NR==1 {a=$1} {b=$1} END {printf "%d-%d", a, b}')
  range_on=$(tr ' ' '\n' <<<"${rps[$backend-on]}" | grep . | sort -g | awk 'NR==1 {a=$1} {b=$1} END {printf "%d-%d", a, b}')
  echo "| $backend (last answers with limits on: ${answers[$backend-on]}) | ${off%.*} ($range_off) | ${on%.*} ($range_on) | $ratio |"
done
