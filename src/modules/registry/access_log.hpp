#pragma once
// The personal-data access log, written in group commits: every reader's line is committed durably
// before its answer leaves, and lines arriving while a commit is in flight share the next one. One
// writer thread; callers (database worker threads) block until their line is on disk.
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/db/db.hpp"

namespace lt::registry {

struct AccessEntry {
  std::string at, reader, reader_name, reader_role, reader_unit, registry, subject, fields, purpose, outcome, request_id;
};

class AccessLog {
 public:
  explicit AccessLog(db::Database& db);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Returns once the entry is committed; throws what the commit threw.
  void write(AccessEntry e);
  // Writes entries inside the caller's transaction (committed with the caller's answer).
  static void insert(db::Conn& c, const std::vector<AccessEntry>& entries);

  static void add_migration(db::Migrator& m);

 private:
  void run();
  db::Database& db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<AccessEntry, std::promise<void>>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lt::registry
