#!/usr/bin/env bash
# Local Redis (AOF on) and MariaDB on loopback, data under .local/stack/ (git-ignored).
#   tools/stack.sh start | stop | status | env | reset
# reset (for benchmarks: each measurement starts from the same state) empties Redis and
# compacts its AOF (FLUSHALL, then BGREWRITEAOF, waited for) and recreates the flashsale
# database empty (the apps' --migrate creates the schema again). It destroys all data.
# Ports: FLASHSALE_STACK_REDIS_PORT (16379), FLASHSALE_STACK_MYSQL_PORT (13306); data dir:
# FLASHSALE_STACK_DIR (.local/stack).
# Redis fsync policy: FLASHSALE_STACK_APPENDFSYNC (everysec | always).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="${FLASHSALE_STACK_DIR:-$root/.local/stack}"
redis_port=${FLASHSALE_STACK_REDIS_PORT:-16379}
mysql_port=${FLASHSALE_STACK_MYSQL_PORT:-13306}
appendfsync=${FLASHSALE_STACK_APPENDFSYNC:-everysec}
sock="$dir/mysql/mysqld.sock"

redis_url="redis://127.0.0.1:$redis_port"
mysql_url="mysql://flashsale:flashsale@127.0.0.1:$mysql_port/flashsale"

start() {
  mkdir -p "$dir/redis" "$dir/mysql"
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --save '' \
      --appendonly yes --appendfsync "$appendfsync" --daemonize yes \
      --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log"
    until redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG; do sleep 0.05; done
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
  redis-cli -p "$redis_port" shutdown >/dev/null 2>&1 || true
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
  redis-cli -p "$redis_port" flushall >/dev/null
  until aof_idle; do sleep 0.1; done  # BGREWRITEAOF is refused while one runs
  redis-cli -p "$redis_port" bgrewriteaof >/dev/null
  sleep 0.1
  until aof_idle; do sleep 0.1; done
  mariadb --no-defaults --socket="$sock" -uroot \
    -e 'DROP DATABASE IF EXISTS flashsale; CREATE DATABASE flashsale CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
}

case "${1:-}" in
  start) start ;;
  reset) reset ;;
  stop) stop ;;
  status)
    redis-cli -p "$redis_port" ping 2>/dev/null || echo "redis: down"
    mariadb-admin --no-defaults --socket="$sock" -uroot ping 2>/dev/null || echo "mariadb: down" ;;
  env) echo "FLASHSALE_REDIS_URL=$redis_url"; echo "FLASHSALE_MYSQL_URL=$mysql_url" ;;
  *) echo "usage: $0 start|stop|status|env|reset" >&2; exit 2 ;;
esac
