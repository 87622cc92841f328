#pragma once
// Storage interface. Modules see only this header: a connection that runs portable SQL with `?`
// placeholders, and a Database that lends connections from a pool inside a transaction.
//
// The portable subset: TEXT, BIGINT, DOUBLE PRECISION and INTEGER columns (booleans as 0/1), `{{id}}`
// in migrations for an auto-increment primary key, `RETURNING`, `ON CONFLICT … DO …`, timestamps as
// ISO-8601 UTC text. No BLOBs (binary values are stored hex- or base64-encoded).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lt::db {

enum class Backend { sqlite, postgres };

class Error : public std::runtime_error {
 public:
  enum class Kind { other, unique_violation, busy };
  Error(Kind k, const std::string& msg) : std::runtime_error(msg), kind_(k) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct Null {};
using Param = std::variant<Null, int64_t, double, std::string>;

inline Param to_param(std::nullptr_t) { return Null{}; }
inline Param to_param(bool v) { return int64_t{v ? 1 : 0}; }
inline Param to_param(int v) { return int64_t{v}; }
inline Param to_param(long v) { return int64_t{v}; }
inline Param to_param(long long v) { return int64_t{v}; }
inline Param to_param(unsigned v) { return int64_t{v}; }
inline Param to_param(double v) { return v; }
inline Param to_param(const char* v) { return std::string(v); }
inline Param to_param(std::string_view v) { return std::string(v); }
inline Param to_param(const std::string& v) { return v; }
inline Param to_param(std::string&& v) { return std::move(v); }
template <class T>
Param to_param(const std::optional<T>& v) {
  return v ? to_param(*v) : Param(Null{});
}
inline Param to_param(const Param& p) { return p; }

class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  size_t size() const { return cells_.size(); }
  bool is_null(size_t i) const { return !cells_.at(i).has_value(); }
  const std::string& str(size_t i) const;  // throws on NULL
  std::optional<std::string> opt(size_t i) const { return cells_.at(i); }
  // Moves a cell out (the row keeps an empty value there): for readers that build their own
  // objects from a result and do not need the row afterwards.
  std::optional<std::string> take(size_t i) { return std::move(cells_.at(i)); }
  int64_t i64(size_t i) const;
  std::optional<int64_t> opt_i64(size_t i) const;
  double f64(size_t i) const;
  bool boolean(size_t i) const { return i64(i) != 0; }

 private:
  std::vector<std::optional<std::string>> cells_;
};

struct Result {
  std::vector<Row> rows;
  int64_t affected = 0;
  bool empty() const { return rows.empty(); }
  const Row& one() const;  // the single row, or throws
};

class Conn {
 public:
  virtual ~Conn() = default;
  virtual Backend backend() const = 0;
  virtual Result run(std::string_view sql, std::span<const Param> params) = 0;
  // Runs a script of several statements without parameters.
  virtual void exec_script(std::string_view sql) = 0;

  template <class... A>
  Result q(std::string_view sql, A&&... args) {
    if constexpr (sizeof...(A) == 0) {
      return run(sql, {});
    } else {
      Param p[] = {to_param(std::forward<A>(args))...};
      return run(sql, p);
    }
  }
  bool pg() const { return backend() == Backend::postgres; }
};

class Database {
 public:
  struct Stats {
    int size = 0;
    int in_use = 0;
    int64_t waits = 0;
  };
  // url: "sqlite:PATH", "sqlite::memory:" or "postgresql://…" / "postgres://…".
  static std::unique_ptr<Database> open(const std::string& url, int pool_size = 8,
                                        const std::string& sqlite_synchronous = "FULL", int sqlite_cache_mib = 64);
  virtual ~Database();

  Backend backend() const { return backend_; }
  const std::string& url() const { return url_; }

  // Runs f(Conn&) in one write transaction (BEGIN IMMEDIATE on SQLite); commits when f returns,
  // rolls back when it throws.
  template <class F>
  auto write(F&& f) {
    Lease l = acquire(true);
    begin(*l.conn);
    try {
      if constexpr (std::is_void_v<decltype(f(*l.conn))>) {
        f(*l.conn);
        commit(*l.conn);
      } else {
        auto r = f(*l.conn);
        commit(*l.conn);
        return r;
      }
    } catch (...) {
      rollback(*l.conn);
      throw;
    }
  }
  // Runs f(Conn&) outside a transaction (each statement on its own).
  template <class F>
  auto read(F&& f) {
    Lease l = acquire(false);
    return f(*l.conn);
  }
  Stats stats() const;

  // SQLite only: an online, consistent copy of the database into `file`.
  virtual void backup_to(const std::string& file);
  // SQLite only: replaces the database's content with the copy in `file`.
  virtual void restore_from(const std::string& file);

 protected:
  Database(Backend b, std::string url, int pool_size);
  virtual std::unique_ptr<Conn> connect() = 0;
  virtual void begin(Conn& c) = 0;
  void commit(Conn& c) { c.exec_script("COMMIT"); }
  void rollback(Conn& c) noexcept;

  struct Pool;
  struct Lease {
    Database* db;
    std::unique_ptr<Conn> conn;
    bool writer;
    Lease(Database* d, std::unique_ptr<Conn> c, bool w) : db(d), conn(std::move(c)), writer(w) {}
    Lease(Lease&&) = default;
    ~Lease();
  };
  Lease acquire(bool writer);
  void release(std::unique_ptr<Conn> c, bool writer);

  Backend backend_;
  std::string url_;
  std::unique_ptr<Pool> pool_;
};

// Forward-only, versioned schema migrations. Each runs in its own transaction and is recorded in
// `schema_migrations`; running them again is a no-op.
struct Migration {
  std::string module;
  int version = 0;
  std::string name;
  std::string sql;                      // portable SQL; `{{id}}` becomes the backend's identity key
  std::function<void(Conn&)> apply;     // or code, for data loads
};

class Migrator {
 public:
  void add(Migration m) { migrations_.push_back(std::move(m)); }
  // Applies what is pending, in registration order; returns how many were applied.
  int apply(Database& db);
  // "module/version name" of every migration not applied yet.
  std::vector<std::string> pending(Database& db);
  const std::vector<Migration>& all() const { return migrations_; }

 private:
  std::vector<Migration> migrations_;
};

// Inserts many rows with multi-row VALUES statements (fewer round trips on PostgreSQL).
// `suffix` is appended to each statement (e.g. "ON CONFLICT DO NOTHING").
void insert_rows(Conn& c, std::string_view table, const std::vector<std::string>& columns,
                 const std::vector<std::vector<Param>>& rows, std::string_view suffix = {});

// `{{id}}` and other dialect tokens replaced for the backend.
std::string dialect_sql(Backend b, std::string_view sql);

}  // namespace lt::db
