#include "platform/outbox/outbox.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "support/testdb.hpp"

using namespace lt;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = db::Database::open(test::fresh_db_url(test::temp_dir("outbox")), 4);
    db::Migrator m;
    outbox::Outbox::add_migrations(m);
    m.apply(*db);
  }
  int64_t count(const std::string& status) {
    return db->read([&](db::Conn& c) { return c.q("SELECT COUNT(*) FROM outbox WHERE status = ?", status).one().i64(0); });
  }
  std::unique_ptr<db::Database> db;
};

TEST_F(OutboxTest, EventsCommitWithTheChangeOrNotAtAll) {
  EXPECT_THROW(db->write([](db::Conn& c) {
    outbox::Outbox::publish(c, "test.rolled_back", "1", "{}");
    throw std::runtime_error("abort");
  }),
               std::runtime_error);
  db->write([](db::Conn& c) { outbox::Outbox::publish(c, "test.kept", "1", R"({"a":1})"); });
  outbox::Outbox ob(*db);
  std::vector<std::string> seen;
  ob.on("test.", [&](const outbox::Event& e) { seen.push_back(e.topic + " " + e.payload); });
  EXPECT_EQ(ob.run_once(), 1);
  EXPECT_EQ(seen, (std::vector<std::string>{R"(test.kept {"a":1})"}));
  EXPECT_EQ(ob.run_once(), 0);
  EXPECT_EQ(count("done"), 1);
}

TEST_F(OutboxTest, FailuresRetryWithBackoffThenDeadLetter) {
  db->write([](db::Conn& c) { outbox::Outbox::publish(c, "flaky.x", "k", "{}"); });
  outbox::Options o;
  o.backoff_ms = 1;
  o.max_attempts = 3;
  outbox::Outbox ob(*db, o);
  int calls = 0;
  ob.on("flaky.", [&](const outbox::Event& e) {
    EXPECT_EQ(e.attempts, calls);
    ++calls;
    throw std::runtime_error("subscriber down");
  });
  for (int i = 0; i < 20 && count("dead") == 0; ++i) {
    ob.run_once();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(count("dead"), 1);
  auto err = db->read([](db::Conn& c) { return c.q("SELECT last_error FROM outbox").one().str(0); });
  EXPECT_EQ(err, "subscriber down");
  EXPECT_EQ(ob.stats().dead, 1);
}

TEST_F(OutboxTest, RetryIsNotImmediate) {
  db->write([](db::Conn& c) { outbox::Outbox::publish(c, "flaky.x", "k", "{}"); });
  outbox::Options o;
  o.backoff_ms = 60000;
  outbox::Outbox ob(*db, o);
  int calls = 0;
  ob.on("flaky.", [&](const outbox::Event&) {
    ++calls;
    throw std::runtime_error("down");
  });
  ob.run_once();
  ob.run_once();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(count("pending"), 1);
}

TEST_F(OutboxTest, TwoWorkersNeverDeliverTheSameEvent) {
  db->write([](db::Conn& c) {
    for (int i = 0; i < 300; ++i) outbox::Outbox::publish(c, "job.run", std::to_string(i), "{}");
  });
  std::mutex mu;
  std::multiset<int64_t> delivered;
  auto handler = [&](const outbox::Event& e) {
    std::lock_guard g(mu);
    delivered.insert(e.id);
  };
  outbox::Options o;
  o.batch = 10;
  outbox::Outbox a(*db, o), b(*db, o);
  a.on("job.", handler);
  b.on("job.", handler);
  std::thread ta([&] { while (a.run_once() > 0) {} });
  std::thread tb([&] { while (b.run_once() > 0) {} });
  ta.join();
  tb.join();
  EXPECT_EQ(delivered.size(), 300u);
  std::set<int64_t> unique(delivered.begin(), delivered.end());
  EXPECT_EQ(unique.size(), 300u) << "an event was delivered twice";
}

TEST_F(OutboxTest, EventsWithoutHandlerAreSkipped) {
  db->write([](db::Conn& c) { outbox::Outbox::publish(c, "nobody.listens", "k", "{}"); });
  outbox::Outbox ob(*db);
  ob.run_once();
  EXPECT_EQ(count("skipped"), 1);
}
