#!/usr/bin/env python3
"""Data-exchange benchmarks (issue 6) for scripts/bench.sh (Python 3 standard library only).

  gateway-setup OPTIONS           over the API of a running server: a client and a provider member system
                                  (member-system accounts, the client's API key), a service whose upstream is
                                  the benchmark's small upstream, a grant; checks one call through the gateway
                                  (200, the upstream's body) and its line in the message log; writes the
                                  files gateway.lua reads
  subscriber OPTIONS              a local webhook subscriber (asyncio, HTTP/1.1 keep-alive) that answers 200 to
                                  every POST and counts the events it gets by X-Event-Type and X-Event-Id
                                  (first arrival time of each, duplicates); GET /stats?type=T for the counts,
                                  GET /dump?type=T for the arrivals; on SIGTERM it writes them all to --out
  events-setup OPTIONS            over the API: a publisher and a subscriber member system, one event type per
                                  attempt (and one for the check), push subscriptions to the subscriber; publishes
                                  a few check events and waits until they arrive
  wait-events OPTIONS             waits until the subscriber has COUNT distinct events of a type (or the time
                                  limit, or no progress for a while); prints its stats as JSON
  events-record OPTIONS           turn one timed publish-and-deliver run into a JSON result line
  add-target JSON --max-added-p50-ms N
                                  add a maximum added median latency (against the baseline) to a wrk result line
  report RESULTS.jsonl META.json OUTDIR
                                  dossier_bench.py's report, plus the gateway's added median latency, the
                                  events/s target and the exchange notes in results.md
"""
import argparse
import asyncio
import datetime
import json
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_util as bu  # noqa: E402
import dossier_bench as db  # noqa: E402

ApiFailure = db.ApiFailure


def call(url, method="GET", body=None, token=None, headers=None, raw=None, expect=(200, 201)):
    return db.call(url, method, body, token, headers, raw, expect)


def member_system(base, admin, username, system_id, unit, rate=None):
    """A member-system account with a fresh API key, registered as the exchange system `system_id`."""
    _, r = call(base + "/api/v1/accounts", "POST", token=admin,
                body={"username": username, "display_name": "Bench " + system_id, "role": "member-system",
                      "unit_code": unit})
    account = r["account"]["id"]
    _, k = call(base + "/api/v1/accounts/%d/api-keys" % account, "POST", token=admin)
    body = {"id": system_id, "name": "Bench " + system_id, "account_id": account}
    if rate is not None:
        body["rate_per_second"] = rate
    call(base + "/api/v1/exchange/systems", "POST", token=admin, body=body)
    return account, k["key"]


# ---- gateway -----------------------------------------------------------------------------------------

