#include "platform/calendar/calendar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "platform/util/time.hpp"

namespace lt::calendar {

// ---- civil days -----------------------------------------------------------------------------------

int64_t day_number(Ymd d) { return timeutil::days_from_civil(d.y, static_cast<unsigned>(d.m), static_cast<unsigned>(d.d)); }

Ymd ymd(int64_t day) {
  int y;
  unsigned m, d;
  timeutil::civil_from_days(day, y, m, d);
  return {y, static_cast<int>(m), static_cast<int>(d)};
}

int weekday(int64_t day) {
  int64_t w = (day + 4) % 7;  // 1970-01-01 was a Thursday
  return static_cast<int>(w < 0 ? w + 7 : w);
}

std::string iso_date(int64_t day) {
  Ymd d = ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.y, d.m, d.d);
  return buf;
}

std::optional<int64_t> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int y = std::stoi(std::string(s.substr(0, 4))), m = std::stoi(std::string(s.substr(5, 2))), d = std::stoi(std::string(s.substr(8, 2)));
  if (!timeutil::valid_date(y, m, d)) return std::nullopt;
  return day_number({y, m, d});
}

namespace {
// The day (since 1970-01-01) and the minute of the day of an instant, in Vietnam's time.
int64_t local_day(int64_t ms) {
  int64_t local = ms + kVietnamOffsetMs;
  return local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
}
int minute_of_day(int64_t ms) { return static_cast<int>((ms + kVietnamOffsetMs - local_day(ms) * 86400000) / 60000); }
int64_t at(int64_t day, int minute) { return day * 86400000 + int64_t{minute} * 60000 - kVietnamOffsetMs; }
}  // namespace

std::string iso_vn(int64_t ms) {
  int64_t day = local_day(ms);
  int64_t rest = (ms + kVietnamOffsetMs - day * 86400000) / 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d+07:00", iso_date(day).c_str(), static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buf;
}

// ---- the lunar calendar ---------------------------------------------------------------------------
// Julian day numbers; new moons and the sun's longitude from the series in Jean Meeus,
// "Astronomical Algorithms"; the month rules of the Vietnamese calendar (month 11 holds the winter
// solstice; in a year of 13 months the first month without a major solar term is the leap month),
// all at UTC+7.

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kTz = 7.0;
constexpr double kSynodic = 29.530588853;
constexpr double kNewMoonEpoch = 2415021.076998695;  // the new moon of 1900-01-01 (Julian day)

int64_t jd_from_ymd(int y, int m, int d) {
  int64_t a = (14 - m) / 12, yy = y + 4800 - a, mm = m + 12 * a - 3;
  return d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 + yy / 400 - 32045;
}

Ymd ymd_from_jd(int64_t jd) { return ymd(jd - 2440588); }  // JD 2440588 is 1970-01-01

// The Julian day (with fraction, UT) of the k-th new moon after the epoch.
double new_moon(int64_t k) {
  double t = static_cast<double>(k) / 1236.85, t2 = t * t, t3 = t2 * t, dr = kPi / 180;
  double jd1 = 2415020.75933 + 29.53058868 * static_cast<double>(k) + 0.0001178 * t2 - 0.000000155 * t3;
  jd1 += 0.00033 * std::sin((166.56 + 132.87 * t - 0.009173 * t2) * dr);
  double m = 359.2242 + 29.10535608 * static_cast<double>(k) - 0.0000333 * t2 - 0.00000347 * t3;     // sun's anomaly
  double mp = 306.0253 + 385.81691806 * static_cast<double>(k) + 0.0107306 * t2 + 0.00001236 * t3;   // moon's anomaly
  double f = 21.2964 + 390.67050646 * static_cast<double>(k) - 0.0016528 * t2 - 0.00000239 * t3;     // argument of latitude
  double c1 = (0.1734 - 0.000393 * t) * std::sin(m * dr) + 0.0021 * std::sin(2 * dr * m) - 0.4068 * std::sin(mp * dr) +
              0.0161 * std::sin(dr * 2 * mp) - 0.0004 * std::sin(dr * 3 * mp) + 0.0104 * std::sin(dr * 2 * f) -
              0.0051 * std::sin(dr * (m + mp)) - 0.0074 * std::sin(dr * (m - mp)) + 0.0004 * std::sin(dr * (2 * f + m)) -
              0.0004 * std::sin(dr * (2 * f - m)) - 0.0006 * std::sin(dr * (2 * f + mp)) + 0.0010 * std::sin(dr * (2 * f - mp)) +
              0.0005 * std::sin(dr * (2 * mp + m));
  double delta_t = t < -11 ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
                           : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return jd1 + c1 - delta_t;
}

