#!/usr/bin/env bash
# tools/check-deploy.sh [BUILD_DIR]: what can be checked of the container and monitoring
# setup on a machine with no Docker engine.
#   - docker-compose.yml parses; every build context, Dockerfile and bind-mounted file exists;
#     the services depend only on services that exist.
#   - Dockerfile: a Debian 12 build stage, a slim runtime stage, a non-root USER, a HEALTHCHECK
#     on /livez, and the runtime packages it installs exist in Debian 12 (apt-cache).
#   - promtool check config (deploy/prometheus/prometheus.yml, with its rule files) and
#     promtool check rules (deploy/prometheus/alerts.yml).
#   - flashsale-rest's /metrics and flashsale-grpc's --metrics-port pass promtool check metrics,
#     and every metric named in the Grafana dashboard and in the alerts is one they export.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
cd "$root"
"$root/tools/install-deps.sh" "$root/tools/apt-deploy.txt" >/dev/null
work=$(mktemp -d /tmp/flashsale-deploy.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-deploy: FAIL: $*" >&2; exit 1; }

echo "== docker-compose.yml"
/usr/bin/python3 - <<'PY' || fail "docker-compose.yml"
import os, sys, yaml
doc = yaml.safe_load(open("docker-compose.yml"))
services = doc["services"]
problems = []
for name, svc in services.items():
    build = svc.get("build")
    if build:
        ctx = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        if not os.path.isfile(os.path.join(ctx, dockerfile)):
            problems.append(f"{name}: no {dockerfile} in {ctx}")
    for volume in svc.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith((".", "/")) and not os.path.exists(source):
            problems.append(f"{name}: mounts {source}, which does not exist")
    depends = svc.get("depends_on", [])
    for other in (depends if isinstance(depends, list) else depends.keys()):
        if other not in services:
            problems.append(f"{name}: depends on unknown service {other}")
    if "image" not in svc and not build:
        problems.append(f"{name}: neither image nor build")
for needed in ("redis", "mariadb", "migrate", "flashsale-rest", "flashsale-grpc", "prometheus", "grafana"):
    if needed not in services:
        problems.append(f"service {needed} missing")
for p in problems:
    print("  " + p)
print(f"  {len(services)} services, {len(problems)} problems")
sys.exit(1 if problems else 0)
PY

echo "== Dockerfile"
grep -q '^FROM debian:12 AS build' Dockerfile || fail "no Debian 12 build stage"
grep -q '^FROM debian:12-slim' Dockerfile || fail "no slim runtime stage"
grep -q '^USER flashsale' Dockerfile || fail "no non-root USER"
grep -A2 '^HEALTHCHECK' Dockerfile | grep -q '/livez' || fail "no HEALTHCHECK on /livez"
runtime_pkgs=$(/usr/bin/python3 -c '
import re
text = open("Dockerfile").read()
stage = text[text.index("FROM debian:12-slim"):]
install = re.search(r"apt-get install -y --no-install-recommends(.*?)&&", stage, re.S).group(1)
print(" ".join(t for t in install.replace("\\", " ").split() if not t.startswith("-")))')
for pkg in $runtime_pkgs; do
  apt-cache show "$pkg" >/dev/null 2>&1 || fail "Dockerfile installs $pkg, unknown to apt"
done
echo "  stages, user, healthcheck present; $(wc -w <<<"$runtime_pkgs") runtime packages known to apt"

echo "== promtool"
promtool check config deploy/prometheus/prometheus.yml
promtool check rules deploy/prometheus/alerts.yml

echo "== metrics the apps export"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rest_port=$(free_port)
metrics_port=$(free_port)
"$build/apps/flashsale-rest" --port "$rest_port" >"$work/rest.log" 2>&1 &
pids+=($!)
"$build/apps/flashsale-grpc" --port 0 --metrics-port "$metrics_port" >"$work/grpc.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$rest_port/livez" >/dev/null 2>&1 &&
    curl -fsS "http://127.0.0.1:$metrics_port/metrics" >/dev/null 2>&1 && break
  sleep 0.1
done
# One purchase and one 404, so that the labelled series exist too.
curl -fsS -X POST "http://127.0.0.1:$rest_port/api/purchase" \
  -d '{"request_id":"d1","user_id":"u","item_id":"iphone-15"}' >/dev/null
curl -sS "http://127.0.0.1:$rest_port/nope" >/dev/null
curl -fsS "http://127.0.0.1:$rest_port/metrics" >"$work/rest.prom" || fail "REST /metrics"
curl -fsS "http://127.0.0.1:$metrics_port/metrics" >"$work/grpc.prom" || fail "gRPC /metrics"
promtool check metrics <"$work/rest.prom"
promtool check metrics <"$work/grpc.prom"
cat "$work/rest.prom" "$work/grpc.prom" | grep -oE '^[a-zA-Z_:][a-zA-Z0-9_:]*' | sort -u >"$work/exported"

echo "== dashboard and alerts name exported metrics"
/usr/bin/python3 - "$work/exported" <<'PY' || fail "dashboard or alerts"
import json, re, sys, yaml
exported = set(open(sys.argv[1]).read().split())
exprs = []
dash = json.load(open("deploy/grafana/dashboards/flashsale.json"))
for panel in dash["panels"]:
    for target in panel.get("targets", []):
        exprs.append(("dashboard: " + panel["title"], target["expr"]))
for group in yaml.safe_load(open("deploy/prometheus/alerts.yml"))["groups"]:
    for rule in group["rules"]:
        exprs.append(("alert " + rule["alert"], rule["expr"]))
problems = 0
for where, expr in exprs:
    for name in re.findall(r"\bflashsale_[a-z0-9_]+", expr):
        if name not in exported:
            print(f"  {where}: {name} is not exported")
            problems += 1
print(f"  {len(exprs)} expressions, {len(exported)} exported series names, {problems} unknown")
sys.exit(1 if problems else 0)
PY
echo "check-deploy: PASS"
