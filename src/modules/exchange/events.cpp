// Events: topics, publication, subscriptions, delivery (docs/EXCHANGE.md, "Events").
#include "modules/exchange/events.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "modules/audit/audit.hpp"
#include "modules/exchange/exchange.hpp"
#include "platform/crypto/crypto.hpp"
#include "platform/crypto/keyring.hpp"
#include "platform/http/client.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/time.hpp"

namespace lt::exchange {

namespace bj = boost::json;

namespace {

// The platform's own topics, fed from the outbox.
const char* kBuiltinTopics[][2] = {
    {"citizen.updated", "Thay đổi sổ đăng ký dân cư / Citizen registry changes"},
    {"citizen.deleted", "Xóa bản ghi dân cư / Citizen records deleted"},
    {"household.updated", "Thay đổi hộ gia đình / Household changes"},
    {"enterprise.updated", "Thay đổi doanh nghiệp / Enterprise changes"},
    {"parcel.updated", "Thay đổi thửa đất / Land parcel changes"},
    {"dossier.status", "Trạng thái hồ sơ thủ tục hành chính / Dossier status changes"},
};

bool topic_name(std::string_view s) {
  return !s.empty() && s.size() <= 100 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  });
}

// A subscription's filter: every field it names must equal the payload's (top level).
bool matches(const std::string& filter, const bj::value& payload) {
  if (filter.empty() || filter == "{}") return true;
  boost::system::error_code ec;
  auto f = bj::parse(filter, ec);
  if (ec || !f.is_object() || !payload.is_object()) return false;
  for (const auto& [k, v] : f.as_object()) {
    auto* p = payload.as_object().if_contains(k);
    if (!p || *p != v) return false;
  }
  return true;
}

// Minimal JSON-schema check of an event payload: an object, `required` fields present, and the
// `type` of each declared property (string, number, integer, boolean, object, array).
std::string schema_problem(const std::string& schema, const bj::value& payload) {
  if (!payload.is_object()) return "the payload must be a JSON object";
  if (schema.empty()) return "";
  boost::system::error_code ec;
  auto s = bj::parse(schema, ec);
  if (ec || !s.is_object()) return "";
  const auto& o = payload.as_object();
  if (auto* req = s.as_object().if_contains("required"); req && req->is_array())
    for (const auto& r : req->as_array())
      if (r.is_string() && !o.contains(r.as_string())) return "missing required field " + std::string(r.as_string());
  if (auto* props = s.as_object().if_contains("properties"); props && props->is_object())
    for (const auto& [name, def] : props->as_object()) {
      auto* v = o.if_contains(name);
      if (!v || !def.is_object() || !def.as_object().contains("type") || !def.at("type").is_string()) continue;
      std::string t(def.at("type").as_string());
      bool ok = t == "string"    ? v->is_string()
                : t == "number"  ? v->is_number()
                : t == "integer" ? (v->is_int64() || v->is_uint64())
                : t == "boolean" ? v->is_bool()
                : t == "object"  ? v->is_object()
                : t == "array"   ? v->is_array()
                                 : true;
      if (!ok) return "field " + std::string(name) + " must be " + t;
    }
  return "";
}

