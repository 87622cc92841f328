// Events over HTTP against the real server with a real subscriber HTTP server that records every
// delivery (docs/EXCHANGE.md, "Events"): push delivery at least once and in order per key, retries
// after the subscriber comes back, dead letters holding their key until redelivered, pull with
// acknowledgement, the registry change feed, SIGKILL during delivery, two server processes on one
// database, and bad input.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "platform/crypto/crypto.hpp"
#include "platform/db/db.hpp"
#include "support/receiver.hpp"
#include "support/server.hpp"

using namespace lt;
namespace bj = boost::json;

namespace {
const char* kKey = "ltk_demo0000_hethong-mot-cua-dien-tu-thu-nghiem";
const char* kSystem = "VN/GOV/000.00.00.H26/MOTCUA";

struct Setup {
  std::string admin;
};

// Registers the demo member system once per server.
void register_system(test::Server& s, const std::string& admin) {
  auto me = s.call("GET", "/api/v1/me", "", {{"X-API-Key", kKey}});
  ASSERT_EQ(me.status, 200) << me.body;
  auto r = s.post("/api/v1/exchange/systems", {{"id", kSystem}, {"name", "Một cửa"}, {"account_id", me.json().at("account").at("id").as_int64()}}, admin);
  ASSERT_TRUE(r.status == 201 || r.status == 409) << r.body;
}

test::Reply member(test::Server& s, const std::string& method, const std::string& path, const std::string& body,
                   std::vector<std::pair<std::string, std::string>> extra = {}) {
  extra.emplace_back("X-Road-Client", kSystem);
  extra.emplace_back("X-API-Key", kKey);
  extra.emplace_back("Content-Type", "application/json");
  return s.call(method, path, body, extra);
}

// Event ids per key, in arrival order, for events of `type`.
std::map<std::string, std::vector<int64_t>> arrivals(const test::Receiver& r, const std::string& type) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& q : r.requests())
    if (q.header("x-event-type") == type) out[q.header("x-event-key")].push_back(std::stoll(q.header("x-event-id")));
  return out;
}

size_t unique_ids(const test::Receiver& r, const std::string& type) {
  std::set<std::string> ids;
  for (const auto& q : r.requests())
    if (q.header("x-event-type") == type) ids.insert(q.header("x-event-id"));
  return ids.size();
}

bool wait_until(const std::function<bool()>& f, int ms = 20000) {
  for (int i = 0; i < ms / 50; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

test::Server::Options fast() {
  test::Server::Options o;
  o.env["LIENTHONG_OUTBOX_BACKOFF_MS"] = "50";
  o.env["LIENTHONG_OUTBOX_MAX_ATTEMPTS"] = "4";
  return o;
}

}  // namespace

TEST(Events, PushIsInOrderPerKeyAndWithoutDuplicatesThenSurvivesASubscriberOutage) {
  crypto::init();
  test::Receiver sub;
  test::Server s(fast());
  std::string admin = s.login("sysadmin");
  register_system(s, admin);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/event-types",
                   R"({"name":"ho-tich.khai-sinh","description":"Khai sinh","schema":"{\"type\":\"object\",\"required\":[\"so\"],\"properties\":{\"so\":{\"type\":\"integer\"}}}"})")
                .status,
            201);
  auto sr = member(s, "POST", "/api/v1/pubsub/subscriptions",
                   bj::serialize(bj::object{{"event_type", "ho-tich.khai-sinh"}, {"url", "http://127.0.0.1:" + std::to_string(sub.port()) + "/hook"}}));
  ASSERT_EQ(sr.status, 201) << sr.body;
  for (int i = 0; i < 60; ++i) {
    auto p = member(s, "POST", "/api/v1/pubsub/events/ho-tich.khai-sinh", "{\"so\":" + std::to_string(i) + "}", {{"X-Event-Key", "k" + std::to_string(i % 5)}});
    ASSERT_EQ(p.status, 201) << p.body;
  }
  ASSERT_TRUE(wait_until([&] { return unique_ids(sub, "ho-tich.khai-sinh") == 60; })) << unique_ids(sub, "ho-tich.khai-sinh");
  EXPECT_EQ(sub.requests().size(), 60u) << "duplicates in normal operation";
  for (const auto& [key, ids] : arrivals(sub, "ho-tich.khai-sinh")) {
    EXPECT_EQ(ids.size(), 12u) << key;
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << key;
  }
  auto q = sub.requests().front();
  EXPECT_FALSE(q.header("x-lienthong-signature").empty());
  // The subscriber fails for a while: events wait and arrive once it is back, still in order.
  sub.set_status(503);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/events/ho-tich.khai-sinh", "{\"so\":" + std::to_string(100 + i) + "}", {{"X-Event-Key", "k" + std::to_string(i % 2)}})
                  .status,
              201);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  sub.set_status(200);
  ASSERT_TRUE(wait_until([&] { return unique_ids(sub, "ho-tich.khai-sinh") == 70; }));
  size_t raw = sub.requests().size();
  std::cout << "after the outage: " << raw - 70 << " duplicate deliveries (failed attempts the subscriber saw)\n";
  // Bad input: a schema mismatch, someone else's type, an unknown type, a malformed webhook URL.
  EXPECT_EQ(member(s, "POST", "/api/v1/pubsub/events/ho-tich.khai-sinh", R"({"so":"mot"})").status, 400);
  EXPECT_EQ(member(s, "POST", "/api/v1/pubsub/events/citizen.updated", R"({})").status, 403);
  EXPECT_EQ(member(s, "POST", "/api/v1/pubsub/events/nope", R"({})").status, 404);
  auto bad = member(s, "POST", "/api/v1/pubsub/subscriptions", R"({"event_type":"ho-tich.khai-sinh","url":"ftp://x"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_field(), "url");
  EXPECT_EQ(s.call("POST", "/api/v1/pubsub/events/ho-tich.khai-sinh", "{}", {{"X-Road-Client", kSystem}, {"X-API-Key", "ltk_wrong"}}).status, 401);
  EXPECT_EQ(s.stop(), 0) << s.log();
}

