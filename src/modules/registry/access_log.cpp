#include "modules/registry/access_log.hpp"

#include <vector>

namespace lt::registry {

AccessLog::AccessLog(db::Database& db) : db_(db), thread_([this] { run(); }) {}

AccessLog::~AccessLog() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AccessLog::add_migration(db::Migrator& m) {
  m.add({"registry", 2, "personal-data access log",
         "CREATE TABLE pd_access_log (id {{id}}, at TEXT NOT NULL, reader TEXT NOT NULL, reader_name TEXT NOT NULL,"
         " reader_role TEXT NOT NULL, reader_unit TEXT, registry TEXT NOT NULL, subject TEXT NOT NULL, fields TEXT NOT NULL,"
         " purpose TEXT NOT NULL, outcome TEXT NOT NULL, request_id TEXT);"
         "CREATE INDEX pd_access_log_subject ON pd_access_log (registry, subject, id);",
         {}});
}

void AccessLog::write(AccessEntry e) {
  std::future<void> done;
  {
    std::lock_guard lk(mu_);
    std::promise<void> p;
    done = p.get_future();
    queue_.emplace_back(std::move(e), std::move(p));
  }
  cv_.notify_one();
  done.get();
}

void AccessLog::insert(db::Conn& c, const std::vector<AccessEntry>& entries) {
  if (entries.empty()) return;
  std::vector<std::vector<db::Param>> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries)
    rows.push_back({e.at, e.reader, e.reader_name, e.reader_role, e.reader_unit, e.registry, e.subject, e.fields, e.purpose, e.outcome,
                    e.request_id});
  db::insert_rows(c, "pd_access_log",
                  {"at", "reader", "reader_name", "reader_role", "reader_unit", "registry", "subject", "fields", "purpose", "outcome",
                   "request_id"},
                  rows);
}

void AccessLog::run() {
  for (;;) {
    std::deque<std::pair<AccessEntry, std::promise<void>>> batch;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      batch.swap(queue_);
    }
    try {
      std::vector<AccessEntry> entries;
      entries.reserve(batch.size());
      for (auto& [e, _] : batch) entries.push_back(e);
      db_.write([&](db::Conn& c) { insert(c, entries); });
      for (auto& [_, p] : batch) p.set_value();
    } catch (...) {
      for (auto& [_, p] : batch) p.set_exception(std::current_exception());
    }
  }
}

}  // namespace lt::registry
