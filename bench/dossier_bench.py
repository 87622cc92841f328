#!/usr/bin/env python3
"""Dossier benchmarks (issue 5) for scripts/bench.sh (Python 3 standard library only).

  intake-setup OPTIONS            over the API of a running server: receiving agencies, one one-stop
                                  officer per agency (signed in, password changed), one uploaded PDF
                                  and a few checked counter submissions; writes the files intake.lua reads
  sqlite-baseline-sql OPTIONS     the sqlite3 script of the intake baseline: N autocommit single-row INSERTs
  pgbench-script OPTIONS          the pgbench script of the PostgreSQL intake baseline (one single-row INSERT)
  rate-record OPTIONS             turn one timed baseline (sqlite3 or pgbench) into a JSON result line
  add-target JSON --min-rps N     add a minimum req/s target to a wrk result line (in place)
  annotate RESULTS.jsonl NAME JSON
                                  merge JSON (an object) into the result line of run NAME (the last one)
  report RESULTS.jsonl META.json OUTDIR
                                  bench_util.py's report, plus the minimum req/s targets and the
                                  dossier notes in results.md
"""
import argparse
import concurrent.futures
import csv
import hashlib
import json
import os
import random
import re
import string
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_util as bu  # noqa: E402

# The row every baseline writes: a scratch table with an integer primary key, a short key and
# ~1.5 KB of text (about what a counter submission stores in `dossiers`).
BASELINE_TABLE = "bench_insert_baseline"


# ---- HTTP set-up ------------------------------------------------------------------------------------

class ApiFailure(Exception):
    pass


