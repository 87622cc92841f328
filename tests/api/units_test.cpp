// Administrative units over time, reorganisation events and agencies, over HTTP against the real server.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "platform/crypto/crypto.hpp"
#include "support/server.hpp"

using namespace lt;
namespace bj = boost::json;

class Units : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    crypto::init();
    srv = new test::Server(test::Server::Options{});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(srv->stop(), 0) << srv->log();
    delete srv;
  }
  static std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static test::Server* srv;
};
test::Server* Units::srv = nullptr;

TEST_F(Units, TheMapBeforeAndAfterTheReform) {
  auto before = srv->get("/api/v1/units?as_of=2025-06-30").json();
  EXPECT_EQ(before.at("total").as_int64(), 63);
  EXPECT_EQ(srv->get("/api/v1/units?level=district&as_of=2025-06-30").json().at("total").as_int64(), 696);
  EXPECT_EQ(srv->get("/api/v1/units?level=commune&as_of=2025-06-30").json().at("total").as_int64(), 10035);
  auto after = srv->get("/api/v1/units?as_of=2025-07-01").json();
  EXPECT_EQ(after.at("total").as_int64(), 34);
  EXPECT_EQ(srv->get("/api/v1/units?level=district&as_of=2025-07-01").json().at("total").as_int64(), 0);
  EXPECT_EQ(srv->get("/api/v1/units?level=commune&as_of=2025-07-01").json().at("total").as_int64(), 3321);
  // Old commune 00004 was Phường Trúc Bạch in Quận Ba Đình (001); the new 00004 is Phường Ba Đình under Hà Nội.
  auto old = srv->get("/api/v1/units/00004?as_of=2025-06-30").json().at("unit");
  EXPECT_EQ(old.at("name").as_string(), "Phường Trúc Bạch");
  EXPECT_EQ(old.at("parent_code").as_string(), "001");
  EXPECT_EQ(old.at("valid_to").as_string(), "2025-07-01");
  auto now = srv->get("/api/v1/units/00004?as_of=2025-07-01").json().at("unit");
  EXPECT_EQ(now.at("name").as_string(), "Phường Ba Đình");
  EXPECT_EQ(now.at("parent_code").as_string(), "01");
  EXPECT_EQ(now.at("valid_from").as_string(), "2025-07-01");
  // A district exists only before the reform.
  EXPECT_EQ(srv->get("/api/v1/units/001?as_of=2025-06-30").status, 200);
  EXPECT_EQ(srv->get("/api/v1/units/001?as_of=2025-07-01").status, 404);
  EXPECT_EQ(srv->get("/api/v1/units/001/children?as_of=2025-06-30").json().at("total").as_int64(), 13);
  // A bad date is a 400 naming the field.
  auto bad = srv->get("/api/v1/units?as_of=2025-13-01");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_field(), "as_of");
}

TEST_F(Units, AUnitKnowsWhatItWasFormedFromAndWhatItBecame) {
  // New Phường Ba Đình (00004) was formed from old 00001? No: from Trúc Bạch (00004) and others; ask the API.
  auto now = srv->get("/api/v1/units/00004").json().at("unit");
  std::set<std::string> from;
  for (const auto& c : now.at("formed_from").as_array()) from.insert(std::string(c.at("old_code").as_string()));
  EXPECT_TRUE(from.contains("00004")) << bj::serialize(now);
  EXPECT_GE(from.size(), 2u);
  EXPECT_TRUE(now.at("became").as_array().empty());
  // Old Phường Phúc Xá (00001) became part of Phường Hồng Hà (00097).
  auto phuc_xa = srv->get("/api/v1/units/00001?as_of=2025-06-30").json().at("unit");
  ASSERT_FALSE(phuc_xa.at("became").as_array().empty()) << bj::serialize(phuc_xa);
  EXPECT_EQ(phuc_xa.at("became").as_array()[0].at("new_code").as_string(), "00097");
  EXPECT_EQ(srv->get("/api/v1/units/00001").status, 404);  // it no longer exists
  // History lists both versions of code 00004.
  auto h = srv->get("/api/v1/units/00004/history").json();
  ASSERT_EQ(h.at("versions").as_array().size(), 2u) << bj::serialize(h);
  EXPECT_EQ(h.at("versions").as_array()[0].at("name").as_string(), "Phường Trúc Bạch");
  EXPECT_EQ(h.at("versions").as_array()[1].at("name").as_string(), "Phường Ba Đình");
  EXPECT_EQ(srv->get("/api/v1/units/99999/history").status, 404);
  // The 2025 reform is the first recorded event.
  auto events = srv->get("/api/v1/unit-events").json().at("items").as_array();
  ASSERT_GE(events.size(), 1u);
  EXPECT_EQ(events[0].at("effective_date").as_string(), "2025-07-01");
}