// The local day (Julian day number) of the k-th new moon.
int64_t new_moon_day(int64_t k) { return static_cast<int64_t>(std::floor(new_moon(k) + 0.5 + kTz / 24)); }

// The sun's apparent longitude (radians, 0 … 2π) at Julian day `jd` (with fraction).
double sun_longitude(double jd) {
  double t = (jd - 2451545.0) / 36525, t2 = t * t, dr = kPi / 180;
  double m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
  double l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  double dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * std::sin(dr * m) + (0.019993 - 0.000101 * t) * std::sin(dr * 2 * m) +
              0.000290 * std::sin(dr * 3 * m);
  double l = (l0 + dl) * dr;
  return l - kPi * 2 * std::floor(l / (kPi * 2));
}

// Which of the 12 major solar terms' sectors (0 … 11) the sun is in at the start of local day `jdn`.
int sun_sector(int64_t jdn) { return static_cast<int>(std::floor(sun_longitude(static_cast<double>(jdn) - 0.5 - kTz / 24) / kPi * 6)); }

// The first day of lunar month 11 (the month holding the winter solstice) of solar year `y`.
int64_t month11(int y) {
  int64_t off = jd_from_ymd(y, 12, 31) - 2415021;
  auto k = static_cast<int64_t>(std::floor(static_cast<double>(off) / kSynodic));
  int64_t nm = new_moon_day(k);
  if (sun_sector(nm) >= 9) nm = new_moon_day(k - 1);
  return nm;
}

// In a lunar year of 13 months starting at month 11 (day a11): the offset of the leap month.
int leap_month_offset(int64_t a11) {
  auto k = static_cast<int64_t>(std::floor((static_cast<double>(a11) - kNewMoonEpoch) / kSynodic + 0.5));
  int i = 1, arc = sun_sector(new_moon_day(k + 1)), last;
  do {
    last = arc;
    ++i;
    arc = sun_sector(new_moon_day(k + i));
  } while (arc != last && i < 14);
  return i - 1;
}

}  // namespace

LunarDate to_lunar(Ymd s) {
  int64_t dn = jd_from_ymd(s.y, s.m, s.d);
  auto k = static_cast<int64_t>(std::floor((static_cast<double>(dn) - kNewMoonEpoch) / kSynodic));
  int64_t month_start = new_moon_day(k + 1);
  if (month_start > dn) month_start = new_moon_day(k);
  int64_t a11 = month11(s.y), b11;
  LunarDate l;
  if (a11 >= month_start) {
    l.year = s.y;
    b11 = a11;
    a11 = month11(s.y - 1);
  } else {
    l.year = s.y + 1;
    b11 = month11(s.y + 1);
  }
  l.day = static_cast<int>(dn - month_start + 1);
  int diff = static_cast<int>((month_start - a11) / 29);
  l.month = diff + 11;
  if (b11 - a11 > 365) {
    int leap_diff = leap_month_offset(a11);
    if (diff >= leap_diff) {
      l.month = diff + 10;
      l.leap = diff == leap_diff;
    }
  }
  if (l.month > 12) l.month -= 12;
  if (l.month >= 11 && diff < 4) l.year -= 1;
  return l;
}

