#!/usr/bin/env python3
"""Generate the data-driven test cases for unit search and old -> new address conversion.

    python3 tests/data/make_cases.py        # writes address_cases.csv and unit_search_cases.csv here

Every expectation is derived from the data files in data/admin-units/ (see data/README.md and
data/admin-units/SOURCE.md), never from the engine. Samples are random but seeded, so the output is
deterministic: running the script twice gives byte-identical files. See README.md beside this file
for the columns and the rules behind each category.
"""
import csv
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT / "data" / "admin-units"
SEED = 20250701

# Communes that the 2026-04-30 Đồng Nai event retypes Xã -> Phường. The test servers do not import
# that event, so these codes are never used as the target of a new-style address or search query.
DONG_NAI_2026 = {"25270", "25357", "25363", "26116", "26170", "26248", "26326", "26368", "26425", "26485"}

ADDRESS_HEADER = ["source", "kind", "input", "as_of", "expect_status", "expect_province_code",
                  "expect_commune_code", "expect_candidates", "expect_street", "min_confidence",
                  "max_confidence"]
SEARCH_HEADER = ["source", "query", "as_of", "level", "expect_code", "note"]
OLD_DATE = "2025-06-30"


# ----------------------------------------------------------------------------------------------
# Text helpers (independent of the engine's normalisation)

TYPES = ["Thành phố", "Thị xã", "Thị trấn", "Quận", "Huyện", "Phường", "Xã", "Tỉnh", "Đặc khu"]
TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}


def split_type(name):
    for t in TYPES:
        if name.startswith(t + " "):
            return t, name[len(t) + 1:]
    return "", name


def bare(name):
    return split_type(name)[1]


def strip_accents(s):
    """Remove every diacritic, keep case: 'Đông Anh' -> 'Dong Anh'."""
    s = unicodedata.normalize("NFD", s).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in s if unicodedata.category(c) != "Mn"))


def fold(s):
    """Lower case, no diacritics, ASCII apostrophe, single spaces."""
    s = strip_accents(s.lower()).replace("’", "'")
    return " ".join(s.split())


def loose(s):
    """fold + the spelling variants the cases use (i/y, final c/k): for collision checks only."""
    s = fold(s).replace("y", "i")
    return re.sub(r"k\b", "c", s)


def _segs(word):
    segs = []
    for c in unicodedata.normalize("NFD", word):
        if unicodedata.category(c) == "Mn" and segs:
            segs[-1][1].append(c)
        else:
            segs.append([c, []])
    return segs


def swap_word(word):
    """Move the tone mark between the two vowels of a word ending in open oa/oe/uy (not qu-y):
    'Hòa' <-> 'Hoà', 'Thụy' <-> 'Thuỵ', 'Khỏe' <-> 'Khoẻ'. None if the word has no such ending."""
    segs = _segs(word)
    if len(segs) < 2:
        return None
    a, b = segs[-2], segs[-1]
    pair = (a[0] + b[0]).lower()
    if pair not in ("oa", "oe", "uy"):
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


def swap_tones(s):
    """Swap the tone placement of every eligible word; None if nothing changed."""
    words = s.split(" ")
    out = [swap_word(w) or w for w in words]
    return " ".join(out) if out != words else None


def tnorm(s):
    """Canonical form for 'exact' comparison: NFC, lower case, tone on the first vowel."""
    s = unicodedata.normalize("NFC", s).lower().replace("’", "'")
    out = []
    for w in s.split():
        segs = _segs(w)
        x = swap_word(w)
        if x and len(segs) >= 2 and any(m in TONES for m in segs[-1][1]):
            w = x
        out.append(w)
    return " ".join(out)


