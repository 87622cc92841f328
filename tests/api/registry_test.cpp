// Base registries over HTTP against the real server: import, versions, provenance, scopes,
// data-quality report, personal-data access log, and the import CLI.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "platform/crypto/crypto.hpp"
#include "platform/db/db.hpp"
#include "support/server.hpp"

using namespace lt;
namespace bj = boost::json;

namespace {
const char* kCitizens =
    "id_number,full_name,birth_date,sex,ethnicity,nationality,permanent_address,current_address,household_id\n"
    // the demo citizen `congdan` (verified with this ID)
    "001190012345,Phạm Thị Hường,1990-03-04,F,Kinh,VN,\"Số 1 Hàng Bún, Phường Trúc Bạch, Quận Ba Đình, Hà Nội\",,HK01\n"
    "001090012346,Nguyễn Văn An,1990,M,Kinh,,\"Phường Ba Đình, Hà Nội\",,HK01\n"
    // broken rules: the ID says male born 19xx in 1985, the record says female 1991; a name with digits
    "001085012347,Lê Văn 3,1991-02-30,F,,,,,\n"
    // Hồ Chí Minh City: outside Hà Nội's scope
    "079305001234,Trần Thị Hoa,2005-07,F,,,\"P.5, Q.3, TP.HCM\",,\n"
    // probable duplicate of the second row (same folded name, birth, commune), another ID
    "001090099999,Nguyen Van An,1990,M,,,\"Phường Ba Đình, Hà Nội\",,\n"
    "\"broken,quote\n";
}  // namespace

