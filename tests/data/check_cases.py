#!/usr/bin/env python3
"""Check address_cases.csv and unit_search_cases.csv against data/admin-units/ (no engine needed).

    python3 tests/data/check_cases.py      # exit status 0 = all checks pass

Independent of make_cases.py: it re-reads the data files and checks every expected code, every
cited source line and the shape of every row.
"""
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "data" / "admin-units"
DONG_NAI_2026 = {"25270", "25357", "25363", "26116", "26170", "26248", "26326", "26368", "26425", "26485"}
ERRORS = []


def err(where, msg):
    ERRORS.append(f"{where}: {msg}")


def lines(name):
    """line number -> row dict (header = line 1)."""
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return {i + 2: r for i, r in enumerate(csv.DictReader(f))}


MAP = lines("old_to_new_communes.csv")
NEW = lines("communes_2025.csv")
PROV = lines("provinces_2025.csv")
O2N = lines("old_to_new_provinces.csv")
OLD = lines("old_units_pre2025.csv")

new_comm = {r["commune_code"]: r for r in NEW.values()}
new_prov = {r["province_code"] for r in PROV.values()}
old_prov = {r["province_code"] for r in OLD.values()}
old_dist = {r["district_code"]: r["province_code"] for r in OLD.values()}
old_comm = {r["commune_code"]: r for r in OLD.values() if r["commune_code"]}
targets = defaultdict(set)
for r in MAP.values():
    if r["old_commune_code"]:
        targets[r["old_commune_code"]].add(r["new_commune_code"])


def read(path, header):
    with open(path, encoding="utf-8", newline="") as f:
        rd = csv.reader(f)
        h = next(rd)
        if h != header:
            err(path.name, f"header {h} != {header}")
        return [dict(zip(header, r)) for r in rd if len(r) == len(header) or err(path.name, f"bad row {r}")]


def conf(v):
    return None if v == "" else float(v)


def check_addresses():
    path = HERE / "address_cases.csv"
    header = ["source", "kind", "input", "as_of", "expect_status", "expect_province_code", "expect_commune_code",
              "expect_candidates", "expect_street", "min_confidence", "max_confidence"]
    rows = read(path, header)
    if len(rows) < 320:
        err(path.name, f"only {len(rows)} rows")
    for n, r in enumerate(rows, start=2):
        w = f"{path.name}:{n}"
        st, p, c, cands = r["expect_status"], r["expect_province_code"], r["expect_commune_code"], r["expect_candidates"]
        if not r["source"]:
            err(w, "no source")
        if r["kind"] not in ("text", "codes"):
            err(w, f"kind {r['kind']!r}")
        if r["as_of"] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["as_of"]):
            err(w, f"as_of {r['as_of']!r}")
        if st not in ("converted", "ambiguous", "unresolved"):
            err(w, f"status {st!r}")
        if p and p not in new_prov:
            err(w, f"province {p} is not a 2025 province")
        if c:
            if c not in new_comm:
                err(w, f"commune {c} is not a 2025 commune")
            elif p and new_comm[c]["province_code"] != p:
                err(w, f"commune {c} is in {new_comm[c]['province_code']}, not {p}")
        cl = cands.split("|") if cands else []
        if st == "converted" and (not c or cl):
            err(w, "converted needs a commune and no candidates")
        if st == "ambiguous":
            if c or len(cl) < 2 or cl != sorted(set(cl)):
                err(w, "ambiguous needs >= 2 sorted distinct candidates and no commune")
            for x in cl:
                if x not in new_comm or (p and new_comm[x]["province_code"] != p):
                    err(w, f"candidate {x} not a 2025 commune of {p}")
        if st == "unresolved" and (c or cl or conf(r["max_confidence"]) != 0):
            err(w, "unresolved needs no commune and max_confidence 0")
        lo, hi = conf(r["min_confidence"]), conf(r["max_confidence"])
        if (lo is not None and not 0 <= lo <= 1) or (hi is not None and not 0 <= hi <= 1) or \
                (lo is not None and hi is not None and lo > hi):
            err(w, f"confidence bounds {lo} {hi}")
        if r["kind"] == "codes" and not re.fullmatch(r"[0-9a-z]*/[0-9]*/[0-9a-z]*", r["input"]):
            err(w, f"codes input {r['input']!r}")
        # cited source lines
        m = re.match(r"old_to_new_communes\.csv:L(\d+)(?:-L(\d+))?", r["source"])
        if m:
            a, b = int(m.group(1)), int(m.group(2) or m.group(1))
            group = [MAP.get(i) for i in range(a, b + 1)]
            if None in group:
                err(w, "cited mapping line does not exist")
                continue
            old = {g["old_commune_code"] for g in group}
            if len(old) != 1:
                err(w, "cited lines cover several old communes")
                continue
            oc = old.pop()
            got = {g["new_commune_code"] for g in group}
            if oc and got != targets[oc]:
                err(w, f"cited lines are not all the targets of {oc}")
            want = {c} if st == "converted" else set(cl) if st == "ambiguous" else None
            if want is not None and want != got:
                err(w, f"expected {want} but the mapping says {got}")
            if p and group[0]["new_province_code"] != p:
                err(w, f"province {p} but the mapping says {group[0]['new_province_code']}")
            if r["kind"] == "codes":
                parts = r["input"].split("/")
                if oc and parts[2] and parts[2] != oc:
                    err(w, f"input commune {parts[2]} is not the cited {oc}")
                if parts[1] and parts[1] != group[0]["old_district_code"]:
                    err(w, "input district is not the cited one")
                if parts[0] and parts[0] != group[0]["old_province_code"]:
                    err(w, "input province is not the cited one")
        m = re.match(r"communes_2025\.csv:L(\d+)", r["source"])
        if m and (int(m.group(1)) not in NEW or NEW[int(m.group(1))]["commune_code"] != c):
            err(w, "cited communes_2025 line is not the expected commune")
        if m and c in DONG_NAI_2026:
            err(w, f"{c} is retyped by the 2026 Đồng Nai event")
        m = re.match(r"old_to_new_provinces\.csv:L(\d+)", r["source"])
        if m and (int(m.group(1)) not in O2N or O2N[int(m.group(1))]["new_province_code"] != p):
            err(w, "cited old_to_new_provinces line is not the expected province")
        if "inconsistent" in r["source"]:
            pc, dc, cc = r["input"].split("/")
            o = old_comm[cc]
            if (o["province_code"], o["district_code"]) == (pc, dc) or dc not in old_dist or pc not in old_prov:
                err(w, "inconsistent codes row is consistent (or uses unknown codes)")
        if "codes-unknown" == r["source"].split("rule:")[-1]:
            cc = r["input"].split("/")[2]
            if cc in old_comm or cc in new_comm:
                err(w, f"{cc} is a real code")
    return rows


