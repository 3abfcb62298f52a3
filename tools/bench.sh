#!/usr/bin/env bash
# tools/bench.sh: one command, one run, one machine state. Starts its own Redis (AOF everysec)
# and MariaDB on loopback, the two apps, then measures (each 3 times, median kept):
#   C1 redis-benchmark FCALL ref_reserve (-P 1, 50 connections)           ceiling of Redis
#      (tools/bench/reference_reserve.lua: a fixed minimal reservation; fs4_reserve, the
#      project's own, is measured the same way beside it)
#   C2 wrk on GET /health of the same flashsale-rest (keep-alive)        ceiling of REST
#   C3 grpc.health.v1 Check on the same flashsale-grpc (64 callers)      ceiling of gRPC
#   C4 raw 100-row INSERTs into orders, 4 clients                        ceiling of MariaDB
# and flashsale's own figures: REST purchases/s, REST sold-out flood/s, gRPC purchases/s,
# persistence rows/s draining 100,000 orders, open-loop p99 at half the REST maximum; then
# appendfsync always, app RSS over a soak, Redis memory per 100,000 outcomes/stream entries.
# Writes .local/bench/results.md (the table for BENCHMARKS.md) and prints it.
#   FLASHSALE_BENCH_SECONDS (8) per measurement, FLASHSALE_BENCH_SOAK_SECONDS (300) per app.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${FLASHSALE_BENCH_SECONDS:-8}
soak=${FLASHSALE_BENCH_SOAK_SECONDS:-300}
work="$root/.local/bench"
rp=26379; mp=23306; restp=28080; grpcp=25051
redis_url="redis://127.0.0.1:$rp"
mysql_url="mysql://flashsale:flashsale@127.0.0.1:$mp/flashsale"
sock="$work/mysql/mysqld.sock"
pids=()

