#pragma once
// Append-only, hash-chained audit log. Every write appends a record in the same transaction as the
// change: who, what, which object, which unit, when, the request id, and a digest of the change.
// Each record's hash covers the previous record's hash, so editing, deleting, inserting or
// reordering rows breaks the chain; the chain head (last seq and hash) is signed with the
// platform's key and kept in a separate table, so truncating the tail or rewriting the whole chain
// is caught too (a rewrite cannot produce the signature).
#include <optional>
#include <string>

#include "platform/crypto/keyring.hpp"
#include "platform/db/db.hpp"
#include "platform/http/router.hpp"

namespace lt::audit {

struct Entry {
  std::string actor;        // "account:12", "cli", "system"
  std::string action;       // "account.create", "auth.login", …
  std::string object_type;  // "account"
  std::string object_id;
  std::string unit_code;    // the unit the object belongs to, if any
  std::string request_id;
  std::string detail;       // JSON with what changed (no secrets); its SHA-256 is the digest
  std::string chain = "main";
};

struct VerifyResult {
  bool ok = true;
  int64_t records = 0;
  std::optional<int64_t> bad_id;  // first bad record (audit_log.id), when one is identified
  std::optional<int64_t> bad_seq;
  std::string chain;
  std::string problem;
};

class Log {
 public:
  explicit Log(crypto::KeyRing& keys) : keys_(keys) {}
  static void add_migrations(db::Migrator& m);
  // Inside the caller's write transaction.
  void append(db::Conn& c, const Entry& e);
  VerifyResult verify(db::Database& db);
  // Creates the chain's signed genesis head if it has none (at start), so that emptying both audit
  // tables is caught by verify.
  void ensure_chain(db::Database& db, const std::string& chain = "main");
  void add_routes(http::Router& r, db::Database& db);

 private:
  crypto::KeyRing& keys_;
};

// The canonical text a record's hash covers.
std::string record_hash(const std::string& prev_hash, int64_t seq, const std::string& chain, const std::string& at,
                        const Entry& e, const std::string& digest);

}  // namespace lt::audit
