#include "platform/outbox/outbox.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "platform/crypto/crypto.hpp"
#include "platform/util/time.hpp"

namespace lt::outbox {

Outbox::Outbox(db::Database& db, Options opts)
    : db_(db), opts_(opts), worker_id_("w-" + crypto::hex(crypto::random_bytes(6))) {}

Outbox::~Outbox() { stop(); }

void Outbox::add_migrations(db::Migrator& m) {
  m.add({"outbox", 1, "outbox",
         "CREATE TABLE outbox (id {{id}}, topic TEXT NOT NULL, event_key TEXT NOT NULL, payload TEXT NOT NULL,"
         " created_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
         " next_attempt_at TEXT NOT NULL, claimed_by TEXT, claimed_until TEXT, last_error TEXT, finished_at TEXT);"
         "CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);",
         {}});
}

int64_t Outbox::publish(db::Conn& c, std::string_view topic, std::string_view key, std::string_view payload) {
  std::string now = timeutil::now_iso();
  auto r = c.q("INSERT INTO outbox (topic, event_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
               topic, key, payload, now, now);
  return r.one().i64(0);
}

void Outbox::on(std::string prefix, Handler h) { handlers_[std::move(prefix)] = std::move(h); }

const Handler* Outbox::handler_for(const std::string& topic) const {
  const Handler* best = nullptr;
  size_t best_len = 0;
  for (const auto& [prefix, h] : handlers_) {
    if (topic.rfind(prefix, 0) == 0 && prefix.size() >= best_len) {
      best = &h;
      best_len = prefix.size();
    }
  }
  return best;
}

int Outbox::run_once() {
  int64_t now = timeutil::now_ms();
  std::string now_s = timeutil::iso_utc(now);
  std::string lease = timeutil::iso_utc(now + opts_.lease_ms);
  auto claimed = db_.write([&](db::Conn& c) {
    std::string sql =
        "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN (SELECT id FROM outbox WHERE status = "
        "'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?";
    sql += c.pg() ? " FOR UPDATE SKIP LOCKED)" : ")";
    sql += " RETURNING id, topic, event_key, payload, attempts, created_at";
    return c.q(sql, worker_id_, lease, now_s, now_s, opts_.batch);
  });
  std::vector<Event> events;
  for (const auto& r : claimed.rows)
    events.push_back({r.i64(0), r.str(1), r.str(2), r.str(3), static_cast<int>(r.i64(4)), r.str(5)});
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.id < b.id; });
  // Hand every event to its handler, then record all the outcomes in one transaction (one commit
  // per batch instead of one per event; a crash before it only means redelivery).
  struct Outcome {
    std::string status, error, finished;
  };
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  for (const auto& e : events) {
    const Handler* h = handler_for(e.topic);
    Outcome o{"done", "", ""};
    if (!h) {
      o.status = "skipped";
    } else {
      try {
        (*h)(e);
      } catch (const std::exception& ex) {
        o.error = ex.what();
        o.status = e.attempts + 1 >= opts_.max_attempts ? "dead" : "pending";
      }
    }
    o.finished = timeutil::now_iso();
    outcomes.push_back(std::move(o));
  }
  if (events.empty()) return 0;
  db_.write([&](db::Conn& c) {
    for (size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      const Outcome& o = outcomes[i];
      if (o.status == "pending") {
        int64_t delay = opts_.backoff_ms;
        for (int k = 0; k < e.attempts && delay < opts_.max_backoff_ms; ++k) delay *= 2;
        delay = std::min<int64_t>(delay, opts_.max_backoff_ms);
        c.q("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL,"
            " last_error = ? WHERE id = ? AND claimed_by = ?",
            timeutil::iso_utc(timeutil::now_ms() + delay), o.error.substr(0, 1000), e.id, worker_id_);
        spdlog::warn("outbox event {} ({}) failed, retry in {} ms: {}", e.id, e.topic, delay, o.error);
      } else {
        c.q("UPDATE outbox SET status = ?, attempts = attempts + 1, finished_at = ?, claimed_until = NULL,"
            " last_error = ? WHERE id = ? AND claimed_by = ?",
            o.status, o.finished, o.error.empty() ? db::Param(db::Null{}) : db::Param(o.error.substr(0, 1000)), e.id, worker_id_);
        if (o.status == "dead") spdlog::error("outbox event {} ({}) dead-lettered: {}", e.id, e.topic, o.error);
      }
    }
  });
  return static_cast<int>(events.size());
}

void Outbox::loop() {
  while (running_) {
    int n = 0;
    try {
      n = run_once();
    } catch (const std::exception& e) {
      spdlog::error("outbox worker: {}", e.what());
    }
    if (n == 0) {
      for (int waited = 0; running_ && waited < opts_.poll_ms; waited += 20)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

void Outbox::start(int threads) {
  if (running_.exchange(true)) return;
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

void Outbox::stop() {
  running_ = false;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Outbox::Stats Outbox::stats() {
  return db_.read([](db::Conn& c) {
    Stats s;
    auto r = c.q("SELECT status, COUNT(*), MIN(created_at) FROM outbox WHERE status IN ('pending', 'dead') GROUP BY status");
    for (const auto& row : r.rows) {
      if (row.str(0) == "pending") {
        s.pending = row.i64(1);
        if (auto t = timeutil::parse_iso(row.str(2)))
          s.oldest_pending_age_s = static_cast<double>(timeutil::now_ms() - *t) / 1000.0;
      } else {
        s.dead = row.i64(1);
      }
    }
    return s;
  });
}

namespace {
// Development transports: one file per message, named by the event id (a redelivery overwrites it).
void write_message(const std::string& dir, const Event& e, const char* ext, const std::string& text) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  fs::path tmp = fs::path(dir) / (std::to_string(e.id) + ext + ".tmp");
  fs::path final_path = fs::path(dir) / (std::to_string(e.id) + ext);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write message file " + tmp.string());
  }
  fs::rename(tmp, final_path);
}
}  // namespace

Handler file_mail_handler(std::string dir) {
  return [dir = std::move(dir)](const Event& e) {
    auto v = boost::json::parse(e.payload).as_object();
    write_message(dir, e, ".eml",
                  "To: " + std::string(v.at("to").as_string()) + "\r\nSubject: " + std::string(v.at("subject").as_string()) +
                      "\r\nX-Event-Id: " + std::to_string(e.id) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
                      std::string(v.at("body").as_string()) + "\r\n");
  };
}

Handler file_sms_handler(std::string dir) {
  return [dir = std::move(dir)](const Event& e) {
    auto v = boost::json::parse(e.payload).as_object();
    write_message(dir, e, ".sms",
                  "To: " + std::string(v.at("to").as_string()) + "\nX-Event-Id: " + std::to_string(e.id) + "\n\n" +
                      std::string(v.at("body").as_string()) + "\n");
  };
}

}  // namespace lt::outbox
