#!/usr/bin/env python3
"""Generate old (pre-2025) addresses for the conversion benchmark (issue 3), from the real map.

    python3 bench/make_addresses.py --out build/bench/data [--rows 1000000] [--seed 20250701]

writes, into --out:
  addresses_codes.csv  id,province_code,district_code,commune_code,street   (structured, old codes)
  addresses_text.csv   id,address                                         (free text)
  addresses.json       what was generated: rows, seed, the share of each variant

Sources: data/admin-units/old_units_pre2025.csv (the 10,035 old communes with their district and
province) and data/admin-units/communes_2025.csv (new two-level addresses, a few percent). Communes
are drawn uniformly. Seeded: the same arguments give byte-identical files (Python 3 standard
library only).

Free text mixes what people type (each row draws its variants independently; shares in the JSON):
full type words or abbreviations (TP. Q. P. H. TX. TT. X.), numbered wards written "P.5", "P05",
"F5", "Phường 05", bare names without type words, with or without diacritics, NFD, upper or lower
case, old/new tone placement ("Hoà"/"Hòa", "Thuỵ"/"Thụy"), one-letter typos in the commune or
district name, missing district or province, province short forms ("TP.HCM", "HN"), a trailing
"Việt Nam", a whole address in one piece without commas ("12 Lê Lợi P.Bến Nghé Q.1 TP.HCM"), new
two-level addresses, and some garbage (empty, "N/A", random letters, a street only, very long).

Structured rows: mostly full old code triples; also commune only, province + commune, district only,
new codes, unknown codes, a district of another province, and all codes empty.
"""
import argparse
import csv
import json
import os
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "admin-units"

TYPES = ["Thành phố", "Thị xã", "Thị trấn", "Quận", "Huyện", "Phường", "Xã", "Tỉnh", "Đặc khu"]
# Abbreviations as people write them (several spellings each).
ABBREV = {
    "Thành phố": ["TP.", "TP. ", "Tp.", "TP ", "tp."],
    "Thị xã": ["TX.", "TX. ", "Tx.", "TX "],
    "Thị trấn": ["TT.", "TT. ", "Tt.", "TT "],
    "Quận": ["Q.", "Q. ", "q.", "Q "],
    "Huyện": ["H.", "H. ", "h."],
    "Phường": ["P.", "P. ", "p.", "P "],
    "Xã": ["X.", "X. ", "x."],
    "Tỉnh": ["T.", "T. "],
    "Đặc khu": ["Đặc khu "],
}
# Numbered units: "Phường 5" → these spellings ({n} the number, {n2} zero-padded).
NUMBERED = {
    "Phường": ["P.{n}", "P{n}", "P{n2}", "F{n}", "Phường {n2}", "P. {n}", "p{n}"],
    "Quận": ["Q.{n}", "Q{n}", "Quận {n2}", "Q. {n}", "q{n}"],
}
SHORT_PROVINCES = {
    "79": ["TP.HCM", "TP HCM", "Tp Hồ Chí Minh", "TPHCM", "HCM", "Sài Gòn", "TP. Hồ Chí Minh"],
    "01": ["HN", "TP.Hà Nội", "Tp Hà Nội", "TP. Hà Nội"],
    "48": ["TP.Đà Nẵng", "Đà Nẵng", "ĐN"],
    "31": ["TP.Hải Phòng", "HP"],
    "92": ["TP.Cần Thơ", "TP Cần Thơ"],
    "46": ["TT Huế", "Huế", "TT-Huế"],
    "77": ["BRVT", "Bà Rịa Vũng Tàu", "Vũng Tàu"],
}
STREETS = [
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
    "Lê Duẩn", "Nguyễn Huệ", "Điện Biên Phủ", "Trần Phú", "Võ Thị Sáu", "Nguyễn Văn Cừ",
    "Phan Chu Trinh", "Hùng Vương", "Ngô Quyền", "Bà Triệu", "Lê Thánh Tông", "Nguyễn Du",
    "Trường Chinh", "Cách Mạng Tháng Tám", "Phạm Văn Đồng", "Hoàng Hoa Thám", "Tôn Đức Thắng",
    "Trần Thái Tông", "Nguyễn Thị Minh Khai", "Lạc Long Quân", "Âu Cơ", "Kim Mã", "Giải Phóng",
]
HAMLETS = ["Thôn", "Ấp", "Bản", "Tổ", "Khu phố", "Xóm", "Tổ dân phố"]
HAMLET_NAMES = ["Đông", "Tây", "Nam", "Bắc", "Trung", "Hạ", "Thượng", "Mới", "Chợ", "Đình", "Bình An",
                "Tân Lập", "Phú Mỹ", "Hòa Bình", "Thuận Phát"]