def gateway_setup(a):
    base = a.url.rstrip("/")
    admin, _ = db.login(base, a.admin_user, a.admin_password)
    # The client's rate limit is raised to the maximum (the default, 1,000/s, would answer 429 under load).
    _, client_key = member_system(base, admin, "bench.gw.client", a.client, a.unit, rate=1000000)
    member_system(base, admin, "bench.gw.provider", a.provider, a.unit)
    _, s = call(base + "/api/v1/exchange/services", "POST", token=admin,
                body={"provider": a.provider, "code": a.service, "upstream": a.upstream, "methods": ["GET"],
                      "paths": [a.prefix], "timeout_ms": 5000, "description": "lienthong bench: small upstream"})
    service_id = s["service"]["id"]
    _, g = call(base + "/api/v1/exchange/grants", "POST", token=admin,
                body={"client": a.client, "service_id": service_id, "methods": ["GET"]})
    path = "/r1/%s/%s%s" % (a.provider, a.service, a.path)
    want = open(a.expect_body, "rb").read() if a.expect_body else None
    # A few checked calls: 200, the upstream's body, the X-Road headers.
    for n in range(3):
        mid = "bench-check-%d-%d" % (os.getpid(), n)
        req = urllib.request.Request(base + path, headers={"X-Road-Client": a.client, "X-API-Key": client_key,
                                                           "X-Road-Id": mid})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, body, hdr = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            raise ApiFailure("GET %s answered %d: %s" % (path, e.code, e.read()[:300]))
        if status != 200:
            raise ApiFailure("GET %s answered %d" % (path, status))
        if want is not None and body.strip() != want.strip():
            raise ApiFailure("GET %s: the body is not the upstream's: %r" % (path, body[:200]))
        if hdr.get("X-Road-Id") != mid or not hdr.get("X-Road-Request-Id"):
            raise ApiFailure("GET %s: X-Road-Id %r, X-Road-Request-Id %r" % (path, hdr.get("X-Road-Id"),
                                                                          hdr.get("X-Road-Request-Id")))
    # The message log has the last one (written in group commits, shortly after the answer).
    logged = False
    q = urllib.parse.urlencode({"client": a.client})
    for _ in range(50):
        _, m = call(base + "/api/v1/exchange/messages?" + q, token=admin)
        if any(x.get("message_id") == mid for x in m.get("items", [])):
            logged = True
            break
        time.sleep(0.1)
    if not logged:
        raise ApiFailure("the message %s is not in the message log" % mid)
    os.makedirs(a.out, exist_ok=True)
    info = {"client": a.client, "provider": a.provider, "service": a.service, "service_id": service_id,
            "grant_id": g["id"], "path": path, "api_key": client_key}
    with open(os.path.join(a.out, "setup.json"), "w") as f:
        json.dump(info, f, indent=1)
    with open(os.path.join(a.out, "api_key"), "w") as f:
        f.write(client_key + "\n")
    print("client %s (rate 1,000,000/s, own API key) granted GET on %s/%s (upstream %s); 3 checked calls 200 "
          "with the upstream's body; message %s in the message log" % (a.client, a.provider, a.service, a.upstream, mid))


# ---- the subscriber ----------------------------------------------------------------------------------

class Counts:
    def __init__(self):
        self.types = {}      # type -> {"first": {id: time}, "dups": n, "posts": n, "unsigned": n}
        self.requests = 0
        self.bad = 0

    def get(self, t):
        c = self.types.get(t)
        if c is None:
            c = self.types[t] = {"first": {}, "dups": 0, "posts": 0, "unsigned": 0, "first_at": None, "last": None}
        return c

    def dump(self, t):
        c = self.get(t)
        return {"type": t, "arrivals": c["first"], "duplicates": c["dups"], "posts": c["posts"], "unsigned": c["unsigned"]}

    def stats(self, t):
        c = self.types.get(t) or self.get(t)
        return {"type": t, "unique": len(c["first"]), "posts": c["posts"], "duplicates": c["dups"],
                "unsigned": c["unsigned"], "first_at": c["first_at"],
                "last_at": c["last"], "requests": self.requests, "bad_requests": self.bad}


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


class SubscriberProtocol(asyncio.Protocol):
    def __init__(self, counts):
        self.counts = counts
        self.buf = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buf[:end].decode("latin-1").split("\r\n")
            hdr = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                hdr[k.strip().lower()] = v.strip()
            if "chunked" in hdr.get("transfer-encoding", ""):
                self.counts.bad += 1
                self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                self.transport.close()
                return
            length = int(hdr.get("content-length", "0") or 0)
            if len(self.buf) < end + 4 + length:
                return
            self.buf = self.buf[end + 4 + length:]
            now = time.time()
            method, _, rest = lines[0].partition(" ")
            target = rest.split(" ", 1)[0]
            self.counts.requests += 1
            if method == "GET" and target.startswith("/stats"):
                t = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query).get("type", [""])[0]
                body = json.dumps(self.counts.stats(t)).encode()
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                                     % len(body) + body)
                continue
            if method == "GET" and target.startswith("/dump"):
                t = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query).get("type", [""])[0]
                body = json.dumps(self.counts.dump(t)).encode()
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                                     % len(body) + body)
                continue
            eid, etype = hdr.get("x-event-id"), hdr.get("x-event-type")
            if method != "POST" or not eid or not etype:
                self.counts.bad += 1
                self.transport.write(OK)
                continue
            c = self.counts.get(etype)
            c["posts"] += 1
            if not hdr.get("x-lienthong-signature"):
                c["unsigned"] += 1
            if eid in c["first"]:
                c["dups"] += 1
            else:
                c["first"][eid] = now
                c["last"] = now
                if c["first_at"] is None:
                    c["first_at"] = now
            self.transport.write(OK)


