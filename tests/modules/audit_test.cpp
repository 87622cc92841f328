// The audit chain must reveal every kind of tampering done directly in the database.
#include "modules/audit/audit.hpp"

#include <gtest/gtest.h>

#include "platform/crypto/crypto.hpp"
#include "support/testdb.hpp"

using namespace lt;

class AuditTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    db = db::Database::open(test::fresh_db_url(test::temp_dir("audit")), 2);
    db::Migrator m;
    crypto::KeyRing::add_migrations(m);
    audit::Log::add_migrations(m);
    m.apply(*db);
    keys = std::make_unique<crypto::KeyRing>(*db, crypto::random_bytes(32));
    keys->load_or_create();
    log = std::make_unique<audit::Log>(*keys);
    for (int i = 1; i <= 10; ++i)
      db->write([&](db::Conn& c) {
        log->append(c, {"account:1", "account.update", "account", std::to_string(i), "01", "req-" + std::to_string(i),
                        R"({"role":"specialist"})"});
      });
    ASSERT_TRUE(log->verify(*db).ok);
    ASSERT_EQ(log->verify(*db).records, 10);
  }
  void sql(const std::string& s) {
    db->write([&](db::Conn& c) { c.exec_script(s); });
  }
  std::unique_ptr<db::Database> db;
  std::unique_ptr<crypto::KeyRing> keys;
  std::unique_ptr<audit::Log> log;
};

TEST_F(AuditTamper, EditedFieldIsFound) {
  sql("UPDATE audit_log SET actor = 'account:2' WHERE seq = 4");
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 4);
  EXPECT_NE(v.problem.find("edited"), std::string::npos) << v.problem;
}

TEST_F(AuditTamper, EditedDetailIsFound) {
  sql("UPDATE audit_log SET detail = '{\"role\":\"system-admin\"}' WHERE seq = 7");
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 7);
}

TEST_F(AuditTamper, DeletedRowIsFound) {
  sql("DELETE FROM audit_log WHERE seq = 5");
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 5);
  EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

TEST_F(AuditTamper, TruncatedTailIsFound) {
  sql("DELETE FROM audit_log WHERE seq >= 9");
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("last records are missing"), std::string::npos) << v.problem;
}

TEST_F(AuditTamper, InsertedRowIsFound) {
  // A forged record appended after the head, with a correct-looking link.
  auto last = db->read([](db::Conn& c) { return c.q("SELECT hash FROM audit_log WHERE seq = 10").one().str(0); });
  sql("INSERT INTO audit_log (chain, seq, at, actor, action, object_type, object_id, unit_code, request_id, detail,"
      " digest, prev_hash, hash) VALUES ('main', 11, '2026-01-01T00:00:00.000Z', 'account:9', 'account.create',"
      " 'account', '99', '01', 'forged', '{}', '" + crypto::sha256_hex("{}") + "', '" + last + "', 'abc')");
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 11);
}

TEST_F(AuditTamper, ReorderedRowsAreFound) {
  sql("UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 6;"
      " UPDATE audit_log SET seq = 6 WHERE seq = -3");
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 3);
}

TEST_F(AuditTamper, RewrittenChainIsCaughtByTheSignedHead) {
  // The attacker recomputes every hash consistently after editing record 2, and moves the head's
  // hash along — but cannot sign the new head.
  sql("UPDATE audit_log SET actor = 'account:666' WHERE seq = 2");
  auto rows = db->read([](db::Conn& c) {
    return c.q("SELECT seq, at, actor, action, object_type, object_id, unit_code, request_id, detail, digest FROM audit_log ORDER BY seq");
  });
  std::string prev(64, '0');
  for (const auto& r : rows.rows) {
    audit::Entry e{r.str(2), r.str(3), r.str(4), r.str(5), r.str(6), r.str(7), r.str(8), "main"};
    std::string h = audit::record_hash(prev, r.i64(0), "main", r.str(1), e, r.str(9));
    db->write([&](db::Conn& c) { c.q("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", prev, h, r.i64(0)); });
    prev = h;
  }
  db->write([&](db::Conn& c) { c.q("UPDATE audit_heads SET hash = ? WHERE chain = 'main'", prev); });
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("signature"), std::string::npos) << v.problem;
}

TEST_F(AuditTamper, DeletedHeadIsFound) {
  sql("DELETE FROM audit_heads");
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("head is missing"), std::string::npos) << v.problem;
}

TEST_F(AuditTamper, BothTablesEmptiedIsFound) {
  sql("DELETE FROM audit_log; DELETE FROM audit_heads");
  log->ensure_chain(*db);  // a restart must not paper over it with a fresh genesis head
  auto v = log->verify(*db);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("head is missing"), std::string::npos) << v.problem;
}

TEST_F(AuditTamper, WholeLogDeletedIsFound) {
  sql("DELETE FROM audit_log");
  EXPECT_FALSE(log->verify(*db).ok);
}
