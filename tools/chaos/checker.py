#!/usr/bin/env python3
"""The independent checker of tools/chaos.sh: drives REST purchases and logs every answer,
then verifies the invariants against MySQL and the admin audit.

  checker.py load PORT_FILE LOG STOP_FILE   buy until STOP_FILE exists; one line per request
  checker.py verify PORT LOG TOKEN LIMIT MYSQL_PORT
"""
import json, os, random, socket, subprocess, sys, threading, time
from http.client import HTTPConnection

CLIENTS, USERS = 24, 20000  # enough users that purchases keep being accepted all along


def send(port, method, path, body=None, headers=None, timeout=5):
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


def load(port_file, log_path, stop_file):
    lock = threading.Lock()
    log = open(log_path, "a", buffering=1)

    def worker(c):
        conn, port, i = None, None, 0
        while not os.path.exists(stop_file):
            i += 1
            rid, user = f"c{c}-{i}-{random.randrange(1 << 30)}", f"u{random.randrange(USERS)}"
            body = json.dumps({"request_id": rid, "user_id": user, "item_id": "iphone-15"})
            try:
                if conn is None:
                    port = int(open(port_file).read())
                    conn = HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("POST", "/api/purchase", body=body,
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                text = r.read().decode()
                order = json.loads(text).get("order_id", "") if r.status == 200 else ""
                kind = str(r.status)
                if r.getheader("Connection", "").lower() == "close":
                    conn.close(); conn = None
            except ConnectionRefusedError:
                kind, order = "refused", ""  # never reached the server: nothing to check
                conn = None
                time.sleep(0.05)
            except (OSError, ValueError) as e:  # sent, but the answer never came
                kind, order = "broken", ""
                if conn: conn.close()
                conn = None
                time.sleep(0.01)
            with lock:
                log.write(f"{rid} {user} {kind} {order} {body}\n")

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(CLIENTS)]
    for t in threads: t.start()
    for t in threads: t.join()


def mysql(port, sql):
    out = subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{port}", "-uflashsale",
                          "-pflashsale", "-N", "-B", "flashsale", "-e", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def verify(port, log_path, token, limit, mysql_port):
    auth = {"Authorization": f"Bearer {token}"}
    answers = {}
    for line in open(log_path):
        rid, user, kind, order, body = line.rstrip("\n").split(" ", 4)
        answers[rid] = (user, kind, order, body)
    kinds = {}
    for _, kind, _, _ in answers.values(): kinds[kind] = kinds.get(kind, 0) + 1
    problems = []
    # 1. Persistence settles (orders of killed instances are reclaimed after ~30 s).
    deadline = time.time() + 120
    while True:
        status, text = send(port, "GET", "/admin/sales/demo/audit", headers=auth)
        audit = json.loads(text)
        if status == 200 and audit["items"][0]["pending"] == 0 or time.time() > deadline: break
        time.sleep(1)
    if status != 200 or not audit.get("consistent"):
        problems.append(f"audit not consistent: {text}")
    if audit["items"][0]["pending"] != 0: problems.append(f"orders still pending: {text}")
    if audit["max_units_per_user"] > limit: problems.append(f"a user above the limit: {text}")
    # 2. Every 200 is in MySQL, confirmed, once; nothing else is stored but unknown outcomes.
    rows = mysql(mysql_port, "SELECT order_id, request_id, status FROM orders WHERE sale_id='demo'")
    stored = {r[1]: (r[0], r[2]) for r in rows}
    if len(stored) != len(rows): problems.append("a request id stored twice")
    for rid, (user, kind, order, _) in answers.items():
        if kind == "200":
            if stored.get(rid) != (order, "confirmed"):
                problems.append(f"200 {rid} {order}: stored as {stored.get(rid)}")
    unknown = 0
    for rid in stored:
        kind = answers.get(rid, (None, "absent"))[1]
        if kind == "broken": unknown += 1
        elif kind != "200": problems.append(f"{rid} stored though its answer was {kind}")
    # 3. Replays of accepted requests answer the same order.
    accepted = [(rid, a) for rid, a in answers.items() if a[1] == "200"]
    for rid, (user, kind, order, body) in random.sample(accepted, min(100, len(accepted))):
        status, text = send(port, "POST", "/api/purchase", body,
                            {"Content-Type": "application/json"})
        reply = json.loads(text)
        if status != 200 or reply.get("order_id") != order or not reply.get("replayed"):
            problems.append(f"replay of {rid}: {status} {text}")
    item = audit["items"][0]
    print(json.dumps({"answers": kinds, "stored": len(stored),
                      "stored_with_unknown_outcome": unknown, "persisted": item["persisted"],
                      "remaining": item["remaining"], "initial": item["initial"],
                      "consistent": audit.get("consistent"), "problems": len(problems)}))
    for p in problems[:20]: print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(*sys.argv[2:5])
    else:
        sys.exit(verify(int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]),
                        int(sys.argv[6])))