std::optional<Ymd> from_lunar(const LunarDate& l) {
  if (l.month < 1 || l.month > 12 || l.day < 1 || l.day > 30) return std::nullopt;
  int64_t a11, b11;
  if (l.month < 11) {
    a11 = month11(l.year - 1);
    b11 = month11(l.year);
  } else {
    a11 = month11(l.year);
    b11 = month11(l.year + 1);
  }
  auto k = static_cast<int64_t>(std::floor(0.5 + (static_cast<double>(a11) - kNewMoonEpoch) / kSynodic));
  int off = l.month - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    int leap_off = leap_month_offset(a11);
    int leap_month = leap_off - 2;
    if (leap_month < 0) leap_month += 12;
    if (l.leap && l.month != leap_month) return std::nullopt;
    if (l.leap || off >= leap_off) off += 1;
  } else if (l.leap) {
    return std::nullopt;
  }
  int64_t start = new_moon_day(k + off);
  int64_t next = new_moon_day(k + off + 1);
  if (start + l.day - 1 >= next) return std::nullopt;  // day 30 of a 29-day month
  return ymd_from_jd(start + l.day - 1);
}

// ---- holidays -------------------------------------------------------------------------------------

std::vector<Day> legal_defaults(int year) {
  const std::string law = "Bộ luật Lao động 2019, Điều 112";
  std::vector<std::pair<int64_t, std::string>> holidays;  // every holiday day, weekend or not
  auto add = [&](Ymd d, std::string name) { holidays.emplace_back(day_number(d), std::move(name)); };
  add({year, 1, 1}, "Tết Dương lịch");
  if (auto tet = from_lunar({1, 1, year, false})) {
    int64_t first = day_number(*tet);
    add(ymd(first - 1), "Tết Nguyên đán (30 Tết)");
    for (int i = 0; i < 4; ++i) add(ymd(first + i), "Tết Nguyên đán (mùng " + std::to_string(i + 1) + ")");
  }
  if (auto hung = from_lunar({10, 3, year, false})) add(*hung, "Giỗ Tổ Hùng Vương (10/3 âm lịch)");
  add({year, 4, 30}, "Ngày Chiến thắng 30/4");
  add({year, 5, 1}, "Ngày Quốc tế Lao động 1/5");
  add({year, 9, 2}, "Quốc khánh 2/9");
  int64_t national = day_number({year, 9, 2});
  add(ymd(weekday(national) == 1 ? national + 1 : national - 1), "Quốc khánh (ngày liền kề)");
  std::sort(holidays.begin(), holidays.end());
  std::vector<Day> out;
  std::vector<int64_t> taken;  // weekdays already off
  auto is_weekend = [](int64_t d) { return weekday(d) == 0 || weekday(d) == 6; };
  for (const auto& [d, name] : holidays) {
    if (!is_weekend(d)) {
      out.push_back({iso_date(d), "off", name, law});
      taken.push_back(d);
    }
  }
  // A holiday on a weekend: the next working day off (after the other holidays).
  for (const auto& [d, name] : holidays) {
    if (!is_weekend(d)) continue;
    int64_t c = d + 1;
    while (is_weekend(c) || std::find(taken.begin(), taken.end(), c) != taken.end()) ++c;
    taken.push_back(c);
    out.push_back({iso_date(c), "off", "Nghỉ bù " + name, law + ", khoản 3"});
  }
  std::sort(out.begin(), out.end(), [](const Day& a, const Day& b) { return a.date < b.date; });
  // Only days of this year (Tết's eve may fall in the previous solar year's list of another year).
  std::erase_if(out, [&](const Day& x) { return x.date.substr(0, 4) != std::to_string(year); });
  return out;
}

// ---- the working calendar -------------------------------------------------------------------------

void WorkCalendar::set_schedule(int year, std::vector<Day> days) {
  for (const auto& d : days) {
    auto n = parse_date(d.date);
    if (!n || ymd(*n).y != year) throw std::invalid_argument("schedule " + std::to_string(year) + ": bad date " + d.date);
    if (d.kind != "off" && d.kind != "working") throw std::invalid_argument("schedule: kind must be off or working: " + d.kind);
  }
  schedules_[year] = std::move(days);
  std::lock_guard lk(mu_);
  // Schedules are set before the calendar is shared (calendar::Store builds a new one per change).
  if (year >= kFirstYear && year < kFirstYear + kYears) fast_[static_cast<size_t>(year - kFirstYear)].store(nullptr, std::memory_order_release);
  cache_.erase(year);
}

std::vector<Day> WorkCalendar::days(int year) const {
  if (auto it = schedules_.find(year); it != schedules_.end()) return it->second;
  return legal_defaults(year);
}