TEST(Events, ADeadLetterHoldsItsKeyUntilRedeliveredAndPullAcknowledges) {
  crypto::init();
  test::Receiver sub;
  test::Server s(fast());
  std::string admin = s.login("sysadmin");
  register_system(s, admin);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/event-types", R"({"name":"dat-dai.bien-dong"})").status, 201);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/subscriptions",
                   bj::serialize(bj::object{{"event_type", "dat-dai.bien-dong"}, {"url", "http://127.0.0.1:" + std::to_string(sub.port()) + "/hook"}}))
                .status,
            201);
  auto pull = member(s, "POST", "/api/v1/pubsub/subscriptions", R"({"event_type":"dat-dai.bien-dong","mode":"pull","filter":{"thua":1}})");
  ASSERT_EQ(pull.status, 201);
  int64_t pull_id = pull.json().at("id").as_int64();
  sub.set_status(500);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/events/dat-dai.bien-dong", R"({"thua":1})", {{"X-Event-Key", "A"}}).status, 201);
  // Dead after 4 attempts; then the next event of key A waits, key B goes through.
  ASSERT_TRUE(wait_until([&] { return s.get("/api/v1/exchange/deliveries?status=dead", admin).body.find("\"key\":\"A\"") != std::string::npos; }));
  sub.set_status(200);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/events/dat-dai.bien-dong", R"({"thua":2})", {{"X-Event-Key", "A"}}).status, 201);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/events/dat-dai.bien-dong", R"({"thua":3})", {{"X-Event-Key", "B"}}).status, 201);
  ASSERT_TRUE(wait_until([&] { return arrivals(sub, "dat-dai.bien-dong").count("B") == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  size_t a_ok = 0;
  for (const auto& q : sub.requests()) a_ok += q.header("x-event-key") == "A" && q.body == R"({"thua":2})";
  EXPECT_EQ(a_ok, 0u) << "an event was delivered before its key's dead letter";
  auto dead = s.get("/api/v1/exchange/deliveries?status=dead", admin).json().at("items").as_array();
  ASSERT_EQ(dead.size(), 1u);
  ASSERT_EQ(s.post("/api/v1/exchange/deliveries/" + std::to_string(dead[0].at("id").as_int64()) + "/redeliver", bj::object{}, admin).status, 200);
  ASSERT_TRUE(wait_until([&] {
    size_t n = 0;
    for (const auto& q : sub.requests()) n += q.header("x-event-key") == "A" && q.body == R"({"thua":2})";
    return n == 1;
  }));
  // Pull: only events matching the filter, acknowledged by id.
  auto items = member(s, "GET", "/api/v1/pubsub/subscriptions/" + std::to_string(pull_id) + "/events", "").json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("payload").at("thua").as_int64(), 1);
  auto ack = member(s, "POST", "/api/v1/pubsub/subscriptions/" + std::to_string(pull_id) + "/ack",
                    bj::serialize(bj::object{{"event_ids", bj::array{items[0].at("event_id")}}}));
  EXPECT_EQ(ack.json().at("acknowledged").as_int64(), 1);
  EXPECT_EQ(member(s, "GET", "/api/v1/pubsub/subscriptions/" + std::to_string(pull_id) + "/events", "").json().at("items").as_array().size(), 0u);
  // The event's state as its publisher sees it.
  auto st = member(s, "GET", "/api/v1/pubsub/event-status/" + std::to_string(items[0].at("event_id").as_int64()), "");
  ASSERT_EQ(st.status, 200) << st.body;
  EXPECT_EQ(st.json().at("deliveries").as_array().size(), 2u);
  EXPECT_EQ(s.stop(), 0) << s.log();
}

TEST(Events, TheRegistryChangeFeedReachesSubscribersAndNothingIsLostWhenTheServerIsKilled) {
  crypto::init();
  test::Receiver sub;
  test::Server s(fast());
  std::string admin = s.login("sysadmin");
  register_system(s, admin);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/subscriptions",
                   bj::serialize(bj::object{{"event_type", "citizen.updated"}, {"url", "http://127.0.0.1:" + std::to_string(sub.port()) + "/dan-cu"}}))
                .status,
            201);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/event-types", R"({"name":"bulk.test"})").status, 201);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/subscriptions",
                   bj::serialize(bj::object{{"event_type", "bulk.test"}, {"url", "http://127.0.0.1:" + std::to_string(sub.port()) + "/bulk"}}))
                .status,
            201);
  auto imp = s.call("POST", "/api/v1/registries/citizens/import",
                    "id_number,full_name,birth_date,sex,ethnicity,nationality,permanent_address,current_address,household_id\n"
                    "001190012399,Lê Thị Mai,1990-03-04,F,Kinh,VN,\"Phường Ba Đình, Hà Nội\",,\n",
                    {{"Authorization", "Bearer " + admin}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(imp.status, 200) << imp.body;
  ASSERT_TRUE(wait_until([&] { return unique_ids(sub, "citizen.updated") >= 1; }));
  // A slow subscriber, 150 events, the server killed mid-delivery and started again.
  sub.set_delay_ms(5);
  for (int i = 0; i < 150; ++i)
    ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/events/bulk.test", "{\"i\":" + std::to_string(i) + "}", {{"X-Event-Key", "k" + std::to_string(i % 3)}}).status, 201);
  ASSERT_TRUE(wait_until([&] { return unique_ids(sub, "bulk.test") >= 20; }));
  s.kill9();
  s.start();
  sub.set_delay_ms(0);
  ASSERT_TRUE(wait_until([&] { return unique_ids(sub, "bulk.test") == 150; }, 60000)) << unique_ids(sub, "bulk.test");
  for (const auto& [key, ids] : arrivals(sub, "bulk.test")) {
    std::vector<int64_t> first;  // first arrival of each id keeps the key's order
    for (auto id : ids)
      if (std::find(first.begin(), first.end(), id) == first.end()) first.push_back(id);
    EXPECT_TRUE(std::is_sorted(first.begin(), first.end())) << key;
  }
  std::cout << "after SIGKILL: " << sub.requests().size() - unique_ids(sub, "bulk.test") - unique_ids(sub, "citizen.updated")
            << " duplicate deliveries\n";
  EXPECT_EQ(s.stop(), 0) << s.log();
}

