#!/usr/bin/env bash
# Build and run flashsale.
#   tools/run.sh            flashsale-rest on the embedded default (in-memory, not durable),
#                           in the foreground on port 8080 (Ctrl-C stops it)
#   tools/run.sh --stack    local Redis (AOF on) + MariaDB on loopback (tools/stack.sh, data
#                           under .local/), migrations, then flashsale-rest (:8080) and
#                           flashsale-grpc (:50051) in the background; logs in .local/run/
#   tools/run.sh --stack --cluster   the same on a local Redis Cluster (3 masters, 3 replicas,
#                           ports 17001-17006; tools/stack.sh --cluster)
#   tools/run.sh --stop     stop the apps started by --stack, then the local stack
# Ports: FLASHSALE_REST_PORT, FLASHSALE_GRPC_PORT. Every FLASHSALE_* setting applies (--help).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:-}
stack_flags=()
if [[ "${2:-}" == --cluster ]]; then stack_flags=(--cluster); fi
rest_port=${FLASHSALE_REST_PORT:-8080}
grpc_port=${FLASHSALE_GRPC_PORT:-50051}
run_dir="$root/.local/run"

build() {
  "$root/tools/install-deps.sh"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${FLASHSALE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build build --target flashsale-rest flashsale-grpc
}

hints() {
  cat <<EOF2

flashsale is up. Try:
  curl -s -X POST localhost:$rest_port/api/purchase -H 'Content-Type: application/json' \\
       -d '{"request_id":"r1","user_id":"alice","item_id":"iphone-15","quantity":1}'
  curl -s localhost:$rest_port/api/orders/<order_id from above>
  curl -s -X POST 'localhost:$rest_port/checkout?user_id=bob&item_id=iphone-15'
  curl -s -X POST 'localhost:$rest_port/purchase?code=<checkout_code from above>'
  curl -s localhost:$rest_port/sale/status ; curl -s localhost:$rest_port/
  curl -s localhost:$rest_port/health ; curl -s localhost:$rest_port/readyz
  curl -s localhost:$rest_port/metrics | grep flashsale_purchases_total
EOF2
}

stop_apps() {
  for app in flashsale-rest flashsale-grpc; do
    if [[ -f "$run_dir/$app.pid" ]]; then
      pid=$(cat "$run_dir/$app.pid")
      if kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        echo "$app stopped"
      fi
      rm -f "$run_dir/$app.pid"
    fi
  done
}

case "$mode" in
  "")
    build
    hints
    echo "  (embedded memory adapters: orders are lost when it stops; Ctrl-C to stop)"
    echo
    exec build/apps/flashsale-rest --port "$rest_port"
    ;;
  --stack)
    build
    mkdir -p "$run_dir"
    stop_apps
    "$root/tools/stack.sh" "${stack_flags[@]}" start
    eval "$("$root/tools/stack.sh" "${stack_flags[@]}" env | sed 's/^/export /')"
    echo "${stack_flags[*]}" >"$run_dir/stack-flags"
    # flashsale-rest migrates; flashsale-grpc starts once the schema is there.
    start_app() {
      local app=$1; shift
      build/apps/"$app" "$@" >"$run_dir/$app.log" 2>&1 &
      echo $! >"$run_dir/$app.pid"
      for _ in $(seq 1 150); do
        grep -q '"msg":"listening"' "$run_dir/$app.log" 2>/dev/null && return 0
        kill -0 "$(cat "$run_dir/$app.pid")" 2>/dev/null || break
        sleep 0.1
      done
      echo "$app did not start:"; cat "$run_dir/$app.log"; exit 1
    }
    start_app flashsale-rest --port "$rest_port" --migrate
    start_app flashsale-grpc --port "$grpc_port"
    echo "flashsale-rest :$rest_port and flashsale-grpc :$grpc_port on Redis${stack_flags:+ Cluster} + MariaDB"
    echo "logs: $run_dir/*.log"
    hints
    echo "  stop with: tools/run.sh --stop"
    ;;
  --stop)
    stop_apps
    read -r -a started 2>/dev/null <"$run_dir/stack-flags" || started=()
    "$root/tools/stack.sh" "${started[@]}" stop
    rm -f "$run_dir/stack-flags"
    ;;
  -h|--help)
    sed -n '2,12p' "$0"
    ;;
  *)
    echo "usage: $0 [--stack [--cluster] | --stop]" >&2
    exit 2
    ;;
esac