"$root/tools/install-deps.sh" "$root/tools/apt-bench.txt"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target flashsale-rest flashsale-grpc stress_test persist_bench >/dev/null

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  redis-cli -p $rp shutdown nosave >/dev/null 2>&1 || true
  if [[ -f "$work/mysql/mysqld.pid" ]]; then kill "$(cat "$work/mysql/mysqld.pid")" 2>/dev/null || true; fi
}
trap cleanup EXIT
rm -rf "$work"; mkdir -p "$work/redis" "$work/mysql"
log() { echo "bench: $*" >&2; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
jq_num() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# --- servers -----------------------------------------------------------------------------
redis-server --port $rp --bind 127.0.0.1 --dir "$work/redis" --save '' --appendonly yes \
  --appendfsync everysec --daemonize yes --pidfile "$work/redis/redis.pid" \
  --logfile "$work/redis/redis.log"
until redis-cli -p $rp ping 2>/dev/null | grep -q PONG; do sleep 0.05; done
mariadb-install-db --no-defaults --user=root --datadir="$work/mysql/data" \
  --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve >/dev/null 2>&1
mariadbd --no-defaults --user=root --datadir="$work/mysql/data" --socket="$sock" \
  --pid-file="$work/mysql/mysqld.pid" --port=$mp --bind-address=127.0.0.1 --skip-name-resolve \
  --log-error="$work/mysql/error.log" --character-set-server=utf8mb4 \
  --collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size=512M \
  --innodb-flush-log-at-trx-commit=1 --skip-log-bin --max-connections=500 >/dev/null 2>&1 &
until mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; do sleep 0.1; done
sql() { mariadb --no-defaults --socket="$sock" -uroot -N -B "$@"; }
sql <<'SQL'
CREATE DATABASE flashsale CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'flashsale'@'127.0.0.1' IDENTIFIED BY 'flashsale';
GRANT ALL ON flashsale.* TO 'flashsale'@'127.0.0.1';
SQL

start_app() {  # start_app <binary> <port> <args...>; echoes the pid
  local bin=$1 port=$2; shift 2
  "build/apps/$bin" --bind 127.0.0.1 --port "$port" --redis-url "$redis_url" \
    --mysql-url "$mysql_url" "$@" >>"$work/$bin.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do
    grep -q '"msg":"listening"' "$work/$bin.log" 2>/dev/null && { echo "$pid"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: $bin did not start (is port $port free?):" >&2
  tail -3 "$work/$bin.log" >&2
  return 1
}
big="--demo-stock 1000000000 --demo-per-user-limit 1000000"
# First start migrates; then the sold-out sale is added so the apps load it at start.
pid=$(start_app flashsale-rest $restp --migrate $big)
kill "$pid"
for _ in $(seq 1 100); do ss -ltn | grep -q ":$restp " || break; sleep 0.1; done
now_ms=$(($(date +%s) * 1000))
sql flashsale <<SQL
INSERT INTO sales VALUES ('soldout', 10, $((now_ms - 60000)), $((now_ms + 86400000)), DEFAULT);
INSERT INTO sale_items (sale_id, item_id, name, stock, price_cents) VALUES ('soldout', 'iphone-15', 'gone', 0, 1);
SQL
rest_pid=$(start_app flashsale-rest $restp $big); pids+=("$rest_pid")
grpc_pid=$(start_app flashsale-grpc $grpcp $big); pids+=("$grpc_pid")

stress() {  # stress <args...> -> JSON report line
  build/tools/stress_test --json "$@" 2>/dev/null | tail -1
}

# --- ceilings ----------------------------------------------------------------------------
log "C1 redis-benchmark FCALL ref_reserve (the fixed reference library fsref)"
redis-cli -p $rp -x FUNCTION LOAD REPLACE <tools/bench/reference_reserve.lua >/dev/null
redis-cli -p $rp SET 'fs:{ref}:stock' 1000000000 >/dev/null
ref_run() {
  redis-benchmark -p $rp -n 200000 -c 50 -P 1 -r 1000000000 --csv FCALL ref_reserve 4 \
    'fs:{ref}:idem:u__rand_int__/r__rand_int__' 'fs:{ref}:stock' 'fs:{ref}:bought' \
    'fs:{ref}:orders' u__rand_int__ 1 O__rand_int__ 86400000 | tail -1 | cut -d, -f2 | tr -d '"'
}
c1=$(for i in 1 2 3; do ref_run; done | median)
redis-cli -p $rp EVAL "for _, k in ipairs(redis.call('KEYS', 'fs:{ref}:*')) do redis.call('DEL', k) end" 0 >/dev/null

log "C1' redis-benchmark FCALL fs4_reserve (the project's library, as the apps loaded it)"
redis-cli -p $rp FCALL fs4_load 3 'fs:{rb}:meta' 'fs:{rb}:orders' \
  'fs:{rb}:stock:item-1' 0 99999999999999 1000000000 1 item-1 1000000000 100 bench >/dev/null
c1_run() {
  redis-benchmark -p $rp -n 200000 -c 50 -P 1 -r 1000000000 --csv FCALL fs4_reserve 6 \
    'fs:{rb}:meta' 'fs:{rb}:stock:item-1' 'fs:{rb}:bought' 'fs:{rb}:idem:u__rand_int__/r__rand_int__' \
    'fs:{rb}:orders' 'fs:{rb}:ostatus' u__rand_int__ 1 fp O__rand_int__ "$now_ms" 86400000 rb \
    item-1 r__rand_int__ 86400000 1 | tail -1 | cut -d, -f2 | tr -d '"'
}
c1_own=$(for i in 1 2 3; do c1_run; done | median)
redis-cli -p $rp DEL 'fs:{rb}:orders' 'fs:{rb}:ostatus' 'fs:{rb}:bought' >/dev/null

log "C2 wrk GET /health"
c2=$(for i in 1 2 3; do wrk -t2 -c64 -d${secs}s "http://127.0.0.1:$restp/health" |
  awk '/Requests\/sec/ {print $2}'; done | median)

log "C3 gRPC health Check"
c3=$(for i in 1 2 3; do stress --transport grpc --target 127.0.0.1:$grpcp --call health \
  --concurrency 64 --duration "$secs" | jq_num 'd["throughput_per_s"]'; done | median)

log "C4 raw 100-row INSERTs, 4 clients"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
for t in range(4):
    with open(f"{work}/insert{t}.sql", "w") as f:
        f.write("USE flashsale;\n")
        for s in range(500):
            rows = ",".join(
                f"('c4-{t}-{s}-{r}','c4','iphone-15','u{t}-{s}-{r}','r',1,100,'confirmed',NULL,0)"
                for r in range(100))
            f.write("INSERT INTO orders (order_id,sale_id,item_id,user_id,request_id,quantity,"
                    "unit_price_cents,status,failure_reason,created_at_ms) VALUES " + rows + ";\n")
PY
c4_run() {
  sql -e "DELETE FROM flashsale.orders WHERE sale_id='c4'"
  local t0 t1
  local clients=()
  t0=$(date +%s.%N)
  for t in 0 1 2 3; do
    mariadb --no-defaults -h127.0.0.1 -P$mp -uflashsale -pflashsale <"$work/insert$t.sql" &
    clients+=($!)
  done
  wait "${clients[@]}"
  t1=$(date +%s.%N)
  python3 -c "print(round(4*500*100/($t1-$t0)))"
}
c4=$(for i in 1 2 3; do c4_run; done | median)
sql -e "DELETE FROM flashsale.orders WHERE sale_id='c4'"

# --- flashsale ---------------------------------------------------------------------------
# REST load comes from wrk (same client as C2, so the ratios compare like with like), with
# tools/bench/purchase.lua giving every request a unique user and request id.
wrk_purchase() {  # wrk_purchase <sale> -> "req/s answers-line"
  wrk -t2 -c64 -d${secs}s -s tools/bench/purchase.lua "http://127.0.0.1:$restp" -- "$1" iphone-15 |
    awk '/Requests\/sec/ {rps=$2} /^answers:/ {a=$2" "$3" "$4} END {print rps, a}'
}
log "REST purchases/s (wrk)"
rest_runs=()
for i in 1 2 3; do rest_runs+=("$(wrk_purchase demo)"); done
rest=$(for r in "${rest_runs[@]}"; do echo "$r" | cut -d' ' -f1; done | median)
rest_answers=$(echo "${rest_runs[0]}" | cut -d' ' -f2-)

log "REST sold-out flood/s (wrk)"
flood_runs=()
for i in 1 2 3; do flood_runs+=("$(wrk_purchase soldout)"); done
flood=$(for r in "${flood_runs[@]}"; do echo "$r" | cut -d' ' -f1; done | median)
flood_answers=$(echo "${flood_runs[0]}" | cut -d' ' -f2-)

log "REST purchases/s (stress_test client, for the open-loop reference)"
rest_stress=$(stress --target 127.0.0.1:$restp --concurrency 64 --duration "$secs" \
  --users 100000000 | jq_num 'd["throughput_per_s"]')

log "REST checkout+purchase pairs/s (stress_test --flow checkout)"
pairs=$(for i in 1 2 3; do stress --flow checkout --target 127.0.0.1:$restp --concurrency 64 \
  --duration "$secs" --users 100000000 | jq_num 'd["throughput_per_s"]'; done | median)

log "gRPC purchases/s"
grpc=$(for i in 1 2 3; do stress --transport grpc --target 127.0.0.1:$grpcp --concurrency 64 \
  --duration "$secs" --users 100000000 | jq_num 'd["throughput_per_s"]'; done | median)

log "persistence: drain 100,000 queued orders (batch 500) and 20,000 single-row"
persist_json=$(build/tools/persist_bench "$redis_url/1" "$mysql_url" 100000 4 500 | tail -1)
persist=$(echo "$persist_json" | jq_num 'd["rows_per_s"]')
drain_s=$(echo "$persist_json" | jq_num 'd["drain_s"]')
single=$(build/tools/persist_bench "$redis_url/1" "$mysql_url" 20000 4 1 | tail -1 | jq_num 'd["rows_per_s"]')
stream_filled=$(echo "$persist_json" | jq_num 'd["stream_bytes_filled"]')
stream_drained=$(echo "$persist_json" | jq_num 'd["stream_bytes_drained"]')
mem_per_order=$(echo "$persist_json" | jq_num '(d["used_memory_filled"]-d["used_memory_before"])')

log "open loop at half the REST maximum (maximum measured with the same client)"
half=$(python3 -c "print(int($rest_stress/2))")
open_json=$(stress --target 127.0.0.1:$restp --concurrency 256 --rate "$half" \
  --duration "$secs" --users 100000000)
open_p99=$(echo "$open_json" | jq_num 'd["latency"]["p99_ms"]')
open_p50=$(echo "$open_json" | jq_num 'd["latency"]["p50_ms"]')

log "Redis memory per 100,000 stored outcomes (sold-out answers)"
redis-cli -p $rp FCALL fs4_load 3 'fs:{so}:meta' 'fs:{so}:orders' \
  'fs:{so}:stock:item-1' 0 99999999999999 10 1 item-1 0 100 gone >/dev/null
used() { redis-cli -p $rp INFO memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r'; }
before=$(used)
redis-benchmark -p $rp -n 100000 -c 50 -r 1000000000 -q FCALL fs4_reserve 6 'fs:{so}:meta' \
  'fs:{so}:stock:item-1' 'fs:{so}:bought' 'fs:{so}:idem:u__rand_int__/r__rand_int__' \
  'fs:{so}:orders' 'fs:{so}:ostatus' u__rand_int__ 1 fp O__rand_int__ "$now_ms" 86400000 so \
  item-1 r__rand_int__ 86400000 1 >/dev/null 2>&1
outcomes=$(redis-cli -p $rp EVAL "return #redis.call('KEYS', 'fs:{so}:idem:*')" 0)
after=$(used)
outcome_mem=$(python3 -c "print(round(($after-$before)*100000/$outcomes))")

log "appendfsync always"
redis-cli -p $rp CONFIG SET appendfsync always >/dev/null
c1_always=$(c1_run)
rest_always=$(wrk_purchase demo | cut -d' ' -f1)
redis-cli -p $rp CONFIG SET appendfsync everysec >/dev/null

soak_app() {  # soak_app <pid> <stress args...> -> "first_rss_mb peak_rss_mb last_rss_mb"
  local pid=$1; shift
  build/tools/stress_test "$@" --duration "$soak" --json >/dev/null 2>&1 &
  local load=$! first="" peak=0 last=0 t=0
  while kill -0 $load 2>/dev/null; do
    sleep 5; t=$((t + 5))
    local rss; rss=$(ps -o rss= -p "$pid" | tr -d ' ')
    [[ -z "$rss" ]] && break
    ((t >= 30)) && [[ -z "$first" ]] && first=$rss
    ((rss > peak)) && peak=$rss
    last=$rss
  done
  wait $load || true
  echo "$((${first:-$last} / 1024)) $((peak / 1024)) $((last / 1024))"
}
log "soak: flashsale-rest RSS under purchase load for ${soak}s"
read -r rest_rss_first rest_rss_peak rest_rss_last < <(soak_app "$rest_pid" \
  --target 127.0.0.1:$restp --concurrency 64 --users 100000000)
log "soak: flashsale-grpc RSS under purchase load for ${soak}s"
read -r grpc_rss_first grpc_rss_peak grpc_rss_last < <(soak_app "$grpc_pid" --transport grpc \
  --target 127.0.0.1:$grpcp --concurrency 64 --users 100000000)

# --- report ------------------------------------------------------------------------------
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
r1=$(ratio "$rest" "$c1"); r2=$(ratio "$flood" "$c2"); r3=$(ratio "$grpc" "$rest")
r4=$(ratio "$persist" "$c4"); own=$(ratio "$c1_own" "$c1")
cpu=$(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')
fmt() { python3 -c "print(f'{float($1):,.0f}')"; }
cat >"$work/results.md" <<MD
Machine: $(nproc) vCPU ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"); load generator, apps, Redis and MariaDB all on the same cores. $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD).
Command: \`tools/bench.sh\` (FLASHSALE_BENCH_SECONDS=$secs, FLASHSALE_BENCH_SOAK_SECONDS=$soak); medians of 3.

| ceiling | per s |
|---|---|
| C1 redis-benchmark FCALL ref_reserve (tools/bench/reference_reserve.lua), -P 1, 50 conns | $(fmt "$c1") |
| C1' the project's fs4_reserve, same settings (not a ceiling: $own of C1) | $(fmt "$c1_own") |
| C2 wrk GET /health, flashsale-rest, 2 threads x 64 conns, keep-alive | $(fmt "$c2") |
| C3 grpc.health.v1 Check, flashsale-grpc, 64 callers | $(fmt "$c3") |
| C4 raw 100-row INSERT into orders, 4 clients (rows) | $(fmt "$c4") |

| flashsale | figure | ratio | goal |
|---|---|---|---|
| REST accepted purchases/s (wrk 2x64, unique users; answers of one run: $rest_answers) | $(fmt "$rest") | R1 = $r1 of C1 | >= 0.8 |
| REST sold-out flood/s (wrk 2x64; answers of one run: $flood_answers) | $(fmt "$flood") | R2 = $r2 of C2 | >= 0.9 |
| REST accepted purchases/s with stress_test (event engine: one thread, 64 keep-alive connections on epoll) | $(fmt "$rest_stress") | | |
| gRPC purchases/s (stress_test callback engine, 64 calls in flight) | $(fmt "$grpc") | R3 = $r3 of REST purchases | >= 0.8 |
| REST checkout+purchase pairs/s (stress_test --flow checkout, 64 threads) | $(fmt "$pairs") | | |
| persistence rows/s, 100,000 queued orders, batch 500, 4 workers (drained in ${drain_s} s) | $(fmt "$persist") | R4 = $r4 of C4 | >= 0.6 |
| persistence rows/s, single-row batches (batch 1), same stack | $(fmt "$single") | | |
| open-loop REST at $(fmt "$half")/s (half of the stress_test max), stress_test --rate (event engine, 256 connections, latency from the intended send time): p50 / p99 ms | $open_p50 / $open_p99 | R5 = $open_p99 ms | < 5 ms |

| durability and memory | figure |
|---|---|
| appendfsync always: C1' (fs4_reserve) / REST purchases/s | $(fmt "$c1_always") / $(fmt "$rest_always") (everysec: $(fmt "$c1_own") / $(fmt "$rest")) |
| flashsale-rest RSS under purchase load, ${soak} s: after 30 s / peak / end (MiB) | $rest_rss_first / $rest_rss_peak / $rest_rss_last |
| flashsale-grpc RSS under purchase load, ${soak} s: after 30 s / peak / end (MiB) | $grpc_rss_first / $grpc_rss_peak / $grpc_rss_last |
| Redis used_memory per 100,000 stored outcomes (sold-out answers, 24 h TTL) | $(python3 -c "print(f'{$outcome_mem/1048576:.1f}')") MiB |
| Redis used_memory per 100,000 accepted orders (answer + stream entry + counters), before persistence | $(python3 -c "print(f'{$mem_per_order/1048576:.1f}')") MiB |
| order stream, 100,000 entries: before / after acknowledged entries are trimmed | $(python3 -c "print(f'{$stream_filled/1048576:.1f}')") MiB / $(python3 -c "print(f'{$stream_drained/1024:.1f}')") KiB |
MD
cat "$work/results.md"
