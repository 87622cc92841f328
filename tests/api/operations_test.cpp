// Operations through the real binary: CLI subcommands on the server's database, audit tampering
// caught by `lienthong audit verify`, backup/restore, outbox durability across SIGKILL, and the
// rule that every route declares a permission and is described in the OpenAPI document.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "app/app.hpp"
#include "platform/crypto/crypto.hpp"
#include "support/server.hpp"
#include "support/testdb.hpp"

using namespace lt;
namespace bj = boost::json;

namespace lt::app {
extern const std::string_view kOpenApiJson;
}

TEST(Operations, AdminCreatePrintsOneTimePasswordOnItsLastLine) {
  test::Server::Options o;
  o.demo = false;
  test::Server s(o);
  // Without --demo no account exists.
  EXPECT_EQ(s.post("/api/v1/auth/login", {{"username", "sysadmin"}, {"password", "Demo@2025"}}).status, 401);
  std::string out;
  ASSERT_EQ(s.cli({"admin", "create", "--username", "root.admin", "--role", "system-admin"}, &out), 0) << out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::string otp = out.substr(out.rfind('\n') + 1);
  ASSERT_EQ(otp.size(), 12u) << out;
  auto r = s.post("/api/v1/auth/login", {{"username", "root.admin"}, {"password", otp}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("account").at("must_change_password").as_bool());
  std::string dup;
  EXPECT_NE(s.cli({"admin", "create", "--username", "root.admin", "--role", "system-admin"}, &dup), 0);
  EXPECT_EQ(s.stop(), 0);
}

TEST(Operations, AuditVerifyCatchesDirectEditsOfTheDatabase) {
  test::Server s;
  std::string sys = s.login("sysadmin");
  for (int i = 0; i < 3; ++i)
    s.post("/api/v1/accounts",
           {{"username", "a" + std::to_string(i)}, {"display_name", "A"}, {"role", "leader"}, {"unit_code", "01"}}, sys);
  std::string out;
  ASSERT_EQ(s.cli({"audit", "verify"}, &out), 0) << out;  // while the server runs
  EXPECT_NE(out.find("audit log OK"), std::string::npos);
  auto db = db::Database::open(s.db_url(), 1);
  int64_t victim = db->read([](db::Conn& c) { return c.q("SELECT id FROM audit_log WHERE seq = 5").one().i64(0); });
  db->write([](db::Conn& c) { c.exec_script("UPDATE audit_log SET action = 'account.view' WHERE seq = 5"); });
  EXPECT_EQ(s.cli({"audit", "verify"}, &out), 1);
  EXPECT_NE(out.find("first bad record id " + std::to_string(victim)), std::string::npos) << out;
  EXPECT_EQ(s.stop(), 0);
}

TEST(Operations, BackupAndRestoreRoundTrip) {
  if (test::backend() != "sqlite") GTEST_SKIP() << "PostgreSQL is backed up with pg_dump (docs/OPERATIONS.md)";
  test::Server s;
  std::string sys = s.login("sysadmin");
  ASSERT_EQ(s.post("/api/v1/accounts", {{"username", "before"}, {"display_name", "B"}, {"role", "leader"}, {"unit_code", "01"}}, sys).status, 201);
  std::string file = s.dir() + "/backup.db";
  std::string out;
  ASSERT_EQ(s.cli({"backup", "--to", file}, &out), 0) << out;  // online, while serving
  ASSERT_EQ(s.post("/api/v1/accounts", {{"username", "after"}, {"display_name", "A"}, {"role", "leader"}, {"unit_code", "01"}}, sys).status, 201);
  EXPECT_EQ(s.stop(), 0);
  ASSERT_EQ(s.cli({"restore", "--from", file}, &out), 0) << out;
  s.start();
  sys = s.login("sysadmin");
  auto list = s.get("/api/v1/accounts?q=before", sys).json();
  EXPECT_EQ(list.at("total").as_int64(), 1);
  EXPECT_EQ(s.get("/api/v1/accounts?q=after", sys).json().at("total").as_int64(), 0);
  ASSERT_EQ(s.cli({"audit", "verify"}, &out), 0) << out;
  EXPECT_EQ(s.stop(), 0);
}

TEST(Operations, OutboxEventsSurviveSigkill) {
  test::Server::Options o;
  // The mail folder cannot be created (its parent is a file): every delivery fails and is retried.
  auto dir = test::temp_dir("blocked");
  std::ofstream(dir + "/file") << "x";
  o.env["LIENTHONG_MAIL_DIR"] = dir + "/file/mail";
  o.env["LIENTHONG_OUTBOX_BACKOFF_MS"] = "100";
  test::Server s(o);
  ASSERT_EQ(s.post("/api/v1/auth/password-reset/request", {{"username", "sysadmin"}}).status, 202);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  s.kill9();
  auto db = db::Database::open(s.db_url(), 1);
  auto pending = db->read([](db::Conn& c) {
    return c.q("SELECT attempts FROM outbox WHERE topic = 'mail.send' AND status = 'pending'");
  });
  ASSERT_EQ(pending.rows.size(), 1u);
  EXPECT_GE(pending.rows[0].i64(0), 1);  // it was tried and failed before the kill
  // Restart with a working mail folder: the event is delivered.
  s.env()["LIENTHONG_MAIL_DIR"] = s.dir() + "/mail";
  s.start();
  bool delivered = false;
  for (int i = 0; i < 100 && !delivered; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    delivered = db->read([](db::Conn& c) {
      return c.q("SELECT COUNT(*) FROM outbox WHERE topic = 'mail.send' AND status = 'done'").one().i64(0) == 1;
    });
  }
  EXPECT_TRUE(delivered);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(s.dir() + "/mail"), {}), 1);
  EXPECT_EQ(s.stop(), 0);
}

