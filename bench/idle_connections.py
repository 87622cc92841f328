#!/usr/bin/env python3
"""Opens many idle HTTP/1.1 keep-alive connections to a server and holds them open.

Each connection sends one complete `GET PATH HTTP/1.1` (keep-alive) request and reads the whole
response, so the server sees a real idle keep-alive connection waiting for its next request (not a
half-open socket still in its header phase). Then the script writes a JSON line to --ready-file and
holds every connection until --release-file appears (or --hold seconds pass), checks how many the
server still keeps open, closes them all and prints a JSON summary on stdout.

Python 3 standard library only. Used by scripts/bench.sh (RSS with 10,000 idle connections).
"""
import argparse
import errno
import json
import os
import resource
import selectors
import socket
import sys
import time


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Conn:
    __slots__ = ("sock", "state", "buf", "need", "status", "keep_alive")

    def __init__(self, sock):
        self.sock = sock
        self.state = "connecting"
        self.buf = b""
        self.need = None  # total bytes (header + body) once the header is parsed
        self.status = 0
        self.keep_alive = True


def parse_header(c):
    end = c.buf.find(b"\r\n\r\n")
    if end < 0:
        return False
    lines = c.buf[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    c.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.lower() == "close":
            c.keep_alive = False
        elif name == "transfer-encoding":
            raise ValueError("chunked responses are not supported by this tool")
    c.need = end + 4 + length
    return True


def open_batch(host, port, request, n, timeout):
    """Opens n connections concurrently; returns (ready sockets, failure reasons)."""
    sel = selectors.DefaultSelector()
    conns, failures = [], []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        rc = s.connect_ex((host, port))
        if rc not in (0, errno.EINPROGRESS):
            failures.append("connect: " + os.strerror(rc))
            s.close()
            continue
        c = Conn(s)
        conns.append(c)
        sel.register(s, selectors.EVENT_WRITE, c)
    pending = len(conns)
    deadline = time.monotonic() + timeout
    done = []
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            c = key.data
            try:
                if c.state == "connecting":
                    err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        raise OSError(err, "connect: " + os.strerror(err))
                    c.sock.sendall(request)  # tiny: fits the empty send buffer
                    c.state = "reading"
                    sel.modify(c.sock, selectors.EVENT_READ, c)
                    continue
                chunk = c.sock.recv(65536)
                if not chunk:
                    raise OSError(0, "server closed the connection before answering")
                c.buf += chunk
                if c.need is None and not parse_header(c):
                    continue
                if len(c.buf) < c.need:
                    continue
                if len(c.buf) > c.need:
                    raise OSError(0, "unexpected extra bytes after the response")
                if c.status != 200:
                    raise OSError(0, "status %d" % c.status)
                if not c.keep_alive:
                    raise OSError(0, "server answered Connection: close")
                sel.unregister(c.sock)
                c.state = "idle"
                c.buf = b""
                done.append(c.sock)
                pending -= 1
            except (OSError, ValueError) as e:
                sel.unregister(c.sock)
                c.sock.close()
                c.state = "failed"
                failures.append(str(e))
                pending -= 1
    for c in conns:
        if c.state in ("connecting", "reading"):
            sel.unregister(c.sock)
            c.sock.close()
            failures.append("timeout")
    sel.close()
    return done, failures


def count_still_open(socks):
    """A socket the server closed is readable (EOF); an idle keep-alive one is not."""
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    readable = len(sel.select(timeout=0.2))
    sel.close()
    return len(socks) - readable


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--path", default="/healthz")
    ap.add_argument("--batch", type=int, default=500, help="connections opened concurrently")
    ap.add_argument("--timeout", type=float, default=30, help="seconds allowed per batch")
    ap.add_argument("--ready-file", required=True, help="written (JSON) once every connection is idle")
    ap.add_argument("--release-file", help="close everything once this file exists")
    ap.add_argument("--hold", type=float, default=60, help="longest time to hold the connections, seconds")
    a = ap.parse_args()

    nofile = raise_nofile(a.count + 256)
    if nofile < a.count + 16:
        print(json.dumps({"error": "RLIMIT_NOFILE is %d: raise it (ulimit -n) above %d" % (nofile, a.count + 16)}))
        return 2

    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: lienthong-bench-idle\r\n"
               "Connection: keep-alive\r\n\r\n" % (a.path, a.host, a.port)).encode()
    t0 = time.monotonic()
    socks, failures = [], []
    while len(socks) + len(failures) < a.count:
        n = min(a.batch, a.count - len(socks) - len(failures))
        ok, bad = open_batch(a.host, a.port, request, n, a.timeout)
        socks += ok
        failures += bad
        if len(failures) > max(100, a.count // 10):
            break  # something is badly wrong: stop hammering
    opened_s = time.monotonic() - t0

    reasons = {}
    for f in failures:
        reasons[f] = reasons.get(f, 0) + 1
    state = {"requested": a.count, "open": len(socks), "failed": len(failures),
             "failure_reasons": reasons, "open_seconds": round(opened_s, 2)}
    with open(a.ready_file + ".tmp", "w") as f:
        f.write(json.dumps(state) + "\n")
    os.rename(a.ready_file + ".tmp", a.ready_file)

    deadline = time.monotonic() + a.hold
    while time.monotonic() < deadline:
        if a.release_file and os.path.exists(a.release_file):
            break
        time.sleep(0.05)
    state["still_open_at_release"] = count_still_open(socks)
    state["held_seconds"] = round(time.monotonic() - t0 - opened_s, 2)
    for s in socks:
        s.close()
    print(json.dumps(state))
    sys.stdout.flush()
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
