#!/usr/bin/env bash
# Local Redis (AOF on) and MariaDB on loopback, data under .local/stack/ (git-ignored).
#   tools/stack.sh [--cluster] start | stop | status | env | reset
# --cluster: Redis Cluster instead of one Redis, 3 masters and 3 replicas on ports
# FLASHSALE_STACK_CLUSTER_PORT (17001) to +5, data under .local/stack/cluster/<port>/,
# cluster-node-timeout FLASHSALE_STACK_CLUSTER_NODE_TIMEOUT ms (2000: short, for failover
# tests); a replica may always take over (cluster-replica-validity-factor 0). env then lists
# every node as seeds: redis://127.0.0.1:17001,127.0.0.1:17002,... (tools/run.sh --stack
# --cluster runs the apps on it).
# reset (for benchmarks: each measurement starts from the same state) empties Redis and
# compacts its AOF (FLUSHALL, then BGREWRITEAOF, waited for) and recreates the flashsale
# database empty (the apps' --migrate creates the schema again). It destroys all data.
# Ports: FLASHSALE_STACK_REDIS_PORT (16379), FLASHSALE_STACK_MYSQL_PORT (13306); data dir:
# FLASHSALE_STACK_DIR (.local/stack).
# Redis fsync policy: FLASHSALE_STACK_APPENDFSYNC (everysec | always).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cluster=0
if [[ "${1:-}" == --cluster ]]; then
  cluster=1
  shift
fi
dir="${FLASHSALE_STACK_DIR:-$root/.local/stack}"
redis_port=${FLASHSALE_STACK_REDIS_PORT:-16379}
mysql_port=${FLASHSALE_STACK_MYSQL_PORT:-13306}
appendfsync=${FLASHSALE_STACK_APPENDFSYNC:-everysec}
sock="$dir/mysql/mysqld.sock"

redis_url="redis://127.0.0.1:$redis_port"
mysql_url="mysql://flashsale:flashsale@127.0.0.1:$mysql_port/flashsale"
cluster_port=${FLASHSALE_STACK_CLUSTER_PORT:-17001}
cluster_ports=()
for i in 0 1 2 3 4 5; do cluster_ports+=($((cluster_port + i))); done
if ((cluster)); then
  redis_url="redis://$(printf '127.0.0.1:%s,' "${cluster_ports[@]}")"
  redis_url=${redis_url%,}
fi

start_redis_node() {  # start_redis_node PORT DIR [extra redis-server args...]
  local port=$1 data=$2
  shift 2
  mkdir -p "$data"
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$data" --save '' \
      --appendonly yes --appendfsync "$appendfsync" --daemonize yes \
      --pidfile "$data/redis.pid" --logfile "$data/redis.log" "$@"
    until redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; do sleep 0.05; done
  fi
}

start_cluster() {
  for port in "${cluster_ports[@]}"; do
    start_redis_node "$port" "$dir/cluster/$port" --cluster-enabled yes \
      --cluster-config-file "$dir/cluster/$port/nodes.conf" \
      --cluster-node-timeout "${FLASHSALE_STACK_CLUSTER_NODE_TIMEOUT:-2000}" \
      --cluster-replica-validity-factor 0
  done
  if redis-cli -p "$cluster_port" cluster info | grep -q '^cluster_known_nodes:1'; then
    local nodes=()
    for port in "${cluster_ports[@]}"; do nodes+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes \
      >"$dir/cluster/create.log" 2>&1
  fi
  for port in "${cluster_ports[@]}"; do  # every node agrees that all slots are served
    for _ in $(seq 1 200); do
      redis-cli -p "$port" cluster info | grep -q '^cluster_state:ok' && break
      sleep 0.05
    done
    redis-cli -p "$port" cluster info | grep -q '^cluster_state:ok' ||
      { echo "stack: cluster node $port is not ok (see $dir/cluster/$port/redis.log)" >&2; exit 1; }
  done
}