GARBAGE = ["N/A", "không rõ", "Không có", "???", "-", "0", "chưa cập nhật", "xem hồ sơ", "null",
           "Địa chỉ: ", "Việt Nam", "12345", "abc xyz", "tầng 3", "Số nhà không xác định"]
TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}


def split_type(name):
    for t in TYPES:
        if name.startswith(t + " "):
            return t, name[len(t) + 1:]
    return "", name


def strip_accents(s):
    s = unicodedata.normalize("NFD", s).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in s if unicodedata.category(c) != "Mn"))


def _segs(word):
    segs = []
    for c in unicodedata.normalize("NFD", word):
        if unicodedata.category(c) == "Mn" and segs:
            segs[-1][1].append(c)
        else:
            segs.append([c, []])
    return segs


def swap_word(word):
    """Moves the tone mark between the vowels of a final open oa/oe/uy: 'Hòa' <-> 'Hoà'."""
    segs = _segs(word)
    if len(segs) < 2:
        return None
    a, b = segs[-2], segs[-1]
    if (a[0] + b[0]).lower() not in ("oa", "oe", "uy"):
        return None
    if len(segs) >= 3 and segs[-3][0].lower() in "aeiouyq":
        return None
    if any(x not in TONES for x in a[1] + b[1]):
        return None
    ta = [x for x in a[1] if x in TONES]
    tb = [x for x in b[1] if x in TONES]
    if ta and not tb:
        a[1], b[1] = [], ta
    elif tb and not ta:
        a[1], b[1] = tb, []
    else:
        return None
    return unicodedata.normalize("NFC", "".join(c + "".join(ms) for c, ms in segs))


_swap_cache = {}


def swap_tones(s):
    r = _swap_cache.get(s, 0)
    if r == 0:
        words = s.split(" ")
        out = [swap_word(w) or w for w in words]
        r = " ".join(out) if out != words else None
        _swap_cache[s] = r
    return r


def typo(rng, name):
    """One edit on a name: drop, double or swap letters; None when the name is too short or numbered."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 6 or any(c.isdigit() for c in name):
        return None
    op = rng.randrange(3)
    i = letters[rng.randrange(1, len(letters) - 1)]
    if op == 0:
        return name[:i] + name[i + 1:]
    if op == 1:
        return name[:i] + name[i] + name[i:]
    j = i + 1
    if j >= len(name) or not name[j].isalpha():
        return name[:i] + name[i + 1:]
    return name[:i] + name[j] + name[i] + name[j + 1:]


class Stats:
    def __init__(self):
        self.c = {}

    def add(self, k):
        self.c[k] = self.c.get(k, 0) + 1


def street(rng):
    r = rng.random()
    s = STREETS[rng.randrange(len(STREETS))]
    n = rng.randrange(1, 400)
    if r < 0.35:
        return "Số %d %s" % (n, s)
    if r < 0.55:
        return "%d %s" % (n, s)
    if r < 0.65:
        return "Số %d ngõ %d %s" % (n, rng.randrange(1, 200), s)
    if r < 0.72:
        return "%d/%d %s" % (n, rng.randrange(1, 60), s)
    if r < 0.90:
        return "%s %s" % (HAMLETS[rng.randrange(len(HAMLETS))], HAMLET_NAMES[rng.randrange(len(HAMLET_NAMES))])
    return "%s %d" % (HAMLETS[rng.randrange(len(HAMLETS))], rng.randrange(1, 15))


def write_unit(rng, full_name, style, st):
    """A unit's name as written: style 'full' (type word), 'abbrev' or 'bare' (no type word)."""
    t, bare = split_type(full_name)
    if not t or style == "full":
        if t and rng.random() < 0.3:
            return t.lower() + " " + bare  # "phường Dịch Vọng Hậu"
        return full_name
    if style == "bare":
        return bare
    if bare.isdigit() and t in NUMBERED:
        st.add("numbered_abbrev")
        f = rng.choice(NUMBERED[t])
        return f.format(n=int(bare), n2="%02d" % int(bare))
    return rng.choice(ABBREV.get(t, [t + " "])) + bare


