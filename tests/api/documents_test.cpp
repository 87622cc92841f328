// Personal data store over HTTP against the real server: officials add and read a person's
// documents within their province (each read access-logged), owners see and add their own, the
// same file twice is one document, bad files get 4xx naming the field, and the bytes come back
// exactly, named by their SHA-256.
#include <gtest/gtest.h>

#include "platform/crypto/crypto.hpp"
#include "platform/db/db.hpp"
#include "support/server.hpp"

using namespace lt;
namespace bj = boost::json;

namespace {
const std::string kPdf = std::string("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
const char* kBirth = "/api/v1/pds/citizen/001190012345/documents?doc_type=giay-khai-sinh&title=Gi%E1%BA%A5y%20khai%20sinh&issued_by=000.20.04.H26&issued_at=1990-03-10";
}  // namespace

class Documents : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    crypto::init();
    srv = new test::Server(test::Server::Options{});
    auto r = srv->call("POST", "/api/v1/registries/citizens/import",
                       "id_number,full_name,birth_date,sex,ethnicity,nationality,permanent_address,current_address,household_id\n"
                       "001190012345,Phạm Thị Hường,1990-03-04,F,Kinh,VN,\"Phường Ba Đình, Hà Nội\",,HK01\n"
                       "079305001234,Trần Thị Hoa,2005-07-01,F,Kinh,VN,\"P.5, Q.3, TP.HCM\",,\n",
                       {{"Authorization", "Bearer " + srv->login("sysadmin")}, {"Content-Type", "text/csv"}});
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json().at("summary").at("inserted").as_int64(), 2) << r.body;
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(srv->stop(), 0) << srv->log();
    delete srv;
  }
  static test::Reply upload(const std::string& path, const std::string& token, const std::string& body, const std::string& type) {
    return srv->call("POST", path, body, {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
  }
  static test::Server* srv;
};
test::Server* Documents::srv = nullptr;

TEST_F(Documents, OfficersAddAndReadWithinTheirProvinceAndEveryReadIsLogged) {
  auto officer = srv->login("motcua");
  auto r = upload(kBirth, officer, kPdf, "application/pdf");
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = r.json().at("document");
  EXPECT_EQ(doc.at("sha256").as_string(), crypto::sha256_hex(kPdf));
  EXPECT_EQ(doc.at("title").as_string(), "Giấy khai sinh");
  EXPECT_EQ(doc.at("size").as_int64(), static_cast<int64_t>(kPdf.size()));
  EXPECT_EQ(doc.at("source").as_string(), "api:motcua");
  int64_t id = doc.at("id").as_int64();
  // The same file again is the same document.
  auto again = upload(kBirth, officer, kPdf, "application/pdf");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("document").at("id").as_int64(), id);
  EXPECT_FALSE(again.json().at("created").as_bool());
  // A specialist reads the list and the bytes, exactly.
  auto cv = srv->login("chuyenvien");
  auto list = srv->call("GET", "/api/v1/pds/citizen/001190012345/documents?purpose=dang-ky-khai-sinh", "", {{"Authorization", "Bearer " + cv}});
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json().at("items").as_array().size(), 1u);
  auto file = srv->call("GET", "/api/v1/pds/documents/" + std::to_string(id) + "/content", "", {{"Authorization", "Bearer " + cv}});
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, kPdf);
  EXPECT_EQ(file.header("content-type"), "application/pdf");
  EXPECT_EQ(file.header("x-content-sha256"), crypto::sha256_hex(kPdf));
  // A specialist cannot add; a leader cannot read; nobody outside the province sees the HCMC citizen's store.
  EXPECT_EQ(upload(kBirth, cv, kPdf, "application/pdf").status, 403);
  EXPECT_EQ(srv->call("GET", "/api/v1/pds/citizen/001190012345/documents", "", {{"Authorization", "Bearer " + srv->login("lanhdao")}}).status,
            403);
  EXPECT_EQ(srv->call("GET", "/api/v1/pds/citizen/079305001234/documents", "", {{"Authorization", "Bearer " + cv}}).status, 403);
  EXPECT_EQ(srv->call("GET", "/api/v1/pds/citizen/001999999999/documents", "", {{"Authorization", "Bearer " + cv}}).status, 404);
  // Each read is in the access log, and the citizen sees it.
  auto mine = srv->call("GET", "/api/v1/me/data-access", "", {{"Authorization", "Bearer " + srv->login("congdan")}});
  ASSERT_EQ(mine.status, 200) << mine.body;
  std::string log = mine.body;
  EXPECT_NE(log.find("\"fields\":\"documents\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"fields\":\"document:" + std::to_string(id) + ":content\""), std::string::npos) << log;
  // Revoked: gone from the lists, still in the database for the audit.
  EXPECT_EQ(srv->call("DELETE", "/api/v1/pds/documents/" + std::to_string(id), "", {{"Authorization", "Bearer " + officer}}).status, 200);
  EXPECT_EQ(srv->call("GET", "/api/v1/pds/documents/" + std::to_string(id), "", {{"Authorization", "Bearer " + cv}}).status, 404);
  auto db = db::Database::open(srv->db_url(), 1);
  EXPECT_EQ(db->read([&](db::Conn& c) { return c.q("SELECT status FROM pds_documents WHERE id = ?", id).one().str(0); }), "revoked");
  EXPECT_EQ(db->read([&](db::Conn& c) { return c.q("SELECT COUNT(*) FROM outbox WHERE topic LIKE 'document.%'").one().i64(0); }), 2);
  // Supplied again, it is active again.
  EXPECT_EQ(upload(kBirth, officer, kPdf, "application/pdf").json().at("document").at("status").as_string(), "active");
}

