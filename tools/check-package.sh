#!/usr/bin/env bash
# tools/check-package.sh [BUILD_DIR]: what a user of the installed package gets. Installs
# BUILD_DIR (default build/) into a temporary prefix, then builds examples/embed_memory and
# examples/embed_stack against it with nothing but find_package(flashsale), runs the first,
# and runs the second against a Redis and a MariaDB of its own (tools/stack.sh on free
# loopback ports in a temp dir, always stopped). Exit 0 when both examples pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=$(mktemp -d /tmp/flashsale-package.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export FLASHSALE_STACK_DIR="$work/stack"
FLASHSALE_STACK_REDIS_PORT=$(free_port)
FLASHSALE_STACK_MYSQL_PORT=$(free_port)
export FLASHSALE_STACK_REDIS_PORT FLASHSALE_STACK_MYSQL_PORT
cleanup() {
  "$root/tools/stack.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== install into $work/prefix"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
for example in embed_memory embed_stack; do
  echo "== build examples/$example against the installed package"
  cmake -S "$root/examples/$example" -B "$work/$example" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$work/$example" >/dev/null
done
run() {  # run <example>: its output, and its log when it fails
  if ! timeout 120 "$work/$1/$1" 2>"$work/$1.log"; then
    echo "check-package: $1 FAILED; its log:" >&2
    cat "$work/$1.log" >&2
    exit 1
  fi
}
echo "== run embed_memory"
run embed_memory
echo "== run embed_stack (Redis :$FLASHSALE_STACK_REDIS_PORT, MariaDB :$FLASHSALE_STACK_MYSQL_PORT)"
"$root/tools/stack.sh" start >/dev/null
export $("$root/tools/stack.sh" env)
run embed_stack
echo "check-package: PASS"
