// The working-time calendar: the lunar calendar against published dates, the legal defaults of a
// year without an official schedule, and 170+ due times from tests/data/deadline_cases.csv (computed
// independently by tests/data/make_deadline_cases.py, each naming its rule or schedule).
#include "platform/calendar/calendar.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "platform/calendar/store.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/time.hpp"

using namespace lt;
using namespace lt::calendar;

namespace {
std::vector<std::vector<std::string>> read_cases(const std::string& name) {
  std::ifstream in(std::string(LT_SOURCE_DIR "/tests/data/") + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  csv::Reader r(in);
  std::vector<std::string> row;
  std::vector<std::vector<std::string>> out;
  r.next(row);  // header
  while (r.next(row)) out.push_back(row);
  return out;
}

std::unique_ptr<WorkCalendar> official() {
  auto c = std::make_unique<WorkCalendar>();
  for (const auto& [year, days] : shipped_schedules()) c->set_schedule(year, days);
  return c;
}
}  // namespace

TEST(Lunar, PublishedDatesFromFile) {
  auto cases = read_cases("lunar_cases.csv");
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    auto day = parse_date(c[0]);
    ASSERT_TRUE(day) << c[0];
    LunarDate want{std::stoi(c[1]), std::stoi(c[2]), std::stoi(c[3]), c[4] == "1"};
    LunarDate got = to_lunar(ymd(*day));
    EXPECT_EQ(got.day, want.day) << c[0] << " " << c[5];
    EXPECT_EQ(got.month, want.month) << c[0] << " " << c[5];
    EXPECT_EQ(got.year, want.year) << c[0] << " " << c[5];
    EXPECT_EQ(got.leap, want.leap) << c[0] << " " << c[5];
    auto back = from_lunar(want);
    ASSERT_TRUE(back) << c[0];
    EXPECT_EQ(day_number(*back), *day) << c[0] << " " << c[5];
  }
  // No leap 5th month in 2025 (the leap month is the 6th); no 30th day in a 29-day month.
  EXPECT_FALSE(from_lunar({1, 5, 2025, true}));
  EXPECT_FALSE(from_lunar({30, 12, 2024, false}));
}

TEST(Lunar, RoundTripsEveryDayFrom2020To2035) {
  for (int64_t d = day_number({2020, 1, 1}); d < day_number({2036, 1, 1}); ++d) {
    auto l = to_lunar(ymd(d));
    auto back = from_lunar(l);
    ASSERT_TRUE(back) << iso_date(d);
    ASSERT_EQ(day_number(*back), d) << iso_date(d);
  }
}

TEST(Holidays, LegalDefaultsOfAYearWithoutSchedule) {
  auto days = legal_defaults(2027);
  std::vector<std::string> dates;
  for (const auto& d : days) {
    dates.push_back(d.date);
    EXPECT_EQ(d.kind, "off");
    EXPECT_NE(weekday(*parse_date(d.date)), 0) << d.date;
    EXPECT_NE(weekday(*parse_date(d.date)), 6) << d.date;
  }
  // Tết 2027: 5 Feb (eve) … 9 Feb, 6–7 Feb a weekend → 10 and 11 Feb; 1 May a Saturday → 3 May.
  EXPECT_EQ(dates, (std::vector<std::string>{"2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11",
                                             "2027-04-16", "2027-04-30", "2027-05-03", "2027-09-01", "2027-09-02"}));
  // 2 September on a Monday: the adjacent day is the 3rd.
  auto d2024 = legal_defaults(2024);
  EXPECT_TRUE(std::any_of(d2024.begin(), d2024.end(), [](const Day& d) { return d.date == "2024-09-03"; }));
}

TEST(Holidays, TheOfficialScheduleWins) {
  auto cp = official();
  WorkCalendar& c = *cp;
  EXPECT_TRUE(c.has_schedule(2026));
  EXPECT_FALSE(c.has_schedule(2027));
  EXPECT_TRUE(c.is_working_day(*parse_date("2026-08-22")));   // a make-up Saturday
  EXPECT_FALSE(c.is_working_day(*parse_date("2026-04-27")));  // Monday after Hùng Kings' Sunday
  EXPECT_TRUE(c.is_working_day(*parse_date("2026-01-02")));   // the schedule has no 2 January
  EXPECT_FALSE(c.is_working_day(*parse_date("2027-02-10")));  // legal default compensation
  EXPECT_THROW(c.set_schedule(2026, {{"2025-12-31", "off", "x", ""}}), std::invalid_argument);
  EXPECT_THROW(c.set_schedule(2026, {{"2026-12-31", "holiday", "x", ""}}), std::invalid_argument);
}

TEST(Deadlines, CasesFromFile) {
  auto cp = official();
  WorkCalendar& c = *cp;
  auto cases = read_cases("deadline_cases.csv");
  ASSERT_GE(cases.size(), 150u);
  for (const auto& k : cases) {
    auto from = timeutil::parse_iso(k[0]);
    ASSERT_TRUE(from) << k[0];
    int64_t due = k[1].empty() ? c.due_working_hours(*from, std::stoi(k[2])) : c.due_working_days(*from, std::stoi(k[1]));
    EXPECT_EQ(iso_vn(due), k[3]) << k[0] << " days=" << k[1] << " hours=" << k[2] << " (" << k[4] << ")";
  }
}

TEST(Deadlines, StatusOnTimeDueSoonOverdue) {
  auto cp = official();
  WorkCalendar& c = *cp;
  int64_t due = *timeutil::parse_iso("2026-03-06T17:00:00+07:00");  // a Friday
  EXPECT_EQ(c.status(due, *timeutil::parse_iso("2026-03-02T08:00:00+07:00")), "on_time");   // 5 working days before
  EXPECT_EQ(c.status(due, *timeutil::parse_iso("2026-03-05T16:00:00+07:00")), "due_soon");  // 9 working hours before
  EXPECT_EQ(c.status(due, *timeutil::parse_iso("2026-03-06T17:00:00+07:00")), "due_soon");  // at the due time
  EXPECT_EQ(c.status(due, *timeutil::parse_iso("2026-03-06T17:01:00+07:00")), "overdue");
  EXPECT_EQ(c.working_minutes(*timeutil::parse_iso("2026-03-06T11:00:00+07:00"), *timeutil::parse_iso("2026-03-09T09:00:00+07:00")),
            60 + 240 + 60);  // Fri 11–12, 13–17; Mon 8–9
}