TEST(Operations, MigrateAndReadinessWhileServing) {
  test::Server s;
  std::string out;
  EXPECT_EQ(s.cli({"migrate"}, &out), 0) << out;
  EXPECT_NE(out.find("migrations current"), std::string::npos);
  EXPECT_EQ(s.get("/readyz").status, 200);
  EXPECT_EQ(s.stop(), 0);
}

TEST(Operations, ConfigShowMasksSecrets) {
  test::Server::Options o;
  o.demo = false;
  test::Server s(o);
  std::string out;
  ASSERT_EQ(s.cli({"config", "show", "--db", "postgresql://u:topsecret@127.0.0.1/x"}, &out, false), 0) << out;
  EXPECT_NE(out.find("port = "), std::string::npos) << out;
  EXPECT_EQ(out.find("topsecret"), std::string::npos) << out;
  EXPECT_NE(out.find("postgresql://u:***@127.0.0.1/x"), std::string::npos) << out;
  EXPECT_EQ(s.stop(), 0);
}

TEST(Routes, EveryRouteDeclaresAPermissionAndIsInTheOpenApiDocument) {
  crypto::init();
  auto dir = test::temp_dir("routes");
  config::Config cfg;
  cfg.db = test::fresh_db_url(dir);
  cfg.data_dir = dir;
  cfg.password_hash_cost = "min";
  cfg.resolve_paths(LT_SOURCE_DIR);
  app::App a(cfg);
  a.open();
  a.add_routes();
  auto spec = bj::parse(app::kOpenApiJson).as_object();
  const auto& paths = spec.at("paths").as_object();
  std::set<std::string> known_permissions = {"public", "authenticated"};
  for (const auto& role : identity::kRoles)
    for (const auto& p : identity::permissions_of(role)) known_permissions.insert(p);
  size_t n = 0;
  for (const auto& r : a.router.routes()) {
    ++n;
    EXPECT_FALSE(r->permission.empty()) << r->method << " " << r->pattern;
    EXPECT_TRUE(known_permissions.contains(r->permission))
        << r->method << " " << r->pattern << " needs '" << r->permission << "', which no role holds";
    std::string method = r->method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = paths.find(r->pattern);
    ASSERT_TRUE(it != paths.end()) << r->pattern << " is missing from docs/openapi.json";
    EXPECT_TRUE(it->value().as_object().contains(method)) << r->method << " " << r->pattern << " is missing from docs/openapi.json";
    if (it->value().as_object().contains(method)) {
      const auto& op = it->value().at(method).as_object();
      EXPECT_TRUE(op.contains("x-permission") && op.at("x-permission").as_string() == r->permission)
          << r->method << " " << r->pattern << ": x-permission differs from the route's";
    }
  }
  EXPECT_GE(n, 30u);
  // And nothing is documented that does not exist.
  for (const auto& [path, ops] : paths)
    for (const auto& [method, _] : ops.as_object()) {
      std::string m(method);
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (m == "PARAMETERS") continue;
      bool found = false;
      for (const auto& r : a.router.routes()) found |= r->pattern == path && r->method == m;
      EXPECT_TRUE(found) << m << " " << path << " is documented but not served";
    }
}
