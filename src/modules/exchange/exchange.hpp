#pragma once
// Data exchange (issue 6; docs/EXCHANGE.md): member systems and the services they publish, access
// grants, and the gateway every member calls through, compatible on the client side with X-Road's
// REST message protocol (`/r1/{instance}/{class}/{member}/{subsystem}/{service}/{path…}`, caller
// named in `X-Road-Client`). Every message is authenticated, checked against a grant, forwarded
// with a signature the provider can verify, and written to a hash-chained message log.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/db/db.hpp"
#include "platform/http/router.hpp"

namespace lt::audit {
class Log;
}
namespace lt::crypto {
class KeyRing;
}

namespace lt::exchange {

// INSTANCE/CLASS/MEMBER/SUBSYSTEM, e.g. "VN/GOV/000.00.00.H26/MOTCUA".
struct SystemId {
  std::string instance, member_class, member_code, subsystem;
  std::string str() const { return instance + "/" + member_class + "/" + member_code + "/" + subsystem; }
  static std::optional<SystemId> parse(std::string_view s);
};

struct System {
  SystemId id;
  std::string name, status, created_at;
  int64_t account_id = 0;  // the member-system account whose API keys authenticate it (identity)
  int rate_per_second = 0;  // 0: the default
  std::string cert_sha256;  // its client certificate (SHA-256 of the DER, hex), if it proves itself by one
};

struct ServiceDef {
  int64_t id = 0;
  SystemId provider;
  std::string code, version, upstream, description, openapi, status;
  std::vector<std::string> methods, paths;  // allowed methods; path prefixes ("/" for all)
  int timeout_ms = 10000;
  int64_t max_body = 1 << 20;
};

struct Grant {
  int64_t id = 0;
  std::string client;  // SystemId::str()
  int64_t service_id = 0;
  std::vector<std::string> methods;  // empty: the service's
  std::string path_prefix;           // empty: the service's
  std::string valid_from, valid_to, revoked_at, created_at;
};

struct Options {
  std::string instance = "VN";
  int default_rate_per_second = 1000;
  // Authenticates the caller's credential (API key); wired to identity by the app.
  std::function<std::optional<http::Principal>(const http::Request&)> authenticate;
  // Whether an account may still act (active, not disabled): a system proven by its client
  // certificate is refused when its member-system account is not; wired to identity by the app.
  std::function<bool(int64_t account_id)> account_active;
};

class Service {
 public:
  Service(db::Database& db, audit::Log& audit, crypto::KeyRing& keys, Options opts);
  ~Service();
  static void add_migrations(db::Migrator& m);

  void add_routes(http::Router& r);
  // The caller's system id when its X-Road-Client names an active system whose key it presents.
  std::optional<std::string> member_of(const http::Request& req) const;

  struct Stats {
    int64_t logged = 0, pending = 0;
  };
  Stats stats() const;

  // Recomputes the message log's hash chains (one per writer process): every record's hash over
  // its fields and the previous record's hash, and the links between them. A changed or removed
  // record shows as the first bad one; removing a chain's newest records cannot be seen (its head
  // is not signed).
  struct LogCheck {
    bool ok = true;
    int64_t records = 0, chains = 0;
    std::string chain, problem;  // the first broken chain and what is wrong
    int64_t bad_id = 0;          // its first bad record
  };
  static LogCheck verify_log(db::Database& db);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The canonical text a gateway signature covers (docs/EXCHANGE.md).
std::string signing_text(std::string_view method, std::string_view path, std::string_view time, std::string_view body_sha256_hex,
                         std::string_view client);

}  // namespace lt::exchange