start() {
  mkdir -p "$dir/redis" "$dir/mysql"
  if ((cluster)); then
    start_cluster
  else
    start_redis_node "$redis_port" "$dir/redis"
  fi
  if ! mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; then
    local fresh=0
    if [[ ! -d "$dir/mysql/data/mysql" ]]; then
      mariadb-install-db --no-defaults --user=root --datadir="$dir/mysql/data" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        >"$dir/mysql/install.log" 2>&1
      fresh=1
    fi
    nohup mariadbd --no-defaults --user=root --datadir="$dir/mysql/data" --socket="$sock" \
      --pid-file="$dir/mysql/mysqld.pid" --port="$mysql_port" --bind-address=127.0.0.1 \
      --skip-name-resolve --log-error="$dir/mysql/error.log" --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size=256M \
      --innodb-flush-log-at-trx-commit=1 --skip-log-bin --max-connections=500 \
      >/dev/null 2>&1 &
    until mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; do sleep 0.1; done
    if ((fresh)); then
      mariadb --no-defaults --socket="$sock" -uroot <<'SQL'
CREATE DATABASE IF NOT EXISTS flashsale CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'flashsale'@'127.0.0.1' IDENTIFIED BY 'flashsale';
CREATE USER IF NOT EXISTS 'flashsale'@'localhost' IDENTIFIED BY 'flashsale';
GRANT ALL ON flashsale.* TO 'flashsale'@'127.0.0.1', 'flashsale'@'localhost';
SQL
    fi
  fi
  echo "stack: redis $redis_url (appendfsync $appendfsync), mariadb ${mysql_url/:flashsale@/:***@}"
}

stop() {
  if ((cluster)); then
    for port in "${cluster_ports[@]}"; do
      redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
    done
  else
    redis-cli -p "$redis_port" shutdown >/dev/null 2>&1 || true
  fi
  if [[ -f "$dir/mysql/mysqld.pid" ]]; then
    kill "$(cat "$dir/mysql/mysqld.pid")" 2>/dev/null || true
    for _ in $(seq 1 100); do
      mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 || break
      sleep 0.1
    done
  fi
  echo "stack: stopped"
}

aof_idle() {  # no AOF rewrite running or scheduled
  local info
  info=$(redis-cli -p "$redis_port" info persistence)
  grep -q '^aof_rewrite_in_progress:0' <<<"$info" && grep -q '^aof_rewrite_scheduled:0' <<<"$info"
}

reset() {
  if ((cluster)); then
    # Every master empties its slots (replicas follow); cluster AOFs are not compacted.
    redis-cli --cluster call "127.0.0.1:$cluster_port" flushall --cluster-only-masters >/dev/null
    reset_mysql
    return
  fi
  redis-cli -p "$redis_port" flushall >/dev/null
  until aof_idle; do sleep 0.1; done  # BGREWRITEAOF is refused while one runs
  redis-cli -p "$redis_port" bgrewriteaof >/dev/null
  sleep 0.1
  until aof_idle; do sleep 0.1; done
  reset_mysql
}

reset_mysql() {
  mariadb --no-defaults --socket="$sock" -uroot \
    -e 'DROP DATABASE IF EXISTS flashsale; CREATE DATABASE flashsale CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
}

case "${1:-}" in
  start) start ;;
  reset) reset ;;
  stop) stop ;;
  status)
    if ((cluster)); then
      redis-cli -p "$cluster_port" cluster info 2>/dev/null |
        grep -E '^cluster_(state|known_nodes|size):' || echo "redis cluster: down"
    else
      redis-cli -p "$redis_port" ping 2>/dev/null || echo "redis: down"
    fi
    mariadb-admin --no-defaults --socket="$sock" -uroot ping 2>/dev/null || echo "mariadb: down" ;;
  env) echo "FLASHSALE_REDIS_URL=$redis_url"; echo "FLASHSALE_MYSQL_URL=$mysql_url" ;;
  *) echo "usage: $0 [--cluster] start|stop|status|env|reset" >&2; exit 2 ;;
esac
