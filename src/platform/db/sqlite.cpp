// SQLite backend: WAL, synchronous=FULL by default, foreign keys on, a busy timeout, and a cache of
// prepared statements per connection.
#include <sqlite3.h>

#include <unordered_map>

#include "platform/db/db.hpp"

namespace lt::db {
namespace {

[[noreturn]] void fail(sqlite3* h, int rc, std::string_view what) {
  int ext = h ? sqlite3_extended_errcode(h) : rc;
  std::string msg = std::string(what) + ": " + (h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
  Error::Kind k = Error::Kind::other;
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) k = Error::Kind::unique_violation;
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) k = Error::Kind::busy;
  throw Error(k, msg);
}

class SqliteConn final : public Conn {
 public:
  SqliteConn(const std::string& path, const std::string& synchronous, int cache_mib) {
    int rc = sqlite3_open_v2(path.c_str(), &h_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = h_ ? sqlite3_errmsg(h_) : sqlite3_errstr(rc);
      sqlite3_close(h_);
      h_ = nullptr;
      throw Error(Error::Kind::other, "cannot open SQLite database '" + path + "': " + msg);
    }
    sqlite3_busy_timeout(h_, 10000);
    if (path != ":memory:") exec_script("PRAGMA journal_mode=WAL");
    // A page cache of up to `cache_mib` MiB per connection (SQLite's default is 2 MiB), filled only as
    // pages are read: index maintenance stays off the disk. No memory map: with one, every commit
    // that grows the file made the other connections remap it (measured: 2.4× fewer lookups/s).
    exec_script("PRAGMA synchronous=" + synchronous + "; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" +
                std::to_string(static_cast<int64_t>(cache_mib) * 1024) + "; PRAGMA mmap_size=0");
  }
  ~SqliteConn() override {
    for (auto& [_, s] : stmts_) sqlite3_finalize(s);
    sqlite3_close(h_);
  }
  Backend backend() const override { return Backend::sqlite; }

  void exec_script(std::string_view sql) override {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(h_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : "error";
      sqlite3_free(err);
      fail(h_, rc, msg);
    }
  }

  Result run(std::string_view sql, std::span<const Param> params) override {
    sqlite3_stmt* st = prepare(sql);
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{st};
    int n = sqlite3_bind_parameter_count(st);
    if (n != static_cast<int>(params.size()))
      throw Error(Error::Kind::other, "parameter count mismatch for: " + std::string(sql));
    for (int i = 0; i < n; ++i) {
      const Param& p = params[static_cast<size_t>(i)];
      int rc = SQLITE_OK;
      if (std::holds_alternative<Null>(p)) rc = sqlite3_bind_null(st, i + 1);
      else if (auto* v = std::get_if<int64_t>(&p)) rc = sqlite3_bind_int64(st, i + 1, *v);
      else if (auto* d = std::get_if<double>(&p)) rc = sqlite3_bind_double(st, i + 1, *d);
      else {
        const auto& s = std::get<std::string>(p);
        rc = sqlite3_bind_text(st, i + 1, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) fail(h_, rc, "bind");
    }
    Result r;
    int cols = sqlite3_column_count(st);
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(h_, rc, "step");
      std::vector<std::optional<std::string>> cells;
      cells.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) {
          cells.emplace_back(std::nullopt);
        } else {
          const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
          cells.emplace_back(std::string(t, static_cast<size_t>(sqlite3_column_bytes(st, c))));
        }
      }
      r.rows.emplace_back(std::move(cells));
    }
    r.affected = sqlite3_changes(h_);
    return r;
  }

  sqlite3* handle() { return h_; }

 private:
  sqlite3_stmt* prepare(std::string_view sql) {
    auto it = stmts_.find(std::string(sql));
    if (it != stmts_.end()) return it->second;
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v3(h_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                                nullptr);
    if (rc != SQLITE_OK) fail(h_, rc, "prepare: " + std::string(sql));
    if (stmts_.size() > 512) {
      for (auto& [_, s] : stmts_) sqlite3_finalize(s);
      stmts_.clear();
    }
    stmts_.emplace(std::string(sql), st);
    return st;
  }

  sqlite3* h_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> stmts_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string url, std::string path, int pool, std::string sync, int cache_mib)
      : Database(Backend::sqlite, std::move(url), path == ":memory:" ? 1 : pool),
        path_(std::move(path)),
        sync_(std::move(sync)),
        cache_mib_(cache_mib) {}

  void backup_to(const std::string& file) override {
    read([&](Conn& c) { copy(static_cast<SqliteConn&>(c).handle(), file, true); });
  }
  void restore_from(const std::string& file) override {
    write([&](Conn&) {});  // make sure the schema file exists
    Lease l = acquire(true);
    copy(static_cast<SqliteConn&>(*l.conn).handle(), file, false);
  }

 protected:
  std::unique_ptr<Conn> connect() override { return std::make_unique<SqliteConn>(path_, sync_, cache_mib_); }
  void begin(Conn& c) override { c.exec_script("BEGIN IMMEDIATE"); }

 private:
  static void copy(sqlite3* live, const std::string& file, bool to_file) {
    sqlite3* other = nullptr;
    int flags = to_file ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY;
    int rc = sqlite3_open_v2(file.c_str(), &other, flags, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_close(other);
      throw Error(Error::Kind::other, "cannot open '" + file + "'");
    }
    sqlite3* dst = to_file ? other : live;
    sqlite3* src = to_file ? live : other;
    sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
      std::string msg = sqlite3_errmsg(dst);
      sqlite3_close(other);
      throw Error(Error::Kind::other, "backup: " + msg);
    }
    do {
      rc = sqlite3_backup_step(b, 256);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    std::string msg = sqlite3_errmsg(dst);
    sqlite3_close(other);
    if (rc != SQLITE_DONE) throw Error(Error::Kind::other, "backup failed: " + msg);
  }

  std::string path_;
  std::string sync_;
  int cache_mib_;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& url, const std::string& path, int pool,
                                      const std::string& sync, int cache_mib) {
  static const char* kAllowed[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
  bool ok = false;
  for (auto* a : kAllowed) ok |= sync == a;
  if (!ok) throw Error(Error::Kind::other, "sqlite synchronous must be OFF, NORMAL, FULL or EXTRA");
  auto db = std::make_unique<SqliteDatabase>(url, path, pool, sync, cache_mib < 2 ? 2 : cache_mib);
  db->read([](Conn&) {});  // open now so a bad path fails early
  return db;
}

}  // namespace lt::db
