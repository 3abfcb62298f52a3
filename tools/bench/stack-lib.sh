# Sourced by tools/bench-limits.sh and tools/bench-ab.sh (from the repository root): starts
# tools/stack.sh (left running afterwards if it already was), sets FLASHSALE_REDIS_URL and
# FLASHSALE_MYSQL_URL, and on exit kills the app whose pid is in $app and stops the stack it
# started. median: the median of the numbers on stdin, one per line.
stack_was_up=0
tools/stack.sh status 2>/dev/null | grep -q PONG && stack_was_up=1
tools/stack.sh start >/dev/null
eval "$(tools/stack.sh env)"
app=""
bench_cleanup() {
  [[ -n "$app" ]] && kill "$app" 2>/dev/null || true
  ((stack_was_up)) || tools/stack.sh stop >/dev/null
}
trap bench_cleanup EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench_purchases BINARY [ARGS...]: starts the REST app BINARY on 127.0.0.1:$port with a fresh
# demo sale of 1e9 units and ARGS, waits until it listens, drives purchases at it with wrk
# (2 threads, 64 connections, $secs seconds, every request a new user), stops it. Prints
# "req/s answers". Its log goes to $work/app.log. On a stack this script started, every
# measurement starts from an empty Redis (AOF compacted) and an empty database
# (tools/stack.sh reset), then 2 s of quiet, so that no run pays for the previous one's data
# (AOF rewrites, InnoDB flushing); on a stack that was already running, only the 2 s.
bench_purchases() {
  local bin=$1 sale="bench$RANDOM$RANDOM"
  shift
  ((stack_was_up)) || tools/stack.sh reset
  sleep 2
  "$bin" --bind 127.0.0.1 --port "$port" --demo-stock 1000000000 --demo-per-user-limit 1000000 \
    --sale-id "$sale" "$@" >"$work/app.log" 2>&1 &
  app=$!
  for _ in $(seq 1 200); do grep -q '"msg":"listening"' "$work/app.log" && break; sleep 0.05; done
  wrk -t2 -c64 -d"${secs}s" -s tools/bench/purchase.lua "http://127.0.0.1:$port" -- "$sale" iphone-15 |
    awk '/Requests\/sec/ {rps=$2} /^answers:/ {a=$2" "$3" "$4} END {print rps, a}'
  kill "$app"; wait "$app" 2>/dev/null || true; app=""
}
