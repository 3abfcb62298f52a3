# Client half of tools/probes/sigterm_probe.sh (see there).
# Probe: purchases on fresh connections (and keep-alive ones) across a SIGTERM; any order stored
# in MySQL whose request got no HTTP answer is an accepted answer cut by the shutdown.
import json, os, random, signal, socket, subprocess, sys, threading, time
port = int(sys.argv[1]); run = sys.argv[2]; keepalive = sys.argv[3] == "ka"
results = {}; lock = threading.Lock(); stop = threading.Event()
def once(sock, rid, user):
    body = json.dumps({"request_id": rid, "user_id": user, "item_id": "iphone-15"}).encode()
    req = (f"POST /api/purchase HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           f"Content-Length: {len(body)}\r\nConnection: {'keep-alive' if keepalive else 'close'}\r\n\r\n").encode() + body
    sock.sendall(req)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk: raise ConnectionError("eof")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk: raise ConnectionError("eof body")
        rest += chunk
    return int(head.split(b" ")[1]), b"connection: close" in head.lower()
def worker(c):
    i = 0; sock = None
    while not stop.is_set():
        i += 1; rid = f"{run}-{c}-{i}"; user = f"u{c}-{i % 50}"
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            status, close = once(sock, rid, user)
            with lock: results[rid] = status
            if close or not keepalive:
                sock.close(); sock = None
        except (ConnectionRefusedError,):
            with lock: results[rid] = "refused"; 
            return
        except Exception as e:
            with lock: results[rid] = "broken:" + type(e).__name__
            if sock: sock.close()
            sock = None
            time.sleep(0.001)
threads = [threading.Thread(target=worker, args=(c,)) for c in range(48)]
for t in threads: t.start()
time.sleep(float(sys.argv[4]))
pid = int(open("/tmp/probe_app.pid").read())
os.kill(pid, signal.SIGTERM)
time.sleep(1.5); stop.set()
for t in threads: t.join()
broken = [r for r, s in results.items() if isinstance(s, str) and s.startswith("broken")]
ok = sum(1 for s in results.values() if s == 200)
print(json.dumps({"requests": len(results), "ok": ok, "503": sum(1 for s in results.values() if s == 503), "broken": len(broken)}))
open("/tmp/probe_broken.txt", "w").write("\n".join(broken))