class Registry : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    crypto::init();
    srv = new test::Server(test::Server::Options{});
    admin = new std::string(srv->login("tinh.admin"));
    // The system admin imports (the file spans two provinces); the province admin works in Hà Nội.
    auto r = srv->call("POST", "/api/v1/registries/citizens/import", kCitizens,
                       {{"Authorization", "Bearer " + srv->login("sysadmin")}, {"Content-Type", "text/csv"}});
    ASSERT_EQ(r.status, 200) << r.body;
    import_reply = new bj::value(r.json());
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(srv->stop(), 0) << srv->log();
    delete srv;
    delete admin;
    delete import_reply;
  }
  static test::Reply call(const std::string& method, const std::string& path, const std::string& token, const std::string& body = {}) {
    return srv->call(method, path, body, {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }
  static test::Server* srv;
  static std::string* admin;
  static bj::value* import_reply;
};
test::Server* Registry::srv = nullptr;
std::string* Registry::admin = nullptr;
bj::value* Registry::import_reply = nullptr;

TEST_F(Registry, ImportAcceptsGoodRowsRejectsBadOnesWithRuleCodes) {
  const auto& s = import_reply->at("summary");
  EXPECT_EQ(s.at("rows").as_int64(), 6);
  EXPECT_EQ(s.at("inserted").as_int64(), 4);
  EXPECT_EQ(s.at("rejected").as_int64(), 2);
  std::string rejects(import_reply->at("rejects_csv").as_string());
  // line 4: the bad row, with every rule it broke
  EXPECT_NE(rejects.find("4,001085012347,correct.date_invalid|correct.id_century_sex|correct.name_chars|sufficient.permanent_address"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("correct.malformed_row"), std::string::npos) << rejects;
  // Importing the same file again changes nothing; a province admin's import keeps to the province.
  auto again = srv->call("POST", "/api/v1/registries/citizens/import", kCitizens,
                         {{"Authorization", "Bearer " + *admin}, {"Content-Type", "text/csv"}});
  EXPECT_EQ(again.json().at("summary").at("inserted").as_int64(), 0);
  EXPECT_EQ(again.json().at("summary").at("unchanged").as_int64(), 3);
  EXPECT_EQ(again.json().at("summary").at("rejected").as_int64(), 3);
  EXPECT_NE(again.json().at("rejects_csv").as_string().subview().find("5,079305001234,scope.outside_province"), std::string::npos)
      << again.body;
  // A file with another header imports nothing.
  auto bad = srv->call("POST", "/api/v1/registries/citizens/import", "id,name\n1,x\n",
                       {{"Authorization", "Bearer " + *admin}, {"Content-Type", "text/csv"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_code(), "invalid_header");
  bad = srv->call("POST", "/api/v1/registries/citizens/import", std::string(kCitizens) + "\xff\xfe\n",
                  {{"Authorization", "Bearer " + *admin}, {"Content-Type", "text/csv"}});
  EXPECT_EQ(bad.error_code(), "invalid_encoding");
  // Specialists cannot import.
  EXPECT_EQ(srv->call("POST", "/api/v1/registries/citizens/import", kCitizens,
                      {{"Authorization", "Bearer " + srv->login("chuyenvien")}, {"Content-Type", "text/csv"}})
                .status,
            403);
}

TEST_F(Registry, RecordsAreConvertedVersionedAndCarryTheirSources) {
  auto r = call("GET", "/api/v1/registries/citizens/records/001190012345", *admin);
  ASSERT_EQ(r.status, 200) << r.body;
  auto rec = r.json().at("record");
  EXPECT_EQ(rec.at("data").at("permanent_commune_code").as_string(), "00004");  // Trúc Bạch → Phường Ba Đình
  EXPECT_EQ(rec.at("data").at("permanent_street").as_string(), "Số 1 Hàng Bún");
  EXPECT_EQ(rec.at("warnings").as_array()[0].as_string(), "unified.address_converted");
  EXPECT_EQ(rec.at("provenance").at("full_name").at("source").as_string(), "api:sysadmin");
  EXPECT_EQ(rec.at("version").as_int64(), 1);
  // An update by another source: only the changed field gets the new source.
  auto u = call("POST", "/api/v1/registries/citizens/records", *admin,
                R"({"id_number":"001190012345","full_name":"Phạm Thị Hường","birth_date":"1990-03-04","sex":"F","ethnicity":"Tày",
                    "permanent_address":"Số 1 Hàng Bún, Phường Trúc Bạch, Quận Ba Đình, Hà Nội","household_id":"HK01"})");
  ASSERT_EQ(u.status, 200) << u.body;
  rec = u.json().at("record");
  EXPECT_EQ(rec.at("version").as_int64(), 2);
  EXPECT_EQ(rec.at("provenance").at("ethnicity").at("source").as_string(), "api:tinh.admin");
  EXPECT_EQ(rec.at("provenance").at("full_name").at("source").as_string(), "api:sysadmin");
  auto h = call("GET", "/api/v1/registries/citizens/records/001190012345/history", *admin).json().at("items").as_array();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].at("data").at("ethnicity").as_string(), "Kinh");
  EXPECT_EQ(h[1].at("data").at("ethnicity").as_string(), "Tày");
  // As of yesterday the record did not exist yet.
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/records/001190012345?as_of=2025-01-01", *admin).status, 404);
  // A write breaking a rule is a 400 naming the field and the rule.
  u = call("POST", "/api/v1/registries/citizens/records", *admin,
           R"({"id_number":"001190012345","full_name":"Phạm Thị Hường","birth_date":"2990-03-04","sex":"F","permanent_address":"Hà Nội"})");
  EXPECT_EQ(u.status, 400);
  EXPECT_EQ(u.error_field(), "birth_date");
  u = call("POST", "/api/v1/registries/citizens/records", *admin, R"({"id_number":"001190012345","shoe_size":"42"})");
  EXPECT_EQ(u.error_field(), "shoe_size");
  // Soft delete keeps the history.
  auto extra = call("POST", "/api/v1/registries/citizens/records", *admin,
                    R"({"id_number":"001095000001","full_name":"Đỗ Minh Khoa","birth_date":"1995","sex":"M","permanent_address":"Phường Ba Đình, Hà Nội"})");
  ASSERT_EQ(extra.status, 200) << extra.body;
  EXPECT_EQ(call("DELETE", "/api/v1/registries/citizens/records/001095000001", *admin).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/records/001095000001", *admin).status, 404);
  auto db = db::Database::open(srv->db_url(), 1);
  auto n = db->read([](db::Conn& c) {
    return c.q("SELECT COUNT(*) FROM registry_history WHERE key = '001095000001'").one().i64(0);
  });
  EXPECT_EQ(n, 2);
}

TEST_F(Registry, OfficialsSeeTheirProvinceAndEveryReadIsLogged) {
  std::string cv = srv->login("chuyenvien");  // Phường Ba Đình, Hà Nội
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/records/079305001234", cv).status, 403);  // HCMC
  EXPECT_EQ(call("POST", "/api/v1/registries/citizens/records", *admin,
                 R"({"id_number":"079305001234","full_name":"Trần Thị Hoa","birth_date":"2005-07","sex":"F","permanent_address":"P.5, Q.3, TP.HCM"})")
                .status,
            403);
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/records/079305001234", srv->login("sysadmin")).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/records/001190012345?purpose=ho-tich", cv).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/records/001190012345", srv->login("congdan")).status, 403);
  // The citizen sees who read her data.
  auto log = call("GET", "/api/v1/me/data-access", srv->login("congdan"));
  ASSERT_EQ(log.status, 200) << log.body;
  bool seen = false;
  auto items = log.json().at("items").as_array();
  for (const auto& x : items)
    seen |= x.at("reader").as_string() == "Trần Văn Minh" && x.at("purpose").as_string() == "ho-tich";
  EXPECT_TRUE(seen) << log.body;
  EXPECT_EQ(call("GET", "/api/v1/me/data-access", cv).status, 403);  // not a citizen
}

TEST_F(Registry, QualityReportCountsRulesPerUnitWithDrillDown) {
  auto r = call("GET", "/api/v1/registries/citizens/quality?unit=01", *admin);
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, int64_t> counts;
  auto rules = r.json().at("rules").as_array();
  for (const auto& x : rules) counts[std::string(x.at("rule").as_string())] = x.at("count").as_int64();
  EXPECT_EQ(counts["clean.probable_duplicate"], 2);
  EXPECT_GE(counts["unified.address_converted"], 1);
  auto keys = call("GET", "/api/v1/registries/citizens/quality/records?unit=01&rule=clean.probable_duplicate", *admin).json().at("keys");
  EXPECT_EQ(keys.as_array().size(), 2u);
  auto csv = call("GET", "/api/v1/registries/citizens/quality?unit=01&format=csv", *admin);
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("citizens,01,clean.probable_duplicate,2,"), std::string::npos) << csv.body;
  // Outside the province: forbidden.
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/quality?unit=79", *admin).status, 403);
}

