#include "platform/db/group_commit.hpp"

#include <vector>

namespace lt::db {

GroupCommit::GroupCommit(Database& db, size_t max_batch) : db_(db), max_batch_(max_batch), thread_([this] { loop(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void GroupCommit::run(std::function<void(Conn&)> work) {
  std::future<void> f;
  {
    std::lock_guard g(mu_);
    if (stop_) throw std::runtime_error("group commit: stopped");
    queue_.push_back({std::move(work), {}});
    f = queue_.back().done.get_future();
  }
  cv_.notify_one();
  f.get();
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard g(mu_);
  return stats_;
}

void GroupCommit::loop() {
  for (;;) {
    std::vector<Item> batch;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++stats_.groups;
      stats_.items += static_cast<int64_t>(batch.size());
    }
    std::vector<std::exception_ptr> errors(batch.size());
    try {
      db_.write([&](Conn& c) {
        for (size_t i = 0; i < batch.size(); ++i) {
          c.exec_script("SAVEPOINT lt_group");
          try {
            batch[i].work(c);
            c.exec_script("RELEASE SAVEPOINT lt_group");
          } catch (...) {
            errors[i] = std::current_exception();
            c.exec_script("ROLLBACK TO SAVEPOINT lt_group");
            c.exec_script("RELEASE SAVEPOINT lt_group");
          }
        }
      });
    } catch (...) {
      // The commit (or a savepoint statement) failed: nothing of the group is kept.
      auto e = std::current_exception();
      for (auto& it : batch) it.done.set_exception(e);
      continue;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (errors[i]) batch[i].done.set_exception(errors[i]);
      else batch[i].done.set_value();
    }
  }
}

}  // namespace lt::db
