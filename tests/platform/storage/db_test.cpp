// Runs on the backend named by LT_TEST_BACKEND (ctest registers it for sqlite and postgres).
#include "platform/db/db.hpp"
#include "platform/db/group_commit.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "support/testdb.hpp"

using namespace lt;

class Db : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = test::temp_dir("db");
    db = db::Database::open(test::fresh_db_url(dir), 4);
    m.add({"t", 1, "items", "CREATE TABLE items (id {{id}}, name TEXT NOT NULL UNIQUE, n BIGINT)", {}});
    m.add({"t", 2, "seed", "", [](db::Conn& c) { c.q("INSERT INTO items (name, n) VALUES ('first', 1)"); }});
  }
  std::string dir;
  std::unique_ptr<db::Database> db;
  db::Migrator m;
};

TEST_F(Db, MigrationsApplyOnceAndAreRecorded) {
  EXPECT_EQ(m.apply(*db), 2);
  EXPECT_EQ(m.apply(*db), 0);
  EXPECT_TRUE(m.pending(*db).empty());
  auto n = db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM items").one().i64(0); });
  EXPECT_EQ(n, 1);
  m.add({"t", 3, "more", "ALTER TABLE items ADD COLUMN note TEXT", {}});
  EXPECT_EQ(m.pending(*db).size(), 1u);
  EXPECT_EQ(m.apply(*db), 1);
}

TEST_F(Db, FailedMigrationLeavesNothing) {
  m.apply(*db);
  m.add({"t", 3, "broken", "CREATE TABLE half (x TEXT); SELECT no_such_column FROM items", {}});
  EXPECT_THROW(m.apply(*db), db::Error);
  EXPECT_EQ(m.pending(*db).size(), 1u);
  // The table created before the failing statement was rolled back with it.
  EXPECT_NO_THROW(db->write([](db::Conn& c) { c.exec_script("CREATE TABLE half (x TEXT)"); }));
}

TEST_F(Db, WriteRollsBackWhenTheBodyThrows) {
  m.apply(*db);
  EXPECT_THROW(db->write([](db::Conn& c) {
    c.q("INSERT INTO items (name, n) VALUES (?, ?)", "second", 2);
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  auto n = db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM items").one().i64(0); });
  EXPECT_EQ(n, 1);
}

TEST_F(Db, UniqueViolationIsReportedAsSuch) {
  m.apply(*db);
  try {
    db->write([](db::Conn& c) { c.q("INSERT INTO items (name, n) VALUES ('first', 2)"); });
    FAIL() << "expected a unique violation";
  } catch (const db::Error& e) {
    EXPECT_EQ(e.kind(), db::Error::Kind::unique_violation) << e.what();
  }
}

TEST_F(Db, ParametersRoundTripIncludingNullAndUnicode) {
  m.apply(*db);
  std::optional<std::string> none;
  auto r = db->write([&](db::Conn& c) {
    c.q("INSERT INTO items (name, n) VALUES (?, ?)", "Phường Dịch Vọng Hậu", none);
    return c.q("SELECT name, n FROM items WHERE name = ?", std::string("Phường Dịch Vọng Hậu"));
  });
  EXPECT_EQ(r.one().str(0), "Phường Dịch Vọng Hậu");
  EXPECT_TRUE(r.one().is_null(1));
  auto id = db->write([](db::Conn& c) { return c.q("INSERT INTO items (name) VALUES ('x') RETURNING id").one().i64(0); });
  EXPECT_GT(id, 1);
}

TEST_F(Db, ConcurrentWritersAllCommit) {
  m.apply(*db);
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i)
        db->write([&](db::Conn& c) { c.q("INSERT INTO items (name, n) VALUES (?, ?)", "w" + std::to_string(t * 100 + i), i); });
    });
  for (auto& t : ts) t.join();
  auto n = db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM items").one().i64(0); });
  EXPECT_EQ(n, 101);
}

// Group commit: many callers' work shares transactions; one caller's failure undoes only its own
// work, and every caller returns only once its work is committed.
TEST_F(Db, GroupCommitKeepsEachCallersWorkAndUndoesOnlyTheFailedOne) {
  m.apply(*db);
  db::GroupCommit group(*db, 16);
  std::atomic<int> failed{0}, ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        try {
          group.run([&](db::Conn& c) {
            c.q("INSERT INTO items (name, n) VALUES (?, ?)", "g" + std::to_string(t * 100 + i), i);
            // Every fifth caller's work fails after writing: its row must not survive.
            if (i % 5 == 0) c.q("INSERT INTO items (name, n) VALUES ('first', 0)");  // unique violation
          });
          // Committed: visible to another connection at once.
          auto seen = db->read([&](db::Conn& c) { return c.q("SELECT COUNT(*) FROM items WHERE name = ?", "g" + std::to_string(t * 100 + i)); });
          EXPECT_EQ(seen.one().i64(0), 1);
          ++ok;
        } catch (const db::Error& e) {
          EXPECT_EQ(e.kind(), db::Error::Kind::unique_violation);
          ++failed;
        }
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 8 * 16);
  EXPECT_EQ(failed.load(), 8 * 4);
  auto n = db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM items").one().i64(0); });
  EXPECT_EQ(n, 1 + 8 * 16);
  auto st = group.stats();
  EXPECT_EQ(st.items, 8 * 20);
  EXPECT_LE(st.groups, st.items);
}
