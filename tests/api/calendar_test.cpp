// The working-time calendar over HTTP and the CLI, against the real server: the shipped official
// schedules, legal defaults with a warning for a year without one, an admin replacing a year's
// schedule (audited, and the next due time follows it), due times, bad input.
#include <gtest/gtest.h>

#include "platform/crypto/crypto.hpp"
#include "platform/db/db.hpp"
#include "support/server.hpp"

using namespace lt;
namespace bj = boost::json;

class Calendar : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    crypto::init();
    srv = new test::Server(test::Server::Options{});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(srv->stop(), 0) << srv->log();
    delete srv;
  }
  static test::Server* srv;
};
test::Server* Calendar::srv = nullptr;

TEST_F(Calendar, ShippedScheduleAndLegalDefaults) {
  auto y = srv->get("/api/v1/calendar/2026");
  ASSERT_EQ(y.status, 200) << y.body;
  EXPECT_EQ(y.json().at("schedule").as_string(), "official");
  EXPECT_FALSE(y.json().as_object().contains("warning"));
  std::string body = y.body;
  EXPECT_NE(body.find("\"date\":\"2026-08-22\",\"kind\":\"working\""), std::string::npos) << body;
  EXPECT_EQ(y.json().at("office_hours").at("cutoff").as_string(), "15:00");
  auto d = srv->get("/api/v1/calendar/2027");
  EXPECT_EQ(d.json().at("schedule").as_string(), "legal-defaults");
  EXPECT_NE(d.json().at("warning").as_string().subview().find("2027"), std::string::npos);
  EXPECT_NE(d.body.find("2027-02-10"), std::string::npos) << d.body;  // Tết compensation
}

TEST_F(Calendar, DueTimesAndTheCli) {
  auto r = srv->get("/api/v1/calendar/due?from=2026-02-13T10:00%2B07:00&working_days=3");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("due").as_string(), "2026-02-25T17:00:00+07:00");
  EXPECT_EQ(r.json().at("receipt_day").as_string(), "2026-02-13");
  r = srv->get("/api/v1/calendar/due?from=2026-02-13T16:00%2B07:00&working_hours=4");
  EXPECT_EQ(r.json().at("due").as_string(), "2026-02-23T12:00:00+07:00");
  EXPECT_EQ(r.json().at("receipt_day").as_string(), "2026-02-23");
  std::string out;
  ASSERT_EQ(srv->cli({"calendar", "due", "--from", "2026-02-13T10:00+07:00", "--working-days", "3"}, &out), 0) << out;
  EXPECT_NE(out.find("2026-02-25T17:00:00+07:00"), std::string::npos) << out;
  ASSERT_EQ(srv->cli({"calendar", "holidays", "--year", "2026"}, &out), 0) << out;
  EXPECT_NE(out.find("2026-04-27,T2,off"), std::string::npos) << out;
  EXPECT_NE(out.find("2026-08-22,T7,working"), std::string::npos) << out;
  // Bad input: a clear 400 naming the field.
  EXPECT_EQ(srv->get("/api/v1/calendar/due?from=yesterday&working_days=3").error_field(), "from");
  EXPECT_EQ(srv->get("/api/v1/calendar/due?from=2026-02-13T10:00%2B07:00").error_field(), "working_days");
  EXPECT_EQ(srv->get("/api/v1/calendar/due?from=2026-02-13T10:00%2B07:00&working_days=0").error_field(), "working_days");
  EXPECT_EQ(srv->get("/api/v1/calendar/due?from=2026-02-13T10:00%2B07:00&working_days=1&working_hours=2").status, 400);
  EXPECT_EQ(srv->get("/api/v1/calendar/20x6").error_field(), "year");
}

TEST_F(Calendar, AnAdminEntersAYearsScheduleAndItWins) {
  const char* body = R"J({"source":"Thông báo lịch nghỉ 2027 (thử nghiệm)","days":[
      {"date":"2027-01-01","kind":"off","name":"Tết Dương lịch"},
      {"date":"2027-02-04","kind":"off","name":"Tết Nguyên đán"},
      {"date":"2027-02-05","kind":"off","name":"Tết Nguyên đán"},
      {"date":"2027-02-08","kind":"off","name":"Tết Nguyên đán"},
      {"date":"2027-02-09","kind":"off","name":"Tết Nguyên đán"},
      {"date":"2027-02-10","kind":"off","name":"Tết Nguyên đán"},
      {"date":"2027-02-11","kind":"off","name":"Tết Nguyên đán"},
      {"date":"2027-02-20","kind":"working","name":"Làm bù cho 04/02"}]})J";
  // Only the system administrator; bad days are refused naming the day.
  EXPECT_EQ(srv->call("PUT", "/api/v1/calendar/2027", body, {{"Authorization", "Bearer " + srv->login("tinh.admin")}}).status, 403);
  auto admin = srv->login("sysadmin");
  auto bad = srv->call("PUT", "/api/v1/calendar/2027", R"({"source":"x","days":[{"date":"2028-01-01","kind":"off","name":"x"}]})",
                       {{"Authorization", "Bearer " + admin}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_field(), "days[0].date");
  bad = srv->call("PUT", "/api/v1/calendar/2027", R"({"source":"x","days":[{"date":"2027-01-01","kind":"holiday","name":"x"}]})",
                  {{"Authorization", "Bearer " + admin}});
  EXPECT_EQ(bad.error_field(), "days[0].kind");
  auto r = srv->call("PUT", "/api/v1/calendar/2027", body, {{"Authorization", "Bearer " + admin}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("schedule").as_string(), "official");
  EXPECT_EQ(r.json().at("days").as_array().size(), 8u);
  // The due time follows at once: received Wed 3 Feb 2027, 7 working days: 12, 15, 16, 17, 18, 19 Feb
  // and the make-up Saturday 20 Feb (4–11 Feb off).
  EXPECT_EQ(srv->get("/api/v1/calendar/due?from=2027-02-03T09:00%2B07:00&working_days=7").json().at("due").as_string(),
            "2027-02-20T17:00:00+07:00");
  // Audited.
  auto db = db::Database::open(srv->db_url(), 1);
  EXPECT_EQ(db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.update'").one().i64(0); }), 1);
}