def province_text(rng, code, name, st):
    r = rng.random()
    if code in SHORT_PROVINCES and r < 0.25:
        st.add("province_short_form")
        return rng.choice(SHORT_PROVINCES[code])
    if r < 0.45:
        return name
    if r < 0.85:
        return split_type(name)[1]
    return write_unit(rng, name, "abbrev", st)


def style(rng, full, abbrev):
    r = rng.random()
    return "full" if r < full else "abbrev" if r < full + abbrev else "bare"


def old_text(rng, u, st):
    pcode, pname, dname, cname = u
    parts = []
    if rng.random() < 0.85:
        parts.append(street(rng))
    cstyle, dstyle = style(rng, 0.55, 0.25), style(rng, 0.5, 0.25)
    commune = None
    if cname and rng.random() < 0.98:
        commune = write_unit(rng, cname, cstyle, st)
        if rng.random() < 0.04:
            t = typo(rng, commune)
            if t:
                commune, _ = t, st.add("typo_commune")
        parts.append(commune)
    else:
        st.add("commune_missing")
    if rng.random() < 0.90:
        district = write_unit(rng, dname, dstyle, st)
        if rng.random() < 0.02:
            t = typo(rng, district)
            if t:
                district, _ = t, st.add("typo_district")
        parts.append(district)
    else:
        st.add("district_missing")
    if rng.random() < 0.93:
        parts.append(province_text(rng, pcode, pname, st))
    else:
        st.add("province_missing")
    if rng.random() < 0.03:
        parts.append(rng.choice(["Việt Nam", "Viet Nam", "VN"]))
        st.add("country_suffix")
    # One piece, no commas: only when the units carry (abbreviated) type words.
    if cstyle == "abbrev" and dstyle == "abbrev" and rng.random() < 0.5:
        st.add("one_piece")
        return " ".join(parts)
    r = rng.random()
    sep = ", " if r < 0.85 else "," if r < 0.95 else " - "
    return sep.join(parts)


def new_text(rng, u, st):
    ccode, cname, pcode, pname = u
    parts = []
    if rng.random() < 0.9:
        parts.append(street(rng))
    parts.append(write_unit(rng, cname, style(rng, 0.6, 0.25), st))
    parts.append(province_text(rng, pcode, pname, st))
    return ", ".join(parts)


def garbage(rng, st):
    r = rng.random()
    if r < 0.2:
        st.add("garbage_empty")
        return ""
    if r < 0.5:
        st.add("garbage_word")
        return rng.choice(GARBAGE)
    if r < 0.75:
        st.add("garbage_random")
        letters = "abcdefghijklmnopqrstuvwxyz0123456789 .,/-"
        return "".join(rng.choice(letters) for _ in range(rng.randrange(3, 40))).strip()
    if r < 0.95:
        st.add("garbage_street_only")
        return street(rng)
    st.add("garbage_very_long")
    return (street(rng) + " ") * 40


_fold_cache = {}
_nfd_cache = {}


def text_row(rng, old, new, st):
    r = rng.random()
    if r < 0.015:
        st.add("garbage")
        return garbage(rng, st)
    if r < 0.075:
        st.add("new_two_level")
        s = new_text(rng, new[rng.randrange(len(new))], st)
    else:
        st.add("old_three_level")
        s = old_text(rng, old[rng.randrange(len(old))], st)
    if rng.random() < 0.08:
        w = swap_tones(s)
        if w:
            s = w
            st.add("tone_swapped")
    r = rng.random()
    if r < 0.72:
        st.add("nfc")
    elif r < 0.88:
        st.add("no_diacritics")
        f = _fold_cache.get(s)
        if f is None:
            f = strip_accents(s)
            if len(_fold_cache) < 200000:
                _fold_cache[s] = f
        s = f
    elif r < 0.95:
        st.add("nfd")
        s = unicodedata.normalize("NFD", s)
    elif r < 0.98:
        st.add("upper")
        s = s.upper()
    else:
        st.add("lower")
        s = s.lower()
    return s