const Day* WorkCalendar::special(int64_t day) const {
  int year = ymd(day).y;
  if (year >= kFirstYear && year < kFirstYear + kYears) {
    if (const auto* m = fast_[static_cast<size_t>(year - kFirstYear)].load(std::memory_order_acquire)) {
      auto d = m->find(day);
      return d == m->end() ? nullptr : &d->second;
    }
  }
  std::lock_guard lk(mu_);
  auto it = cache_.find(year);
  if (it == cache_.end()) {
    std::map<int64_t, Day> m;
    for (auto& d : days(year)) m[*parse_date(d.date)] = d;
    it = cache_.emplace(year, std::move(m)).first;
    if (year >= kFirstYear && year < kFirstYear + kYears) fast_[static_cast<size_t>(year - kFirstYear)].store(&it->second, std::memory_order_release);
  }
  auto d = it->second.find(day);
  return d == it->second.end() ? nullptr : &d->second;  // entries are never erased while readers run
}

bool WorkCalendar::is_working_day(int64_t day) const {
  if (const Day* s = special(day)) return s->kind == "working";
  int w = weekday(day);
  return w != 0 && w != 6;
}

int64_t WorkCalendar::next_working_day(int64_t day) const {
  int64_t d = day + 1;
  for (int guard = 0; !is_working_day(d) && guard < 400; ++guard) ++d;
  return d;
}

int64_t WorkCalendar::receipt_day(int64_t received_ms) const {
  int64_t day = local_day(received_ms);
  if (!is_working_day(day) || minute_of_day(received_ms) >= hours_.cutoff_min) return next_working_day(day);
  return day;
}

int64_t WorkCalendar::due_working_days(int64_t received_ms, int n) const {
  int64_t day = receipt_day(received_ms);
  for (int i = 0; i < n; ++i) day = next_working_day(day);
  return at(day, hours_.close_min);
}

int64_t WorkCalendar::due_working_hours(int64_t received_ms, int n) const {
  int64_t day = local_day(received_ms);
  int minute = minute_of_day(received_ms);
  if (!is_working_day(day) || minute >= hours_.cutoff_min) return advance(receipt_day(received_ms), hours_.open_min, int64_t{n} * 60);
  return advance(day, minute, int64_t{n} * 60);
}

int64_t WorkCalendar::add_working_minutes(int64_t from_ms, int64_t minutes) const {
  if (minutes <= 0) return from_ms;
  int64_t day = local_day(from_ms);
  int minute = minute_of_day(from_ms);
  if (!is_working_day(day)) {
    day = next_working_day(day);
    minute = hours_.open_min;
  }
  return advance(day, minute, minutes);
}

int64_t WorkCalendar::advance(int64_t day, int minute, int64_t left) const {
  for (int guard = 0; guard < 40000; ++guard) {
    for (const auto& [from, to] : periods()) {
      int start = std::max(minute, from);
      if (start >= to) continue;
      if (left <= to - start) return at(day, start + static_cast<int>(left));
      left -= to - start;
      minute = to;
    }
    day = next_working_day(day);
    minute = hours_.open_min;
  }
  throw std::runtime_error("working time: no working time found");
}

int64_t WorkCalendar::working_minutes(int64_t from_ms, int64_t to_ms) const {
  if (to_ms <= from_ms) return 0;
  int64_t total = 0;
  int64_t first = local_day(from_ms), last = local_day(to_ms);
  for (int64_t day = first; day <= last && day - first < 4000; ++day) {
    if (!is_working_day(day)) continue;
    for (const auto& [a, b] : periods()) {
      int64_t s = std::max(at(day, a), from_ms), e = std::min(at(day, b), to_ms);
      if (e > s) total += (e - s) / 60000;
    }
  }
  return total;
}

std::string WorkCalendar::status(int64_t due_ms, int64_t now_ms) const {
  if (now_ms > due_ms) return "overdue";
  if (working_minutes(now_ms, due_ms) <= int64_t{hours_.due_soon_hours} * 60) return "due_soon";
  return "on_time";
}

}  // namespace lt::calendar