def subscriber(a):
    counts = Counts()

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SubscriberProtocol(counts), "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        stop = asyncio.Event()
        for s in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(s, stop.set)
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, a.port_file)
        await stop.wait()
        server.close()

    asyncio.run(main())
    out = {"requests": counts.requests, "bad_requests": counts.bad, "types": {t: counts.dump(t) for t in counts.types}}
    with open(a.out, "w") as f:
        json.dump(out, f)


def sub_stats(url, etype):
    with urllib.request.urlopen(url.rstrip("/") + "/stats?" + urllib.parse.urlencode({"type": etype}), timeout=10) as r:
        return json.loads(r.read())


def wait_events(url, etype, count, limit, stall):
    """Polls the subscriber every 50 ms until it has `count` distinct events of `etype`; gives up after
    `limit` seconds, or after `stall` seconds without a new event."""
    deadline = time.monotonic() + limit
    last_n, last_change = -1, time.monotonic()
    while True:
        s = sub_stats(url, etype)
        if s["unique"] >= count:
            s["complete"] = True
            return s
        now = time.monotonic()
        if s["unique"] != last_n:
            last_n, last_change = s["unique"], now
        if now >= deadline or now - last_change >= stall:
            s["complete"] = False
            s["gave_up"] = "time limit" if now >= deadline else "no new event for %g s" % stall
            return s
        time.sleep(0.05)


# ---- events ------------------------------------------------------------------------------------------

SCHEMA = json.dumps({"type": "object", "required": ["so", "ho_so"],
                     "properties": {"so": {"type": "integer"}, "ho_so": {"type": "string"}}})


def events_setup(a):
    base = a.url.rstrip("/")
    admin, _ = db.login(base, a.admin_user, a.admin_password)
    _, pub_key = member_system(base, admin, "bench.ev.publisher", a.publisher, a.unit, rate=1000000)
    _, sub_key = member_system(base, admin, "bench.ev.subscriber", a.subscriber_system, a.unit)

    def member(path, body, key, system, extra=None):
        h = {"X-Road-Client": system, "X-API-Key": key}
        h.update(extra or {})
        return call(base + path, "POST", body=body, headers=h)

    types = ["%s.%d" % (a.type_prefix, i) for i in range(1, a.attempts + 1)]
    check = a.type_prefix + ".kiem-tra"
    subs = {}
    for t in types + [check]:
        member("/api/v1/pubsub/event-types", {"name": t, "description": "lienthong bench: " + t, "schema": SCHEMA},
               pub_key, a.publisher)
        _, s = member("/api/v1/pubsub/subscriptions", {"event_type": t, "mode": "push", "url": a.hook},
                      sub_key, a.subscriber_system)
        subs[t] = s["id"]
    # A few check events (not timed): 201 each, then all delivered to the subscriber, signed.
    ids = []
    for n in range(a.check):
        _, r = member("/api/v1/pubsub/events/" + check, {"so": n, "ho_so": "KT-%05d" % n}, pub_key, a.publisher,
                      {"X-Event-Key": "kt-%d" % (n % 3)})
        ids.append(r["event_id"])
    s = wait_events(a.subscriber_url, check, a.check, 30, 10)
    if not s["complete"]:
        raise ApiFailure("the subscriber got %d of %d check events (%s)" % (s["unique"], a.check, s.get("gave_up")))
    if s["unsigned"]:
        raise ApiFailure("%d check events arrived without X-Lienthong-Signature" % s["unsigned"])
    _, st = call(base + "/api/v1/pubsub/event-status/%d" % ids[-1], headers={"X-Road-Client": a.publisher,
                                                                           "X-API-Key": pub_key})
    os.makedirs(a.out, exist_ok=True)
    info = {"publisher": a.publisher, "subscriber": a.subscriber_system, "types": types, "check_type": check,
            "subscriptions": subs, "api_key": pub_key, "check_status": st}
    with open(os.path.join(a.out, "setup.json"), "w") as f:
        json.dump(info, f, indent=1)
    with open(os.path.join(a.out, "api_key"), "w") as f:
        f.write(pub_key + "\n")
    print("publisher %s declared %d event types (schema: so integer, ho_so string); subscriber %s has a push "
          "subscription to %s for each; %d check events published and delivered (%d duplicates)"
          % (a.publisher, len(types) + 1, a.subscriber_system, a.hook, a.check, s["duplicates"]))


