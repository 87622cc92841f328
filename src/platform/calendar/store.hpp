#pragma once
// The official schedules of the working calendar in the database (tables calendar_years and
// calendar_days, migration calendar/1 with the official 2025 and 2026 schedules), and the current
// WorkCalendar built from them. Admins replace a year's schedule (the caller writes the audit
// record in the same transaction); years without one use the legal defaults.
#include <memory>
#include <mutex>
#include <vector>

#include "platform/calendar/calendar.hpp"
#include "platform/db/db.hpp"

namespace lt::calendar {

class Store {
 public:
  Store(db::Database& db, OfficeHours hours);
  static void add_migrations(db::Migrator& m);

  // The calendar as of the last load or save; safe to use from any thread.
  std::shared_ptr<const WorkCalendar> current() const;
  void reload();
  // Replaces `year`'s schedule inside the caller's transaction (call reload() after the commit).
  // Throws std::invalid_argument for a day outside the year, a bad date or kind.
  static void save_year(db::Conn& c, int year, const std::vector<Day>& days, const std::string& source, const std::string& actor);
  // The years with an official schedule, ascending.
  std::vector<int> scheduled_years() const;

 private:
  db::Database& db_;
  OfficeHours hours_;
  mutable std::mutex mu_;
  std::shared_ptr<const WorkCalendar> current_;
  std::vector<int> years_;
};

// The official schedules shipped with lienthong (docs/CALENDAR.md).
const std::vector<std::pair<int, std::vector<Day>>>& shipped_schedules();

}  // namespace lt::calendar
