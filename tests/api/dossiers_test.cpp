// Dossiers over HTTP against the real server (docs/PROCEDURES.md): online and counter intake with
// prefill, the workflow's roles and agencies, supplements pausing the clock, apology slips, signed
// results (pdftotext, zbarimg, one changed byte), idempotent submissions across two server
// processes, visibility, bad input, and the national portal's records against golden files.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "platform/crypto/crypto.hpp"
#include "platform/db/db.hpp"
#include "support/receiver.hpp"
#include "support/server.hpp"
#include "support/testdb.hpp"

using namespace lt;
namespace bj = boost::json;

namespace {

const std::string kPdf = std::string("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
const std::string kCsvHeader = "id_number,full_name,birth_date,sex,ethnicity,nationality,permanent_address,current_address,household_id\n";

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

}  // namespace

class Dossiers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    crypto::init();
    receiver = new test::Receiver();
    test::Server::Options o;
    o.env["LIENTHONG_PORTAL_URL"] = "http://127.0.0.1:" + std::to_string(receiver->port()) + "/portal";
    o.env["LIENTHONG_PORTAL_TOKEN"] = "portal-secret";
    srv = new test::Server(o);
    auto r = srv->call("POST", "/api/v1/registries/citizens/import",
                       kCsvHeader + "001190012345,Phạm Thị Hường,1990-03-04,F,Kinh,VN,\"Phường Ba Đình, Hà Nội\",,HK01\n"
                                    "001088012346,Nguyễn Văn Nam,1988-11-20,M,Kinh,VN,\"Phường Hoàn Kiếm, Hà Nội\",,\n",
                       {{"Authorization", "Bearer " + srv->login("sysadmin")}, {"Content-Type", "text/csv"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(srv->stop(), 0) << srv->log();
    delete srv;
    delete receiver;
  }
  static test::Reply as(const std::string& user, const std::string& method, const std::string& path, const std::string& body = {},
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Authorization", "Bearer " + token(user));
    if (!body.empty() && std::none_of(headers.begin(), headers.end(), [](const auto& h) { return h.first == "Content-Type"; }))
      headers.emplace_back("Content-Type", "application/json");
    return srv->call(method, path, body, headers);
  }
  static std::string token(const std::string& user) {
    static std::map<std::string, std::string> tokens;
    auto it = tokens.find(user);
    if (it == tokens.end()) it = tokens.emplace(user, srv->login(user)).first;
    return it->second;
  }
  static std::string upload(const std::string& user, const std::string& bytes = kPdf) {
    auto r = as(user, "POST", "/api/v1/dossier-files", bytes, {{"Content-Type", "application/pdf"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("sha256").as_string());
  }
  static bj::object birth_body(const std::string& sha) {
    return {{"procedure_code", "1.001193"},
            {"receiving_agency", "000.21.04.H26"},
            {"applicant", {{"email", "congdan@example.vn"}, {"phone", "0912345678"}}},
            {"form",
             {{"child_full_name", "Nguyễn Thị Hường"}, {"child_birth_date", "2026-11-01"}, {"child_sex", "Nữ"}, {"child_birth_place", "Hà Nội"}}},
            {"components",
             bj::array{bj::object{{"code", "TK"}, {"source", "upload"}, {"sha256", sha}},
                       bj::object{{"code", "GCS"}, {"source", "upload"}, {"sha256", sha}}, bj::object{{"code", "NT"}, {"source", "registry"}}}}};
  }
  static bj::object submit_online(const std::string& key = {}) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!key.empty()) h.emplace_back("Idempotency-Key", key);
    auto r = as("congdan", "POST", "/api/v1/dossiers", bj::serialize(birth_body(upload("congdan"))), h);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("dossier").as_object();
  }
  static test::Reply act(const std::string& user, const std::string& code, const std::string& action, const bj::object& body = {}) {
    return as(user, "POST", "/api/v1/dossiers/" + code + "/actions/" + action, bj::serialize(body));
  }
  static int status_of(const test::Reply& r) { return static_cast<int>(r.json().at("dossier").at("status").at("code").as_int64()); }
  static test::Server* srv;
  static test::Receiver* receiver;
};
test::Server* Dossiers::srv = nullptr;
test::Receiver* Dossiers::receiver = nullptr;

TEST_F(Dossiers, CatalogueShipsRealProceduresSearchableWithoutDiacritics) {
  auto r = srv->get("/api/v1/procedures?q=dang%20ky%20khai%20sinh");
  ASSERT_EQ(r.status, 200);
  bool found = false;
  auto items = r.json().at("items").as_array();
  for (const auto& p : items) found |= p.at("code").as_string() == "1.001193";
  EXPECT_TRUE(found) << r.body;
  auto all = srv->get("/api/v1/procedures");
  EXPECT_GE(all.json().at("items").as_array().size(), 20u);
  auto hkd = srv->get("/api/v1/procedures/1.001612");
  ASSERT_EQ(hkd.status, 200);
  EXPECT_EQ(hkd.json().at("procedure").at("time_limit").at("value").as_int64(), 3);
  EXPECT_EQ(srv->get("/api/v1/procedures/9.999999").status, 404);
}

TEST_F(Dossiers, CatalogueImportIsAllOrNothingAndExportsRoundTrip) {
  auto csv = srv->get("/api/v1/procedures/export?format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("code,name,name_en,field_code"), std::string::npos);
  // Re-importing the export changes nothing.
  auto same = as("sysadmin", "POST", "/api/v1/procedures/import", csv.body, {{"Content-Type", "text/csv"}});
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.json().at("updated").as_int64(), 0) << same.body;
  EXPECT_EQ(same.json().at("created").as_int64(), 0);
  // One bad procedure rejects the whole file, naming it.
  auto json = bj::parse(srv->get("/api/v1/procedures/export?format=json").body).as_object();
  auto& procs = json["procedures"].as_array();
  procs[0].as_object()["name"] = "Đổi tên thử";
  procs[1].as_object()["time_limit"].as_object()["value"] = 0;
  auto bad = as("sysadmin", "POST", "/api/v1/procedures/import", bj::serialize(json));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.error_field(), "procedures[1].time_limit.value");
  EXPECT_EQ(srv->get("/api/v1/procedures/" + std::string(procs[0].at("code").as_string())).body.find("Đổi tên thử"), std::string::npos);
  // Only admins import.
  EXPECT_EQ(as("motcua", "POST", "/api/v1/procedures/import", csv.body, {{"Content-Type", "text/csv"}}).status, 403);
}

TEST_F(Dossiers, OnlineSubmissionIsPrefilledFromTheRegistryWithProvenance) {
  auto pre = as("congdan", "GET", "/api/v1/procedures/1.001193/prefill");
  ASSERT_EQ(pre.status, 200) << pre.body;
  EXPECT_EQ(pre.json().at("form").at("applicant_full_name").at("value").as_string(), "Phạm Thị Hường");
  auto d = submit_online();
  EXPECT_EQ(d.at("status").at("code").as_int64(), 1);
  EXPECT_EQ(d.at("channel").as_string(), "online");
  std::string code(d.at("code").as_string());
  EXPECT_TRUE(std::regex_match(code, std::regex(R"(000\.21\.04\.H26-\d{6}-\d{4})"))) << code;
  const auto& f = d.at("form").at("applicant_full_name");
  EXPECT_EQ(f.at("value").as_string(), "Phạm Thị Hường");
  EXPECT_EQ(f.at("source").as_string(), "registry:citizens");
  EXPECT_EQ(d.at("form").at("child_full_name").at("source").as_string(), "applicant");
  EXPECT_TRUE(d.at("reused").as_bool());
  // The registry read is in the citizen's own access log, with its purpose.
  auto log = as("congdan", "GET", "/api/v1/me/data-access");
  EXPECT_NE(log.body.find("dang-ky-khai-sinh"), std::string::npos) << log.body;
}

TEST_F(Dossiers, TheWholeWayFromSubmissionToAVerifiedResult) {
  auto d = submit_online();
  std::string code(d.at("code").as_string());
  // The wrong role, the wrong agency, the wrong order: refused, nothing changes.
  // The commune's specialist does not see it until it is forwarded; another commune never does.
  EXPECT_EQ(act("chuyenvien", code, "receive").status, 404);
  EXPECT_EQ(act("motcua.hk", code, "receive").status, 404);
  EXPECT_EQ(act("motcua", code, "approve").status, 403);
  EXPECT_EQ(act("motcua", code, "return").status, 409);
  auto r = act("motcua", code, "receive");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(status_of(r), 2);
  EXPECT_FALSE(r.json().at("dossier").at("due_at").is_null());
  EXPECT_EQ(r.json().at("dossier").at("steps").as_array().size(), 4u);
  EXPECT_EQ(act("motcua", code, "receive").error_code(), "invalid_transition");
  r = act("motcua", code, "forward");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(status_of(r), 4);
  // The specialist's inbox has it, sorted by due time.
  auto inbox = as("chuyenvien", "GET", "/api/v1/dossiers");
  ASSERT_EQ(inbox.status, 200);
  EXPECT_NE(inbox.body.find(code), std::string::npos);
  EXPECT_EQ(act("lanhdao", code, "approve").error_code(), "invalid_transition");
  EXPECT_EQ(act("motcua", code, "propose").status, 403);  // not the processing agency
  EXPECT_EQ(act("lanhdao", code, "propose").status, 403);  // the right agency, the wrong role
  ASSERT_EQ(act("chuyenvien", code, "propose").status, 200);
  r = act("lanhdao", code, "approve");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(status_of(r), 9);
  auto result = r.json().at("dossier").at("result").as_object();
  r = act("motcua", code, "return");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(status_of(r), 10);
  ASSERT_EQ(act("congdan", code, "rate", {{"satisfaction", "satisfied"}}).status, 200);
  EXPECT_EQ(act("congdan", code, "rate", {{"satisfaction", "satisfied"}}).error_code(), "already_rated");

  // The result: the QR code opens a valid verification; the PDF shows the name exactly.
  std::string sig(result.at("signature").as_string());
  auto v = srv->get("/api/v1/public/results/" + code + "?s=" + sig);
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_TRUE(v.json().at("valid").as_bool()) << v.body;
  EXPECT_EQ(v.json().at("document").at("issued_by").at("code").as_string(), "000.20.04.H26");
  EXPECT_EQ(srv->get("/api/v1/public/results/" + code + "?s=AAAA").status, 404);
  auto pdf = srv->get("/api/v1/public/results/" + code + "/pdf?s=" + sig);
  ASSERT_EQ(pdf.status, 200);
  auto dir = test::temp_dir("result");
  {
    std::ofstream(dir + "/r.pdf", std::ios::binary) << pdf.body;
  }
  std::string text = run("pdftotext " + dir + "/r.pdf -");
  EXPECT_NE(text.find("Nguyễn Thị Hường"), std::string::npos) << text;
  EXPECT_NE(text.find("Phạm Thị Hường"), std::string::npos) << text;
  EXPECT_NE(text.find(code), std::string::npos) << text;
  run("pdftoppm -r 150 -png " + dir + "/r.pdf " + dir + "/page");
  std::string qr = run("zbarimg --raw -q " + dir + "/page-1.png");
  while (!qr.empty() && (qr.back() == '\n' || qr.back() == '\r')) qr.pop_back();
  EXPECT_EQ(qr, std::string(result.at("verify_url").as_string()));
  // The signed JSON verifies; one changed byte does not.
  auto json = srv->get("/api/v1/public/results/" + code + "/json?s=" + sig);
  ASSERT_EQ(json.status, 200);
  auto ok = srv->call("POST", "/api/v1/public/results/verify", json.body, {{"Content-Type", "application/json"}});
  EXPECT_TRUE(ok.json().at("valid").as_bool()) << ok.body;
  std::string tampered = json.body;
  size_t at = tampered.find("Hà Nội");
  ASSERT_NE(at, std::string::npos);
  tampered[at] = 'h';
  auto bad = srv->call("POST", "/api/v1/public/results/verify", tampered, {{"Content-Type", "application/json"}});
  EXPECT_FALSE(bad.json().at("valid").as_bool()) << bad.body;
  // The result is in the citizen's data store, for the next dossier to reuse.
  auto docs = as("congdan", "GET", "/api/v1/me/documents?doc_type=giay-khai-sinh");
  EXPECT_NE(docs.body.find(code), std::string::npos) << docs.body;
  // The public lookup shows the status and no personal data.
  auto pub = srv->get("/api/v1/public/dossiers/" + code);
  ASSERT_EQ(pub.status, 200);
  EXPECT_EQ(pub.json().at("dossier").at("status").at("code").as_int64(), 10);
  EXPECT_EQ(pub.body.find("Hường"), std::string::npos) << pub.body;
  EXPECT_EQ(pub.body.find("001190012345"), std::string::npos) << pub.body;
  // The timeline tells the story.
  auto full = as("congdan", "GET", "/api/v1/dossiers/" + code);
  std::vector<std::string> actions;
  auto timeline = full.json().at("dossier").at("timeline").as_array();
  for (const auto& e : timeline) actions.emplace_back(e.at("action").as_string());
  EXPECT_EQ(actions, (std::vector<std::string>{"submit", "receive", "forward", "propose", "approve", "return", "rate"}));
}

TEST_F(Dossiers, CounterIntakeIssuesAReceiptWithTheAppointment) {
  auto sha = upload("motcua");
  bj::object body{{"procedure_code", "2.000815"},
                  {"channel", "in_person"},
                  {"applicant", {{"kind", "citizen"}, {"id", "001088012346"}, {"phone", "0987654321"}}},
                  {"form", {{"requester_full_name", "Nguyễn Văn Nam"}, {"document_title", "Giấy khai sinh"}, {"page_count", "1"}, {"copy_count", "1"}}},
                  {"components", bj::array{bj::object{{"code", "BC"}, {"source", "scan"}, {"sha256", sha}},
                                           bj::object{{"code", "BS"}, {"source", "scan"}, {"sha256", sha}}}}};
  auto r = as("motcua", "POST", "/api/v1/dossiers", bj::serialize(body));
  ASSERT_EQ(r.status, 201) << r.body;
  auto d = r.json().at("dossier");
  EXPECT_EQ(d.at("status").at("code").as_int64(), 2);
  EXPECT_EQ(d.at("applicant").at("name").as_string(), "Nguyễn Văn Nam");  // from the registry
  EXPECT_FALSE(d.at("due_at").is_null());
  std::string code(d.at("code").as_string());
  auto pdf = as("motcua", "GET", "/api/v1/dossiers/" + code + "/receipt.pdf");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.header("content-type"), "application/pdf");
  auto dir = test::temp_dir("receipt");
  {
    std::ofstream(dir + "/r.pdf", std::ios::binary) << pdf.body;
  }
  std::string text = run("pdftotext " + dir + "/r.pdf -");
  EXPECT_NE(text.find("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"), std::string::npos) << text;
  EXPECT_NE(text.find("Nguyễn Văn Nam"), std::string::npos) << text;
  EXPECT_NE(text.find(code), std::string::npos) << text;
  // Scans are the counter's: a citizen cannot claim one.
  auto pre = as("congdan", "POST", "/api/v1/dossiers",
                bj::serialize(bj::object{{"procedure_code", "2.000815"},
                                         {"receiving_agency", "000.21.04.H26"},
                                         {"form", {{"requester_full_name", "Phạm Thị Hường"}, {"document_title", "Bằng tốt nghiệp"}, {"page_count", "1"}, {"copy_count", "2"}}},
                                         {"components", bj::array{bj::object{{"code", "BC"}, {"source", "scan"}, {"sha256", sha}},
                                                                  bj::object{{"code", "BS"}, {"source", "upload"}, {"sha256", sha}}}}}));
  EXPECT_EQ(pre.status, 400);
  EXPECT_EQ(pre.error_field(), "components.BC");
}