int64_t id_of(const std::string& s, const char* what) {
  try {
    size_t used = 0;
    int64_t v = std::stoll(s, &used);
    if (used == s.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw ApiError::not_found(std::string("Không có ") + what + " này / No such " + what);
}

}  // namespace

Events::Events(db::Database& db, audit::Log& audit, crypto::KeyRing& keys, EventOptions opts)
    : db_(db),
      group_(std::make_unique<db::GroupCommit>(db)),
      audit_(audit),
      keys_(keys),
      opts_(std::move(opts)),
      worker_("ev-" + crypto::hex(crypto::random_bytes(4))) {}

Events::~Events() { stop(); }

void Events::add_migrations(db::Migrator& m) {
  m.add({"exchange", 2, "event topics, events, subscriptions, deliveries, delivery attempts",
         "CREATE TABLE exchange_topics (name TEXT PRIMARY KEY, description TEXT NOT NULL, schema TEXT NOT NULL, owner TEXT NOT NULL,"
         " created_at TEXT NOT NULL);"
         "CREATE TABLE exchange_events (id {{id}}, topic TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, publisher TEXT NOT NULL,"
         " source_id TEXT NOT NULL UNIQUE, published_at TEXT NOT NULL);"
         "CREATE TABLE exchange_subscriptions (id {{id}}, system TEXT NOT NULL, topic TEXT NOT NULL, mode TEXT NOT NULL, url TEXT NOT NULL,"
         " filter TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);"
         "CREATE INDEX exchange_subscriptions_topic ON exchange_subscriptions (topic, status);"
         "CREATE TABLE exchange_deliveries (id {{id}}, subscription_id BIGINT NOT NULL, event_id BIGINT NOT NULL, key TEXT NOT NULL,"
         " status TEXT NOT NULL, attempts INTEGER NOT NULL, next_at TEXT NOT NULL, claimed_by TEXT, lease_until TEXT, last_error TEXT,"
         " delivered_at TEXT, UNIQUE (subscription_id, event_id));"
         "CREATE INDEX exchange_deliveries_due ON exchange_deliveries (status, next_at);"
         "CREATE INDEX exchange_deliveries_key ON exchange_deliveries (subscription_id, key, id);"
         "CREATE TABLE exchange_attempts (id {{id}}, delivery_id BIGINT NOT NULL, at TEXT NOT NULL, status INTEGER NOT NULL, error TEXT NOT NULL,"
         " latency_ms BIGINT NOT NULL);"
         "CREATE INDEX exchange_attempts_delivery ON exchange_attempts (delivery_id, id)",
         [](db::Conn& c) {
           for (const auto& t : kBuiltinTopics)
             c.q("INSERT INTO exchange_topics (name, description, schema, owner, created_at) VALUES (?, ?, '', 'lienthong', ?)", t[0], t[1],
                 timeutil::now_iso());
         }});
  // The deliveries still to be made: in id order (with statistics, the claim stops after a batch
  // instead of sorting every pending delivery), and by key (the in-order check of each candidate,
  // "no earlier open delivery of its key", reads one index entry instead of every delivered one).
  m.add({"exchange", 3, "indexes of open deliveries",
         "CREATE INDEX exchange_deliveries_open ON exchange_deliveries (id) WHERE status IN ('pending', 'claimed');"
         "CREATE INDEX exchange_deliveries_open_key ON exchange_deliveries (subscription_id, key, id) WHERE status IN ('pending', 'claimed', 'dead')"});
}

int64_t Events::publish_in(db::Conn& c, const std::string& topic, const std::string& key, const std::string& payload, const std::string& publisher,
                           const std::string& source_id) {
  std::string now = timeutil::now_iso();
  auto ins = c.q("INSERT INTO exchange_events (topic, key, payload, publisher, source_id, published_at) VALUES (?, ?, ?, ?, ?, ?)"
                 " ON CONFLICT (source_id) DO NOTHING RETURNING id",
                 topic, key, payload, publisher, source_id, now);
  if (ins.empty()) return 0;
  int64_t id = ins.one().i64(0);
  boost::system::error_code ec;
  bj::value pv = bj::parse(payload, ec);
  for (const auto& s : c.q("SELECT id, filter FROM exchange_subscriptions WHERE topic = ? AND status IN ('active', 'paused')", topic).rows)
    if (matches(s.str(1), pv))
      c.q("INSERT INTO exchange_deliveries (subscription_id, event_id, key, status, attempts, next_at) VALUES (?, ?, ?, 'pending', 0, ?)", s.i64(0),
          id, key, now);
  return id;
}

bool Events::has_subscribers(const std::string& topic) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard g(subs_mu_);
    auto it = subs_.find(topic);
    if (it != subs_.end() && now - it->second.second < std::chrono::seconds(1)) return it->second.first;
  }
  bool any = !db_.read([&](db::Conn& c) { return c.q("SELECT 1 FROM exchange_subscriptions WHERE topic = ? AND status IN ('active', 'paused') LIMIT 1", topic); })
                  .empty();
  std::lock_guard g(subs_mu_);
  subs_[topic] = {any, now};
  return any;
}

