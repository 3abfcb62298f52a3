#!/usr/bin/env bash
# tools/probes/sigterm_probe.sh <runs> <ka|close>: looks for accepted purchases whose answer a
# SIGTERM cut (issue 12). 48 clients buy (a new connection per request, or keep-alive) from
# flashsale-rest on the tools/stack.sh stack; SIGTERM lands 1.5-2.5 s in; then every request
# that got no HTTP answer is looked up in MySQL: stored_without_answer must be 0.
# Needs build/apps/flashsale-rest, python3 and `tools/stack.sh start`. Scratch files in /tmp.
set -uo pipefail
cd "$(dirname "$0")/../.."
eval "$(tools/stack.sh env)"
for n in $(seq 1 "$1"); do
  run="p$RANDOM$n"
  build/apps/flashsale-rest --port 28120 --redis-url "$FLASHSALE_REDIS_URL" --mysql-url "$FLASHSALE_MYSQL_URL" --migrate --demo-stock 100000000 --demo-per-user-limit 1000000 --drain-timeout 10 > /tmp/probe_app.log 2>&1 &
  echo $! > /tmp/probe_app.pid
  for _ in $(seq 1 100); do grep -q listening /tmp/probe_app.log && break; sleep 0.05; done
  out=$(python3 tools/probes/sigterm_probe.py 28120 "$run" "$2" "$(awk -v r=$RANDOM 'BEGIN{print 1.5 + r/32768}')")
  wait $(cat /tmp/probe_app.pid)
  cut=0
  if [[ -s /tmp/probe_broken.txt ]]; then
    ids=$(sed 's/^/'"'"'/; s/$/'"'"'/' /tmp/probe_broken.txt | paste -sd, -)
    cut=$(mariadb -h127.0.0.1 -P13306 -uflashsale -pflashsale -N flashsale -e "SELECT COUNT(*) FROM orders WHERE request_id IN ($ids)" 2>/dev/null)
  fi
  echo "run $n: $out stored_without_answer=$cut"
done