def _iso_s(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def events_record(a):
    """One timed run: N events published (wrk, publish.lua) from t0; delivered when the subscriber has
    all N. events/s = N / (last first-arrival - t0). Delivery latency of each event = its first arrival
    at the subscriber - its published_at (the server's commit time, ms)."""
    rec = {"kind": "wrk", "name": a.name, "title": a.title, "url": a.url, "script": "publish.lua",
           "baseline": None, "threads": a.threads, "connections": a.connections, "unit": "events/s",
           "events": a.events, "attempts": a.attempts,
           "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}, "non_2xx": 0}
    text = open(a.wrk_output, encoding="utf-8", errors="replace").read() if os.path.exists(a.wrk_output) else ""
    m = re.search(r"^BENCH_JSON (\{.*\})\s*$", text, re.M)
    if m:
        w = json.loads(m.group(1))
        rec["errors"] = w["errors"]
        rec["non_2xx"] = w["errors"]["status"]
        rec["publish_requests"] = w["requests"]
        rec["publish_latency_ms"] = {k: round(w["latency_us"][k] / 1000.0, 3) for k in ("p50", "p90", "p99", "max")}
    else:
        rec["failed"] = "wrk produced no result (exit status %s); see %s" % (a.wrk_exit, os.path.basename(a.wrk_output))
    sm = re.search(r"^BENCH_STATUSES (\{.*\})\s*$", text, re.M)
    if sm:
        rec["publish_statuses"] = json.loads(sm.group(1))
    t = json.load(open(a.subscriber_json)) if os.path.exists(a.subscriber_json) else {}
    arrivals = {int(k): v for k, v in t.get("arrivals", {}).items()}
    published = {}
    for line in open(a.published):
        parts = line.strip().split("|")
        if len(parts) >= 2 and parts[0].isdigit():
            published[int(parts[0])] = _iso_s(parts[1])
    delivered = [i for i in published if i in arrivals]
    rec.update({"published": len(published), "received": len(arrivals), "duplicates": t.get("duplicates", 0),
                "posts": t.get("posts", 0), "unsigned": t.get("unsigned", 0),
                "unknown_ids": len([i for i in arrivals if i not in published])})
    if not arrivals or not published:
        rec.setdefault("failed", "no events %s" % ("published" if not published else "received"))
        print(json.dumps(rec))
        return
    last = max(arrivals.values())
    span = last - a.t0
    rec["measured_s"] = round(span, 3)
    rec["requests"] = len(delivered)
    rec["rps"] = round(len(delivered) / span, 1) if span > 0 else 0.0
    pub_last = max(published.values())
    rec["publish_s"] = round(pub_last - a.t0, 3)
    rec["publish_rps"] = round(len(published) / (pub_last - a.t0), 1) if pub_last > a.t0 else None
    rec["drain_s"] = round(last - pub_last, 3)   # delivery still going after the last publish
    # Delivery alone: the events that arrived after the last publish, over that time.
    after = sum(1 for i in delivered if arrivals[i] > pub_last)
    rec["delivered_while_publishing"] = len(delivered) - after
    if rec["drain_s"] > 0:
        rec["drain_rps"] = round(after / (last - pub_last), 1)
    lat = sorted((arrivals[i] - published[i]) * 1000.0 for i in delivered)
    if lat:
        rec["latency_ms"] = {"mean": round(sum(lat) / len(lat), 3), "p50": round(db._percentile(lat, 50), 3),
                             "p75": round(db._percentile(lat, 75), 3), "p90": round(db._percentile(lat, 90), 3),
                             "p99": round(db._percentile(lat, 99), 3), "p999": round(db._percentile(lat, 99.9), 3),
                             "max": round(lat[-1], 3)}
    if a.deliveries:
        rec["deliveries"] = json.loads(a.deliveries)
    if len(published) != a.events:
        rec["failed"] = "%d events published, %d asked (see %s)" % (len(published), a.events, os.path.basename(a.wrk_output))
    elif len(delivered) < len(published):
        rec["failed"] = "the subscriber got %d of the %d published events (%s)" % (len(delivered), len(published),
                                                                                 a.gave_up or "gave up")
    hz = os.sysconf("SC_CLK_TCK")
    wall = a.wall_s
    cpu = {}
    if wall and a.server_ticks is not None:
        serving = a.server_ticks / hz
        cpu = {"process": a.cpu_label, "process_cores": round(serving / wall, 2)}
        if rec.get("requests"):
            cpu["cpu_us_per_request"] = round(serving / rec["requests"] * 1e6, 1)
        if a.subscriber_ticks is not None:
            cpu["subscriber_cores"] = round(a.subscriber_ticks / hz / wall, 2)
        if a.machine_ticks is not None:
            cpu["machine_cores"] = round(a.machine_ticks / hz / wall, 2)
            wrk_s = 0.0
            if a.times_before and a.times_after:
                wrk_s = bu.children_seconds(a.times_after) - bu.children_seconds(a.times_before)
                cpu["wrk_cores"] = round(wrk_s / wall, 2)
            used = serving + (a.subscriber_ticks or 0) / hz + wrk_s
            cpu["other_cores"] = round(max(0.0, a.machine_ticks / hz / wall - used / wall), 2)
    if cpu:
        rec["cpu"] = cpu
    rec["target"] = {"min_events_per_s": a.target_events_per_s, "max_duplicates": 0}
    print(json.dumps(rec))


# ---- report ------------------------------------------------------------------------------------------

_evaluate, _tables = db.evaluate, db.tables


def evaluate(runs):
    _evaluate(runs)
    by_name = {r["name"]: r for r in runs if r["kind"] == "wrk"}
    for r in runs:
        if r["kind"] != "wrk":
            continue
        t = r.get("target", {})
        # Added median latency against the baseline (the gateway against nginx proxy_pass).
        base = by_name.get(r.get("baseline") or "")
        if "max_added_p50_ms" in t and base and "latency_ms" in r and "latency_ms" in base:
            r["added_p50_ms"] = round(r["latency_ms"]["p50"] - base["latency_ms"]["p50"], 3)
            if r["added_p50_ms"] >= t["max_added_p50_ms"]:
                r["targets_missed"].append("added median latency %.2f ms >= target %g ms"
                                           % (r["added_p50_ms"], t["max_added_p50_ms"]))
                r["pass"] = False
        if "min_events_per_s" in t and "rps" in r and r["rps"] < t["min_events_per_s"]:
            r["targets_missed"].append("%s events/s < target %s events/s" % (bu.fmt(r["rps"]), bu.fmt(t["min_events_per_s"])))
            r["pass"] = False
        if "max_duplicates" in t and r.get("duplicates", 0) > t["max_duplicates"]:
            r["targets_missed"].append("%d duplicate deliveries (at least once; none expected in normal operation)"
                                       % r["duplicates"])
            r["pass"] = False
        if r.get("unsigned"):
            r["problems"].append("%d events arrived without X-Lienthong-Signature" % r["unsigned"])
            r["pass"] = False


def tables(runs):
    load, mem = _tables(runs)
    wrk = [r for r in runs if r["kind"] == "wrk"]
    for row, r in zip(load[1:], wrk):
        t = r.get("target", {})
        if "added_p50_ms" in r:
            row[3] += " (+%.2f)" % r["added_p50_ms"]
        extra = []
        if "max_added_p50_ms" in t:
            extra.append("added p50 < %g ms" % t["max_added_p50_ms"])
        if "min_events_per_s" in t:
            row[6] = "—"   # no baseline: an absolute target
            extra.append("≥ %s events/s, no duplicates" % bu.fmt(t["min_events_per_s"]))
            if "duplicates" in r:
                row[7] = "%s (dup %d)" % (row[7], r["duplicates"])
        if extra:
            row[10] = ", ".join(([] if row[10] == "—" else [row[10]]) + extra)
    return load, mem


def report(results_path, meta_path, outdir):
    db.evaluate, db.tables = evaluate, tables
    rc = db.report(results_path, meta_path, outdir)
    runs = bu.method_notes(results_path, meta_path, outdir, "exchange",
                           {"gateway": ("gateway", "Data-exchange gateway"), "events": ("events", "Events")})
    # The gateway's added median latency and the events figures, printed after the table.
    for r in runs:
        if r.get("name") == "gateway" and r.get("latency_ms"):
            base = next((b for b in runs if b["name"] == r.get("baseline")), None)
            if base and base.get("latency_ms"):
                print("gateway: p50 %.3f ms vs %s p50 %.3f ms: added median latency %.3f ms"
                      % (r["latency_ms"]["p50"], base["name"], base["latency_ms"]["p50"],
                         r["latency_ms"]["p50"] - base["latency_ms"]["p50"]))
        if r.get("unit") == "events/s" and "rps" in r:
            print("%s: %s events in %.2f s from the first publish to the last arrival: %s events/s (published at %s/s; "
                  "%s delivered while publishing, the rest in %.2f s after the last publish: %s/s); %d duplicates; "
                  "delivery latency p50 %s ms, p99 %s ms"
                  % (r["name"], bu.fmt(r.get("requests")), r.get("measured_s", 0), bu.fmt(r["rps"]),
                     bu.fmt(r.get("publish_rps")), bu.fmt(r.get("delivered_while_publishing")), r.get("drain_s", 0),
                     bu.fmt(r.get("drain_rps")), r.get("duplicates", 0),
                     bu.fmt(r.get("latency_ms", {}).get("p50"), "{:,.1f}"), bu.fmt(r.get("latency_ms", {}).get("p99"), "{:,.1f}")))
    return rc


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    try:
        if cmd == "gateway-setup":
            ap = argparse.ArgumentParser(prog="exchange_bench.py gateway-setup")
            ap.add_argument("--url", required=True)
            ap.add_argument("--admin-user", required=True)
            ap.add_argument("--admin-password", required=True)
            ap.add_argument("--upstream", required=True, help="the service's upstream, http://host:port/base")
            ap.add_argument("--expect-body", help="a file with the body the upstream answers")
            ap.add_argument("--client", default="VN/GOV/000.00.00.H26/MOTCUA-BENCH")
            ap.add_argument("--provider", default="VN/GOV/000.01.00.H26/HOTICH-BENCH")
            ap.add_argument("--service", default="birth-records")
            ap.add_argument("--prefix", default="/records", help="the path prefix the service publishes")
            ap.add_argument("--path", default="/records/42", help="the path called below the service")
            ap.add_argument("--unit", default="01")
            ap.add_argument("--out", required=True)
            gateway_setup(ap.parse_args(args))
        elif cmd == "subscriber":
            ap = argparse.ArgumentParser(prog="exchange_bench.py subscriber")
            ap.add_argument("--port-file", required=True)
            ap.add_argument("--out", required=True)
            subscriber(ap.parse_args(args))
        elif cmd == "events-setup":
            ap = argparse.ArgumentParser(prog="exchange_bench.py events-setup")
            ap.add_argument("--url", required=True)
            ap.add_argument("--admin-user", required=True)
            ap.add_argument("--admin-password", required=True)
            ap.add_argument("--subscriber-url", required=True, help="the subscriber's base URL (for /stats)")
            ap.add_argument("--hook", required=True, help="the webhook URL the subscriptions push to")
            ap.add_argument("--publisher", default="VN/GOV/000.01.00.H26/HOTICH-BENCH")
            ap.add_argument("--subscriber-system", default="VN/GOV/000.00.00.H26/MOTCUA-BENCH")
            ap.add_argument("--type-prefix", default="bench.ho-tich")
            ap.add_argument("--attempts", type=int, default=1)
            ap.add_argument("--check", type=int, default=20)
            ap.add_argument("--unit", default="01")
            ap.add_argument("--out", required=True)
            events_setup(ap.parse_args(args))
        elif cmd == "wait-events":
            ap = argparse.ArgumentParser(prog="exchange_bench.py wait-events")
            ap.add_argument("--subscriber-url", required=True)
            ap.add_argument("--type", required=True)
            ap.add_argument("--count", type=int, required=True)
            ap.add_argument("--timeout", type=float, default=300)
            ap.add_argument("--stall", type=float, default=30)
            x = ap.parse_args(args)
            print(json.dumps(wait_events(x.subscriber_url, x.type, x.count, x.timeout, x.stall)))
        elif cmd == "events-record":
            ap = argparse.ArgumentParser(prog="exchange_bench.py events-record")
            ap.add_argument("--name", required=True)
            ap.add_argument("--title", required=True)
            ap.add_argument("--url", required=True)
            ap.add_argument("--type", required=True)
            ap.add_argument("--events", type=int, required=True)
            ap.add_argument("--threads", type=int)
            ap.add_argument("--connections", type=int)
            ap.add_argument("--t0", type=float, required=True, help="wall-clock time of the first publish (s)")
            ap.add_argument("--wrk-output", required=True)
            ap.add_argument("--wrk-exit", default="0")
            ap.add_argument("--subscriber-json", required=True, help="the subscriber's /dump?type=TYPE")
            ap.add_argument("--published", required=True, help="id|published_at lines of the run's events")
            ap.add_argument("--deliveries", help="JSON: the deliveries' states and attempts")
            ap.add_argument("--gave-up")
            ap.add_argument("--wall-s", type=float)
            ap.add_argument("--server-ticks", type=int)
            ap.add_argument("--subscriber-ticks", type=int)
            ap.add_argument("--machine-ticks", type=int)
            ap.add_argument("--times-before")
            ap.add_argument("--times-after")
            ap.add_argument("--cpu-label", default="lienthong + PostgreSQL")
            ap.add_argument("--attempts", type=int, default=1)
            ap.add_argument("--target-events-per-s", type=float, default=5000)
            events_record(ap.parse_args(args))
        elif cmd == "add-target":
            ap = argparse.ArgumentParser(prog="exchange_bench.py add-target")
            ap.add_argument("json_file")
            ap.add_argument("--max-added-p50-ms", type=float, required=True)
            x = ap.parse_args(args)
            rec = json.loads(open(x.json_file).read())
            rec.setdefault("target", {})["max_added_p50_ms"] = x.max_added_p50_ms
            with open(x.json_file, "w") as f:
                f.write(json.dumps(rec) + "\n")
        elif cmd == "report":
            return report(*args)
        else:
            print(__doc__)
            return 2
    except ApiFailure as e:
        print("%s: %s" % (cmd, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
