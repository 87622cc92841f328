// PostgreSQL backend over libpq: `?` placeholders become `$n`, statements are prepared once per
// connection, values travel as text.
#include <libpq-fe.h>

#include <unordered_map>

#include "platform/db/db.hpp"

namespace lt::db {
namespace {

std::string to_dollar(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_str = false;
  for (char c : sql) {
    if (c == '\'') in_str = !in_str;
    if (c == '?' && !in_str) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult() { PQclear(r_); }
  PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

class PgConn final : public Conn {
 public:
  explicit PgConn(const std::string& url) : c_(PQconnectdb(url.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c_);
      PQfinish(c_);
      c_ = nullptr;
      throw Error(Error::Kind::other, "cannot connect to PostgreSQL: " + msg);
    }
    exec_script("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  }
  ~PgConn() override {
    if (c_) PQfinish(c_);
  }
  Backend backend() const override { return Backend::postgres; }

  void exec_script(std::string_view sql) override {
    std::string s(sql);
    PgResult r(PQexec(c_, s.c_str()));
    check(r.get(), s);
  }

  Result run(std::string_view sql, std::span<const Param> params) override {
    const std::string& name = prepare(sql, static_cast<int>(params.size()));
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      if (std::holds_alternative<Null>(p)) {
        values[i] = nullptr;
        continue;
      }
      if (auto* v = std::get_if<int64_t>(&p)) text[i] = std::to_string(*v);
      else if (auto* d = std::get_if<double>(&p)) text[i] = std::to_string(*d);
      else text[i] = std::get<std::string>(p);
      values[i] = text[i].c_str();
    }
    PgResult r(PQexecPrepared(c_, name.c_str(), static_cast<int>(params.size()), values.data(), nullptr,
                              nullptr, 0));
    check(r.get(), sql);
    Result out;
    int rows = PQntuples(r.get()), cols = PQnfields(r.get());
    out.rows.reserve(static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      std::vector<std::optional<std::string>> cells;
      cells.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(r.get(), i, c)) cells.emplace_back(std::nullopt);
        else cells.emplace_back(std::string(PQgetvalue(r.get(), i, c), static_cast<size_t>(PQgetlength(r.get(), i, c))));
      }
      out.rows.emplace_back(std::move(cells));
    }
    const char* t = PQcmdTuples(r.get());
    out.affected = (t && *t) ? std::stoll(t) : 0;
    return out;
  }

 private:
  void check(PGresult* r, std::string_view sql) {
    auto st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    Error::Kind k = Error::Kind::other;
    if (state && std::string_view(state) == "23505") k = Error::Kind::unique_violation;
    if (state && (std::string_view(state) == "40001" || std::string_view(state) == "40P01")) k = Error::Kind::busy;
    throw Error(k, std::string(PQresultErrorMessage(r)) + " [" + std::string(sql.substr(0, 200)) + "]");
  }

  const std::string& prepare(std::string_view sql, int nparams) {
    auto it = stmts_.find(std::string(sql));
    if (it != stmts_.end()) return it->second;
    std::string name = "lt" + std::to_string(stmts_.size() + 1);
    std::string text = to_dollar(sql);
    PgResult r(PQprepare(c_, name.c_str(), text.c_str(), nparams, nullptr));
    check(r.get(), sql);
    return stmts_.emplace(std::string(sql), std::move(name)).first->second;
  }

  PGconn* c_;
  std::unordered_map<std::string, std::string> stmts_;
};

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string url, int pool) : Database(Backend::postgres, std::move(url), pool) {}

 protected:
  std::unique_ptr<Conn> connect() override { return std::make_unique<PgConn>(url_); }
  void begin(Conn& c) override { c.exec_script("BEGIN"); }
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& url, const std::string& path, int pool,
                                      const std::string& sync, int cache_mib);

std::unique_ptr<Database> Database::open(const std::string& url, int pool_size, const std::string& sync, int sqlite_cache_mib) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    auto db = std::make_unique<PgDatabase>(url, pool_size);
    db->read([](Conn&) {});
    return db;
  }
  std::string path;
  if (url.rfind("sqlite://", 0) == 0) path = url.substr(9);
  else if (url.rfind("sqlite:", 0) == 0) path = url.substr(7);
  else throw Error(Error::Kind::other, "unsupported database URL (use sqlite:PATH or postgresql://…): " + url);
  if (path.empty()) throw Error(Error::Kind::other, "sqlite: URL needs a path");
  return open_sqlite(url, path, pool_size, sync, sqlite_cache_mib);
}

}  // namespace lt::db
