#!/usr/bin/env bash
# tools/chaos.sh [ROUNDS]: the fault suite. Starts its own Redis (AOF, appendfsync always)
# and MariaDB on free loopback ports in a temp dir, runs flashsale-rest and flashsale-grpc on
# them (both persist the shared stream), and drives purchases through both front doors with an
# independent checker that logs every answer (tools/chaos/checker.py; gRPC messages generated from
# proto/flashsale.proto by protoc). Each round, in turn: kill -9 of flashsale-rest and of
# flashsale-grpc (each restarted), kill -9 of redis-server (restarted on its AOF), kill -9 of
# mariadbd (restarted), SIGTERM of each app (restarted), with FLASHSALE_CHAOS_PHASE_SECONDS
# (4) of load between faults. Then it verifies: every 200 is in MySQL once and confirmed, nothing
# else is stored but requests whose connection broke (unknown outcomes), the admin audit is
# consistent with nothing pending (exact stock arithmetic), nobody is above the per-user
# limit, and replays of accepted requests answer the same order. Exit 0 when all hold.
# FLASHSALE_CHAOS_BIN / FLASHSALE_CHAOS_GRPC_BIN: the apps to use (default: built into build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds=${1:-3}
phase=${FLASHSALE_CHAOS_PHASE_SECONDS:-4}
bin=${FLASHSALE_CHAOS_BIN:-}
gbin=${FLASHSALE_CHAOS_GRPC_BIN:-}
if [[ -z $bin || -z $gbin ]]; then
  tools/install-deps.sh
  cmake -S . -B build -G Ninja >/dev/null
  cmake --build build --target flashsale-rest flashsale-grpc >/dev/null
  bin=${bin:-build/apps/flashsale-rest}
  gbin=${gbin:-build/apps/flashsale-grpc}
fi
# Debian's python3 (python3-grpcio, python3-protobuf from the apt list), not another one first
# on the PATH.
py=/usr/bin/python3
[[ -x $py ]] || py=python3
work=$(mktemp -d /tmp/flashsale-chaos.XXXXXX)
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
export FLASHSALE_STACK_DIR="$work/stack"
# Redis writes and fsyncs its AOF before it answers only with appendfsync always; with
# everysec it answers before its write while a background fsync is slow, and kill -9 then
# loses acknowledged orders (a CI run lost 3 of 71,847). FLASHSALE_STACK_APPENDFSYNC=everysec
# shows that window.
export FLASHSALE_STACK_APPENDFSYNC=${FLASHSALE_STACK_APPENDFSYNC:-always}
FLASHSALE_STACK_REDIS_PORT=$(free_port)
FLASHSALE_STACK_MYSQL_PORT=$(free_port)
export FLASHSALE_STACK_REDIS_PORT FLASHSALE_STACK_MYSQL_PORT
port=$(free_port)
echo "$port" >"$work/port"
gport=$(free_port)
echo "$gport" >"$work/grpc-port"
token="chaos-admin-token-$RANDOM$RANDOM"
limit=5
app="" gapp="" load=""
starts=0

cleanup() {
  touch "$work/stop"
  if [[ -n $app ]]; then kill -9 "$app" 2>/dev/null; wait "$app" 2>/dev/null; fi || true
  if [[ -n $gapp ]]; then kill -9 "$gapp" 2>/dev/null; wait "$gapp" 2>/dev/null; fi || true
  [[ -n $load ]] && wait "$load" 2>/dev/null || true
  tools/stack.sh stop >/dev/null 2>&1 || true
  if [[ ${status:-1} -eq 0 ]]; then rm -rf "$work"; else echo "chaos: kept $work"; fi
}
trap cleanup EXIT
mkdir -p "$work/py"
protoc -I proto --python_out="$work/py" proto/flashsale.proto

tools/stack.sh start >/dev/null
eval "$(tools/stack.sh env)"

start() {  # start <binary> <log name> <port> <extra args...>: its pid in $started
  starts=$((starts + 1))
  local bin_=$1 log="$work/$2-$starts.log" port_=$3
  shift 3
  "$bin_" --bind 127.0.0.1 --port "$port_" --redis-url "$FLASHSALE_REDIS_URL" \
    --mysql-url "$FLASHSALE_MYSQL_URL" --migrate --demo-stock 1000000 \
    --demo-per-user-limit "$limit" --drain-timeout 10 "$@" >"$log" 2>&1 &
  started=$!
  for _ in $(seq 1 200); do
    grep -q '"msg":"listening"' "$log" && return 0
    sleep 0.05
  done
  echo "chaos: $(basename "$bin_") did not start:"; tail -5 "$log"
  kill -9 "$started" 2>/dev/null || true
  return 1
}
start_app() { start "$bin" app "$port" --admin-token "$token"; app=$started; }
start_grpc() { start "$gbin" grpc "$gport"; gapp=$started; }
pid_of() { cat "$FLASHSALE_STACK_DIR/$1"; }

start_app
start_grpc
"$py" tools/chaos/checker.py load "$work/port" "$work/answers.log" "$work/stop" \
  "$work/grpc-port" "$work/py" &
load=$!
for round in $(seq 1 "$rounds"); do
  sleep "$phase"; echo "chaos: round $round: kill -9 flashsale-rest"
  { kill -9 "$app"; wait "$app"; } 2>/dev/null || true
  start_app
  sleep "$phase"; echo "chaos: round $round: kill -9 flashsale-grpc"
  { kill -9 "$gapp"; wait "$gapp"; } 2>/dev/null || true
  start_grpc
  sleep "$phase"; echo "chaos: round $round: kill -9 redis-server"
  kill -9 "$(pid_of redis/redis.pid)"; sleep 1; tools/stack.sh start >/dev/null
  sleep "$phase"; echo "chaos: round $round: kill -9 mariadbd"
  kill -9 "$(pid_of mysql/mysqld.pid)"; sleep 2; tools/stack.sh start >/dev/null
  sleep "$phase"; echo "chaos: round $round: SIGTERM flashsale-rest"
  kill -TERM "$app"; wait "$app" || { echo "chaos: SIGTERM exit was not 0"; exit 1; }
  start_app
  sleep "$phase"; echo "chaos: round $round: SIGTERM flashsale-grpc"
  kill -TERM "$gapp"; wait "$gapp" || { echo "chaos: gRPC SIGTERM exit was not 0"; exit 1; }
  start_grpc
done
sleep "$phase"
touch "$work/stop"
wait "$load"; load=""
echo "chaos: verifying (orders of killed instances are reclaimed after ~30 s)"
status=0
"$py" tools/chaos/checker.py verify "$port" "$work/answers.log" "$token" "$limit" \
  "$FLASHSALE_STACK_MYSQL_PORT" || status=1
if ((status == 0)); then echo "chaos: PASS"; else echo "chaos: FAIL"; fi
exit $status
