#pragma once
// Transactional outbox. A module writes an event with publish() inside the same transaction as the
// change it describes; workers later claim pending events (FOR UPDATE SKIP LOCKED on PostgreSQL),
// hand each to the handler registered for its topic, and retry failures with exponential backoff
// until the event is delivered or dead-lettered. Delivery is at least once: handlers deduplicate by
// event id. Events survive a crash because they are rows of the database.
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "platform/db/db.hpp"

namespace lt::outbox {

struct Event {
  int64_t id = 0;
  std::string topic;
  std::string key;      // ordering/partition key, e.g. the object id
  std::string payload;  // JSON
  int attempts = 0;     // previous attempts
  std::string created_at;
};

// Throw from a handler to fail the attempt.
using Handler = std::function<void(const Event&)>;

struct Options {
  int poll_ms = 200;
  int batch = 200;
  int max_attempts = 8;
  int backoff_ms = 1000;       // first retry delay; doubles each attempt
  int max_backoff_ms = 3600000;
  int lease_ms = 60000;        // a claimed event is re-claimable after this (crashed worker)
};

class Outbox {
 public:
  Outbox(db::Database& db, Options opts = {});
  ~Outbox();
  static void add_migrations(db::Migrator& m);

  // Inside a write transaction. Returns the event id.
  static int64_t publish(db::Conn& c, std::string_view topic, std::string_view key, std::string_view payload_json);

  // Handlers by topic prefix ("mail." matches "mail.send"); the longest prefix wins. Events with
  // no handler are marked `skipped`.
  void on(std::string topic_prefix, Handler h);
  void start(int threads = 1);
  void stop();
  // Claims and processes one batch now; returns how many events were processed.
  int run_once();

  struct Stats {
    int64_t pending = 0;
    int64_t dead = 0;
    double oldest_pending_age_s = 0;
  };
  Stats stats();

 private:
  void loop();
  const Handler* handler_for(const std::string& topic) const;

  db::Database& db_;
  Options opts_;
  std::string worker_id_;
  std::map<std::string, Handler> handlers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> running_{false};
};

// Development mail transport: each mail.send event becomes a file <dir>/<event id>.eml.
// Payload: {"to", "subject", "body"}.
Handler file_mail_handler(std::string dir);
// Development SMS transport: each sms.send event becomes <dir>/<event id>.sms. Payload: {"to", "body"}.
// Mail and SMS are both outbox handlers (one interface): production adapters (an SMTP relay, an SMS
// gateway) register for the same topics instead.
Handler file_sms_handler(std::string dir);

}  // namespace lt::outbox
