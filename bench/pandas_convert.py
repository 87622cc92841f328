#!/usr/bin/env python3
"""The pandas baseline for code-based address conversion (issue 3), written the way a data engineer
would: read the CSV, merge on the mapping table, one row per input, write the CSV.

    /usr/bin/python3 bench/pandas_convert.py --input build/bench/data/addresses_codes.csv \
        --output OUT.csv [--mapping data/admin-units/old_to_new_communes.csv] [--commune-column commune_code]

Debian's python3-pandas (1.5). Every input row is kept, in order, with its columns untouched (all read
as strings), followed by the columns lienthong appends: status, new_address, new_commune_code,
new_commune_name, new_province_code, new_province_name, confidence, candidates, reason.

- The mapping (old_commune_code → new commune, new province) is first reduced to one row per old
  commune; a commune split among several new ones (n_new_targets > 1) keeps its candidates joined
  by "|" and becomes `ambiguous` (confidence 1 / candidates), as lienthong does.
- A left merge on the commune code; codes not in the mapping (or empty) are `unresolved`.
- Unlike lienthong it looks at the commune code only: no check that the commune lies in the given
  district and province, no district-only rows, no current (2025) codes.

Prints `rows: N`, the statuses, and `seconds: S` for reading + converting + writing (after
`import pandas`), like `lienthong convert-addresses`.
"""
import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
APPENDED = ["status", "new_address", "new_commune_code", "new_commune_name", "new_province_code",
            "new_province_name", "confidence", "candidates", "reason"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--mapping", default=str(ROOT / "data" / "admin-units" / "old_to_new_communes.csv"))
    ap.add_argument("--commune-column", default="commune_code")
    ap.add_argument("--street-column", default="street")
    a = ap.parse_args()
    t0 = time.monotonic()

    df = pd.read_csv(a.input, dtype=str, keep_default_na=False)
    m = pd.read_csv(a.mapping, dtype=str, keep_default_na=False,
                    usecols=["old_commune_code", "new_commune_code", "new_commune_name", "new_province_code",
                             "new_province_name", "n_new_targets"])

    # One row per old commune: the target, or the candidates of a split commune.
    m = m[m["old_commune_code"] != ""].sort_values(["old_commune_code", "new_commune_code"])
    g = m.groupby("old_commune_code", sort=False)
    first = g.first()
    per = pd.DataFrame({
        "_n": g["new_commune_code"].nunique(),
        "_candidates": g["new_commune_code"].agg(lambda s: "|".join(dict.fromkeys(s))),
        "_names": g["new_commune_name"].agg(lambda s: ", ".join(dict.fromkeys(s))),
        "_provinces": g["new_province_code"].nunique(),
    })
    per = per.join(first[["new_commune_code", "new_commune_name", "new_province_code", "new_province_name"]])
    per.index.name = "_code"
    per = per.reset_index()

    key = df[a.commune_column].str.strip()
    out = df[[]].assign(_code=key).merge(per, how="left", on="_code", sort=False)
    out.index = df.index

    found = out["_n"].notna()
    split = found & (out["_n"] > 1)
    ok = found & ~split
    street = df[a.street_column].str.strip() if a.street_column in df.columns else pd.Series("", index=df.index)
    prefix = street.where(street == "", street + ", ")

    res = pd.DataFrame(index=df.index)
    res["status"] = "unresolved"
    res.loc[ok, "status"] = "converted"
    res.loc[split, "status"] = "ambiguous"
    one_province = ok | (split & (out["_provinces"] == 1))
    res["new_address"] = ""
    res.loc[ok, "new_address"] = prefix[ok] + out.loc[ok, "new_commune_name"] + ", " + out.loc[ok, "new_province_name"]
    sp = split & one_province
    res.loc[sp, "new_address"] = prefix[sp] + out.loc[sp, "new_province_name"]
    res["new_commune_code"] = out["new_commune_code"].where(ok, "")
    res["new_commune_name"] = out["new_commune_name"].where(ok, "")
    res["new_province_code"] = out["new_province_code"].where(one_province, "")
    res["new_province_name"] = out["new_province_name"].where(one_province, "")
    conf = pd.Series(0.0, index=df.index)
    conf[ok] = 1.0
    conf[split] = 1.0 / out.loc[split, "_n"]
    res["confidence"] = conf.map("{:.2f}".format)
    res["candidates"] = out["_candidates"].where(split, "")
    res["reason"] = ""
    res.loc[split, "reason"] = "split_commune: " + out.loc[split, "_names"]
    empty = key == ""
    res.loc[~found & empty, "reason"] = "no_unit"
    res.loc[~found & ~empty, "reason"] = "unknown_code"

    result = pd.concat([df, res], axis=1)
    result.to_csv(a.output, index=False, lineterminator="\n")
    secs = time.monotonic() - t0

    counts = res["status"].value_counts()
    print("rows: %d" % len(df))
    for s in ("converted", "ambiguous", "unresolved"):
        print("%s: %d" % (s, int(counts.get(s, 0))))
    print("seconds: %.6f" % secs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
