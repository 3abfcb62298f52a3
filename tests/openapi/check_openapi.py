#!/usr/bin/env python3
"""docs/openapi.yaml against itself and against the server.

check_openapi.py <flashsale-rest binary> <docs/openapi.yaml>

1. The document is valid OpenAPI 3.1 (openapi-spec-validator).
2. The binary serves the same document at GET /openapi.yaml.
3. A walk through every route and its usual outcomes on a real flashsale-rest (embedded
   default, admin token, a second instance with a rate limit, a draining one): each answer's
   status must be documented for its operation, its media type listed, the documented
   headers present, and a JSON body must validate against the documented schema (JSON Schema
   2020-12, as OpenAPI 3.1 says). Exit 0 when everything holds; every mismatch is printed.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import ctypes

import yaml
from openapi_schema_validator import OAS31Validator

try:  # openapi-spec-validator >= 0.7
    from openapi_spec_validator import validate as validate_spec
except ImportError:  # older releases
    from openapi_spec_validator import validate_spec

TOKEN = "openapi-check-admin-token"
failures = []


def die_with_parent():
    """In the child: SIGTERM when this script dies (ctest's timeout kills it outright)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    def __init__(self, binary, *args):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="openapi-app-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([binary, "--port", str(self.port), *args],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=die_with_parent)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if self.request("GET", "/livez")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("flashsale-rest did not start; log: " + self.log.name)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        payload = r.read()
        conn.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, payload

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        os.unlink(self.log.name)


def operation_for(spec, method, path):
    path = path.split("?", 1)[0]
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def check(spec, name, answer, method, path, expected):
    status, headers, payload = answer
    where = f"{name}: {method} {path} -> {status}"
    if status != expected:
        failures.append(f"{where}: expected {expected}; body {payload[:200]!r}")
        return
    template, op = operation_for(spec, method, path)
    documented_path = operation_for(spec, "get", path)[0] or operation_for(spec, "post", path)[0]
    if op is None and status == 405 and documented_path:
        # Another method on a documented path: the document's MethodNotAllowed answer.
        op = {"responses": {"405": {"$ref": "#/components/responses/MethodNotAllowed"}}}
    if op is None:
        failures.append(f"{where}: no documented operation")
        return
    response = resolve(spec, op.get("responses", {}).get(str(status)))
    if response is None:
        failures.append(f"{where}: status {status} not documented for {method} {template}")
        return
    for header in response.get("headers", {}):
        if header.lower() not in headers:
            failures.append(f"{where}: documented header {header} missing")
    content = response.get("content", {})
    media = headers.get("content-type", "").split(";")[0].strip()
    if not content:
        return
    if media not in content:
        failures.append(f"{where}: media type {media!r} not documented ({list(content)})")
        return
    schema = content[media].get("schema")
    if schema is None or not media.endswith("json"):
        return
    try:
        body = json.loads(payload)
    except ValueError:
        failures.append(f"{where}: body is not JSON: {payload[:200]!r}")
        return
    root = {"allOf": [schema], "components": spec["components"]}
    errors = sorted(OAS31Validator(root).iter_errors(body), key=str)
    for error in errors[:3]:
        failures.append(f"{where}: {error.message} at {list(error.absolute_path)}")


def walk_buying(spec, app):
    def run(name, method, path, expected, body=None, headers=None):
        answer = app.request(method, path, body, headers)
        check(spec, name, answer, method, path, expected)
        return answer

    for probe in ("/", "/health", "/livez", "/readyz", "/metrics", "/openapi.yaml"):
        run("probe", "GET", probe, 200)
    run("405", "DELETE", "/health", 405)
    buy = {"request_id": "r1", "user_id": "ann", "item_id": "iphone-15", "quantity": 1}
    first = json.loads(run("purchase", "POST", "/api/purchase", 200, buy)[2])
    run("replay", "POST", "/api/purchase", 200, buy)
    run("duplicate", "POST", "/api/purchase", 409, {**buy, "quantity": 2})
    run("bad body", "POST", "/api/purchase", 400, b"{not json")
    run("missing field", "POST", "/api/purchase", 400, {"request_id": "r2", "user_id": "ann"})
    run("unknown item", "POST", "/api/purchase", 404, {**buy, "request_id": "r3", "item_id": "nope"})
    run("limit", "POST", "/api/purchase", 403, {**buy, "request_id": "r4", "quantity": 2})
    run("too big", "POST", "/api/purchase", 413, b"{" + b" " * 20000 + b"}")
    run("405", "GET", "/api/purchase", 405)
    run("order", "GET", "/api/orders/" + first["order_id"], 200)
    run("no order", "GET", "/api/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV", 404)
    run("products", "GET", "/api/products", 200)
    run("product", "GET", "/api/products/iphone-15", 200)
    run("no product", "GET", "/api/products/nope", 404)
    run("order form", "POST", "/api/orders", 202, {"user_id": 7, "product_id": "iphone-15"})
    run("order form bad", "POST", "/api/orders", 400, {"user_id": 7})
    code = json.loads(run("checkout", "POST", "/checkout?user_id=bob&item_id=iphone-15", 200)[2])
    run("checkout bad", "POST", "/checkout?user_id=bob", 400)
    done = "/purchase?code=" + code["checkout_code"]
    run("complete", "POST", done, 200)
    run("used", "POST", done, 409)
    run("unknown code", "POST", "/purchase?code=CHK_00000000000000000000000000_demo", 404)
    run("complete bad", "POST", "/purchase", 400)
    run("status", "GET", "/sale/status", 200)
    run("no sale", "GET", "/sale/status?sale_id=nope", 404)
    for user in ("cy", "di"):  # 7 units: 3 sold above, 2 + 2 now
        run("sell out", "POST", "/api/purchase", 200,
            {"request_id": "s-" + user, "user_id": user, "item_id": "iphone-15", "quantity": 2})
    run("sold out", "POST", "/api/purchase", 410, {**buy, "request_id": "r9", "user_id": "fay"})


def walk_admin(spec, app):
    auth = {"Authorization": "Bearer " + TOKEN}

    def run(name, method, path, expected, body=None, headers=auth):
        check(spec, name, app.request(method, path, body, headers), method, path, expected)

    sale = {"id": "bf", "per_user_limit": 2, "ends_at": "2099-01-01T00:00:00Z",
            "items": [{"id": "tv", "stock": 3, "price_cents": 49900, "name": "TV"}]}
    run("no token", "GET", "/admin/sales", 401, headers={})
    run("create", "POST", "/admin/sales", 201, sale)
    run("create again", "POST", "/admin/sales", 409, sale)
    run("create bad", "POST", "/admin/sales", 400, {"id": "x"})
    run("list", "GET", "/admin/sales", 200)
    run("show", "GET", "/admin/sales/bf", 200)
    run("show none", "GET", "/admin/sales/none", 404)
    run("audit", "GET", "/admin/sales/demo/audit", 200)
    run("close", "POST", "/admin/sales/bf/close", 200)
    run("closed", "POST", "/api/purchase", 409,
        {"request_id": "c1", "user_id": "gus", "item_id": "tv", "sale_id": "bf"}, {})


def main():
    binary, document = sys.argv[1], sys.argv[2]
    with open(document, "rb") as f:
        raw = f.read()
    spec = yaml.safe_load(raw)
    validate_spec(spec)
    print("openapi: the document is valid OpenAPI", spec["openapi"])

    app = App(binary, "--demo-stock", "7", "--demo-per-user-limit", "2", "--admin-token", TOKEN,
              "--max-body-bytes", "4096")
    try:
        served = app.request("GET", "/openapi.yaml")[2]
        if served != raw:
            failures.append("GET /openapi.yaml differs from docs/openapi.yaml")
        walk_buying(spec, app)
        walk_admin(spec, app)
    finally:
        app.stop()

    limited = App(binary, "--rate-limit-user", "1/s:1")
    try:
        buy = {"request_id": "q1", "user_id": "hal", "item_id": "iphone-15"}
        limited.request("POST", "/api/purchase", buy)
        answer = limited.request("POST", "/api/purchase", {**buy, "request_id": "q2"})
        check(spec, "rate limited", answer, "POST", "/api/purchase", 429)
    finally:
        limited.stop()

    draining = App(binary, "--shutdown-grace", "3")
    try:
        draining.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        check(spec, "draining", draining.request("GET", "/readyz"), "GET", "/readyz", 503)
        buy = {"request_id": "d1", "user_id": "ivy", "item_id": "iphone-15"}
        check(spec, "draining", draining.request("POST", "/api/purchase", buy), "POST",
              "/api/purchase", 503)
    finally:
        draining.stop()

    for failure in failures:
        print("openapi: FAIL", failure)
    print("openapi:", "PASS" if not failures else f"{len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
