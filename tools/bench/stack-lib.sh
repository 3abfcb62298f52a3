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