// Two server processes of one deployment on one database, each with its own delivery worker: every
// event arrives once (no event is delivered by both), in order per key, and both workers deliver.
TEST(Events, TwoServerProcessesOnOneDatabaseNeverDeliverAnEventTwice) {
  crypto::init();
  test::Receiver sub;
  sub.set_delay_ms(5);  // deliveries take a while, so both workers find work
  test::Server a(fast());
  std::string admin = a.login("sysadmin");
  register_system(a, admin);
  ASSERT_EQ(member(a, "POST", "/api/v1/pubsub/event-types", R"({"name":"dat-dai.bien-dong","description":"Biến động đất đai"})").status, 201);
  ASSERT_EQ(member(a, "POST", "/api/v1/pubsub/subscriptions",
                   bj::serialize(bj::object{{"event_type", "dat-dai.bien-dong"}, {"url", "http://127.0.0.1:" + std::to_string(sub.port()) + "/hook"}}))
                .status,
            201);
  test::Server::Options o = fast();
  o.demo = false;
  o.db_url = a.db_url();
  o.env["LIENTHONG_DATA_DIR"] = a.dir();
  test::Server b(o);
  // Both processes take publications (a member system may reach either node).
  for (int i = 0; i < 300; ++i) {
    test::Server& via = i % 2 ? b : a;
    auto p = member(via, "POST", "/api/v1/pubsub/events/dat-dai.bien-dong", "{\"thua\":" + std::to_string(i) + "}",
                    {{"X-Event-Key", "to-" + std::to_string(i % 15)}});
    ASSERT_EQ(p.status, 201) << p.body;
  }
  ASSERT_TRUE(wait_until([&] { return unique_ids(sub, "dat-dai.bien-dong") == 300; }, 60000)) << unique_ids(sub, "dat-dai.bien-dong");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a duplicate would arrive now
  EXPECT_EQ(sub.requests().size(), 300u) << "an event delivered twice";
  for (const auto& [key, ids] : arrivals(sub, "dat-dai.bien-dong")) {
    EXPECT_EQ(ids.size(), 20u) << key;
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << key;
  }
  auto db = db::Database::open(a.db_url(), 1);
  auto workers = db->read([](db::Conn& c) {
    return c.q("SELECT COUNT(DISTINCT d.claimed_by) FROM exchange_deliveries d JOIN exchange_events e ON e.id = d.event_id"
               " WHERE e.topic = 'dat-dai.bien-dong' AND d.status = 'delivered'");
  });
  EXPECT_EQ(workers.one().i64(0), 2) << "both processes' workers delivered";
  EXPECT_EQ(b.stop(), 0) << b.log();
  EXPECT_EQ(a.stop(), 0) << a.log();
}

