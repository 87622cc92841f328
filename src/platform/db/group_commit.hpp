#pragma once
// Group commit for short write transactions (dossier intake and transitions): concurrent callers'
// work runs in one database transaction, each piece inside its own SAVEPOINT, and is committed with
// one fsync. A caller returns only once its work is durably committed; when its work throws, only
// its savepoint is rolled back and it gets the exception, the others still commit. One writer
// thread per GroupCommit; work must not take a second connection from the pool (it would wait
// behind the transaction it is part of).
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "platform/db/db.hpp"

namespace lt::db {

class GroupCommit {
 public:
  explicit GroupCommit(Database& db, size_t max_batch = 64);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `work(conn)` in the next group's transaction; returns when it has committed. Rethrows
  // what `work` threw (its changes undone) or what the commit threw (nothing of the group kept).
  void run(std::function<void(Conn&)> work);

  struct Stats {
    int64_t groups = 0, items = 0;
  };
  Stats stats() const;

 private:
  struct Item {
    std::function<void(Conn&)> work;
    std::promise<void> done;
  };
  void loop();
  Database& db_;
  size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stop_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace lt::db