std::optional<Events::Topic> Events::topic(const std::string& name) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard g(subs_mu_);
    auto it = topics_.find(name);
    if (it != topics_.end() && now - it->second.second < std::chrono::seconds(1)) return it->second.first;
  }
  auto r = db_.read([&](db::Conn& c) { return c.q("SELECT owner, schema FROM exchange_topics WHERE name = ?", name); });
  if (r.empty()) return std::nullopt;  // not remembered: the type may be declared in a moment
  Topic t{r.one().str(0), r.one().str(1)};
  std::lock_guard g(subs_mu_);
  if (topics_.size() > 10000) topics_.clear();
  topics_[name] = {t, now};
  return t;
}

void Events::start(int threads) {
  if (running_.exchange(true)) return;
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

void Events::stop() {
  if (!running_.exchange(false)) return;
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Events::loop() {
  while (running_) {
    int n = 0;
    try {
      n = deliver_once();
    } catch (const std::exception& e) {
      n = 0;  // e.g. the database is unavailable for a moment: try again after the poll interval
      spdlog::warn("event delivery: {}", e.what());
    }
    if (n == 0) {
      std::unique_lock lk(wake_mu_);
      wake_.wait_for(lk, std::chrono::milliseconds(opts_.poll_ms), [&] { return !running_.load(); });
    }
  }
}

struct Events::Work {
  int64_t id, event_id, attempts;
  std::string url, topic, key, payload;
};
struct Events::Outcome {
  int64_t id;
  int status;
  std::string error;
  int64_t ms;
};

namespace {
// "(1,2,3)": ids read from the database, written into a statement as integers.
std::string id_list(const std::vector<int64_t>& ids) {
  std::string s = "(";
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s + ")";
}
}  // namespace

int Events::deliver_once() {
  int64_t now_ms = timeutil::now_ms();
  std::string now = timeutil::iso_utc(now_ms), lease = timeutil::iso_utc(now_ms + opts_.lease_ms);
  // Claim: due deliveries of push subscriptions whose key has no earlier undelivered event (so a
  // batch holds at most one delivery per subscription and key), in three statements whatever the
  // batch size: pick, mark claimed, read.
  std::vector<Work> work = db_.write([&](db::Conn& c) {
    std::string pick =
        "SELECT d.id FROM exchange_deliveries d JOIN exchange_subscriptions s ON s.id = d.subscription_id"
        " WHERE s.mode = 'push' AND s.status = 'active' AND d.status IN ('pending', 'claimed')"
        " AND ((d.status = 'pending' AND d.next_at <= ?) OR (d.status = 'claimed' AND d.lease_until < ?))"
        " AND NOT EXISTS (SELECT 1 FROM exchange_deliveries e WHERE e.subscription_id = d.subscription_id AND e.key = d.key AND e.id < d.id"
        " AND e.status IN ('pending', 'claimed', 'dead')) ORDER BY d.id LIMIT ?";
    if (c.pg()) pick += " FOR UPDATE OF d SKIP LOCKED";
    std::vector<int64_t> ids;
    for (const auto& r : c.q(pick, now, now, int64_t{opts_.batch}).rows) ids.push_back(r.i64(0));
    std::vector<Work> out;
    if (ids.empty()) return out;
    std::string in = id_list(ids);
    c.q("UPDATE exchange_deliveries SET status = 'claimed', claimed_by = ?, lease_until = ? WHERE id IN " + in, worker_, lease);
    for (auto& w : c.q("SELECT d.id, d.event_id, d.attempts, s.url, e.topic, e.key, e.payload FROM exchange_deliveries d"
                       " JOIN exchange_subscriptions s ON s.id = d.subscription_id JOIN exchange_events e ON e.id = d.event_id"
                       " WHERE d.id IN " + in + " ORDER BY d.id")
                      .rows)
      out.push_back({w.i64(0), w.i64(1), w.i64(2), *w.take(3), *w.take(4), *w.take(5), *w.take(6)});
    return out;
  });
  if (work.empty()) return 0;
  std::vector<Outcome> outcomes = push(work);
  // Outcomes in one transaction: the attempts in one statement, the delivered in another, the
  // failures (rare) one by one with their backoff.
  db_.write([&](db::Conn& c) {
    std::string at = timeutil::now_iso();
    std::string sql = "INSERT INTO exchange_attempts (delivery_id, at, status, error, latency_ms) VALUES ";
    std::vector<db::Param> params;
    std::vector<int64_t> delivered;
    for (size_t i = 0; i < work.size(); ++i) {
      const auto& o = outcomes[i];
      sql += i ? ",(?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)";
      params.insert(params.end(), {o.id, at, int64_t{o.status}, o.error, o.ms});
      if (o.error.empty()) {
        delivered.push_back(o.id);
        continue;
      }
      int64_t attempts = work[i].attempts + 1;
      int64_t delay = std::min<int64_t>(opts_.max_backoff_ms, int64_t{opts_.backoff_ms} << std::min<int64_t>(attempts - 1, 20));
      bool dead = attempts >= opts_.max_attempts;
      c.q("UPDATE exchange_deliveries SET status = ?, attempts = ?, next_at = ?, last_error = ? WHERE id = ? AND claimed_by = ?", dead ? "dead" : "pending",
          attempts, timeutil::iso_utc(timeutil::now_ms() + delay), o.error.substr(0, 500), o.id, worker_);
    }
    c.run(sql, params);
    if (!delivered.empty())
      c.q("UPDATE exchange_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE claimed_by = ?"
          " AND id IN " + id_list(delivered),
          at, worker_);
  });
  return static_cast<int>(work.size());
}

std::vector<Events::Outcome> Events::push(const std::vector<Work>& work) {
  std::vector<Outcome> outcomes(work.size());
  // Lanes push in parallel, each over its own keep-alive connections, each taking every lanes-th
  // delivery: the order per key holds, as a batch has at most one delivery per key.
  const size_t lanes = std::min<size_t>(static_cast<size_t>(std::clamp(opts_.push_lanes, 1, 16)), std::max<size_t>(1, work.size()));
  std::lock_guard push_lock(push_mu_);  // one batch at a time owns the lanes' connections
  if (lane_clients_.size() < lanes) lane_clients_.resize(lanes);
  auto lane = [&](size_t first) {
    auto& clients = lane_clients_[first];  // kept across batches: keep-alive connections are reused
    for (size_t i = first; i < work.size(); i += lanes) {
      const Work& w = work[i];
      auto t0 = std::chrono::steady_clock::now();
      Outcome o{w.id, 0, "", 0};
      std::string client_key;
      try {
        auto u = boost::urls::parse_uri(w.url);
        if (!u) throw std::runtime_error("bad webhook URL");
        std::string host(u->host());
        uint16_t port = u->has_port() ? static_cast<uint16_t>(std::stoi(std::string(u->port()))) : 80;
        std::string target(u->encoded_path());
        if (target.empty()) target = "/";
        if (u->has_query()) target += "?" + std::string(u->encoded_query());
        client_key = host + ":" + std::to_string(port);
        auto& cl = clients[client_key];
        if (!cl) cl = std::make_unique<http::Client>(host, port, std::chrono::milliseconds(opts_.push_timeout_ms), 1u << 20);
        std::string time = timeutil::iso_utc(timeutil::now_ms()), digest = crypto::sha256_hex(w.payload);
        auto sig = keys_.sign(signing_text("POST", target, time, digest, "lienthong/events"));
        auto r = cl->request("POST", target, w.payload,
                             {{"Content-Type", "application/json"},
                              {"X-Event-Id", std::to_string(w.event_id)},
                              {"X-Event-Type", w.topic},
                              {"X-Event-Key", w.key},
                              {"X-Lienthong-Signature", "keyId=\"" + sig.kid + "\", time=\"" + time + "\", digest=\"" + digest + "\", signature=\"" +
                                                            crypto::base64url(sig.sig) + "\""}});
        o.status = r.status;
        if (r.status < 200 || r.status >= 300) o.error = "HTTP " + std::to_string(r.status);
      } catch (const std::exception& e) {
        clients.erase(client_key);
        o.error = e.what();
      }
      o.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      outcomes[i] = std::move(o);
    }
  };
  std::vector<std::thread> extra;
  try {
    for (size_t l = 1; l < lanes; ++l) extra.emplace_back(lane, l);
  } catch (...) {  // no thread for a lane: undo, the claims expire and the batch is retried
    for (auto& t : extra) t.join();
    throw;
  }
  lane(0);
  for (auto& t : extra) t.join();
  return outcomes;
}

// ---- routes ------------------------------------------------------------------------------------

void Events::add_routes(http::Router& r) {
  const std::string pub(http::kPublic), perm = "exchange.manage";
  auto member = [this](const http::Request& req) {
    auto m = opts_.member ? opts_.member(req) : std::nullopt;
    if (!m) throw ApiError::unauthorized("X-Road-Client và khóa API của hệ thống thành viên / A member system's X-Road-Client and API key");
    return *m;
  };
  r.add({"GET", "/api/v1/pubsub/event-types", pub, "Event types (topics) with their JSON schemas", [this](http::Request&) {
           bj::array a;
           for (const auto& row : db_.read([](db::Conn& c) { return c.q("SELECT name, description, schema, owner FROM exchange_topics ORDER BY name"); }).rows)
             a.push_back({{"name", row.str(0)}, {"description", row.str(1)}, {"schema", row.str(2)}, {"owner", row.str(3)}});
           return http::Response::json({{"items", std::move(a)}});
         }});
  r.add({"POST", "/api/v1/pubsub/event-types", pub, "Declare an event type {name, description, schema?} (member systems)", [this, member](http::Request& req) {
           std::string sys = member(req);
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           std::string name = rd.str("name", 100), description = rd.opt_str("description", 1000).value_or("");
           std::string schema = rd.opt_str("schema", 65536).value_or("");
           rd.done();
           if (!topic_name(name)) throw ApiError::bad_request("invalid_value", "name: a-z, 0-9, ., -, _", "name");
           if (!schema.empty()) {
             boost::system::error_code ec;
             auto s = bj::parse(schema, ec);
             if (ec || !s.is_object()) throw ApiError::bad_request("invalid_json", "schema: a JSON schema object", "schema");
           }
           db_.write([&](db::Conn& c) {
             auto ins = c.q("INSERT INTO exchange_topics (name, description, schema, owner, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                            name, description, schema, sys, timeutil::now_iso());
             if (ins.affected == 0) throw ApiError::conflict("topic_exists", "Loại sự kiện đã có / The event type exists", "name");
             audit_.append(c, {"system:" + sys, "exchange.topic.create", "exchange_topic", name, "", req.request_id,
                               bj::serialize(bj::object{{"name", name}, {"owner", sys}})});
           });
           return http::Response::json({{"name", name}}, 201);
         }});
  http::Route publish{"POST", "/api/v1/pubsub/events/{type}", pub,
                      "Publish an event of a type the caller declared (body: the JSON payload; X-Event-Key: the ordering key)",
                      [this, member](http::Request& req) {
                        std::string sys = member(req);
                        const std::string& type = req.param("type");
                        auto t = topic(type);
                        if (!t) throw ApiError::not_found("Không có loại sự kiện này / No such event type");
                        if (t->owner != sys) throw ApiError::forbidden("Chỉ chủ loại sự kiện được phát hành / Only the type's owner publishes");
                        boost::system::error_code ec;
                        auto payload = bj::parse(req.body, ec);
                        if (ec) throw ApiError::bad_request("invalid_json", "Nội dung không phải JSON / The body is not JSON");
                        if (auto p = schema_problem(t->schema, payload); !p.empty()) throw ApiError::bad_request("schema_mismatch", p, "payload");
                        std::string key(req.header("x-event-key"));
                        if (key.size() > 200) throw ApiError::bad_request("invalid_value", "X-Event-Key: at most 200 bytes", "X-Event-Key");
                        int64_t id = 0;
                        std::string text = bj::serialize(payload), source = "pub:" + crypto::hex(crypto::random_bytes(12));
                        group_->run([&](db::Conn& c) { id = publish_in(c, type, key, text, sys, source); });
                        wake_.notify_all();
                        return http::Response::json({{"event_id", id}}, 201);
                      },
                      1u << 20};
  r.add(std::move(publish));
  r.add({"POST", "/api/v1/pubsub/subscriptions", pub,
         "Subscribe the caller to an event type {event_type, mode: push|pull, url (push: http://…), filter? (field → value)}",
         [this, member](http::Request& req) {
           std::string sys = member(req);
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           std::string type = rd.str("event_type", 100), mode = rd.opt_str("mode", 10).value_or("push"), url = rd.opt_str("url", 500).value_or("");
           std::string filter = "{}";
           if (const bj::value* f = rd.value("filter")) {
             if (!f->is_object()) throw ApiError::bad_request("invalid_type", "filter: an object of field → value", "filter");
             filter = bj::serialize(*f);
           }
           rd.done();
           if (mode != "push" && mode != "pull") throw ApiError::bad_request("invalid_value", "mode: push|pull", "mode");
           if (mode == "push") {
             auto u = boost::urls::parse_uri(url);
             if (!u || u->scheme() != "http" || u->host().empty())
               throw ApiError::bad_request("invalid_value", "url: http://host[:port]/path (TLS through a local proxy)", "url");
           }
           int64_t id = db_.write([&](db::Conn& c) {
             if (c.q("SELECT 1 FROM exchange_topics WHERE name = ?", type).empty())
               throw ApiError::bad_request("unknown_event_type", "Không có loại sự kiện này / No such event type", "event_type");
             int64_t sid = c.q("INSERT INTO exchange_subscriptions (system, topic, mode, url, filter, status, created_at) VALUES (?, ?, ?, ?, ?, 'active', ?)"
                               " RETURNING id",
                               sys, type, mode, url, filter, timeutil::now_iso())
                               .one()
                               .i64(0);
             audit_.append(c, {"system:" + sys, "exchange.subscription.create", "exchange_subscription", std::to_string(sid), "", req.request_id,
                               bj::serialize(bj::object{{"topic", type}, {"mode", mode}, {"url", url}})});
             return sid;
           });
           {
             std::lock_guard g(subs_mu_);
             subs_.erase(type);
           }
           return http::Response::json({{"id", id}}, 201);
         }});
  r.add({"GET", "/api/v1/pubsub/subscriptions/{id}/events", pub,
         "Pull: the subscription's undelivered events in order (limit ≤ 500); acknowledge them by id", [this, member](http::Request& req) {
           std::string sys = member(req);
           int64_t sid = id_of(req.param("id"), "subscription");
           auto rows = db_.read([&](db::Conn& c) {
             if (c.q("SELECT 1 FROM exchange_subscriptions WHERE id = ? AND system = ? AND mode = 'pull'", sid, sys).empty())
               throw ApiError::not_found("Không có đăng ký này / No such pull subscription");
             return c.q("SELECT e.id, e.topic, e.key, e.payload, e.published_at FROM exchange_deliveries d JOIN exchange_events e ON e.id = d.event_id"
                        " WHERE d.subscription_id = ? AND d.status = 'pending' ORDER BY d.id LIMIT 500",
                        sid);
           });
           bj::array a;
           for (const auto& row : rows.rows)
             a.push_back({{"event_id", row.i64(0)}, {"type", row.str(1)}, {"key", row.str(2)}, {"payload", bj::parse(row.str(3))}, {"published_at", row.str(4)}});
           return http::Response::json({{"items", std::move(a)}});
         }});
  r.add({"POST", "/api/v1/pubsub/subscriptions/{id}/ack", pub, "Pull: acknowledge events {event_ids: [...]}", [this, member](http::Request& req) {
           std::string sys = member(req);
           int64_t sid = id_of(req.param("id"), "subscription");
           auto body = json::parse_object(req.body);
           auto* ids = body.if_contains("event_ids");
           if (!ids || !ids->is_array()) throw ApiError::bad_request("missing_field", "event_ids: [...]", "event_ids");
           int64_t acked = db_.write([&](db::Conn& c) {
             if (c.q("SELECT 1 FROM exchange_subscriptions WHERE id = ? AND system = ? AND mode = 'pull'", sid, sys).empty())
               throw ApiError::not_found("Không có đăng ký này / No such pull subscription");
             int64_t n = 0;
             std::string at = timeutil::now_iso();
             for (const auto& v : ids->as_array()) {
               if (!v.is_int64()) throw ApiError::bad_request("invalid_value", "event_ids: numbers", "event_ids");
               n += c.q("UPDATE exchange_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ? WHERE subscription_id = ?"
                        " AND event_id = ? AND status = 'pending'",
                        at, sid, v.as_int64())
                        .affected;
             }
             return n;
           });
           return http::Response::json({{"acknowledged", acked}});
         }});
  r.add({"GET", "/api/v1/pubsub/event-status/{id}", pub, "An event's delivery state for each subscription (its publisher or a subscriber)",
         [this, member](http::Request& req) {
           std::string sys = member(req);
           int64_t id = id_of(req.param("id"), "event");
           auto [ev, ds] = db_.read([&](db::Conn& c) {
             return std::pair{c.q("SELECT topic, key, publisher, published_at FROM exchange_events WHERE id = ?", id),
                              c.q("SELECT d.subscription_id, s.system, d.status, d.attempts, d.last_error, d.delivered_at FROM exchange_deliveries d"
                                  " JOIN exchange_subscriptions s ON s.id = d.subscription_id WHERE d.event_id = ? ORDER BY d.id",
                                  id)};
           });
           if (ev.empty()) throw ApiError::not_found("Không có sự kiện này / No such event");
           bool mine = ev.one().str(2) == sys;
           bj::array a;
           for (const auto& row : ds.rows) {
             if (!mine && row.str(1) != sys) continue;
             a.push_back({{"subscription_id", row.i64(0)}, {"system", row.str(1)}, {"status", row.str(2)}, {"attempts", row.i64(3)},
                          {"last_error", json::nullable(row.opt(4))}, {"delivered_at", json::nullable(row.opt(5))}});
           }
           if (!mine && a.empty()) throw ApiError::not_found("Không có sự kiện này / No such event");
           return http::Response::json({{"event_id", id}, {"type", ev.one().str(0)}, {"key", ev.one().str(1)}, {"published_at", ev.one().str(3)},
                                        {"deliveries", std::move(a)}});
         }});
  // Administration: subscriptions and their delivery counts, pausing and resuming them.
  r.add({"GET", "/api/v1/exchange/subscriptions", perm,
         "Subscriptions (system=, topic=) with their deliveries counted by status and the oldest undelivered event's time",
         [this](http::Request& req) {
           std::string sql = "SELECT s.id, s.system, s.topic, s.mode, s.url, s.filter, s.status, s.created_at FROM exchange_subscriptions s WHERE 1 = 1";
           std::vector<db::Param> p;
           if (auto v = req.query_param("system")) {
             sql += " AND s.system = ?";
             p.emplace_back(*v);
           }
           if (auto v = req.query_param("topic")) {
             sql += " AND s.topic = ?";
             p.emplace_back(*v);
           }
           sql += " ORDER BY s.id";
           auto [subs, counts] = db_.read([&](db::Conn& c) {
             return std::pair{c.run(sql, p),
                              c.q("SELECT d.subscription_id, d.status, COUNT(*), MIN(CASE WHEN d.status IN ('pending', 'claimed', 'dead') THEN e.published_at END)"
                                  " FROM exchange_deliveries d JOIN exchange_events e ON e.id = d.event_id GROUP BY d.subscription_id, d.status")};
           });
           std::map<int64_t, bj::object> by_sub;
           std::map<int64_t, std::string> oldest;
           for (const auto& row : counts.rows) {
             by_sub[row.i64(0)][row.str(1)] = row.i64(2);
             if (auto t = row.opt(3); t && (oldest[row.i64(0)].empty() || *t < oldest[row.i64(0)])) oldest[row.i64(0)] = *t;
           }
           bj::array a;
           for (const auto& row : subs.rows) {
             int64_t id = row.i64(0);
             bj::object n;
             for (const char* st : {"pending", "claimed", "delivered", "dead", "skipped"}) n[st] = by_sub[id].contains(st) ? by_sub[id].at(st) : bj::value(0);
             a.push_back({{"id", id}, {"system", row.str(1)}, {"topic", row.str(2)}, {"mode", row.str(3)}, {"url", row.str(4)}, {"filter", row.str(5)},
                          {"status", row.str(6)}, {"created_at", row.str(7)}, {"deliveries", std::move(n)},
                          {"oldest_undelivered", oldest[id].empty() ? bj::value(nullptr) : bj::value(bj::string(oldest[id]))}});
           }
           return http::Response::json({{"items", std::move(a)}});
         }});
  for (const char* action : {"pause", "resume"}) {
    std::string act = action;
    r.add({"POST", "/api/v1/exchange/subscriptions/{id}/" + act, perm,
           act == "pause" ? "Pause a subscription: its events are kept and wait" : "Resume a paused subscription: waiting events are delivered in order",
           [this, act](http::Request& req) {
             int64_t id = id_of(req.param("id"), "subscription");
             db_.write([&](db::Conn& c) {
               auto u = c.q("UPDATE exchange_subscriptions SET status = ? WHERE id = ? AND status = ? AND mode = 'push'", act == "pause" ? "paused" : "active",
                            id, act == "pause" ? "active" : "paused");
               if (u.affected != 1) {
                 if (c.q("SELECT 1 FROM exchange_subscriptions WHERE id = ?", id).empty())
                   throw ApiError::not_found("Không có đăng ký này / No such subscription");
                 if (!c.q("SELECT 1 FROM exchange_subscriptions WHERE id = ? AND mode = 'pull'", id).empty())
                   throw ApiError::conflict("invalid_state", "Đăng ký kéo (pull) tự quyết định khi nào lấy sự kiện / A pull subscriber decides when to pull");
                 throw ApiError::conflict("invalid_state", act == "pause" ? "Đăng ký không đang hoạt động / The subscription is not active"
                                                                           : "Đăng ký không tạm dừng / The subscription is not paused");
               }
               audit_.append(c, {req.who().actor(), "exchange.subscription." + act, "exchange_subscription", std::to_string(id), "", req.request_id,
                                 bj::serialize(bj::object{{"id", id}})});
             });
             {
               std::lock_guard g(subs_mu_);
               subs_.clear();  // has_subscribers() asks again
             }
             wake_.notify_all();
             return http::Response::json({{"ok", true}});
           }});
  }
  // Administration: delivery state, redelivery and skipping of dead letters.
  r.add({"GET", "/api/v1/exchange/deliveries", perm, "Deliveries (subscription=, status=pending|claimed|delivered|dead|skipped), newest first",
         [this](http::Request& req) {
           std::string sql = "SELECT d.id, d.subscription_id, s.system, s.topic, d.event_id, d.key, d.status, d.attempts, d.next_at, d.last_error,"
                             " d.delivered_at FROM exchange_deliveries d JOIN exchange_subscriptions s ON s.id = d.subscription_id WHERE 1 = 1";
           std::vector<db::Param> p;
           if (auto v = req.query_param("subscription")) {
             sql += " AND d.subscription_id = ?";
             p.emplace_back(id_of(*v, "subscription"));
           }
           if (auto v = req.query_param("status")) {
             sql += " AND d.status = ?";
             p.emplace_back(*v);
           }
           sql += " ORDER BY d.id DESC LIMIT 500";
           bj::array a;
           for (const auto& row : db_.read([&](db::Conn& c) { return c.run(sql, p); }).rows)
             a.push_back({{"id", row.i64(0)}, {"subscription_id", row.i64(1)}, {"system", row.str(2)}, {"topic", row.str(3)}, {"event_id", row.i64(4)},
                          {"key", row.str(5)}, {"status", row.str(6)}, {"attempts", row.i64(7)}, {"next_at", row.str(8)},
                          {"last_error", json::nullable(row.opt(9))}, {"delivered_at", json::nullable(row.opt(10))}});
           return http::Response::json({{"items", std::move(a)}});
         }});
  for (const char* action : {"redeliver", "skip"}) {
    std::string act = action;
    r.add({"POST", "/api/v1/exchange/deliveries/{id}/" + act, perm,
           act == "redeliver" ? "Redeliver a dead-lettered event (its key resumes)" : "Skip a dead-lettered event (its key resumes)",
           [this, act](http::Request& req) {
             int64_t id = id_of(req.param("id"), "delivery");
             db_.write([&](db::Conn& c) {
               auto u = act == "redeliver"
                            ? c.q("UPDATE exchange_deliveries SET status = 'pending', attempts = 0, next_at = ? WHERE id = ? AND status = 'dead'",
                                  timeutil::now_iso(), id)
                            : c.q("UPDATE exchange_deliveries SET status = 'skipped' WHERE id = ? AND status = 'dead'", id);
               if (u.affected != 1) throw ApiError::conflict("not_dead", "Chỉ sự kiện đã ngừng gửi / Only a dead-lettered delivery");
               audit_.append(c, {req.who().actor(), "exchange.delivery." + act, "exchange_delivery", std::to_string(id), "", req.request_id,
                                 bj::serialize(bj::object{{"id", id}})});
             });
             wake_.notify_all();
             return http::Response::json({{"ok", true}});
           }});
  }
}

}  // namespace lt::exchange