def check_search():
    path = HERE / "unit_search_cases.csv"
    rows = read(path, ["source", "query", "as_of", "level", "expect_code", "note"])
    if len(rows) < 110:
        err(path.name, f"only {len(rows)} rows")
    old_by_level = {"province": old_prov, "district": set(old_dist), "commune": set(old_comm)}
    new_by_level = {"province": new_prov, "district": set(), "commune": set(new_comm)}
    for n, r in enumerate(rows, start=2):
        w = f"{path.name}:{n}"
        code, level = r["expect_code"], r["level"]
        if not r["source"] or not r["query"].strip():
            err(w, "no source or empty query")
        if r["as_of"] not in ("", "2025-06-30"):
            err(w, f"as_of {r['as_of']!r}")
        lvl = {2: "province", 3: "district", 5: "commune"}.get(len(code))
        if lvl is None or (level and level != lvl):
            err(w, f"code {code!r} does not fit level {level!r}")
            continue
        units = old_by_level if r["as_of"] else new_by_level
        if code not in units[lvl]:
            err(w, f"{lvl} {code} does not exist {'on ' + r['as_of'] if r['as_of'] else 'today'}")
        if code in DONG_NAI_2026:
            err(w, f"{code} is retyped by the 2026 Đồng Nai event")
        m = re.match(r"(\w+)\.csv:L(\d+)", r["source"])
        if not m:
            err(w, "source names no data line")
            continue
        table = {"provinces_2025": PROV, "communes_2025": NEW, "old_units_pre2025": OLD}[m.group(1)]
        line = table.get(int(m.group(2)))
        if not line or code not in line.values():
            err(w, f"cited line does not hold {code}")
    return rows


def main():
    a = check_addresses()
    s = check_search()
    for e in ERRORS:
        print("ERROR", e)
    cat = lambda rows: Counter(re.search(r"rule:(\S+)", r["source"]).group(1) if "rule:" in r["source"] else "?" for r in rows)
    print(f"address_cases.csv: {len(a)} rows; status {dict(Counter(r['expect_status'] for r in a))}; "
          f"kind {dict(Counter(r['kind'] for r in a))}")
    print(f"unit_search_cases.csv: {len(s)} rows; {len(cat(s))} rules")
    print("OK" if not ERRORS else f"{len(ERRORS)} errors")
    return 1 if ERRORS else 0


if __name__ == "__main__":
    sys.exit(main())
