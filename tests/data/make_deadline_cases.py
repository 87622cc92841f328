#!/usr/bin/env python3
"""Writes tests/data/deadline_cases.csv: due times of dossiers under the working-time rules of
docs/CALENDAR.md, computed here independently of the C++ code (plain Python dates; the days off come
from the official schedules as VIETNAM.md lists them and, for years without one, from the Labour Code
rule applied to published lunar dates). Each case names the rule or the schedule it exercises.

    python3 tests/data/make_deadline_cases.py > tests/data/deadline_cases.csv
"""
import csv
import datetime as dt
import random
import sys

D = dt.date
OPEN, LUNCH_START, LUNCH_END, CLOSE, CUTOFF = 8 * 60, 12 * 60, 13 * 60, 17 * 60, 15 * 60

# Official schedules (VIETNAM.md): weekdays off and make-up working Saturdays.
OFFICIAL = {
    2025: {
        "off": [D(2025, 1, 1)] + [D(2025, 1, d) for d in range(27, 32)] + [D(2025, 4, 7), D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2),
                                                                          D(2025, 9, 1), D(2025, 9, 2)],
        "working": [D(2025, 4, 26)],
        "source": "official schedule 2025",
    },
    2026: {
        "off": [D(2026, 1, 1)] + [D(2026, 2, d) for d in range(16, 21)] + [D(2026, 4, 27), D(2026, 4, 30), D(2026, 5, 1), D(2026, 8, 31),
                                                                          D(2026, 9, 1), D(2026, 9, 2)],
        "working": [D(2026, 8, 22)],
        "source": "official schedule 2026",
    },
}
# Published lunar dates (Vietnamese calendar): first day of Tết, Hùng Kings' day (10/3 lunar).
LUNAR = {2024: (D(2024, 2, 10), D(2024, 4, 18)), 2027: (D(2027, 2, 6), D(2027, 4, 16)), 2028: (D(2028, 1, 26), D(2028, 4, 4))}


def legal_defaults(year):
    """Labour Code 2019 art. 112: the weekdays off of a year without an official schedule."""
    tet, hung = LUNAR[year]
    national = D(year, 9, 2)
    adjacent = national + dt.timedelta(days=1) if national.weekday() == 0 else national - dt.timedelta(days=1)
    holidays = [D(year, 1, 1), tet - dt.timedelta(days=1)] + [tet + dt.timedelta(days=i) for i in range(4)] + \
               [hung, D(year, 4, 30), D(year, 5, 1), national, adjacent]
    weekend = lambda d: d.weekday() >= 5
    off = {d for d in holidays if not weekend(d)}
    for d in sorted(holidays):
        if weekend(d):
            c = d + dt.timedelta(days=1)
            while weekend(c) or c in off:
                c += dt.timedelta(days=1)
            off.add(c)
    return {"off": sorted(x for x in off if x.year == year), "working": [], "source": "Labour Code 2019 art. 112 (legal defaults %d)" % year}


def year_rules(year):
    return OFFICIAL.get(year) or legal_defaults(year)


def working(d):
    r = year_rules(d.year)
    if d in r["working"]:
        return True
    if d in r["off"]:
        return False
    return d.weekday() < 5


def next_working(d):
    d += dt.timedelta(days=1)
    while not working(d):
        d += dt.timedelta(days=1)
    return d


def receipt_day(t):
    d = t.date()
    if not working(d) or t.hour * 60 + t.minute >= CUTOFF:
        return next_working(d)
    return d


