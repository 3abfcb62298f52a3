#!/usr/bin/env bash
# tools/package-deb.sh [BUILD_DIR]: builds flashsale_<version>_amd64.deb with cpack from
# BUILD_DIR (default build/; configure it with -DCMAKE_BUILD_TYPE=Release, as tools/test.sh
# does) and checks it: its files (the apps, flashsalectl, the systemd units, the settings
# template, the docs), its Depends (from dpkg-shlibdeps: the runtime libraries), and that the
# unpacked binaries answer --help and --version and serve the embedded default.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=$(mktemp -d /tmp/flashsale-deb.XXXXXX)
app_pid=
cleanup() {
  [[ -n "$app_pid" ]] && kill "$app_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package-deb: FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb="$build/flashsale_${version}_amd64.deb"
[[ -f "$deb" ]] || fail "no $deb"
echo "== $(basename "$deb"): $(du -h "$deb" | cut -f1)"

dpkg-deb -c "$deb" | awk '{print $6}' >"$work/files"
for f in ./usr/bin/flashsale-rest ./usr/bin/flashsale-grpc ./usr/bin/flashsalectl \
  ./usr/lib/systemd/system/flashsale-rest.service ./usr/lib/systemd/system/flashsale-grpc.service \
  ./usr/share/flashsale/flashsale.default ./usr/share/doc/flashsale/openapi.yaml; do
  grep -qx "$f" "$work/files" || fail "$f not in the package"
done
if grep -q '^./usr/include/\|\.a$' "$work/files"; then fail "headers or static libraries in the package"; fi
echo "  files: $(grep -vc '/$' "$work/files") (apps, units, settings template, docs)"

depends=$(dpkg-deb -f "$deb" Depends)
for lib in libhiredis0.14 libpistache0 'libgrpc++1.51' libmysqlcppconn7v5 libprotobuf32 \
  libprometheus-cpp-core1.0 libfmt9 libcurl4; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
echo "  Depends: $depends"
dpkg-deb -I "$deb" postinst >/dev/null || fail "no postinst"
for unit in flashsale-rest flashsale-grpc; do
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/lib/systemd/system/$unit.service" |
    grep -q "^ExecStart=/usr/bin/$unit$" || fail "$unit.service does not start /usr/bin/$unit"
done

dpkg -x "$deb" "$work/root"
for bin in flashsale-rest flashsale-grpc flashsalectl; do
  "$work/root/usr/bin/$bin" --help >/dev/null || fail "$bin --help"
  "$work/root/usr/bin/$bin" --version | grep -q "^$version" || fail "$bin --version"
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$work/root/usr/bin/flashsale-rest" --port "$port" >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS -X POST "http://127.0.0.1:$port/api/purchase" \
  -d '{"request_id":"p1","user_id":"u","item_id":"iphone-15"}' | grep -q '"success":true' ||
  fail "the unpacked flashsale-rest did not sell"
kill -TERM "$app_pid"
wait "$app_pid" || fail "flashsale-rest did not stop cleanly"
app_pid=
echo "  unpacked binaries: --help, --version, and a sale on the embedded default: ok"
echo "package-deb: PASS"
