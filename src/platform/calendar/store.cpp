#include "platform/calendar/store.hpp"

#include <stdexcept>

#include "platform/util/time.hpp"

namespace lt::calendar {

const std::vector<std::pair<int, std::vector<Day>>>& shipped_schedules() {
  static const std::string s25 = "Lịch nghỉ lễ, Tết năm 2025 của cán bộ, công chức, viên chức (docs/CALENDAR.md)";
  static const std::string s26 = "Lịch nghỉ lễ, Tết năm 2026 của cán bộ, công chức, viên chức (docs/CALENDAR.md)";
  static const std::vector<std::pair<int, std::vector<Day>>> all = {
      {2025,
       {
           {"2025-01-01", "off", "Tết Dương lịch", s25},
           {"2025-01-27", "off", "Tết Nguyên đán Ất Tỵ (25/01–02/02)", s25},
           {"2025-01-28", "off", "Tết Nguyên đán Ất Tỵ (25/01–02/02)", s25},
           {"2025-01-29", "off", "Tết Nguyên đán Ất Tỵ (25/01–02/02)", s25},
           {"2025-01-30", "off", "Tết Nguyên đán Ất Tỵ (25/01–02/02)", s25},
           {"2025-01-31", "off", "Tết Nguyên đán Ất Tỵ (25/01–02/02)", s25},
           {"2025-04-07", "off", "Giỗ Tổ Hùng Vương (05/04–07/04)", s25},
           {"2025-04-26", "working", "Làm bù cho ngày 02/05", s25},
           {"2025-04-30", "off", "Ngày Chiến thắng và Quốc tế Lao động (30/04–04/05)", s25},
           {"2025-05-01", "off", "Ngày Chiến thắng và Quốc tế Lao động (30/04–04/05)", s25},
           {"2025-05-02", "off", "Ngày Chiến thắng và Quốc tế Lao động (30/04–04/05)", s25},
           {"2025-09-01", "off", "Quốc khánh (30/08–02/09)", s25},
           {"2025-09-02", "off", "Quốc khánh (30/08–02/09)", s25},
       }},
      {2026,
       {
           {"2026-01-01", "off", "Tết Dương lịch", s26},
           {"2026-02-16", "off", "Tết Nguyên đán Bính Ngọ (14/02–22/02)", s26},
           {"2026-02-17", "off", "Tết Nguyên đán Bính Ngọ (14/02–22/02)", s26},
           {"2026-02-18", "off", "Tết Nguyên đán Bính Ngọ (14/02–22/02)", s26},
           {"2026-02-19", "off", "Tết Nguyên đán Bính Ngọ (14/02–22/02)", s26},
           {"2026-02-20", "off", "Tết Nguyên đán Bính Ngọ (14/02–22/02)", s26},
           {"2026-04-27", "off", "Nghỉ bù Giỗ Tổ Hùng Vương (Chủ nhật 26/04)", s26},
           {"2026-04-30", "off", "Ngày Chiến thắng và Quốc tế Lao động (30/04–03/05)", s26},
           {"2026-05-01", "off", "Ngày Chiến thắng và Quốc tế Lao động (30/04–03/05)", s26},
           {"2026-08-22", "working", "Làm bù cho ngày 31/08", s26},
           {"2026-08-31", "off", "Quốc khánh (29/08–02/09)", s26},
           {"2026-09-01", "off", "Quốc khánh (29/08–02/09)", s26},
           {"2026-09-02", "off", "Quốc khánh (29/08–02/09)", s26},
       }},
  };
  return all;
}

Store::Store(db::Database& db, OfficeHours hours) : db_(db), hours_(hours) { reload(); }

void Store::add_migrations(db::Migrator& m) {
  m.add({"calendar", 1, "official working-time schedules (2025 and 2026 shipped)",
         "CREATE TABLE calendar_years (year INTEGER PRIMARY KEY, source TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);"
         "CREATE TABLE calendar_days (day TEXT PRIMARY KEY, year INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,"
         " source TEXT NOT NULL);"
         "CREATE INDEX calendar_days_year ON calendar_days (year, day);",
         {}});
  m.add({"calendar", 2, "load the shipped schedules", "", [](db::Conn& c) {
           for (const auto& [year, days] : shipped_schedules()) save_year(c, year, days, days.front().source, "migration");
         }});
}

void Store::save_year(db::Conn& c, int year, const std::vector<Day>& days, const std::string& source, const std::string& actor) {
  WorkCalendar check;
  check.set_schedule(year, days);  // validates
  c.q("DELETE FROM calendar_days WHERE year = ?", int64_t{year});
  c.q("DELETE FROM calendar_years WHERE year = ?", int64_t{year});
  c.q("INSERT INTO calendar_years (year, source, updated_at, updated_by) VALUES (?, ?, ?, ?)", int64_t{year}, source, timeutil::now_iso(),
      actor);
  for (const auto& d : days)
    c.q("INSERT INTO calendar_days (day, year, kind, name, source) VALUES (?, ?, ?, ?, ?)", d.date, int64_t{year}, d.kind, d.name,
        d.source.empty() ? source : d.source);
}

void Store::reload() {
  auto cal = std::make_shared<WorkCalendar>(hours_);
  std::vector<int> years;
  db_.read([&](db::Conn& c) {
    for (const auto& y : c.q("SELECT year FROM calendar_years ORDER BY year").rows) {
      int year = static_cast<int>(y.i64(0));
      std::vector<Day> days;
      for (const auto& r : c.q("SELECT day, kind, name, source FROM calendar_days WHERE year = ? ORDER BY day", int64_t{year}).rows)
        days.push_back({r.str(0), r.str(1), r.str(2), r.str(3)});
      cal->set_schedule(year, std::move(days));
      years.push_back(year);
    }
  });
  std::lock_guard lk(mu_);
  current_ = std::move(cal);
  years_ = std::move(years);
}

std::shared_ptr<const WorkCalendar> Store::current() const {
  std::lock_guard lk(mu_);
  return current_;
}

std::vector<int> Store::scheduled_years() const {
  std::lock_guard lk(mu_);
  return years_;
}

}  // namespace lt::calendar