def damerau(a, b):
    """Optimal string alignment distance."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


# ----------------------------------------------------------------------------------------------
# Data

def read(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows):
        r["_line"] = i + 2  # header is line 1; no field holds a line break (data/README.md)
    return rows


OLD = read("old_units_pre2025.csv")
MAP = read("old_to_new_communes.csv")
NEW = read("communes_2025.csv")
PROV = read("provinces_2025.csv")
O2N = read("old_to_new_provinces.csv")

new_by_code = {r["commune_code"]: r for r in NEW}
prov_by_code = {r["province_code"]: r for r in PROV}
o2n = {r["old_province_code"]: r for r in O2N}
old_prov_name = {r["province_code"]: r["province_name"] for r in OLD}
old_prov_line = {}
old_dist = {}          # district code -> (province code, district name, first line)
old_dist_line = {}
old_comm = {}          # commune code -> old_units row
for r in OLD:
    old_prov_line.setdefault(r["province_code"], r["_line"])
    old_dist.setdefault(r["district_code"], (r["province_code"], r["district_name"]))
    old_dist_line.setdefault(r["district_code"], r["_line"])
    if r["commune_code"]:
        old_comm[r["commune_code"]] = r

targets = defaultdict(list)  # old commune code -> mapping rows
for r in MAP:
    if r["old_commune_code"]:
        targets[r["old_commune_code"]].append(r)

old_codes = set(old_comm)
new_codes = set(new_by_code)

# collision counters (all on folded, type-less names: stricter than anything the engine needs)
cnt_dist_comm = Counter((r["district_code"], fold(bare(r["commune_name"]))) for r in old_comm.values())
dist_names_in_prov = defaultdict(set)
for code, (p, n) in old_dist.items():
    dist_names_in_prov[(p, fold(bare(n)))].add(code)
cnt_prov_comm = Counter((r["province_code"], fold(bare(r["commune_name"]))) for r in old_comm.values())
cnt_country_dc = Counter((fold(bare(r["district_name"])), fold(bare(r["commune_name"]))) for r in old_comm.values())
new_names_in_prov = defaultdict(list)
new_names = defaultdict(list)
for r in NEW:
    new_names_in_prov[(r["province_code"], fold(bare(r["commune_name"])))].append(r["commune_code"])
    new_names[fold(bare(r["commune_name"]))].append(r["commune_code"])
old_provs_of_new = defaultdict(list)
for r in O2N:
    old_provs_of_new[r["new_province_code"]].append(r["old_province_code"])
province_folds = {fold(bare(n)) for n in old_prov_name.values()} | {fold(bare(r["province_name"])) for r in PROV}
old_comm_names_by_newprov = defaultdict(Counter)  # new province -> folded old commune names in its old provinces
for r in old_comm.values():
    old_comm_names_by_newprov[o2n[r["province_code"]]["new_province_code"]][fold(bare(r["commune_name"]))] += 1
district_folds = {fold(bare(n)) for _, n in old_dist.values()}

ODD_NAME = re.compile(r"\bNT\b|N\.T|Nông trường|[0-9]")


def clean(code):
    """An old commune whose address can be written unambiguously at every level, even folded."""
    r = old_comm[code]
    if ODD_NAME.search(r["commune_name"]) or ODD_NAME.search(r["district_name"]):
        return False
    if cnt_dist_comm[(r["district_code"], fold(bare(r["commune_name"])))] != 1:
        return False
    if len(dist_names_in_prov[(r["province_code"], fold(bare(r["district_name"])))]) != 1:
        return False
    return True


def single(code):
    return len(targets[code]) == 1


def src_map(code):
    lines = [t["_line"] for t in targets[code]]
    return f"old_to_new_communes.csv:L{lines[0]}" + (f"-L{lines[-1]}" if len(lines) > 1 else "")


def expect_of(code):
    """(status, province, commune, candidates) from the mapping for an old commune code."""
    ts = targets[code]
    prov = {t["new_province_code"] for t in ts}
    assert len(prov) == 1
    if len(ts) == 1:
        return "converted", ts[0]["new_province_code"], ts[0]["new_commune_code"], ""
    return "ambiguous", ts[0]["new_province_code"], "", "|".join(sorted(t["new_commune_code"] for t in ts))


rng = random.Random(SEED)
STREETS = ["Số 12 ngõ 34 Trần Thái Tông", "Số 5 đường Lê Lợi", "Thôn 3", "Tổ 7", "Xóm 2", "Ấp 4",
           "Khu phố 6", "Số 45 Nguyễn Trãi", "123 Hai Bà Trưng", "Số 8 hẻm 21 Nguyễn Văn Cừ",
           "Thôn Đông", "Số 201 Quốc lộ 1A", "Lô C3 khu dân cư số 2", "Số 17 ngách 4 ngõ 9", ""]


def pick_street():
    return rng.choice(STREETS)


def prov_text(old_code):
    """The old province as written: full name or without the type word (both 'exact')."""
    n = old_prov_name[old_code]
    return n if rng.random() < 0.5 else bare(n)


def lower_type(name):
    t, b = split_type(name)
    return f"{t.lower()} {b}" if t and rng.random() < 0.3 else name


def addr(*parts):
    return ", ".join(p for p in parts if p)


def street_expect(street):
    return street if street else "-"


def sample(pool, k):
    pool = sorted(pool)
    return rng.sample(pool, min(k, len(pool)))


ROWS = []
USED = set()  # (old commune code, rule) pairs already written, to spread the samples


def add(source, kind, inp, status, prov="", comm="", cands="", street="", minc="", maxc="", as_of=""):
    assert status in ("converted", "ambiguous", "unresolved")
    if status == "unresolved" and maxc == "":
        maxc = "0"
    ROWS.append({"source": source, "kind": kind, "input": inp, "as_of": as_of, "expect_status": status,
                 "expect_province_code": prov, "expect_commune_code": comm, "expect_candidates": cands,
                 "expect_street": street, "min_confidence": minc, "max_confidence": maxc})


def add_old(code, rule, text, street, minc="", maxc=""):
    st, p, c, cands = expect_of(code)
    add(f"{src_map(code)} rule:{rule}", "text", text, st, p, c, cands, street, minc if st == "converted" else "", maxc)


CLEAN_SINGLE = [c for c in old_codes if clean(c) and single(c)]
CLEAN_SPLIT = [c for c in old_codes if clean(c) and not single(c)]

# ---- 1. complete old addresses with accents --------------------------------------------------
# The example. Dịch Vọng Hậu (00167) was split between two new phường: ambiguous.
add_old("00167", "issue-example", "Số 12 ngõ 34 Trần Thái Tông, phường Dịch Vọng Hậu, quận Cầu Giấy, Hà Nội",
        "Số 12 ngõ 34 Trần Thái Tông")
add_old("00004", "issue-example", "Số 1 Hàng Bún, Phường Trúc Bạch, Quận Ba Đình, Thành phố Hà Nội",
        "Số 1 Hàng Bún", minc="1.0")
for code in sample(CLEAN_SINGLE, 60):
    r = old_comm[code]
    s = pick_street()
    add_old(code, "full-accented", addr(s, lower_type(r["commune_name"]), lower_type(r["district_name"]),
                                         prov_text(r["province_code"])), street_expect(s), minc="1.0")

# ---- 2. the same without diacritics, NFD, upper case, other tone placement --------------------
for code in sample(CLEAN_SINGLE, 30):
    r = old_comm[code]
    s = pick_street()
    text = addr(s, r["commune_name"], r["district_name"], prov_text(r["province_code"]))
    add_old(code, "no-diacritics", strip_accents(text), street_expect(strip_accents(s)), minc="0.5", maxc="0.99")
for code in sample(CLEAN_SINGLE, 20):
    r = old_comm[code]
    s = pick_street()
    text = addr(s, r["commune_name"], r["district_name"], prov_text(r["province_code"]))
    assert unicodedata.normalize("NFD", text) != text
    add_old(code, "nfd", unicodedata.normalize("NFD", text), "", minc="1.0")
for code in sample(CLEAN_SINGLE, 20):
    r = old_comm[code]
    s = pick_street()
    text = addr(s, r["commune_name"], r["district_name"], prov_text(r["province_code"]))
    add_old(code, "upper-case", text.upper(), street_expect(s.upper()), minc="1.0")
TONE_POOL = [c for c in CLEAN_SINGLE
             if any(swap_tones(n) for n in (old_comm[c]["commune_name"], old_comm[c]["district_name"]))]
for code in sample(TONE_POOL, 30):
    r = old_comm[code]
    s = pick_street()
    parts = [swap_tones(n) or n for n in (r["commune_name"], r["district_name"], old_prov_name[r["province_code"]])]
    add_old(code, "tone-placement", addr(s, *parts), street_expect(s), minc="1.0")
# province names whose tone placement differs: Hoà Bình (17), Thanh Hóa (38), Khánh Hòa (56)
for pc in ("17", "38", "56"):
    pool = [c for c in CLEAN_SINGLE if old_comm[c]["province_code"] == pc]
    for code in sample(pool, 2):
        r = old_comm[code]
        add_old(code, "tone-placement-province",
                addr(r["commune_name"], r["district_name"], swap_tones(old_prov_name[pc])), "-", minc="1.0")

# ---- 3. abbreviations -------------------------------------------------------------------------
HCM_FORMS = ["TP. HCM", "TP.HCM", "Tp Hồ Chí Minh", "TPHCM", "HCM", "TP. Hồ Chí Minh", "Tp.HCM", "TP HCM"]
hcm_pool = [c for c in CLEAN_SINGLE if old_comm[c]["province_code"] == "79"]
for form, code in zip(HCM_FORMS, sample(hcm_pool, len(HCM_FORMS))):
    r = old_comm[code]
    s = pick_street()
    add_old(code, "abbreviation-HCM", addr(s, r["commune_name"], r["district_name"], form), street_expect(s),
            minc="1.0" if form == "TP. Hồ Chí Minh" else "")

# Quận 1 (760): Phường Bến Thành 26743 -> 26743, Phường Cô Giang 26755 -> 26758
for text, code, exact in [
        ("Số 10 Lê Lợi, Phường Bến Thành, Q.1, TP. Hồ Chí Minh", "26743", True),
        ("Số 10 Lê Lợi, Phường Bến Thành, Q1, TP.HCM", "26743", False),
        ("Số 10 Lê Lợi, P. Bến Thành, Quận 1, Thành phố Hồ Chí Minh", "26743", True),
        ("Phường Cô Giang, Q. 1, Tp. Hồ Chí Minh", "26755", True),
        ("P. Cô Giang, Q.1, HCM", "26755", False)]:
    add_old(code, "abbreviation-Q.", text, "Số 10 Lê Lợi" if text.startswith("Số") else "-", minc="1.0" if exact else "")

# numbered wards: Phường N and Phường 1N of the same district map to different new communes
numbered = []
by_dist = defaultdict(dict)
for c, r in old_comm.items():
    m = re.fullmatch(r"Phường (\d+)", r["commune_name"])
    if m:
        by_dist[r["district_code"]][int(m.group(1))] = c
for d in sorted(by_dist):
    for n, c in sorted(by_dist[d].items()):
        c2 = by_dist[d].get(10 + n)
        if c2 and single(c) and single(c2) and targets[c][0]["new_commune_code"] != targets[c2][0]["new_commune_code"] \
                and len(dist_names_in_prov[(old_comm[c]["province_code"], fold(bare(old_dist[d][1])))]) == 1:
            numbered.append((c, c2))
assert len(numbered) >= 8, numbered
WARD_FORMS = ["Phường {n}", "P.{n}", "P{n}", "P{n:02d}", "Phường {n:02d}", "P. {n}", "phường {n}"]
for i, (c, c2) in enumerate(sample(numbered, 12)):
    for code in (c, c2):
        r = old_comm[code]
        n = int(r["commune_name"].split()[1])
        form = WARD_FORMS[i % len(WARD_FORMS)]
        dist = r["district_name"]
        if r["province_code"] == "79" and dist.startswith("Quận ") and i % 2:
            dist = ("Q." if dist[5:].isdigit() else "Q. ") + dist[5:]
        exact = form in ("Phường {n}", "P.{n}", "P. {n}", "phường {n}")
        add_old(code, "numbered-ward", addr(form.format(n=n), dist, prov_text(r["province_code"])), "-",
                minc="1.0" if exact else "")
# Quận 5: Phường 5 (27334 -> An Đông 27316) written every way
for form in ["Phường 5", "P.5", "P5", "P05", "Phường 05"]:
    add_old("27334", "abbreviation-P.", f"{form}, Quận 5, TP. Hồ Chí Minh", "-",
            minc="1.0" if form in ("Phường 5", "P.5") else "")


def abbreviated(code, rule, dist_abbr=None, comm_abbr=None, prov_abbr=None, exact=True):
    r = old_comm[code]
    ct, cb = split_type(r["commune_name"])
    dt, db = split_type(r["district_name"])
    comm = f"{comm_abbr} {cb}" if comm_abbr else r["commune_name"]
    dist = f"{dist_abbr} {db}" if dist_abbr else r["district_name"]
    prov = prov_abbr + " " + bare(old_prov_name[r["province_code"]]) if prov_abbr else prov_text(r["province_code"])
    s = pick_street()
    add_old(code, rule, addr(s, comm, dist, prov), street_expect(s), minc="1.0" if exact else "")


def pool_where(pred, pool=CLEAN_SINGLE):
    return [c for c in pool if pred(old_comm[c])]


# H. (huyện) + X. (xã)
for code in sample(pool_where(lambda r: r["district_name"].startswith("Huyện ") and r["commune_name"].startswith("Xã ")), 8):
    abbreviated(code, "abbreviation-H.", dist_abbr="H.", comm_abbr="X.")
abbreviated("00505", "abbreviation-H.", dist_abbr="H.", comm_abbr="X.", prov_abbr="TP.")  # Cổ Loa, Đông Anh
# TX. (thị xã)
for code in sample(pool_where(lambda r: r["district_name"].startswith("Thị xã ")), 6):
    abbreviated(code, "abbreviation-TX.", dist_abbr="TX.")
abbreviated("09574", "abbreviation-TX.", dist_abbr="TX.", comm_abbr="P.")  # Ngô Quyền, Sơn Tây
# TT. (thị trấn)
for code in sample(pool_where(lambda r: r["commune_name"].startswith("Thị trấn ")), 6):
    abbreviated(code, "abbreviation-TT.", comm_abbr="TT.", dist_abbr="H." if old_comm[code]["district_name"].startswith("Huyện ") else None)
# TP. for a provincial city (district level)
for code in sample(pool_where(lambda r: r["district_code"] in ("769", "731")), 4) + \
        sample(pool_where(lambda r: r["district_name"].startswith("Thành phố ") and r["province_code"] not in ("79", "75")), 4):
    abbreviated(code, "abbreviation-TP.", dist_abbr="TP.", comm_abbr="P." if old_comm[code]["commune_name"].startswith("Phường ") else None)
# type words without the dot / in other cases
for code, d, c in [(sample(pool_where(lambda r: r["district_name"].startswith("Huyện ") and r["commune_name"].startswith("Xã ")), 1)[0], "H", "X"),
                   (sample(pool_where(lambda r: r["district_name"].startswith("Thị xã ")), 1)[0], "Tx", None),
                   (sample(pool_where(lambda r: r["commune_name"].startswith("Thị trấn ")), 1)[0], None, "Tt."),
                   (sample(pool_where(lambda r: r["district_name"].startswith("Thành phố ")), 1)[0], "Tp", None)]:
    abbreviated(code, "abbreviation-nodot", dist_abbr=d, comm_abbr=c, exact=False)
# type-word pairs that only the type tells apart (Thị trấn X / Xã X in the same huyện)
for d, names in sorted(((d, n) for (d, n), k in cnt_dist_comm.items() if k == 2)):
    codes = sorted(c for c, r in old_comm.items() if r["district_code"] == d and fold(bare(r["commune_name"])) == names)
    rs = [old_comm[c] for c in codes]
    if {split_type(r["commune_name"])[0] for r in rs} == {"Thị trấn", "Xã"} and all(single(c) for c in codes) \
            and targets[codes[0]][0]["new_commune_code"] != targets[codes[1]][0]["new_commune_code"] \
            and len(dist_names_in_prov[(rs[0]["province_code"], fold(bare(rs[0]["district_name"])))]) == 1:
        for r in rs:
            add_old(r["commune_code"], "type-word-decides", addr(r["commune_name"], r["district_name"],
                                                                 old_prov_name[r["province_code"]]), "-", minc="1.0")
        if sum(1 for x in ROWS if "type-word-decides" in x["source"]) >= 8:
            break

# ---- 4. spelling variants -------------------------------------------------------------------
def variant_rows(pc, prov_variants, k):
    for form, code in zip(prov_variants, sample([c for c in CLEAN_SINGLE if old_comm[c]["province_code"] == pc], k)):
        r = old_comm[code]
        add_old(code, "spelling-province", addr(r["commune_name"], r["district_name"], form), "-", maxc="0.99")


variant_rows("66", ["Đắc Lắc", "Tỉnh Đắc Lắc", "Đăk Lăk", "Daklak", "Đắk Lắc"], 5)
variant_rows("67", ["Đắc Nông", "Tỉnh Đắc Nông", "Đăk Nông", "Daknong"], 4)
# y/i and final c/k inside district and commune names, where the variant collides with nothing
def yi_variant(name):
    t, b = split_type(name)
    words = b.split()
    for i, w in enumerate(words):
        for a, z in (("ý", "í"), ("ỳ", "ì"), ("ỷ", "ỉ"), ("ỹ", "ĩ"), ("ỵ", "ị")):
            if w.endswith(a) and len(w) > 1 and w[-2].lower() not in "uo":
                words[i] = w[:-1] + z
                return f"{t} {' '.join(words)}".strip()
        if re.fullmatch(r"(Đ|Kr|Đr)?[ăắâấa]k", w, re.I) or w.lower() in ("đắk", "đăk", "pắk", "lắk"):
            words[i] = w[:-1] + "c"
            return f"{t} {' '.join(words)}".strip()
    return None


spell = []
for code in sorted(CLEAN_SINGLE):
    r = old_comm[code]
    for lvl in ("commune_name", "district_name"):
        v = yi_variant(r[lvl])
        if not v:
            continue
        lk = loose(bare(v))
        if lvl == "commune_name":
            clash = [c for c, x in old_comm.items() if x["province_code"] == r["province_code"] and c != code
                     and loose(bare(x["commune_name"])) == lk]
        else:
            clash = [d for d, (p, n) in old_dist.items() if p == r["province_code"] and d != r["district_code"]
                     and loose(bare(n)) == lk]
        if not clash:
            spell.append((code, lvl, v))
for code, lvl, v in sample(spell, 14):
    r = old_comm[code]
    parts = {"commune_name": r["commune_name"], "district_name": r["district_name"]}
    parts[lvl] = v
    add_old(code, "spelling-i-y-c-k", addr(parts["commune_name"], parts["district_name"], old_prov_name[r["province_code"]]),
            "-", maxc="0.99")
# Quy Nhơn -> Qui Nhơn (Bình Định 52, district 540)
for code in sample(pool_where(lambda r: r["district_code"] == "540"), 3):
    r = old_comm[code]
    add_old(code, "spelling-Qui-Nhon", addr(r["commune_name"], "Thành phố Qui Nhơn", "Bình Định"), "-", maxc="0.99")
# the NSO table's own spelling of the old commune (Đăk/Đắk, Quí/Quý, Xà/Sà ...): converted, confidence open
nso = [c for c in CLEAN_SINGLE if targets[c][0]["old_commune_name_in_nso"] != old_comm[c]["commune_name"]
       and tnorm(targets[c][0]["old_commune_name_in_nso"]) != tnorm(old_comm[c]["commune_name"])
       and not ODD_NAME.search(targets[c][0]["old_commune_name_in_nso"])
       and split_type(targets[c][0]["old_commune_name_in_nso"])[0] == split_type(old_comm[c]["commune_name"])[0]
       and not [x for x, y in old_comm.items() if x != c and y["province_code"] == old_comm[c]["province_code"]
                and loose(bare(y["commune_name"])) == loose(bare(targets[c][0]["old_commune_name_in_nso"]))]]
for code in sample(nso, 10):
    r = old_comm[code]
    add_old(code, "spelling-nso-name", addr(targets[code][0]["old_commune_name_in_nso"], r["district_name"],
                                            old_prov_name[r["province_code"]]), "-")

# ---- 5. small typos ---------------------------------------------------------------------------
def make_typo(name):
    t, b = split_type(name)
    # never the first letter of a word: the name must stay recognisable
    pos = [i for i, ch in enumerate(b) if "a" <= ch.lower() <= "z" and i > 0 and b[i - 1] != " "]
    if sum(1 for ch in b if ch.isalpha()) < 6 or not pos:
        return None
    i = rng.choice(pos)
    op = rng.choice(["sub", "del", "swap"])
    if op == "sub":
        ch = rng.choice([x for x in "bcdghklmnrstv" if x != b[i].lower()])
        nb = b[:i] + (ch.upper() if b[i].isupper() else ch) + b[i + 1:]
    elif op == "del":
        nb = b[:i] + b[i + 1:]
    else:
        j = i + 1
        if j >= len(b) or not ("a" <= b[j].lower() <= "z") or b[j] == b[i] or b[i].isupper() or b[j].isupper():
            return None
        nb = b[:i] + b[j] + b[i] + b[j + 1:]
    if "  " in nb or nb.strip() != nb:
        return None
    return f"{t} {nb}", nb


def far(f, others, k=3):
    """True if every other folded name is at least k edits away from f."""
    return all(abs(len(f) - len(o)) >= k or damerau(f, o) >= k for o in others)


typos = []
for code in sample(CLEAN_SINGLE, len(CLEAN_SINGLE)):
    if len(typos) >= 30:
        break
    r = old_comm[code]
    for lvl in ("commune_name", "district_name"):
        res = make_typo(r[lvl])
        if not res:
            continue
        full, nb = res
        f = fold(nb)
        if damerau(f, fold(bare(r[lvl]))) != 1:
            continue
        if lvl == "commune_name":
            others = [fold(bare(x["commune_name"])) for c, x in old_comm.items()
                      if x["province_code"] == r["province_code"] and c != code]
            others += [k[1] for k in new_names_in_prov if k[0] == o2n[r["province_code"]]["new_province_code"]]
        else:
            others = [fold(bare(n)) for d, (p, n) in old_dist.items() if p == r["province_code"] and d != r["district_code"]]
            others += [fold(bare(old_prov_name[p])) for p in old_prov_name]
        if far(f, others):
            typos.append((code, lvl, full))
            break
for code, lvl, full in typos:
    r = old_comm[code]
    parts = {"commune_name": r["commune_name"], "district_name": r["district_name"]}
    parts[lvl] = full
    s = pick_street()
    add_old(code, "typo-" + ("commune" if lvl == "commune_name" else "district"),
            addr(s, parts["commune_name"], parts["district_name"], prov_text(r["province_code"])), street_expect(s),
            maxc="0.95")

# ---- 6. split communes ------------------------------------------------------------------------
for code in sample(CLEAN_SPLIT, 30):
    r = old_comm[code]
    s = pick_street()
    add_old(code, "split", addr(s, r["commune_name"], r["district_name"], prov_text(r["province_code"])), street_expect(s))
for code in sample(CLEAN_SPLIT, 5):
    r = old_comm[code]
    add_old(code, "split-no-diacritics", strip_accents(addr(r["commune_name"], r["district_name"], old_prov_name[r["province_code"]])), "-")

# ---- 7. merged provinces (the old province no longer exists) -----------------------------------
gone = sorted(p for p in old_prov_name if p not in prov_by_code or o2n[p]["new_province_code"] != p)
per_prov = defaultdict(list)
for c in CLEAN_SINGLE:
    per_prov[old_comm[c]["province_code"]].append(c)
for p in gone:
    for code in sample(per_prov[p], 1):
        r = old_comm[code]
        s = pick_street()
        add_old(code, "merged-province", addr(s, r["commune_name"], r["district_name"], old_prov_name[p]), street_expect(s),
                minc="1.0")

# ---- 8. units that kept their name ------------------------------------------------------------
kept = [c for c in CLEAN_SINGLE if tnorm(old_comm[c]["commune_name"]) == tnorm(targets[c][0]["new_commune_name"])]
for code in sample(kept, 15):
    r = old_comm[code]
    s = pick_street()
    add_old(code, "kept-name", addr(s, r["commune_name"], r["district_name"], prov_text(r["province_code"])),
            street_expect(s), minc="1.0")

# ---- 9. new-style addresses, already current --------------------------------------------------
def new_style_ok(r):
    f = fold(bare(r["commune_name"]))
    return (r["commune_code"] not in DONG_NAI_2026 and len(new_names_in_prov[(r["province_code"], f)]) == 1
            and old_comm_names_by_newprov[r["province_code"]][f] == 0 and f not in province_folds
            and not ODD_NAME.search(bare(r["commune_name"]).replace("1", "").replace("2", "")))


NEW_OK = [r["commune_code"] for r in NEW if new_style_ok(r)]
add(f"communes_2025.csv:L{new_by_code['00004']['_line']} rule:new-style", "text",
    "Số 1 Hoàng Diệu, Phường Ba Đình, Thành phố Hà Nội", "converted", "01", "00004", "", "Số 1 Hoàng Diệu", "1.0")
for code in sample(NEW_OK, 30):
    r = new_by_code[code]
    s = pick_street()
    pn = prov_by_code[r["province_code"]]["province_name"]
    add(f"communes_2025.csv:L{r['_line']} rule:new-style", "text",
        addr(s, lower_type(r["commune_name"]), pn if rng.random() < 0.5 else bare(pn)),
        "converted", r["province_code"], code, "", street_expect(s), "1.0")
for code in sample(NEW_OK, 8):
    r = new_by_code[code]
    add(f"communes_2025.csv:L{r['_line']} rule:new-style-no-diacritics", "text",
        strip_accents(addr(r["commune_name"], prov_by_code[r["province_code"]]["province_name"])),
        "converted", r["province_code"], code, "", "-", "0.5", "0.99")
for code in ("11948", "26732"):  # đặc khu (new type, new code)
    r = new_by_code[code]
    add(f"communes_2025.csv:L{r['_line']} rule:new-style-dac-khu", "text",
        addr(r["commune_name"], prov_by_code[r["province_code"]]["province_name"]), "converted",
        r["province_code"], code, "", "-", "1.0")

# ---- 10. missing levels -----------------------------------------------------------------------
def no_district_ok(c):
    r = old_comm[c]
    f = fold(bare(r["commune_name"]))
    np_ = o2n[r["province_code"]]["new_province_code"]
    return cnt_prov_comm[(r["province_code"], f)] == 1 and not new_names_in_prov[(np_, f)] and f not in district_folds \
        and f not in province_folds


for code in sample([c for c in CLEAN_SINGLE if no_district_ok(c)], 20):
    r = old_comm[code]
    s = pick_street()
    add_old(code, "missing-district", addr(s, r["commune_name"], prov_text(r["province_code"])), street_expect(s),
            maxc="0.99")


def no_province_ok(c):
    r = old_comm[c]
    fc, fd = fold(bare(r["commune_name"])), fold(bare(r["district_name"]))
    return cnt_country_dc[(fd, fc)] == 1 and not new_names[fc] and not new_names[fd] and fd not in province_folds \
        and fc not in province_folds and fc not in district_folds and not r["district_name"].startswith("Thành phố ")


for code in sample([c for c in CLEAN_SINGLE if no_province_ok(c)], 15):
    r = old_comm[code]
    s = pick_street()
    add_old(code, "missing-province", addr(s, r["commune_name"], r["district_name"]), street_expect(s), maxc="0.99")

# old commune written with the NEW province (district left out or kept)
def with_new_province_ok(c, keep_district):
    r = old_comm[c]
    np_ = o2n[r["province_code"]]["new_province_code"]
    if np_ == r["province_code"] and len(old_provs_of_new[np_]) == 1:
        return False  # not interesting: the province did not change
    f = fold(bare(r["commune_name"]))
    if keep_district:
        fd = fold(bare(r["district_name"]))
        n = sum(1 for x in old_comm.values() if x["province_code"] in old_provs_of_new[np_]
                and fold(bare(x["district_name"])) == fd and fold(bare(x["commune_name"])) == f)
        return n == 1
    return old_comm_names_by_newprov[np_][f] == 1 and not new_names_in_prov[(np_, f)] and f not in district_folds \
        and f not in province_folds


merged_pool = [c for c in CLEAN_SINGLE if old_comm[c]["province_code"] != o2n[old_comm[c]["province_code"]]["new_province_code"]]
for code in sample([c for c in merged_pool if with_new_province_ok(c, False)], 8):
    r = old_comm[code]
    np_ = o2n[r["province_code"]]["new_province_code"]
    add_old(code, "old-commune-new-province", addr(r["commune_name"], prov_by_code[np_]["province_name"]), "-", maxc="0.99")
for code in sample([c for c in merged_pool if with_new_province_ok(c, True)], 6):
    r = old_comm[code]
    np_ = o2n[r["province_code"]]["new_province_code"]
    add_old(code, "old-district-new-province", addr(r["commune_name"], r["district_name"], prov_by_code[np_]["province_name"]), "-")

# only a province: unresolved, but the (new) province is known
only_prov = [("01", "Hà Nội"), ("01", "Thành phố Hà Nội"), ("02", "Tỉnh Hà Giang"), ("52", "Tỉnh Bình Định"),
             ("64", "Tỉnh Gia Lai"), ("82", "Tỉnh Tiền Giang"), ("87", "Tỉnh Đồng Tháp"), ("77", "Tỉnh Bà Rịa - Vũng Tàu"),
             ("79", "TP. HCM"), ("35", "Tỉnh Hà Nam"), ("66", "Đắk Lắk"), ("67", "Tỉnh Đắk Nông"),
             ("49", "Quảng Nam"), ("58", "Ninh Thuận")]
for pc, text in only_prov:
    f = fold(bare(text))
    assert text.startswith(("Tỉnh", "Thành phố", "TP.")) or (f not in district_folds and not new_names[f]
                                                            and not any(fold(bare(x["commune_name"])) == f for x in old_comm.values())), text
    add(f"old_to_new_provinces.csv:L{o2n[pc]['_line']} rule:province-only", "text", text, "unresolved",
        o2n[pc]["new_province_code"], street="-")
add(f"old_to_new_provinces.csv:L{o2n['40']['_line']} rule:province-only", "text", "Số 123 Lê Lợi, Tỉnh Nghệ An",
    "unresolved", "40")
add(f"old_to_new_provinces.csv:L{o2n['02']['_line']} rule:province-only", "text", "Thôn 3, Tỉnh Hà Giang",
    "unresolved", "08")

# districts that became a đặc khu whole (no communes): district + province is enough
for dc in ("318", "755"):
    mr = next(r for r in MAP if r["old_district_code"] == dc and not r["old_commune_code"])
    add(f"old_to_new_communes.csv:L{mr['_line']} rule:district-became-dac-khu", "text",
        addr(mr["old_district_name"], mr["old_province_name"]), "converted", mr["new_province_code"], mr["new_commune_code"],
        "", "-")

# ---- 11. structured codes ---------------------------------------------------------------------
def add_codes(code, rule, text, minc=""):
    st, p, c, cands = expect_of(code)
    add(f"{src_map(code)} rule:{rule}", "codes", text, st, p, c, cands, "", minc if st == "converted" else "")


single_codes = [c for c in old_codes if single(c)]
split_codes = [c for c in old_codes if not single(c)]
for code in sample(single_codes, 20):
    r = old_comm[code]
    add_codes(code, "codes-full", f"{r['province_code']}/{r['district_code']}/{code}", minc="1.0")
for code in sample([c for c in single_codes if c not in new_codes], 10):
    add_codes(code, "codes-commune-only", f"//{code}")
for code in sample([c for c in single_codes if c in new_codes and targets[c][0]["new_commune_code"] == c], 3):
    add_codes(code, "codes-commune-only-same-code", f"//{code}")
for code in sample([c for c in single_codes if c not in new_codes], 6):
    add_codes(code, "codes-province-commune", f"{old_comm[code]['province_code']}//{code}")
for code in sample(split_codes, 8):
    r = old_comm[code]
    add_codes(code, "codes-split", f"{r['province_code']}/{r['district_code']}/{code}")
for code in sample([c for c in split_codes if c not in new_codes], 5):
    add_codes(code, "codes-split-commune-only", f"//{code}")
# a split old code that is also the code of one of its new targets: read as an OLD code -> ambiguous
for code in sample([c for c in split_codes if c in new_codes], 2):
    add_codes(code, "codes-split-code-reused", f"//{code}")
# the province code changed meaning: old 52 (Bình Định) -> 52 Gia Lai, old 64 (Gia Lai) -> 52, old 87 -> 82
for pc in ("52", "64", "87", "82", "02"):
    code = sample([c for c in single_codes if old_comm[c]["province_code"] == pc], 1)[0]
    r = old_comm[code]
    add_codes(code, "codes-reused-province-code", f"{pc}/{r['district_code']}/{code}", minc="1.0")
for pc in ("01", "02", "52", "64", "87"):
    add(f"old_to_new_provinces.csv:L{o2n[pc]['_line']} rule:codes-province-only", "codes", f"{pc}//", "unresolved",
        o2n[pc]["new_province_code"])
add(f"old_units_pre2025.csv:L{old_dist_line['001']} rule:codes-district-only", "codes", "01/001/", "unresolved", "01")
for text in ["//99999", "99//", "//00002", "00/000/00000", "//abcde", "//", "99/999/99999"]:
    add("rule:codes-unknown", "codes", text, "unresolved")
add(f"old_units_pre2025.csv:L{old_prov_line['01']} rule:codes-unknown-district", "codes", "01/999/", "unresolved")
# inconsistent: the district (or province) does not contain the commune
for code in sample(single_codes, 6):
    r = old_comm[code]
    other = sorted(d for d, (p, _) in old_dist.items() if p == r["province_code"] and d != r["district_code"])
    if not other:
        continue
    d2 = rng.choice(other)
    add(f"old_units_pre2025.csv:L{r['_line']} rule:codes-inconsistent-district", "codes",
        f"{r['province_code']}/{d2}/{code}", "unresolved")
for code in sample(single_codes, 4):
    r = old_comm[code]
    p2 = rng.choice(sorted(p for p in old_prov_name if p != r["province_code"]))
    add(f"old_units_pre2025.csv:L{r['_line']} rule:codes-inconsistent-province", "codes",
        f"{p2}/{r['district_code']}/{code}", "unresolved")
# codes that only exist after the reform (the five new đặc khu codes)
for code in sorted(new_codes - old_codes):
    r = new_by_code[code]
    add(f"communes_2025.csv:L{r['_line']} rule:codes-new-current", "codes", f"//{code}", "converted",
        r["province_code"], code)
add(f"communes_2025.csv:L{new_by_code['26732']['_line']} rule:codes-new-current", "codes", "79//26732", "converted",
    "79", "26732")
for dc in ("318", "471", "536"):
    mr = next(r for r in MAP if r["old_district_code"] == dc and not r["old_commune_code"])
    add(f"old_to_new_communes.csv:L{mr['_line']} rule:codes-district-became-dac-khu", "codes",
        f"{mr['old_province_code']}/{dc}/", "converted", mr["new_province_code"], mr["new_commune_code"])

# ---- 12. garbage, empty, robustness -----------------------------------------------------------
for text in ["asdkjh qwe", "12345", "!!!", "🏠🏡🏢", "", "   ", "\t", ",,,", "Việt Nam", "Phường", "null",
             "<script>alert(1)</script>", "'; DROP TABLE units; --", "Số 12 ngõ 34"]:
    add("rule:garbage", "text", text, "unresolved")
long_text = "a " * 2500 + ", Phường Trúc Bạch, Quận Ba Đình, Hà Nội"
add(f"{src_map('00004')} rule:very-long", "text", long_text, "converted", "01", "00004")
add(f"{src_map('00004')} rule:whitespace", "text", "  Phường Trúc Bạch ,Quận Ba Đình ,  Hà Nội  ", "converted",
    "01", "00004", "", "-", "1.0")
add(f"{src_map('00004')} rule:whitespace", "text", "Phường  Trúc   Bạch, Quận Ba  Đình, Hà   Nội,", "converted",
    "01", "00004", "", "-", "1.0")
add(f"{src_map('00004')} rule:country-suffix", "text", "Số 1 Hàng Bún, Phường Trúc Bạch, Quận Ba Đình, Hà Nội, Việt Nam",
    "converted", "01", "00004", "", "Số 1 Hàng Bún", "1.0")
add(f"{src_map('26743')} rule:country-suffix", "text", "Phường Bến Thành, Quận 1, TP. Hồ Chí Minh, Vietnam",
    "converted", "79", "26743", "", "-", "1.0")
add(f"{src_map('26743')} rule:street-with-comma", "text", "Lầu 3, số 65 Lê Lợi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh",
    "converted", "79", "26743", "", "Lầu 3, số 65 Lê Lợi", "1.0")
add(f"{src_map('00004')} rule:street-with-comma", "text", "Phòng 402, tòa nhà A, Phường Trúc Bạch, Quận Ba Đình, Hà Nội",
    "converted", "01", "00004", "", "Phòng 402, tòa nhà A", "1.0")
add(f"{src_map('00004')} rule:no-type-words", "text", "Trúc Bạch, Ba Đình, Hà Nội", "converted", "01", "00004", "", "-")
add(f"{src_map('26743')} rule:no-type-words", "text", "Bến Thành, Quận 1, Hồ Chí Minh", "converted", "79", "26743", "", "-")


# ----------------------------------------------------------------------------------------------
# Unit search

SROWS = []


def sadd(source, query, expect, level="", as_of="", note=""):
    SROWS.append({"source": source, "query": query, "as_of": as_of, "level": level, "expect_code": expect, "note": note})


def units_at(as_of):
    """(level, code, full name) of every unit valid on the date."""
    if as_of:
        out = [("province", p, n) for p, n in old_prov_name.items()]
        out += [("district", d, n) for d, (p, n) in old_dist.items()]
        out += [("commune", c, r["commune_name"]) for c, r in old_comm.items()]
    else:
        out = [("province", r["province_code"], r["province_name"]) for r in PROV]
        out += [("commune", r["commune_code"], r["commune_name"]) for r in NEW]
    return out


UNITS = {d: [(lvl, code, name, tnorm(name), tnorm(bare(name)), fold(name), fold(bare(name)), loose(name), loose(bare(name)))
             for lvl, code, name in units_at(d)] for d in ("", OLD_DATE)}
LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


def ranked(query, as_of="", level=""):
    """Reference ranking over whole-name matches only (with or without the type word):
    level province < district < commune, then exact (NFC, case, tone placement) before folded,
    then code ascending."""
    q_exact, q_fold = tnorm(" ".join(unicodedata.normalize("NFC", query).split())), fold(unicodedata.normalize("NFC", query))
    hits = []
    for lvl, code, name, t1, t2, f1, f2, _, _ in UNITS[as_of]:
        if level and lvl != level:
            continue
        if q_exact in (t1, t2):
            hits.append((LEVEL_ORDER[lvl], 0, code))
        elif q_fold in (f1, f2):
            hits.append((LEVEL_ORDER[lvl], 1, code))
    return [h[2] for h in sorted(hits)]


def loose_hits(key, as_of="", level=""):
    return [u[1] for u in UNITS[as_of] if (not level or u[0] == level) and key in (u[7], u[8])]


def s_check(query, expect, as_of="", level="", unique=True):
    hits = ranked(query, as_of, level)
    assert hits and hits[0] == expect, (query, as_of, level, expect, hits[:5])
    if unique:
        assert len(hits) == 1, (query, hits)
    return hits


def line_of(level, code, as_of):
    if not as_of:
        return f"provinces_2025.csv:L{prov_by_code[code]['_line']}" if level == "province" \
            else f"communes_2025.csv:L{new_by_code[code]['_line']}"
    if level == "province":
        return f"old_units_pre2025.csv:L{old_prov_line[code]}"
    if level == "district":
        return f"old_units_pre2025.csv:L{old_dist_line[code]}"
    return f"old_units_pre2025.csv:L{old_comm[code]['_line']}"


# provinces today, by name with and without type word, in every form
for r in PROV:
    pc, name = r["province_code"], r["province_name"]
    q = bare(name)
    hits = ranked(q)
    note = "exact province name" if len(hits) == 1 else \
        "tie-break: province before commune (a commune has the same name)"
    s_check(q, pc, unique=False)
    sadd(f"{line_of('province', pc, '')} rule:province-name", q, pc, note=note)
for pc, q, rule in [("01", "Thành phố Hà Nội", "with-type-word"), ("01", "ha noi", "no-diacritics"),
                    ("01", "HÀ NỘI", "upper-case"), ("01", unicodedata.normalize("NFD", "Hà Nội"), "nfd"),
                    ("79", "Thành phố Hồ Chí Minh", "with-type-word"), ("79", "ho chi minh", "no-diacritics"),
                    ("46", "Thành phố Huế", "with-type-word"), ("22", "Tỉnh Quảng Ninh", "with-type-word"),
                    ("22", "quang ninh", "no-diacritics"), ("92", "CẦN THƠ", "upper-case"),
                    ("48", unicodedata.normalize("NFD", "Thành phố Đà Nẵng"), "nfd"), ("68", "lam dong", "no-diacritics"),
                    ("38", "Thanh Hoá", "tone-placement"), ("56", "Khánh Hoà", "tone-placement"),
                    ("38", "tỉnh thanh hoá", "tone-placement"), ("56", "KHANH HOA", "no-diacritics")]:
    s_check(q, pc, level="province")
    sadd(f"{line_of('province', pc, '')} rule:{rule}", q, pc, level="province" if rule == "no-diacritics" and len(ranked(q)) > 1 else "",
         note="exact province name" if rule != "no-diacritics" else "folded match")
for q in ["Đắc Lắc", "Dak Lak", "Đăk Lăk", "Daklak", "dak lac"]:
    assert not ranked(q) or ranked(q)[0] == "66"
    sadd(f"{line_of('province', '66', '')} rule:spelling-variant", q, "66", level="province",
         note="spelling variant of Đắk Lắk (no other province is close)")
for q in ["TP. HCM", "TP.HCM", "Tp Hồ Chí Minh", "HCM", "TPHCM", "TP. Hồ Chí Minh", "tp hcm"]:
    sadd(f"{line_of('province', '79', '')} rule:abbreviation", q, "79", note="abbreviation of Thành phố Hồ Chí Minh")
for q in ["TP. Hà Nội", "TP Hà Nội", "Tp. Cần Thơ"]:
    pc = "01" if "Hà Nội" in q else "92"
    sadd(f"{line_of('province', pc, '')} rule:abbreviation", q, pc, note="TP. = Thành phố")

# old provinces, districts and communes (as_of the day before the reform)
for pc, q in [("02", "Hà Giang"), ("17", "Hòa Bình"), ("17", "Hoà Bình"), ("67", "Đắk Nông"), ("77", "Bà Rịa - Vũng Tàu"),
              ("52", "Bình Định"), ("64", "Gia Lai"), ("87", "Đồng Tháp"), ("82", "Tiền Giang"), ("93", "hau giang")]:
    hits = s_check(q, pc, OLD_DATE, unique=False)
    sadd(f"{line_of('province', pc, OLD_DATE)} rule:old-province", q, pc, as_of=OLD_DATE, level="province",
         note="old province (old code)" + ("; a district has the same name, the level filter decides" if len(hits) > 1 else ""))
for dc, q, note in [("760", "Q.1", "Q. = Quận"), ("760", "Quận 1", "not Quận 10/11/12"), ("771", "Quận 10", "not Quận 1"),
                    ("772", "Quận 11", "not Quận 1"), ("761", "Quận 12", "not Quận 1/2"), ("770", "Q.3", "Q. = Quận"),
                    ("770", "Quận 3", "exact"), ("774", "Q5", "Q = Quận"), ("776", "Q. 8", "Q. = Quận"),
                    ("017", "H. Đông Anh", "H. = Huyện"), ("017", "Huyện Đông Anh", "exact"),
                    ("269", "TX. Sơn Tây", "TX. = Thị xã; Huyện Sơn Tây (Quảng Ngãi) is a huyện, the type decides"),
                    ("769", "TP. Thủ Đức", "TP. = Thành phố"), ("731", "TP. Biên Hòa", "TP. = Thành phố"),
                    ("731", "Tp Biên Hoà", "TP = Thành phố; other tone placement"),
                    ("005", "Cầu Giấy", "exact"), ("005", "cau giay", "folded"), ("001", "Ba Đình", "exact"),
                    ("540", "Qui Nhơn", "spelling variant of Quy Nhơn"), ("540", "Quy Nhơn", "exact")]:
    full = None
    if not any(x in q for x in ("Q.", "Q5", "H.", "TX.", "TP.", "Tp ", "Qui")):
        s_check(q, dc, OLD_DATE, "district")
    sadd(f"{line_of('district', dc, OLD_DATE)} rule:old-district", q, dc, as_of=OLD_DATE, level="district", note=note)
for cc, q, note in [("00454", "TT. Đông Anh", "TT. = Thị trấn; Đông Anh is a unique old commune name"),
                    ("00167", "Dịch Vọng Hậu", "exact"), ("00167", "dich vong hau", "folded"),
                    ("00004", "Trúc Bạch", "exact"), ("00004", "Phường Trúc Bạch", "exact with type word")]:
    if "TT." not in q:
        s_check(q, cc, OLD_DATE, "commune")
    sadd(f"{line_of('commune', cc, OLD_DATE)} rule:old-commune", q, cc, as_of=OLD_DATE, level="commune", note=note)
assert ranked("Đông Anh", OLD_DATE, "commune") == ["00454"]
assert ranked("Sơn Tây", OLD_DATE, "district") == ["269", "530"] or len(ranked("Sơn Tây", OLD_DATE, "district")) == 2

# new communes whose name is unique in the country (after folding), in every form
uniq_new = [r["commune_code"] for r in NEW if len(new_names[fold(bare(r["commune_name"]))]) == 1
            and r["commune_code"] not in DONG_NAI_2026 and fold(bare(r["commune_name"])) not in province_folds
            and len(loose_hits(loose(bare(r["commune_name"])))) == 1 and not re.search(r"\d", r["commune_name"])]
forms = [("exact", lambda n: bare(n)), ("with-type-word", lambda n: n), ("no-diacritics", lambda n: strip_accents(bare(n))),
         ("upper-case", lambda n: bare(n).upper()), ("nfd", lambda n: unicodedata.normalize("NFD", bare(n))),
         ("lower-case", lambda n: n.lower())]
for i, code in enumerate(sample(uniq_new, 36)):
    r = new_by_code[code]
    rule, f = forms[i % len(forms)]
    q = f(r["commune_name"])
    s_check(q, code)
    sadd(f"{line_of('commune', code, '')} rule:new-commune-{rule}", q, code, level="commune" if i % 3 == 0 else "",
         note="name unique in the country after folding")
# tone placement in new commune names
tone_new = [c for c in uniq_new if swap_tones(bare(new_by_code[c]["commune_name"]))]
for code in sample(tone_new, 8):
    q = swap_tones(bare(new_by_code[code]["commune_name"]))
    s_check(q, code)
    sadd(f"{line_of('commune', code, '')} rule:tone-placement", q, code, note="other tone placement of a unique name")
# typos in unique new commune names: only if no other unit is within distance 2
typo_new = []
all_folds_today = [(u[1], u[6]) for u in UNITS[""]]
for code in sample(uniq_new, len(uniq_new)):
    if len(typo_new) >= 10:
        break
    res = make_typo(new_by_code[code]["commune_name"])
    if not res:
        continue
    f = fold(res[1])
    if damerau(f, fold(bare(new_by_code[code]["commune_name"]))) == 1 and \
            all(damerau(f, o) >= 3 for c, o in all_folds_today if c != code):
        typo_new.append((code, res[1]))
for code, q in sample(typo_new, 10):
    sadd(f"{line_of('commune', code, '')} rule:typo", q, code, level="commune",
         note="one-letter typo; no other unit within two edits")
# typos of well-known names: the intended unit is the only one at the smallest distance
for q, code in [("Cua Giay", "00166"), ("Cầu Gấy", "00166"), ("Hoàn Kiếmm", "00070"), ("Dich Vong Hau", None)]:
    if code is None:
        continue
    f = fold(q)
    dist = sorted((damerau(f, o), c) for c, o in all_folds_today if abs(len(f) - len(o)) <= 2)
    assert dist[0][1] == code and dist[0][0] == 1 and dist[1][0] >= 2, (q, dist[:4])
    sadd(f"{line_of('commune', code, '')} rule:typo", q, code, level="commune",
         note="one-letter typo; the only unit one edit away")
# numbered names of the new map: the number decides
for q in ["Phường 1 Bảo Lộc", "Phường 2 Bảo Lộc", "phuong 3 bao loc", "Hà Giang 1", "Hà Giang 2", "Móng Cái 1",
          "Móng Cái 3", "A Lưới 1", "A Lưới 5", "Bảo Lâm 3"]:
    code = s_check(q, [u[1] for u in UNITS[""] if q.lower() in (u[2].lower(), bare(u[2]).lower())
                       or fold(q) == u[5]][0])[0]
    sadd(f"{line_of('commune', code, '')} rule:numbered-name", q, code,
         note="the number is part of the name: the same name with another number is another unit")
sadd(f"{line_of('commune', '24820', '')} rule:numbered-name", "P.2 Bảo Lộc", "24820", level="commune",
     note="P. = Phường; Phường 2 Bảo Lộc, not Phường 1 or 3 Bảo Lộc")
# repeated names: the documented tie-break
TIE = "tie-break: level (province<district<commune), then exact-with-diacritics before folded, then code ascending"
for q in ["Tân Phú", "Bình Minh", "Ba Đình", "Ba Dinh", "Sơn Tây", "Văn Lang", "Văn Lăng", "Tân Thành", "tan thanh", "Mỹ Tho"]:
    hits = ranked(q)
    assert len(hits) >= 2, (q, hits)
    sadd(f"{line_of('commune', hits[0], '')} rule:tie-break", q, hits[0],
         note=f"{TIE}; {len(hits)} whole-name matches: {' '.join(hits[:6])}{' …' if len(hits) > 6 else ''}")


# ----------------------------------------------------------------------------------------------

def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main():
    write(HERE / "address_cases.csv", ADDRESS_HEADER, ROWS)
    write(HERE / "unit_search_cases.csv", SEARCH_HEADER, SROWS)
    cats = Counter(re.search(r"rule:(\S+)", r["source"]).group(1) for r in ROWS)
    print(f"address_cases.csv: {len(ROWS)} rows", file=sys.stderr)
    for k, v in sorted(cats.items()):
        print(f"  {k}: {v}", file=sys.stderr)
    scats = Counter(re.search(r"rule:(\S+)", r["source"]).group(1) for r in SROWS)
    print(f"unit_search_cases.csv: {len(SROWS)} rows", file=sys.stderr)
    for k, v in sorted(scats.items()):
        print(f"  {k}: {v}", file=sys.stderr)


if __name__ == "__main__":
    main()