TEST_F(Registry, CliImportWritesRejectsAndResumesWithoutDuplicates) {
  std::string in = srv->dir() + "/enterprises.csv", rej = srv->dir() + "/rejects.csv";
  {
    std::ofstream f(in, std::ios::binary);
    f << "enterprise_code,name,legal_representative_id,address,status,registration_date\n"
         "0100109106,Tập đoàn Công nghiệp - Viễn thông Quân đội,001090012346,\"Số 1 Trần Hữu Dực, Nam Từ Liêm, Hà Nội\",active,2010-01-14\n"
         "0100109107,Công ty sai số kiểm tra,,\"Hà Nội\",active,2010-01-14\n"
         "0100109106-001,Chi nhánh Viettel Hà Nội,,\"Phường Ba Đình, Hà Nội\",active,2012-05-01\n";
  }
  std::string out;
  ASSERT_EQ(srv->cli({"import", "enterprises", "--input", in, "--rejects", rej}, &out), 0) << out;
  EXPECT_NE(out.find("inserted: 2"), std::string::npos) << out;
  EXPECT_NE(out.find("rejected: 1"), std::string::npos) << out;
  std::ifstream rf(rej);
  std::string rejects((std::istreambuf_iterator<char>(rf)), {});
  EXPECT_NE(rejects.find("3,0100109107,correct.tax_check_digit"), std::string::npos) << rejects;
  // Running it again (an interrupted import resumed) duplicates nothing.
  ASSERT_EQ(srv->cli({"import", "enterprises", "--input", in, "--rejects", rej}, &out), 0);
  EXPECT_NE(out.find("inserted: 0"), std::string::npos) << out;
  EXPECT_NE(out.find("unchanged: 2"), std::string::npos) << out;
}

TEST_F(Registry, DeclareOnceReturnsExactlyTheAttributesThePurposeAllows) {
  std::string cv = srv->login("chuyenvien");
  auto r = call("GET", "/api/v1/registries/citizens/lookup/001190012345?purpose=dang-ky-khai-sinh", cv);
  ASSERT_EQ(r.status, 200) << r.body;
  auto attrs = r.json().at("attributes").as_object();
  std::set<std::string> names;
  for (const auto& kv : attrs) names.insert(std::string(kv.key()));
  EXPECT_EQ(names, (std::set<std::string>{"id_number", "full_name", "birth_date", "ethnicity", "nationality", "permanent_address",
                                          "permanent_commune_code"}));
  EXPECT_EQ(attrs.at("full_name").at("value").as_string(), "Phạm Thị Hường");
  EXPECT_FALSE(attrs.at("full_name").at("source").as_string().empty());
  // An attribute the purpose does not allow, an unregistered purpose, a role the purpose does not name: refused.
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/lookup/001190012345?purpose=dang-ky-khai-sinh&fields=sex", cv).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/lookup/001190012345?purpose=to-mo", cv).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/registries/citizens/lookup/001190012345?purpose=dang-ky-khai-sinh", srv->login("lanhdao")).status, 403);
  // The member system reads through its grant, with its API key; not for a purpose it lacks.
  auto m = srv->call("GET", "/api/v1/registries/citizens/lookup/001190012345?purpose=dang-ky-khai-sinh&fields=full_name", "",
                     {{"X-API-Key", "ltk_demo0000_hethong-mot-cua-dien-tu-thu-nghiem"}});
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(m.json().at("attributes").as_object().size(), 1u);
  EXPECT_EQ(srv->call("GET", "/api/v1/registries/citizens/lookup/001190012345?purpose=dang-ky-cu-tru", "",
                      {{"X-API-Key", "ltk_demo0000_hethong-mot-cua-dien-tu-thu-nghiem"}})
                .status,
            403);
  // Every one of those reads, granted or refused, is in the citizen's view of the log.
  auto log = call("GET", "/api/v1/me/data-access", srv->login("congdan"));
  auto items = log.json().at("items").as_array();
  size_t granted = 0, refused = 0;
  for (const auto& x : items) {
    std::string outcome(x.at("outcome").as_string());
    if (x.at("purpose").as_string().subview().starts_with("dang-ky") || x.at("purpose").as_string() == "to-mo")
      (outcome == "granted" ? granted : refused)++;
  }
  EXPECT_EQ(granted, 2u) << log.body;
  EXPECT_EQ(refused, 4u) << log.body;
}

