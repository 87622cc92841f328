#pragma once
// Events (issue 6, item 3; docs/EXCHANGE.md, "Events"): topics (event types with a JSON schema),
// events published by members or taken from the platform's outbox (registry changes, dossier
// statuses), subscriptions of member systems (push to a webhook, or pull with acknowledgement),
// and delivery at least once, in order per key: a dead-lettered event holds its key back until an
// admin redelivers or skips it. Each push is signed like gateway messages; every attempt is logged.
#include <boost/json/object.hpp>

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "platform/db/db.hpp"
#include "platform/db/group_commit.hpp"
#include "platform/http/client.hpp"
#include "platform/http/router.hpp"

namespace lt::audit {
class Log;
}
namespace lt::crypto {
class KeyRing;
}

namespace lt::exchange {

struct EventOptions {
  int poll_ms = 200;
  int batch = 200;
  int max_attempts = 8;
  int backoff_ms = 1000;        // first retry; doubles each attempt
  int max_backoff_ms = 600000;
  int lease_ms = 30000;         // a claimed delivery is re-claimable after this (crashed process)
  int push_timeout_ms = 5000;
  int push_lanes = 1;           // deliveries of a batch pushed in parallel (never two of one key)
  // The caller's system id (INSTANCE/CLASS/MEMBER/SUBSYSTEM) when its X-Road-Client and key agree.
  std::function<std::optional<std::string>(const http::Request&)> member;
};

class Events {
 public:
  Events(db::Database& db, audit::Log& audit, crypto::KeyRing& keys, EventOptions opts);
  ~Events();
  static void add_migrations(db::Migrator& m);

  // Stores an event and fans it out to the matching subscriptions in the caller's transaction.
  // `source_id` (e.g. "outbox:42") makes it idempotent. Returns the event id (0: seen before).
  static int64_t publish_in(db::Conn& c, const std::string& topic, const std::string& key, const std::string& payload_json,
                            const std::string& publisher, const std::string& source_id);
  // Whether a topic has an active subscription (remembered for a second): the outbox feed skips
  // events nobody subscribed to instead of storing each in its own commit.
  bool has_subscribers(const std::string& topic);
  void start(int threads = 1);
  void stop();
  int deliver_once();  // claims and pushes one batch now; returns how many were attempted

  void add_routes(http::Router& r);

 private:
  void loop();
  struct Work;
  struct Outcome;
  // Pushes `work` (one delivery per key at most) in `lanes` parallel keep-alive connections.
  std::vector<Outcome> push(const std::vector<Work>& work);
  db::Database& db_;
  std::unique_ptr<db::GroupCommit> group_;  // publishing: many events to one commit
  // Each push lane's keep-alive connections by host:port (used by the delivery thread and its lanes
  // only, one map per lane).
  std::vector<std::map<std::string, std::unique_ptr<http::Client>>> lane_clients_;
  std::mutex push_mu_;
  audit::Log& audit_;
  crypto::KeyRing& keys_;
  EventOptions opts_;
  std::string worker_;
  std::atomic<bool> running_{false};
  std::vector<std::thread> threads_;
  std::mutex wake_mu_;
  std::mutex subs_mu_;
  std::map<std::string, std::pair<bool, std::chrono::steady_clock::time_point>> subs_;
  // Event types as publishing checks them (owner and schema; a type never changes once declared),
  // remembered for a second like subs_.
  struct Topic {
    std::string owner, schema;
  };
  std::optional<Topic> topic(const std::string& name);
  std::map<std::string, std::pair<Topic, std::chrono::steady_clock::time_point>> topics_;
  std::condition_variable wake_;
};

}  // namespace lt::exchange