def due_days(t, n):
    d = receipt_day(t)
    for _ in range(n):
        d = next_working(d)
    return dt.datetime.combine(d, dt.time(CLOSE // 60, CLOSE % 60))


def due_hours(t, n):
    d = t.date()
    m = t.hour * 60 + t.minute
    if not working(d) or m >= CUTOFF:
        d, m = receipt_day(t), OPEN
    left = n * 60
    while True:
        for a, b in ((OPEN, LUNCH_START), (LUNCH_END, CLOSE)):
            s = max(m, a)
            if s >= b:
                continue
            if left <= b - s:
                x = s + left
                return dt.datetime.combine(d, dt.time(x // 60, x % 60))
            left -= b - s
            m = b
        d, m = next_working(d), OPEN


def fmt(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "+07:00"


def main():
    rows = []

    def case(t, days=None, hours=None, why=""):
        due = due_days(t, days) if days else due_hours(t, hours)
        src = year_rules(receipt_day(t).year)["source"]
        rows.append([fmt(t), days or "", hours or "", fmt(due), "%s; %s" % (why, src)])

    T = dt.datetime
    # Hand-picked: the rules one by one.
    case(T(2026, 2, 13, 10, 0), days=3, why="Tết 2026 skipped (CLI example)")
    case(T(2026, 2, 13, 15, 0), days=3, why="at the cut-off: next working day")
    case(T(2026, 2, 13, 14, 59), days=3, why="one minute before the cut-off")
    case(T(2026, 2, 14, 9, 0), days=1, why="received on a Saturday of Tết")
    case(T(2025, 4, 25, 10, 0), days=1, why="make-up working Saturday 26/04/2025 counts")
    case(T(2025, 4, 26, 9, 0), days=2, why="received on the make-up Saturday")
    case(T(2026, 8, 21, 16, 0), days=1, why="after the cut-off on Friday; Saturday 22/08/2026 is a working day")
    case(T(2026, 8, 28, 9, 0), days=1, why="Quốc khánh 2026 break")
    case(T(2026, 4, 24, 9, 0), days=1, why="Monday 27/04/2026 off for Hùng Kings on Sunday")
    case(T(2026, 12, 30, 9, 0), days=2, why="across the new year into legal defaults 2027")
    case(T(2026, 12, 31, 16, 0), days=1, why="after the cut-off on New Year's eve")
    case(T(2027, 2, 4, 9, 0), days=2, why="Tết 2027 by the Labour Code with weekend compensation")
    case(T(2027, 4, 30, 9, 0), days=1, why="1 May 2027 on a Saturday: Monday 3 May off")
    case(T(2024, 9, 2, 9, 0), days=1, why="2 Sep 2024 on a Monday: 3 Sep is the adjacent day")
    case(T(2024, 2, 8, 11, 0), days=3, why="Tết 2024 with two compensation days")
    case(T(2026, 3, 2, 8, 0), hours=8, why="one working day of hours from the opening")
    case(T(2026, 3, 2, 11, 30), hours=1, why="across the lunch break")
    case(T(2026, 3, 2, 12, 30), hours=2, why="received during lunch")
    case(T(2026, 3, 2, 7, 0), hours=3, why="received before the opening")
    case(T(2026, 3, 2, 14, 0), hours=3, why="crosses the close into the next day")
    case(T(2026, 3, 2, 15, 30), hours=2, why="after the cut-off: from the next day's opening")
    case(T(2026, 2, 13, 14, 0), hours=4, why="hours across Tết 2026")
    case(T(2025, 4, 25, 14, 0), hours=6, why="hours across the make-up Saturday")
    case(T(2026, 3, 7, 10, 0), hours=4, why="received on a Saturday")
    # Generated: a spread over 2024–2028 of receipt times and limits, each under its year's rules.
    rnd = random.Random(20250701)
    minutes = [0, 7 * 60 + 45, 8 * 60, 9 * 60 + 30, 11 * 60 + 59, 12 * 60 + 15, 13 * 60, 14 * 60 + 59, 15 * 60, 16 * 60 + 30, 23 * 60 + 59]
    for i in range(150):
        day = D(2024, 1, 1) + dt.timedelta(days=rnd.randrange(0, 5 * 365 - 60))
        m = rnd.choice(minutes)
        t = T(day.year, day.month, day.day, m // 60, m % 60)
        if i % 3 == 2:
            case(t, hours=rnd.choice([1, 2, 4, 8, 16, 24, 40]), why="generated (working hours)")
        else:
            case(t, days=rnd.choice([1, 2, 3, 5, 7, 10, 12, 15, 20, 30]), why="generated (working days)")
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["from", "working_days", "working_hours", "due", "source"])
    w.writerows(rows)


main()