TEST_F(Units, ImportingThe2026DongNaiReclassificationChangesAnswersFromItsEffectiveDate) {
  std::string admin = srv->login("sysadmin");
  std::string body = read_file(std::string(LT_SOURCE_DIR) + "/data/events/2026-04-30-dong-nai-phuong.json");
  ASSERT_FALSE(body.empty());
  // Only a system admin may import.
  EXPECT_EQ(srv->call("POST", "/api/v1/unit-events", body, {{"Authorization", "Bearer " + srv->login("tinh.admin")}}).status, 403);
  EXPECT_EQ(srv->call("POST", "/api/v1/unit-events", body).status, 401);
  auto r = srv->call("POST", "/api/v1/unit-events", body, {{"Authorization", "Bearer " + admin}});
  ASSERT_EQ(r.status, 201) << r.body;
  // Importing it again is refused and changes nothing.
  auto again = srv->call("POST", "/api/v1/unit-events", body, {{"Authorization", "Bearer " + admin}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "event_exists");

  const char* codes[] = {"25270", "25357", "25363", "26116", "26170", "26248", "26326", "26368", "26425", "26485"};
  for (const char* code : codes) {
    auto before = srv->get(std::string("/api/v1/units/") + code + "?as_of=2026-04-29").json().at("unit");
    auto after = srv->get(std::string("/api/v1/units/") + code + "?as_of=2026-04-30").json().at("unit");
    EXPECT_EQ(before.at("type").as_string(), "Xã") << code;
    EXPECT_EQ(after.at("type").as_string(), "Phường") << code;
    EXPECT_EQ(after.at("code").as_string(), code);
    EXPECT_EQ(after.at("parent_code").as_string(), "75");
    std::string bn(before.at("name").as_string()), an(after.at("name").as_string());
    EXPECT_EQ(bn.substr(0, 4), "Xã ");
    EXPECT_EQ(an, "Phường " + bn.substr(4)) << code;  // the name follows the type
    ASSERT_EQ(after.at("formed_from").as_array().size(), 1u);
    EXPECT_EQ(after.at("formed_from").as_array()[0].at("change").as_string(), "retyped");
    EXPECT_EQ(before.at("became").as_array()[0].at("event").as_string(), "237/NQ-UBTVQH16");
  }
  EXPECT_EQ(srv->get("/api/v1/units/25270").json().at("unit").at("name").as_string(), "Phường Lộc Ninh");
  // Counts move by ten on the effective date, the totals stay.
  auto count_type = [&](const std::string& as_of, const std::string& type) {
    int n = 0;
    auto items = srv->get("/api/v1/units?parent=75&as_of=" + as_of).json().at("items").as_array();
    for (const auto& u : items)
      n += u.at("type").as_string() == type;
    return n;
  };
  EXPECT_EQ(count_type("2026-04-30", "Phường"), count_type("2026-04-29", "Phường") + 10);
  EXPECT_EQ(srv->get("/api/v1/units?level=commune&as_of=2026-04-30").json().at("total").as_int64(), 3321);
  EXPECT_EQ(srv->get("/api/v1/units/25270/history").json().at("versions").as_array().size(), 3u);  // old Xã, 2025 Xã, 2026 Phường
  // The event is listed, audited and sent to the outbox.
  auto events = srv->get("/api/v1/unit-events").json().at("items").as_array();
  EXPECT_EQ(events.back().at("code").as_string(), "237/NQ-UBTVQH16");
  auto audit = srv->get("/api/v1/audit?action=units.import_event", admin).json();
  EXPECT_GE(audit.at("items").as_array().size(), 1u) << bj::serialize(audit);
}

TEST_F(Units, BadEventFilesAreRefusedWholeWithTheField) {
  std::string admin = srv->login("sysadmin");
  auto post = [&](const std::string& body) {
    return srv->call("POST", "/api/v1/unit-events", body, {{"Authorization", "Bearer " + admin}});
  };
  auto r = post(R"({"code":"X1","title":"t","resolution":"r","effective_date":"2026-02-30","changes":[{"change":"retyped","code":"25270","type":"Phường"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "effective_date");
  r = post(R"({"code":"X2","title":"t","resolution":"r","effective_date":"2026-06-01","changes":[{"change":"retyped","code":"25270","type":"Phường"},{"change":"retyped","code":"99999","type":"Phường"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "changes[1].from");
  r = post(R"({"code":"X3","title":"t","resolution":"r","effective_date":"2026-06-01","changes":[{"change":"melted","code":"25270"}]})");
  EXPECT_EQ(r.error_field(), "changes[0].change");
  r = post(R"({"code":"X4","title":"t","resolution":"r","effective_date":"2026-06-01","changes":[]})");
  EXPECT_EQ(r.error_field(), "changes");
  // Nothing of the refused events was written: 25270 keeps its current type after 2026-06-01.
  EXPECT_EQ(srv->get("/api/v1/units/25270?as_of=2026-07-01").json().at("unit").at("valid_to").is_null(), true);
  auto events = srv->get("/api/v1/unit-events").json().at("items").as_array();
  for (const auto& e : events)
    EXPECT_NE(e.at("code").as_string().subview().substr(0, 1), "X");
}

TEST_F(Units, AgenciesAreManagedByProvinceAdminsWithinTheirProvince) {
  // Demo agencies exist and are public.
  auto list = srv->get("/api/v1/agencies?unit=00004").json().at("items").as_array();
  ASSERT_EQ(list.size(), 3u);  // People's Committee, service centre, commune police
  auto one = srv->get("/api/v1/agencies/000.21.04.H26");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json().at("agency").at("kind").as_string(), "service-centre");
  EXPECT_EQ(one.json().at("agency").at("unit_name").as_string(), "Phường Ba Đình");
  EXPECT_EQ(srv->get("/api/v1/agencies?q=uy%20ban%20nhan%20dan%20phuong%20ba%20dinh").json().at("items").as_array().size(), 1u);

  std::string prov = srv->login("tinh.admin");  // Hà Nội (01)
  auto r = srv->post("/api/v1/agencies",
                     {{"code", "000.25.04.H26"}, {"name", "Ban Chỉ huy Quân sự phường Ba Đình"}, {"kind", "other"}, {"unit_code", "00004"}}, prov);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("agency").at("province_code").as_string(), "01");
  // Outside the province: forbidden. Bad code, unknown unit, duplicate: 4xx with the field.
  r = srv->post("/api/v1/agencies", {{"code", "000.00.01.H29"}, {"name", "X"}, {"kind", "department"}, {"unit_code", "79"}}, prov);
  EXPECT_EQ(r.status, 403);
  r = srv->post("/api/v1/agencies", {{"code", "not a code"}, {"name", "X"}, {"kind", "department"}, {"unit_code", "01"}}, prov);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "code");
  r = srv->post("/api/v1/agencies", {{"code", "000.23.04.H26"}, {"name", "X"}, {"kind", "department"}, {"unit_code", "98765"}}, prov);
  EXPECT_EQ(r.error_field(), "unit_code");
  r = srv->post("/api/v1/agencies", {{"code", "000.25.04.H26"}, {"name", "X"}, {"kind", "other"}, {"unit_code", "00004"}}, prov);
  EXPECT_EQ(r.status, 409);
  // Officials without units.manage cannot register agencies.
  r = srv->post("/api/v1/agencies", {{"code", "000.24.04.H26"}, {"name", "X"}, {"kind", "other"}, {"unit_code", "00004"}},
                srv->login("motcua"));
  EXPECT_EQ(r.status, 403);
  // Rename and deactivate.
  auto p = srv->call("PATCH", "/api/v1/agencies/000.25.04.H26", R"J({"name":"Ban Chỉ huy Quân sự phường Ba Đình (Hà Nội)","status":"inactive"})J",
                     {{"Authorization", "Bearer " + prov}});
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.json().at("agency").at("status").as_string(), "inactive");
  // Identity scopes name an agency: it must be an active agency of the account's province.
  auto acc = srv->post("/api/v1/accounts",
                       {{"username", "cv.agency1"}, {"display_name", "Cán bộ"}, {"role", "specialist"}, {"unit_code", "00004"},
                        {"agency_code", "000.20.04.H26"}},
                       prov);
  ASSERT_EQ(acc.status, 201) << acc.body;
  EXPECT_EQ(acc.json().at("account").at("agency_code").as_string(), "000.20.04.H26");
  acc = srv->post("/api/v1/accounts",
                  {{"username", "cv.agency2"}, {"display_name", "Cán bộ"}, {"role", "specialist"}, {"unit_code", "00004"},
                   {"agency_code", "000.25.04.H26"}},
                  prov);
  EXPECT_EQ(acc.status, 400);
  EXPECT_EQ(acc.error_code(), "unknown_agency");
  acc = srv->post("/api/v1/accounts",
                  {{"username", "cv.agency3"}, {"display_name", "Cán bộ"}, {"role", "specialist"}, {"unit_code", "00004"},
                   {"agency_code", "999.99.99.Z99"}},
                  prov);
  EXPECT_EQ(acc.error_field(), "agency_code");
  // Every agency write is in the audit log.
  auto audit = srv->get("/api/v1/audit?action=agency.update", srv->login("sysadmin")).json();
  EXPECT_EQ(audit.at("items").as_array().size(), 1u);
}