def codes_row(rng, old, new, by_province_district, known_communes, st):
    pcode, dcode, ccode = old[rng.randrange(len(old))]
    s = street(rng) if rng.random() < 0.9 else ""
    if rng.random() < 0.03:
        s = s + ", " + rng.choice(HAMLETS) + " " + rng.choice(HAMLET_NAMES)  # needs CSV quoting
    r = rng.random()
    if r < 0.93 and ccode:
        st.add("codes_full")
        return pcode, dcode, ccode, s
    if r < 0.955 and ccode:
        st.add("codes_commune_only")
        return "", "", ccode, s
    if r < 0.97 and ccode:
        st.add("codes_province_commune")
        return pcode, "", ccode, s
    if r < 0.98:
        st.add("codes_new")
        c = new[rng.randrange(len(new))]
        return c[2], "", c[0], s
    if r < 0.985 or not ccode:
        st.add("codes_district_only")
        return pcode, dcode, "", s
    if r < 0.99:
        st.add("codes_unknown")
        while True:
            x = "%05d" % rng.randrange(100000)
            if x not in known_communes:
                return pcode, dcode, x, s
    if r < 0.995:
        st.add("codes_inconsistent")
        other = by_province_district[rng.randrange(len(by_province_district))]
        while other[0] == pcode:
            other = by_province_district[rng.randrange(len(by_province_district))]
        return pcode, other[1], ccode, s
    st.add("codes_empty")
    return "", "", "", s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20250701)
    a = ap.parse_args()
    t0 = time.monotonic()
    with open(DATA / "old_units_pre2025.csv", encoding="utf-8", newline="") as f:
        units = list(csv.DictReader(f))
    with open(DATA / "communes_2025.csv", encoding="utf-8", newline="") as f:
        new_units = list(csv.DictReader(f))
    old_text_units = [(u["province_code"], u["province_name"], u["district_name"], u["commune_name"]) for u in units]
    old_code_units = [(u["province_code"], u["district_code"], u["commune_code"]) for u in units]
    new = [(u["commune_code"], u["commune_name"], u["province_code"], u["province_name"]) for u in new_units]
    pd = sorted({(u["province_code"], u["district_code"]) for u in units})
    known = {u["commune_code"] for u in units} | {u["commune_code"] for u in new_units}
    os.makedirs(a.out, exist_ok=True)
    st_codes, st_text = Stats(), Stats()
    tmp_codes = os.path.join(a.out, "addresses_codes.csv.tmp")
    tmp_text = os.path.join(a.out, "addresses_text.csv.tmp")
    rng = random.Random(a.seed)
    with open(tmp_codes, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "province_code", "district_code", "commune_code", "street"])
        for i in range(1, a.rows + 1):
            w.writerow((i,) + codes_row(rng, old_code_units, new, pd, known, st_codes))
    rng = random.Random(a.seed + 1)
    with open(tmp_text, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "address"])
        for i in range(1, a.rows + 1):
            w.writerow((i, text_row(rng, old_text_units, new, st_text)))
    os.replace(tmp_codes, os.path.join(a.out, "addresses_codes.csv"))
    os.replace(tmp_text, os.path.join(a.out, "addresses_text.csv"))

    def shares(st):
        return {k: round(v / a.rows, 4) for k, v in sorted(st.c.items())}

    meta = {"rows": a.rows, "seed": a.seed, "generator": "bench/make_addresses.py",
            "codes_csv": "addresses_codes.csv", "text_csv": "addresses_text.csv",
            "codes_bytes": os.path.getsize(os.path.join(a.out, "addresses_codes.csv")),
            "text_bytes": os.path.getsize(os.path.join(a.out, "addresses_text.csv")),
            "codes_variants": shares(st_codes), "text_variants": shares(st_text),
            "seconds": round(time.monotonic() - t0, 1)}
    with open(os.path.join(a.out, "addresses.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("wrote %d + %d rows to %s in %.1f s" % (a.rows, a.rows, a.out, meta["seconds"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