TEST_F(Dossiers, SupplementsPauseTheClockAndLateDossiersNeedAnApologySlip) {
  auto d = submit_online();
  std::string code(d.at("code").as_string());
  ASSERT_EQ(act("motcua", code, "receive").status, 200);
  auto fwd = act("motcua", code, "forward");
  ASSERT_EQ(fwd.status, 200);
  std::string substate(fwd.json().at("dossier").at("substate").at("code").as_string());
  EXPECT_EQ(act("chuyenvien", code, "request_supplement").error_code(), "missing_field");
  auto r = act("chuyenvien", code, "request_supplement", {{"reason", "Thiếu bản sao giấy chứng nhận kết hôn"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(status_of(r), 5);
  EXPECT_EQ(r.json().at("dossier").at("deadline").as_string(), "paused");
  EXPECT_EQ(act("chuyenvien", code, "propose").error_code(), "invalid_transition");
  r = act("congdan", code, "supplement", {{"components", bj::array{bj::object{{"sha256", upload("congdan")}, {"name", "Giấy chứng nhận kết hôn"}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(status_of(r), 4);
  EXPECT_EQ(r.json().at("dossier").at("substate").at("code").as_string(), substate);
  EXPECT_EQ(r.json().at("dossier").at("supplements").as_int64(), 1);
  // Make it late: the appointment moved into the past (as time passing would).
  {
    auto db = db::Database::open(srv->db_url(), 1);
    db->write([&](db::Conn& c) { c.q("UPDATE dossiers SET due_at = '2026-01-05T10:00:00.000Z' WHERE code = ?", code); });
  }
  auto late = act("chuyenvien", code, "propose");
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.error_code(), "apology_required");
  EXPECT_EQ(act("chuyenvien", code, "apology", {{"reason", "Chờ xác minh"}, {"new_due_date", "2020-01-06"}}).error_field(), "new_due_date");
  r = act("chuyenvien", code, "apology", {{"reason", "Chờ xác minh thông tin nơi sinh"}, {"new_due_date", "2030-01-07"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("dossier").at("apology").at("reason").as_string(), "Chờ xác minh thông tin nơi sinh");
  EXPECT_EQ(r.json().at("dossier").at("due_at").as_string(), "2030-01-07T10:00:00.000Z");
  auto slip = as("congdan", "GET", "/api/v1/dossiers/" + code + "/apology.pdf");
  ASSERT_EQ(slip.status, 200);
  auto dir = test::temp_dir("apology");
  {
    std::ofstream(dir + "/a.pdf", std::ios::binary) << slip.body;
  }
  std::string text = run("pdftotext " + dir + "/a.pdf -");
  EXPECT_NE(text.find("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"), std::string::npos) << text;
  EXPECT_NE(text.find("07/01/2030"), std::string::npos) << text;
  EXPECT_EQ(act("chuyenvien", code, "propose").status, 200);
}

TEST_F(Dossiers, AFeeRequestIsPaidAtTheCounterBeforeTheResultIsReturned) {
  auto d = submit_online();
  std::string code(d.at("code").as_string());
  ASSERT_EQ(act("motcua", code, "receive").status, 200);
  ASSERT_EQ(act("motcua", code, "forward").status, 200);
  auto r = act("chuyenvien", code, "request_fee", {{"amount", 8000}, {"reason", "Lệ phí cấp bản sao trích lục"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(status_of(r), 6);
  EXPECT_EQ(act("motcua", code, "pay", {{"amount", 9000}}).status, 400);
  r = act("motcua", code, "pay", {{"amount", 8000}, {"receipt_no", "BL-0001"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(status_of(r), 4);
  EXPECT_EQ(r.json().at("dossier").at("fees").at("paid").as_int64(), 8000);
}

TEST_F(Dossiers, ADossierIsSeenOnlyByItsApplicantItsAgenciesAndItsOfficers) {
  auto d = submit_online();
  std::string code(d.at("code").as_string());
  EXPECT_EQ(as("congdan", "GET", "/api/v1/dossiers/" + code).status, 200);
  EXPECT_EQ(as("motcua", "GET", "/api/v1/dossiers/" + code).status, 200);
  for (const char* u : {"motcua.hk", "chuyenvien.hk", "sysadmin", "tinh.admin", "doanhnghiep", "chuyenvien.ca"})
    EXPECT_EQ(as(u, "GET", "/api/v1/dossiers/" + code).status, 404) << u;
  // Transferred to Hoàn Kiếm, its officers see it; the applicant can withdraw it.
  ASSERT_EQ(act("motcua", code, "receive").status, 200);
  ASSERT_EQ(act("motcua", code, "forward").status, 200);
  auto t = act("chuyenvien", code, "transfer", {{"to_agency", "000.20.70.H26"}, {"reason", "Nơi cư trú của mẹ thuộc phường Hoàn Kiếm"}});
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.json().at("dossier").at("substate").at("code").as_string(), "transferred");
  EXPECT_EQ(as("chuyenvien.hk", "GET", "/api/v1/dossiers/" + code).status, 200);
  EXPECT_EQ(act("chuyenvien", code, "propose").status, 403);  // no longer theirs to process
  EXPECT_EQ(act("congdan", code, "withdraw").error_code(), "missing_field");
  auto w = act("congdan", code, "withdraw", {{"reason", "Nộp lại sau"}});
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(status_of(w), 7);
}

TEST_F(Dossiers, BadSubmissionsAreRefusedWithoutAPartialDossier) {
  auto count = [&] {
    auto db = db::Database::open(srv->db_url(), 1);
    return db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM dossiers").one().i64(0); });
  };
  int64_t before = count();
  auto sha = upload("congdan");
  struct Case {
    std::function<void(bj::object&)> change;
    int status;
    std::string code, field;
  };
  std::vector<Case> cases = {
      {[](bj::object& b) { b["procedure_code"] = "9.999999"; }, 400, "unknown_procedure", "procedure_code"},
      {[](bj::object& b) { b["receiving_agency"] = "000.99.99.H99"; }, 400, "unknown_agency", "receiving_agency"},
      {[](bj::object& b) { b["components"].as_array().pop_back(); }, 400, "missing_component", "components.NT"},
      {[](bj::object& b) { b["form"].as_object().erase("child_full_name"); }, 400, "missing_field", "form.child_full_name"},
      {[](bj::object& b) { b["form"].as_object()["child_birth_date"] = "2026-02-30"; }, 400, "invalid_value", "form.child_birth_date"},
      {[](bj::object& b) { b["form"].as_object()["child_sex"] = "Khác"; }, 400, "invalid_value", "form.child_sex"},
      {[](bj::object& b) { b["form"].as_object()["unknown"] = "x"; }, 400, "unknown_field", "form.unknown"},
      {[](bj::object& b) { b["components"].as_array()[0].as_object()["sha256"] = std::string(64, 'a'); }, 400, "unknown_file", "components.TK.sha256"},
      {[](bj::object& b) { b["components"].as_array()[0].as_object()["code"] = "ZZ"; }, 400, "unknown_component", "components.ZZ"},
      {[](bj::object& b) { b["components"].as_array()[2].as_object()["source"] = "upload"; }, 400, "invalid_source", "components.NT"},
      {[](bj::object& b) { b["channel"] = "in_person"; }, 400, "invalid_value", "channel"},
      {[](bj::object& b) { b["extra"] = 1; }, 400, "unknown_field", "extra"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto body = birth_body(sha);
    cases[i].change(body);
    auto r = as("congdan", "POST", "/api/v1/dossiers", bj::serialize(body));
    EXPECT_EQ(r.status, cases[i].status) << "case " << i << ": " << r.body;
    EXPECT_EQ(r.error_code(), cases[i].code) << "case " << i << ": " << r.body;
    EXPECT_EQ(r.error_field(), cases[i].field) << "case " << i << ": " << r.body;
  }
  // Bad files: wrong type, content that is not what it says, a wrong hash, too large.
  EXPECT_EQ(as("congdan", "POST", "/api/v1/dossier-files", "hello", {{"Content-Type", "text/html"}}).error_code(), "unsupported_type");
  EXPECT_EQ(as("congdan", "POST", "/api/v1/dossier-files", "hello", {{"Content-Type", "application/pdf"}}).error_code(), "content_mismatch");
  EXPECT_EQ(as("congdan", "POST", "/api/v1/dossier-files", kPdf, {{"Content-Type", "application/pdf"}, {"X-Content-SHA256", std::string(64, '0')}})
                .error_code(),
            "hash_mismatch");
  EXPECT_EQ(as("congdan", "POST", "/api/v1/dossier-files", "%PDF-" + std::string(21u << 20, 'x'), {{"Content-Type", "application/pdf"}}).status, 413);
  // Not JSON, and people who may not submit.
  EXPECT_EQ(as("congdan", "POST", "/api/v1/dossiers", "{").status, 400);
  EXPECT_EQ(as("chuyenvien", "POST", "/api/v1/dossiers", bj::serialize(birth_body(sha))).status, 403);
  EXPECT_EQ(count(), before);
}

TEST_F(Dossiers, ARetriedSubmissionIsOneDossierEvenOnAnotherServerProcess) {
  auto sha = upload("congdan");
  std::string body = bj::serialize(birth_body(sha));
  auto first = as("congdan", "POST", "/api/v1/dossiers", body, {{"Idempotency-Key", "retry-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  // A second node of the same deployment (same database, same files and keys).
  test::Server::Options o;
  o.demo = false;
  o.db_url = srv->db_url();
  o.env["LIENTHONG_DATA_DIR"] = srv->dir();
  test::Server second(o);
  auto again = second.call("POST", "/api/v1/dossiers", body,
                           {{"Authorization", "Bearer " + token("congdan")}, {"Content-Type", "application/json"}, {"Idempotency-Key", "retry-1"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_FALSE(again.json().at("created").as_bool());
  EXPECT_EQ(again.json().at("dossier").at("code"), first.json().at("dossier").at("code"));
  // The same key with another body is a conflict.
  auto other = bj::parse(body).as_object();
  other["summary"] = "Khác";
  auto conflict = as("congdan", "POST", "/api/v1/dossiers", bj::serialize(other), {{"Idempotency-Key", "retry-1"}});
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.error_code(), "idempotency_conflict");
  EXPECT_EQ(second.stop(), 0) << second.log();
}

TEST_F(Dossiers, DailySequencesNumberDossiersPerAgency) {
  auto a = submit_online();
  auto b = submit_online();
  std::string ca(a.at("code").as_string()), cb(b.at("code").as_string());
  EXPECT_EQ(ca.substr(0, ca.rfind('-')), cb.substr(0, cb.rfind('-')));
  EXPECT_EQ(std::stoi(cb.substr(cb.rfind('-') + 1)), std::stoi(ca.substr(ca.rfind('-') + 1)) + 1);
}

namespace {
// A portal record with what changes from run to run replaced: times, dossier codes, file digests.
bj::value normalised(bj::value v, const std::string& code) {
  static const std::regex time14(R"(^\d{14}$)"), hex64(R"(^[0-9a-f]{64}$)");
  if (v.is_object()) {
    for (auto& [k, x] : v.as_object()) x = normalised(x, code);
  } else if (v.is_array()) {
    for (auto& x : v.as_array()) x = normalised(x, code);
  } else if (v.is_string()) {
    std::string s(v.as_string());
    if (std::regex_match(s, time14)) return "<time>";
    if (std::regex_match(s, hex64)) return "<sha256>";
    if (s.find(code) != std::string::npos) {
      size_t at = s.find(code);
      if (s.find("&s=") != std::string::npos) return "<verify-url>";
      s.replace(at, code.size(), "<code>");
    }
    return bj::value(s);
  }
  return v;
}
}  // namespace

TEST_F(Dossiers, ThePortalReceivesEveryRecordInItsShape) {
  auto sha = upload("motcua");
  bj::object body{{"procedure_code", "2.000815"},
                  {"channel", "in_person"},
                  {"applicant", {{"kind", "citizen"}, {"id", "001088012346"}, {"phone", "0987654321"}}},
                  {"summary", "Chứng thực bản sao giấy khai sinh"},
                  {"form", {{"requester_full_name", "Nguyễn Văn Nam"}, {"document_title", "Giấy khai sinh"}, {"page_count", "2"}, {"copy_count", "1"}}},
                  {"components", bj::array{bj::object{{"code", "BC"}, {"source", "scan"}, {"sha256", sha}},
                                           bj::object{{"code", "BS"}, {"source", "scan"}, {"sha256", sha}}}}};
  auto r = as("motcua", "POST", "/api/v1/dossiers", bj::serialize(body));
  ASSERT_EQ(r.status, 201) << r.body;
  std::string code(r.json().at("dossier").at("code").as_string());
  // Received in Ba Đình, routed to the applicant's commune of residence, Hoàn Kiếm.
  EXPECT_EQ(r.json().at("dossier").at("competent_agency").at("code").as_string(), "000.20.70.H26");
  ASSERT_EQ(act("motcua", code, "forward").status, 200);
  ASSERT_EQ(act("chuyenvien.hk", code, "propose").status, 200);
  ASSERT_EQ(act("lanhdao.hk", code, "approve").status, 200);
  ASSERT_EQ(act("motcua", code, "pay", {{"amount", 2000}}).status, 200);
  ASSERT_EQ(act("motcua", code, "return").status, 200);
  // 6 changes, each a dossier record and a progress record.
  std::vector<test::Received> mine;
  for (int i = 0; i < 100 && mine.size() < 12; ++i) {
    receiver->wait_for(receiver->requests().size() + 1, 200);
    mine.clear();
    for (const auto& q : receiver->requests())
      if (q.body.find(code) != std::string::npos) mine.push_back(q);
  }
  ASSERT_EQ(mine.size(), 12u);
  std::sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) { return std::stoll(a.header("x-event-id")) < std::stoll(b.header("x-event-id")); });
  bj::array got;
  for (const auto& q : mine) {
    EXPECT_EQ(q.method, "POST");
    EXPECT_EQ(q.header("authorization"), "Bearer portal-secret");
    got.push_back({{"path", q.target}, {"body", normalised(bj::parse(q.body), code)}});
  }
  std::string golden_file = std::string(LT_SOURCE_DIR) + "/tests/data/portal/certified_copy.json";
  if (std::getenv("LT_UPDATE_GOLDEN")) std::ofstream(golden_file) << bj::serialize(got);
  std::ifstream in(golden_file);
  ASSERT_TRUE(in) << golden_file << " is missing (run once with LT_UPDATE_GOLDEN=1 and review it)";
  std::stringstream ss;
  ss << in.rdbuf();
  auto golden = bj::parse(ss.str()).as_array();
  ASSERT_EQ(golden.size(), got.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(bj::serialize(got[i]), bj::serialize(golden[i])) << "record " << i;
}