// Three sources in turn, each changing other fields: every field keeps the source that last changed
// it (a regression: the provenance merge once read a moved JSON value and crashed optimised builds).
TEST_F(Registry, EachFieldKeepsTheSourceThatLastChangedIt) {
  auto sys = srv->login("sysadmin");
  auto import = [&](const std::string& source, const std::string& row) {
    auto r = srv->call("POST", "/api/v1/registries/citizens/import?source=" + source,
                       "id_number,full_name,birth_date,sex,ethnicity,nationality,permanent_address,current_address,household_id\n" + row,
                       {{"Authorization", "Bearer " + sys}, {"Content-Type", "text/csv"}});
    EXPECT_EQ(r.status, 200) << r.body;
  };
  import("so-a", "001300000777,Vũ Thị Mai,2000-05-06,F,Kinh,VN,\"Phường Ba Đình, Hà Nội\",,HK77\n");
  import("so-b", "001300000777,Vũ Thị Mai,2000-05-06,F,Mường,VN,\"Phường Ba Đình, Hà Nội\",\"Phường Hoàn Kiếm, Hà Nội\",HK78\n");
  import("so-c", "001300000777,Vũ Thị Mai Anh,2000-05-06,F,Mường,VN,\"Phường Ba Đình, Hà Nội\",\"Phường Hoàn Kiếm, Hà Nội\",HK78\n");
  import("so-d", "001300000777,Vũ Thị Mai Anh,2000-05-06,F,Mường,VN,\"Phường Ba Đình, Hà Nội\",\"Phường Hoàn Kiếm, Hà Nội\",HK79\n");
  auto rec = call("GET", "/api/v1/registries/citizens/records/001300000777", sys).json().at("record");
  EXPECT_EQ(rec.at("version").as_int64(), 4);
  const auto& p = rec.at("provenance");
  EXPECT_EQ(p.at("birth_date").at("source").as_string(), "so-a");
  EXPECT_EQ(p.at("ethnicity").at("source").as_string(), "so-b");
  EXPECT_EQ(p.at("current_commune_code").at("source").as_string(), "so-b");
  EXPECT_EQ(p.at("full_name").at("source").as_string(), "so-c");
  EXPECT_EQ(p.at("household_id").at("source").as_string(), "so-d");
}

// The synthetic population through the CLI: generated, imported in all four registries, and
// imported again in batches of 7 rows (the pipelined writer across many transactions): nothing is
// inserted twice and the record count stays.
TEST_F(Registry, GeneratedPopulationImportsAndReimportsInSmallBatches) {
  std::string dir = srv->dir() + "/population", out;
  ASSERT_EQ(srv->cli({"demo", "generate", "--citizens", "400", "--seed", "7", "--out", dir, "--import"}, &out), 0) << out;
  EXPECT_NE(out.find("citizens: 400"), std::string::npos) << out;
  for (const char* reg : {"== import citizens", "== import households", "== import enterprises", "== import parcels"})
    EXPECT_NE(out.find(reg), std::string::npos) << out;
  auto count = [&] {
    auto db = db::Database::open(srv->db_url(), 1);
    return db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM registry_records WHERE registry = 'citizens'").one().i64(0); });
  };
  int64_t before = count();
  EXPECT_GT(before, 350);
  ASSERT_EQ(srv->cli({"import", "citizens", "--input", dir + "/citizens.csv", "--rejects", dir + "/again.csv", "--batch", "7"}, &out), 0)
      << out;
  EXPECT_NE(out.find("rows: 400\n"), std::string::npos) << out;
  EXPECT_NE(out.find("inserted: 0\n"), std::string::npos) << out;
  EXPECT_EQ(count(), before);
}
