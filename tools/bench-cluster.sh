#!/usr/bin/env bash
# tools/bench-cluster.sh: purchases/s on one Redis against a 3-master Redis Cluster (3 replicas),
# both from tools/stack.sh on this machine, with the same flashsale-rest: three sales (one per
# master of the cluster), three stress_test runs at once (event engine, 32 connections each,
# unique users). Per Redis node: FCALLs served and CPU per FCALL (INFO commandstats / cpu).
# Then the cluster again with --redis-wait-replicas 1: what waiting for a replica costs; and
# one hot item (one sale, 96 connections) with --item-shards 1 and 3 (issue 15).
# Writes .local/bench/cluster.md and prints it. FLASHSALE_BENCH_SECONDS (8) per run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${FLASHSALE_BENCH_SECONDS:-8}
port=28180
token=bench-cluster-token-0123456789
out="$root/.local/bench"
mkdir -p "$out"

"$root/tools/install-deps.sh"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target flashsale-rest stress_test >/dev/null

app_pid=
cleanup() {
  if [[ -n "$app_pid" ]]; then kill "$app_pid" 2>/dev/null || true; fi
  tools/stack.sh stop >/dev/null 2>&1 || true
  tools/stack.sh --cluster stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
log() { echo "bench-cluster: $*" >&2; }
jq_num() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Three sale ids whose slots are on three different masters (a new cluster's masters serve
# 0-5460, 5461-10922 and 10923-16383).
pick_sales() {
  sales=()
  local -A range_taken=()
  local n id slot range
  for n in $(seq 0 200); do
    id="bench-$n"
    slot=$(redis-cli -p 17001 cluster keyslot "fs:{$id}:meta")
    range=$((slot / 5461))
    if [[ -z "${range_taken[$range]:-}" ]]; then range_taken[$range]=1; sales+=("$id"); fi
    ((${#sales[@]} == 3)) && break
  done
}
stack_url() { "$root/tools/stack.sh" "$@" env | sed -n "s/^FLASHSALE_REDIS_URL=//p"; }
mysql_url=$(tools/stack.sh env | sed -n "s/^FLASHSALE_MYSQL_URL=//p")

fcalls() { redis-cli -p "$1" info commandstats | sed -n 's/^cmdstat_fcall:calls=\([0-9]*\),.*/\1/p'; }
cpu_s() { redis-cli -p "$1" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ {s+=$2} END {print s}'; }

# start_app URL SALE [app args...]: flashsale-rest with SALE as its demo sale (100M units).
start_app() {
  local url=$1 sale=$2; shift 2
  build/apps/flashsale-rest --port "$port" --redis-url "$url" --mysql-url "$mysql_url" --migrate \
    --sale-id "$sale" --demo-stock 100000000 --demo-per-user-limit 1000000 \
    --admin-token "$token" "$@" >"$out/cluster-app.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 150); do
    grep -q '"msg":"listening"' "$out/cluster-app.log" && break
    sleep 0.1
  done
}

# measure NAME SALE...: one stress_test per sale at once (96 connections in all, unique
# users), then a table row: purchases/s, and per node of `ports` the FCALLs it served in the
# run and its CPU per FCALL. Stops the app.
measure() {
  local name=$1; shift
  local sale_ids=("$@") conns=$((96 / $#))
  declare -A calls0 cpu0
  for p in "${ports[@]}"; do calls0[$p]=$(fcalls "$p"); cpu0[$p]=$(cpu_s "$p"); done
  local pids=() i=0
  for id in "${sale_ids[@]}"; do
    build/tools/stress_test --json --target "127.0.0.1:$port" --sale-id "$id" \
      --concurrency "$conns" --duration "$secs" --users 100000000 2>/dev/null | tail -1 \
      >"$out/cluster-run-$i.json" &
    pids+=($!); i=$((i + 1))
  done
  wait "${pids[@]}"
  local total=0
  for ((i = 0; i < ${#sale_ids[@]}; i++)); do
    total=$(python3 -c "print($total + $(jq_num 'd["throughput_per_s"]' <"$out/cluster-run-$i.json"))")
  done
  local per_node=""
  for p in "${ports[@]}"; do
    local calls cpu
    calls=$(fcalls "$p"); cpu=$(cpu_s "$p")
    per_node+=$(python3 -c "
c = ${calls:-0} - ${calls0[$p]:-0}; t = $cpu - ${cpu0[$p]}
print(f':{$p} {c:,} FCALLs, {t / c * 1e6:.1f} us each; ' if c > 0 else '')")
  done
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=
  printf '| %s | %s | %s |\n' "$name" "$(python3 -c "print(f'{round($total):,}')")" \
    "${per_node%; }"
}

# run NAME URL [app args...]: three sales (one per master), three runs at once.
run() {
  local name=$1 url=$2; shift 2
  start_app "$url" "${sales[0]}" "$@"
  for id in "${sales[@]:1}"; do
    curl -sf -o /dev/null -X POST "localhost:$port/admin/sales" -H "Authorization: Bearer $token" \
      -d "{\"id\":\"$id\",\"items\":[{\"id\":\"iphone-15\",\"stock\":100000000,\"price_cents\":1}],\"per_user_limit\":1000000,\"ends_at\":\"2099-01-01T00:00:00Z\"}"
  done
  measure "$name" "${sales[@]}"
}

# hot NAME URL K: one sale, one hot item, split into K sub-stocks (--item-shards K), with an
# id whose K sub-stocks ({id}, {id~1}, ...) hash to K different masters.
hot() {
  local name=$1 url=$2 k=$3 n id shard tag
  for n in $(seq 0 500); do
    id="hot-k$k-$n"
    local -A range_taken=()
    for ((shard = 0; shard < k; shard++)); do
      tag=$id
      ((shard > 0)) && tag="$id~$shard"
      range_taken[$(($(redis-cli -p 17001 cluster keyslot "fs:{$tag}:meta") / 5461))]=1
    done
    ((${#range_taken[@]} == k)) && break
    unset range_taken
  done
  start_app "$url" "$id" --item-shards "$k"
  measure "$name" "$id"
}

{
  echo "Machine: $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; app, stress_test, Redis and MariaDB on the same cores. $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)."
  echo "Command: \`tools/bench-cluster.sh\` (FLASHSALE_BENCH_SECONDS=$secs): three sales, three stress_test runs at once (32 connections each)."
  echo
  echo "| Redis | purchases/s | per node: FCALLs in the run, Redis CPU per FCALL |"
  echo "|---|---|---|"
} >"$out/cluster.md"

log "Redis Cluster, 3 masters + 3 replicas"
tools/stack.sh --cluster start >/dev/null && tools/stack.sh --cluster reset >/dev/null
pick_sales
mapfile -t ports < <(for p in 17001 17002 17003 17004 17005 17006; do
  redis-cli -p "$p" role | head -1 | grep -q master && echo "$p"; done)
cluster_rows=$(run "Redis Cluster, 3 masters (tools/stack.sh --cluster)" "$(stack_url --cluster)")
tools/stack.sh --cluster reset >/dev/null
log "Redis Cluster with --redis-wait-replicas 1"
cluster_rows+=$'\n'$(run "Redis Cluster, 3 masters, --redis-wait-replicas 1" \
  "$(stack_url --cluster)" --redis-wait-replicas 1)
# One hot item (issue 15): its sale in one slot (K = 1) or split over the three masters.
tools/stack.sh --cluster reset >/dev/null
log "Redis Cluster, one hot item, --item-shards 1"
hot_rows=$(hot "Redis Cluster, one hot item, --item-shards 1" "$(stack_url --cluster)" 1)
tools/stack.sh --cluster reset >/dev/null
log "Redis Cluster, one hot item, --item-shards 3"
hot_rows+=$'\n'$(hot "Redis Cluster, one hot item, --item-shards 3" "$(stack_url --cluster)" 3)
tools/stack.sh --cluster stop >/dev/null

log "one Redis"
tools/stack.sh start >/dev/null && tools/stack.sh reset >/dev/null
ports=(16379)
{
  run "one Redis (tools/stack.sh)" "$(stack_url)"
  echo "$cluster_rows"
  echo "$hot_rows"
} >>"$out/cluster.md"
tools/stack.sh stop >/dev/null
cat "$out/cluster.md"