def call(url, method="GET", body=None, token=None, headers=None, raw=None, expect=(200, 201)):
    h = dict(headers or {})
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        h.setdefault("Content-Type", "application/json")
    if token:
        h["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, text = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
    if status not in expect:
        raise ApiFailure("%s %s answered %d: %s" % (method, url, status, text[:400]))
    return status, (json.loads(text) if text.strip().startswith(("{", "[")) else text)


def login(base, username, password):
    _, r = call(base + "/api/v1/auth/login", "POST", {"username": username, "password": password})
    return r["token"], r["account"]


def minimal_pdf(label):
    """A small, well-formed one-page PDF (a scanned form stands in for it)."""
    content = ("BT /F1 12 Tf 72 720 Td (%s) Tj ET" % label).encode("ascii")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def pick_communes(path, province, count, exclude):
    """`count` communes of the province, spread evenly over its list (in code order)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["province_code"] == province and r["commune_code"] not in exclude]
    rows.sort(key=lambda r: r["commune_code"])
    if len(rows) < count:
        raise SystemExit("intake-setup: province %s has only %d communes to use, %d asked" % (province, len(rows), count))
    step = len(rows) / count
    return [rows[int(i * step)] for i in range(count)]


def sample_body(procedure, sha, applicant, sex):
    return {"procedure_code": procedure, "channel": "in_person",
            "applicant": {"kind": "citizen", "id": applicant},
            "form": {"child_full_name": "Nguyễn Minh An", "child_birth_date": "2026-11-01", "child_sex": sex,
                     "child_birth_place": "Bệnh viện Phụ sản Hà Nội"},
            "components": [{"code": "TK", "source": "scan", "sha256": sha},
                           {"code": "GCS", "source": "scan", "sha256": sha},
                           {"code": "NT", "source": "registry"}]}


def intake_setup(a):
    base = a.url.rstrip("/")
    admin, _ = login(base, a.admin_user, a.admin_password)
    # The procedure as the server has it: the form fields the body fills, and the sex options.
    _, p = call(base + "/api/v1/procedures/" + a.procedure)
    p = p["procedure"]
    fields = {f["name"]: f for f in p["form_fields"]}
    for name in ("child_full_name", "child_birth_date", "child_sex", "child_birth_place"):
        if name not in fields:
            raise SystemExit("intake-setup: procedure %s has no form field %s" % (a.procedure, name))
    filled = {"child_full_name", "child_birth_date", "child_sex", "child_birth_place", "applicant_full_name"}
    missing = [f["name"] for f in p["form_fields"] if f.get("required") and f["name"] not in filled]
    if missing:
        raise SystemExit("intake-setup: the body would miss required form fields %s" % missing)
    comps = {c["code"]: c for c in p["components"]}
    for code, source in (("TK", "scan"), ("GCS", "scan"), ("NT", "registry")):
        if code not in comps or source not in comps[code]["sources"]:
            raise SystemExit("intake-setup: component %s does not accept source %s" % (code, source))
    extra = [c["code"] for c in p["components"] if c.get("required") and c["code"] not in ("TK", "GCS", "NT")]
    if extra:
        raise SystemExit("intake-setup: the body would miss required components %s" % extra)
    sex = fields["child_sex"].get("options") or []
    if not sex:
        raise SystemExit("intake-setup: child_sex has no options")

    # One receiving agency (service centre) per commune, and the commune's People's Committee:
    # a commune-level procedure is routed to a People's Committee (docs/PROCEDURES.md, "Routing").
    communes = pick_communes(a.communes, a.province, a.agencies, set(a.exclude_units.split(",")))
    agencies = []
    for i, c in enumerate(communes, 1):
        centre = "000.%d.%02d.H26" % (a.code_group + 1, i)
        committee = "000.%d.%02d.H26" % (a.code_group, i)
        call(base + "/api/v1/agencies", "POST", token=admin,
             body={"code": committee, "name": "Ủy ban nhân dân " + c["commune_name"], "kind": "people-committee",
                   "unit_code": c["commune_code"]})
        call(base + "/api/v1/agencies", "POST", token=admin,
             body={"code": centre, "name": "Trung tâm phục vụ hành chính công " + c["commune_name"],
                   "kind": "service-centre", "unit_code": c["commune_code"]})
        agencies.append({"code": centre, "committee": committee, "unit_code": c["commune_code"],
                         "unit_name": c["commune_name"]})

    # One one-stop officer per agency: created with a one-time password, signed in, password changed
    # (the first sign-in must), signed in again with the new one.
    def officer(i_ag):
        i, ag = i_ag
        username = "bench.motcua.%02d" % i
        _, r = call(base + "/api/v1/accounts", "POST", token=admin,
                    body={"username": username, "display_name": "Cán bộ một cửa %02d" % i, "role": "one-stop-officer",
                          "unit_code": ag["unit_code"], "agency_code": ag["code"]})
        otp = r["one_time_password"]
        tok, acc = login(base, username, otp)
        if acc.get("must_change_password"):
            call(base + "/api/v1/me/password", "POST", token=tok,
                 body={"current_password": otp, "new_password": a.password})
            tok, acc = login(base, username, a.password)
        if acc.get("agency_code") != ag["code"] or acc.get("role") != "one-stop-officer":
            raise ApiFailure("account %s: %s" % (username, acc))
        return tok

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        tokens = list(ex.map(officer, enumerate(agencies, 1)))

    # One small PDF, the scan every submission names for its TK and GCS components.
    pdf = minimal_pdf("lienthong bench scan")
    sha = hashlib.sha256(pdf).hexdigest()
    _, up = call(base + "/api/v1/dossier-files", "POST", token=tokens[0], raw=pdf,
                 headers={"Content-Type": "application/pdf", "X-Content-SHA256": sha})
    if up.get("sha256") != sha:
        raise ApiFailure("upload answered %s" % up)

    # A few checked submissions (not timed): 201, created, routed, the applicant prefilled.
    ids = [x.strip() for x in open(a.ids) if x.strip()]
    if not ids:
        raise SystemExit("intake-setup: no citizen IDs in %s" % a.ids)
    checked = []
    for n in range(min(a.check, len(tokens))):
        tok = tokens[n * len(tokens) // max(1, a.check)]
        st, r = call(base + "/api/v1/dossiers", "POST", token=tok, expect=(201,),
                     body=sample_body(a.procedure, sha, ids[n % len(ids)], sex[n % len(sex)]),
                     headers={"Idempotency-Key": "bench-setup-%d" % n})
        d = r["dossier"]
        status = d.get("status")
        if isinstance(status, dict):
            status = status.get("code")
        if not r.get("created") or status != 2:
            raise ApiFailure("sample submission: created=%s status=%s" % (r.get("created"), d.get("status")))
        form = d.get("form", {})
        pre = form.get("applicant_full_name", {})
        if pre.get("source") != "registry:citizens":
            raise ApiFailure("sample submission: applicant_full_name not prefilled from the registry: %s" % pre)
        checked.append(d.get("code"))

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "tokens"), "w") as f:
        f.write("\n".join(tokens) + "\n")
    with open(os.path.join(a.out, "sex_options"), "w", encoding="utf-8") as f:
        f.write("\n".join(sex) + "\n")
    info = {"agencies": agencies, "officers": len(tokens), "sha256": sha, "pdf_bytes": len(pdf),
            "sex_options": sex, "checked": checked}
    with open(os.path.join(a.out, "setup.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, ensure_ascii=False, indent=1)
    print("%d receiving agencies (%s … %s) with their People's Committees in %d communes of province %s; "
          "%d one-stop officers signed in; PDF %s… (%d bytes) uploaded; %d sample submissions 201 (%s)"
          % (len(agencies), agencies[0]["code"], agencies[-1]["code"], len(communes), a.province, len(tokens),
             sha[:12], len(pdf), len(checked), ", ".join(checked)))


# ---- baselines ---------------------------------------------------------------------------------------

def sqlite_baseline_sql(a):
    """N autocommit single-row INSERTs (each its own transaction, so its own WAL commit and fsync
    with synchronous=FULL) of a row with `bytes` of random text."""
    rng = random.Random(a.seed)
    letters = string.ascii_letters + string.digits + " "
    with open(a.out, "w") as f:
        f.write(".bail on\n.timeout 10000\nPRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n")
        f.write("CREATE TABLE IF NOT EXISTS %s (id INTEGER PRIMARY KEY, k TEXT NOT NULL, body TEXT NOT NULL);\n"
                % BASELINE_TABLE)
        for i in range(a.rows):
            body = "".join(rng.choices(letters, k=a.bytes))
            f.write("INSERT INTO %s (k, body) VALUES ('row-%d', '%s');\n" % (BASELINE_TABLE, i, body))


def pgbench_script(a):
    with open(a.out, "w") as f:
        f.write("\\set k random(1, 1000000000)\n")
        f.write("INSERT INTO %s (k, body) VALUES ('row-' || :client_id || '-' || :k, "
                "substr(repeat(md5(random()::text), %d), 1, %d));\n" % (BASELINE_TABLE, a.bytes // 32 + 1, a.bytes))


def _pgbench_latencies(log_dir):
    """Transaction latencies (µs) from pgbench's --log files (column 3 of each line)."""
    lat = []
    for name in os.listdir(log_dir):
        if not name.startswith("pgbench_log."):
            continue
        with open(os.path.join(log_dir, name)) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    lat.append(int(parts[2]))
    return sorted(lat)


def _percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(q / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[i]


def rate_record(a):
    """A baseline measured as rows per second (sqlite3 running N INSERTs; pgbench for a duration),
    as a result line of kind "wrk" so that the intake run's ratio is computed against it and it
    shows in the load table (its req/s column then holds rows/s)."""
    text = open(a.output, encoding="utf-8", errors="replace").read() if os.path.exists(a.output) else ""
    rec = {"kind": "wrk", "name": a.name, "title": a.title, "url": a.url, "script": a.script, "baseline": None,
           "tool": a.tool, "unit": "rows/s", "command": a.command, "attempts": a.attempts,
           "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}, "non_2xx": 0}
    tail = " | ".join(text.strip().splitlines()[-3:])
    if a.exit_status != "0":
        rec["failed"] = "exit status %s; see %s" % (a.exit_status, os.path.basename(a.output)) + (": " + tail if tail else "")
        print(json.dumps(rec, ensure_ascii=False))
        return
    lat = {}
    if a.tool == "pgbench":
        m = re.search(r"number of transactions actually processed: (\d+)", text)
        tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", text, re.M)
        failed = re.search(r"number of failed transactions: (\d+)", text)
        dur = re.search(r"^duration: (\d+) s", text, re.M)
        if not m or not tps:
            rec["failed"] = "no pgbench summary; see %s" % os.path.basename(a.output)
            print(json.dumps(rec, ensure_ascii=False))
            return
        rows, rate = int(m.group(1)), float(tps.group(1))
        measured = float(dur.group(1)) if dur else a.wall_s
        if failed and int(failed.group(1)):
            rec["failed"] = "pgbench: %s failed transactions" % failed.group(1)
        if a.log_dir:
            v = _pgbench_latencies(a.log_dir)
            if v:
                lat = {"mean": round(sum(v) / len(v) / 1000.0, 3), "p50": _percentile(v, 50) / 1000.0,
                       "p75": _percentile(v, 75) / 1000.0, "p90": _percentile(v, 90) / 1000.0,
                       "p99": _percentile(v, 99) / 1000.0, "p999": _percentile(v, 99.9) / 1000.0,
                       "max": v[-1] / 1000.0}
    else:
        rows = a.stored if a.stored is not None else a.rows
        if a.rows is not None and a.stored is not None and a.stored != a.rows:
            rec["failed"] = "the table holds %d rows after %d INSERTs" % (a.stored, a.rows)
        measured = a.wall_s
        rate = rows / measured if measured else 0.0
        # One connection, one statement at a time: the mean time per row is the latency.
        if rows:
            lat = {"mean": round(measured / rows * 1000.0, 3)}
    rec.update({"requests": rows, "measured_s": round(measured, 3), "rps": round(rate, 1), "rows": rows,
                "wall_s": round(a.wall_s, 3)})
    if lat:
        rec["latency_ms"] = lat
    hz = os.sysconf("SC_CLK_TCK")
    cpu = {}
    proc_s = (a.cpu_s or 0.0) + (a.server_cpu_ticks or 0) / hz
    if a.wall_s:
        cpu = {"process": a.cpu_label, "process_cores": round(proc_s / a.wall_s, 2)}
        if rows:
            cpu["cpu_us_per_request"] = round(proc_s / rows * 1e6, 1)
        if a.machine_ticks is not None:
            cpu["machine_cores"] = round(a.machine_ticks / hz / a.wall_s, 2)
            cpu["other_cores"] = round(max(0.0, a.machine_ticks / hz / a.wall_s - proc_s / a.wall_s), 2)
    if cpu:
        rec["cpu"] = cpu
    print(json.dumps(rec, ensure_ascii=False))


def add_target(path, min_rps):
    rec = json.loads(open(path).read())
    rec.setdefault("target", {})["min_rps"] = min_rps
    with open(path, "w") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def annotate(path, name, extra):
    lines = [x for x in open(path).read().split("\n") if x.strip()]
    for i in range(len(lines) - 1, -1, -1):
        rec = json.loads(lines[i])
        if rec.get("name") == name:
            rec.update(json.loads(extra))
            lines[i] = json.dumps(rec, ensure_ascii=False)
            break
    else:
        return  # the run was not recorded (not selected)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# ---- report: bench_util's, plus minimum req/s targets and the dossier notes --------------------------

_evaluate, _tables = bu.evaluate, bu.tables


def evaluate(runs):
    _evaluate(runs)
    for r in runs:
        t = r.get("target", {})
        if r["kind"] == "wrk" and "min_rps" in t and "rps" in r and r["rps"] < t["min_rps"]:
            r["targets_missed"].append("%s req/s < target %s req/s" % (bu.fmt(r["rps"]), bu.fmt(t["min_rps"])))
            r["pass"] = False
        # Work the runs left behind: outbox events (portal records, notifications) not yet delivered.
        w = r.get("written")
        if w and w.get("outbox_pending"):
            r.setdefault("warnings", []).append(
                "%s of the %s outbox events written during the runs were still pending 1 s after the last one: "
                "delivery lags behind intake, so the sustainable rate is lower"
                % (bu.fmt(w["outbox_pending"]), bu.fmt(w.get("outbox_events"))))


def tables(runs):
    load, mem = _tables(runs)
    wrk = [r for r in runs if r["kind"] == "wrk"]
    for row, r in zip(load[1:], wrk):
        t = r.get("target", {})
        if "min_rps" in t:
            row[10] = "≥ %s req/s" % bu.fmt(t["min_rps"]) + ("" if row[10] == "—" else ", " + row[10])
    return load, mem


def report(results_path, meta_path, outdir):
    bu.evaluate, bu.tables = evaluate, tables
    rc = bu.report(results_path, meta_path, outdir)
    # The dossier runs' method, after bench_util's notes in results.md.
    bu.method_notes(results_path, meta_path, outdir, "dossiers",
                    {"intake": ("intake", "Dossier intake"), "inbox": ("inbox", "Dossier inbox")})
    return rc


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "intake-setup":
        ap = argparse.ArgumentParser(prog="dossier_bench.py intake-setup")
        ap.add_argument("--url", required=True)
        ap.add_argument("--admin-user", required=True)
        ap.add_argument("--admin-password", required=True)
        ap.add_argument("--password", required=True, help="the officers' password after the first sign-in")
        ap.add_argument("--procedure", default="1.001193")
        ap.add_argument("--agencies", type=int, default=64)
        ap.add_argument("--province", default="01")
        ap.add_argument("--communes", required=True, help="data/admin-units/communes_2025.csv")
        ap.add_argument("--exclude-units", default="", help="communes not to use (comma-separated)")
        ap.add_argument("--code-group", type=int, default=80,
                        help="People's Committees 000.G.NN.H26, service centres 000.(G+1).NN.H26")
        ap.add_argument("--ids", required=True, help="citizen IDs in the registry, one per line")
        ap.add_argument("--check", type=int, default=3, help="sample submissions to check first")
        ap.add_argument("--out", required=True)
        try:
            intake_setup(ap.parse_args(args))
        except ApiFailure as e:
            print("intake-setup: %s" % e, file=sys.stderr)
            return 1
    elif cmd == "sqlite-baseline-sql":
        ap = argparse.ArgumentParser(prog="dossier_bench.py sqlite-baseline-sql")
        ap.add_argument("--rows", type=int, required=True)
        ap.add_argument("--bytes", type=int, default=1536)
        ap.add_argument("--seed", type=int, default=1)
        ap.add_argument("--out", required=True)
        sqlite_baseline_sql(ap.parse_args(args))
    elif cmd == "pgbench-script":
        ap = argparse.ArgumentParser(prog="dossier_bench.py pgbench-script")
        ap.add_argument("--bytes", type=int, default=1536)
        ap.add_argument("--out", required=True)
        pgbench_script(ap.parse_args(args))
    elif cmd == "rate-record":
        ap = argparse.ArgumentParser(prog="dossier_bench.py rate-record")
        ap.add_argument("--name", required=True)
        ap.add_argument("--title", required=True)
        ap.add_argument("--url", default="")
        ap.add_argument("--script")
        ap.add_argument("--tool", required=True, choices=("sqlite3", "pgbench"))
        ap.add_argument("--command", default="")
        ap.add_argument("--output", required=True)
        ap.add_argument("--exit-status", default="0")
        ap.add_argument("--rows", type=int)
        ap.add_argument("--stored", type=int)
        ap.add_argument("--log-dir")
        ap.add_argument("--wall-s", type=float, required=True)
        ap.add_argument("--cpu-s", type=float)
        ap.add_argument("--server-cpu-ticks", type=int)
        ap.add_argument("--cpu-label", default="")
        ap.add_argument("--machine-ticks", type=int)
        ap.add_argument("--attempts", type=int, default=1)
        rate_record(ap.parse_args(args))
    elif cmd == "add-target":
        ap = argparse.ArgumentParser(prog="dossier_bench.py add-target")
        ap.add_argument("json_file")
        ap.add_argument("--min-rps", type=float, required=True)
        x = ap.parse_args(args)
        add_target(x.json_file, x.min_rps)
    elif cmd == "annotate":
        annotate(args[0], args[1], args[2])
    elif cmd == "report":
        return report(*args)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