// An admin pauses a subscription: its events are kept (counted as pending) and none is pushed; on
// resume they arrive in order. Only admins may do it, and only from the right state.
TEST(Events, APausedSubscriptionKeepsItsEventsUntilResumed) {
  crypto::init();
  test::Receiver sub;
  test::Server s(fast());
  std::string admin = s.login("sysadmin");
  register_system(s, admin);
  ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/event-types", R"({"name":"xay-dung.giay-phep","description":"Giấy phép xây dựng"})").status, 201);
  auto sr = member(s, "POST", "/api/v1/pubsub/subscriptions",
                   bj::serialize(bj::object{{"event_type", "xay-dung.giay-phep"}, {"url", "http://127.0.0.1:" + std::to_string(sub.port()) + "/hook"}}));
  ASSERT_EQ(sr.status, 201) << sr.body;
  std::string id = std::to_string(sr.json().at("id").as_int64());
  ASSERT_EQ(s.post("/api/v1/exchange/subscriptions/" + id + "/pause", bj::object{}, admin).status, 200);
  EXPECT_EQ(s.post("/api/v1/exchange/subscriptions/" + id + "/pause", bj::object{}, admin).status, 409) << "already paused";
  EXPECT_EQ(s.post("/api/v1/exchange/subscriptions/" + id + "/pause", bj::object{}, s.login("motcua")).status, 403);
  EXPECT_EQ(s.post("/api/v1/exchange/subscriptions/999999/resume", bj::object{}, admin).status, 404);
  for (int i = 0; i < 6; ++i)
    ASSERT_EQ(member(s, "POST", "/api/v1/pubsub/events/xay-dung.giay-phep", "{\"so\":" + std::to_string(i) + "}", {{"X-Event-Key", "gp-1"}}).status, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(unique_ids(sub, "xay-dung.giay-phep"), 0u) << "a paused subscription received events";
  auto list = s.get("/api/v1/exchange/subscriptions?topic=xay-dung.giay-phep", admin);
  ASSERT_EQ(list.status, 200) << list.body;
  auto item = list.json().at("items").as_array().at(0).as_object();
  EXPECT_EQ(item.at("status"), "paused");
  EXPECT_EQ(item.at("deliveries").at("pending").as_int64(), 6);
  EXPECT_FALSE(item.at("oldest_undelivered").is_null());
  ASSERT_EQ(s.post("/api/v1/exchange/subscriptions/" + id + "/resume", bj::object{}, admin).status, 200);
  ASSERT_TRUE(wait_until([&] { return unique_ids(sub, "xay-dung.giay-phep") == 6; }));
  auto ids = arrivals(sub, "xay-dung.giay-phep").at("gp-1");
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  auto after = s.get("/api/v1/exchange/subscriptions?topic=xay-dung.giay-phep", admin).json().at("items").as_array().at(0);
  EXPECT_EQ(after.at("status"), "active");
  EXPECT_EQ(after.at("deliveries").at("delivered").as_int64(), 6);
  EXPECT_EQ(s.stop(), 0) << s.log();
}