TEST_F(Documents, OwnersSeeAndAddTheirOwn) {
  auto citizen = srv->login("congdan");
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\rIHDR", 8);
  auto r = upload("/api/v1/me/documents?doc_type=anh-chan-dung&title=%E1%BA%A2nh%204x6", citizen, png, "image/png");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("document").at("owner_key").as_string(), "001190012345");
  EXPECT_EQ(r.json().at("document").at("source").as_string(), "owner:congdan");
  auto id = std::to_string(r.json().at("document").at("id").as_int64());
  auto list = srv->call("GET", "/api/v1/me/documents?doc_type=anh-chan-dung", "", {{"Authorization", "Bearer " + citizen}});
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().at("items").as_array().size(), 1u);
  auto file = srv->call("GET", "/api/v1/me/documents/" + id + "/content", "", {{"Authorization", "Bearer " + citizen}});
  EXPECT_EQ(file.body, png);
  // Not through the officials' routes, and not someone else's file.
  EXPECT_EQ(srv->call("GET", "/api/v1/pds/citizen/001190012345/documents", "", {{"Authorization", "Bearer " + citizen}}).status, 403);
  auto biz = srv->login("doanhnghiep");
  EXPECT_EQ(srv->call("GET", "/api/v1/me/documents/" + id + "/content", "", {{"Authorization", "Bearer " + biz}}).status, 404);
}

TEST_F(Documents, BadFilesAreRefusedNamingTheField) {
  auto officer = srv->login("motcua");
  struct Case {
    std::string path, body, type, code, field;
  } cases[] = {
      {kBirth, "not a pdf", "application/pdf", "content_mismatch", "content_type"},
      {kBirth, kPdf, "application/x-msdownload", "unsupported_type", "content_type"},
      {kBirth, "", "application/pdf", "empty_file", "file"},
      {"/api/v1/pds/citizen/001190012345/documents?doc_type=Giay%20KS&title=x", kPdf, "application/pdf", "invalid_value", "doc_type"},
      {"/api/v1/pds/citizen/001190012345/documents?doc_type=giay-khai-sinh", kPdf, "application/pdf", "invalid_value", "title"},
      {"/api/v1/pds/citizen/001190012345/documents?doc_type=giay-khai-sinh&title=x&issued_at=1990-02-30", kPdf, "application/pdf",
       "invalid_date", "issued_at"},
      {"/api/v1/pds/citizen/001190012345/documents?doc_type=ho-so&title=x", "\xff\xfe bad", "text/plain", "content_mismatch", "content_type"},
  };
  for (const auto& c : cases) {
    auto r = upload(c.path, officer, c.body, c.type);
    EXPECT_EQ(r.status, 400) << c.path << " " << r.body;
    EXPECT_EQ(r.error_code(), c.code) << c.path << " " << r.body;
    EXPECT_EQ(r.error_field(), c.field) << c.path << " " << r.body;
  }
  // Nothing half-written: no document rows besides the good ones of the other tests.
  auto db = db::Database::open(srv->db_url(), 1);
  EXPECT_EQ(db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM pds_documents WHERE doc_type IN ('ho-so')").one().i64(0); }), 0);
  // Over the size limit: refused before the handler.
  auto big = upload(kBirth, officer, kPdf + std::string(21u << 20, 'x'), "application/pdf");
  EXPECT_EQ(big.status, 413);
}
