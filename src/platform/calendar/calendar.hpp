#pragma once
// Working-time calendar (issue 5, item 4; docs/CALENDAR.md): the Vietnamese lunar calendar at UTC+7,
// the legal holidays of a year, the official schedule of a year (days off and make-up working
// Saturdays, entered by admins; it always wins), office hours, and due times in working days or
// working hours. Pure: no database, no clock; times are milliseconds since the Unix epoch and days
// are days since 1970-01-01, both read in Vietnam's time (UTC+7, no daylight saving).
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lt::calendar {

constexpr int64_t kVietnamOffsetMs = 7 * 3600 * 1000;

struct Ymd {
  int y = 0, m = 0, d = 0;
  bool operator==(const Ymd&) const = default;
};
int64_t day_number(Ymd d);  // days since 1970-01-01
Ymd ymd(int64_t day);
int weekday(int64_t day);  // 0 Sunday … 6 Saturday
std::string iso_date(int64_t day);
std::optional<int64_t> parse_date(std::string_view yyyy_mm_dd);

// The Vietnamese lunar calendar (astronomical new moons and solar terms computed for UTC+7).
struct LunarDate {
  int day = 0, month = 0, year = 0;
  bool leap = false;  // a leap (intercalary) month
};
LunarDate to_lunar(Ymd solar);
std::optional<Ymd> from_lunar(const LunarDate& l);  // nullopt: no such lunar date

// A day of a year's calendar that is not an ordinary Monday–Friday working day or weekend day.
struct Day {
  std::string date;    // YYYY-MM-DD
  std::string kind;    // "off" (a day off on a weekday) | "working" (a make-up working day on a weekend)
  std::string name;    // e.g. "Tết Nguyên đán", "Làm bù cho 02/01"
  std::string source;  // e.g. "Thông báo 6150/TB-BNV (2025)" or "Bộ luật Lao động 2019, Điều 112"
};

// The legal default days off of `year` (Labour Code 2019, art. 112) for a year without an official
// schedule: 1 January; Tết (the last day of the lunar year and the first four of the new one);
// Hùng Kings' day (10/3 lunar); 30 April; 1 May; 2 September and an adjacent day (1 September, or
// 3 September when 2 September is a Monday); a holiday on a Saturday or Sunday gives the next working
// day off. Only weekdays are listed.
std::vector<Day> legal_defaults(int year);

struct OfficeHours {
  int open_min = 8 * 60;        // 08:00
  int lunch_start_min = 12 * 60;  // 12:00
  int lunch_end_min = 13 * 60;    // 13:00
  int close_min = 17 * 60;      // 17:00
  int cutoff_min = 15 * 60;     // a dossier received after 15:00 counts as received the next working day
  int due_soon_hours = 24;      // "due soon" within this many working hours of the due time
};

class WorkCalendar {
 public:
  explicit WorkCalendar(OfficeHours h = {}) : hours_(h) {}
  // Thread-safe for readers once the schedules are set (the per-year lookup is filled under a lock).

  // The official schedule of a year: replaces whatever was set for it. Days outside the year are
  // refused (std::invalid_argument), as are unknown kinds and bad dates.
  void set_schedule(int year, std::vector<Day> days);
  bool has_schedule(int year) const { return schedules_.contains(year); }
  // The year's special days: its official schedule when set, else the legal defaults.
  std::vector<Day> days(int year) const;

  bool is_working_day(int64_t day) const;
  int64_t next_working_day(int64_t day) const;  // the first working day after `day`

  // The working day a dossier received at `received_ms` counts as received on: that day, or the
  // next working day when it came on a day off or after the cut-off.
  int64_t receipt_day(int64_t received_ms) const;
  // Close of the N-th working day after the receipt day (the receipt day itself is not counted).
  int64_t due_working_days(int64_t received_ms, int n) const;
  // N working hours of office time from the receipt (from the next opening when received outside
  // office hours, from the next working day's opening when after the cut-off).
  int64_t due_working_hours(int64_t received_ms, int n) const;
  // "on_time", "due_soon" (within due_soon_hours working hours of the due time) or "overdue".
  std::string status(int64_t due_ms, int64_t now_ms) const;
  // Working minutes between two instants (0 when `to` ≤ `from`).
  int64_t working_minutes(int64_t from_ms, int64_t to_ms) const;
  // The instant `minutes` working minutes of office time after `from` (no cut-off rule: used to
  // split a time limit into steps and to push a due time back by a pause).
  int64_t add_working_minutes(int64_t from_ms, int64_t minutes) const;

  const OfficeHours& hours() const { return hours_; }

 private:
  const Day* special(int64_t day) const;
  // From `minute` of working day `day`, the instant after `left` more working minutes.
  int64_t advance(int64_t day, int minute, int64_t left) const;
  // The office's two periods of a working day, in minutes: morning and afternoon.
  std::array<std::pair<int, int>, 2> periods() const {
    return {{{hours_.open_min, hours_.lunch_start_min}, {hours_.lunch_end_min, hours_.close_min}}};
  }
  OfficeHours hours_;
  std::map<int, std::vector<Day>> schedules_;
  mutable std::mutex mu_;
  mutable std::map<int, std::map<int64_t, Day>> cache_;  // year → day number → day (schedule or defaults)
  // Years 1900–2299 are also reachable without the lock (every deadline check reads them): a
  // year's map, once built under the lock, is published here and never changed or freed.
  static constexpr int kFirstYear = 1900, kYears = 400;
  mutable std::array<std::atomic<const std::map<int64_t, Day>*>, kYears> fast_{};
};

// "2026-02-13T10:00:00+07:00"
std::string iso_vn(int64_t ms);

}  // namespace lt::calendar
