#pragma once
// Base registries ("one single data", docs/REGISTRY.md): citizens, households, enterprises and land
// parcels in one versioned store. Every record keeps its full history (a row per version, `as_of`
// reads), is only ever soft-deleted, and carries the source system and time of each field's value.
// Writes validate the data-quality rules (rules.hpp): a broken correct/sufficient rule rejects the
// record, clean/live/unified findings are warnings kept on it. Every write commits with its audit
// record and a change event (`citizen.updated`, …) in the outbox.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "modules/audit/audit.hpp"
#include "modules/registry/access_log.hpp"
#include "modules/registry/rules.hpp"
#include "modules/units/units.hpp"
#include "platform/db/db.hpp"
#include "platform/http/router.hpp"

namespace lt::registry {

// One registry's shape: its CSV template (the order of `fields`) and its key.
struct FieldSpec {
  std::string name;
  bool required = false;
};
struct RegistrySpec {
  std::string name;     // "citizens", "households", "enterprises", "parcels"
  std::string kind;     // singular, for events and audit: "citizen", …
  std::string key;      // key field
  std::vector<FieldSpec> fields;
};
const std::vector<RegistrySpec>& specs();
const RegistrySpec* spec(std::string_view name);

// A record as read from an import row or an API body, before or after validation.
struct Record {
  std::string registry, key;
  boost::json::object data;                // normalised values (strings), see Service::normalise
  std::vector<rules::Violation> errors;    // correct.* and sufficient.*: the record is rejected
  std::vector<rules::Violation> warnings;  // clean.*, live.*, unified.*: kept on the record
  std::string unit_code, name_folded, dup_key;
};

struct ImportOptions {
  std::string registry;
  std::string format = "csv";  // csv | jsonl
  std::string source;          // the source system, recorded per field (default "import:<file name>")
  std::string actor = "cli";
  std::string scope_province;  // when set, rows placed in another province are rejected (scope.outside_province)
  size_t batch = 5000;
  std::function<void(size_t rows, size_t bytes)> progress;
};
struct ImportSummary {
  size_t rows = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0, with_warnings = 0, batches = 0;
  std::vector<std::pair<std::string, size_t>> rules;  // rule code → rows, most frequent first
};

class Service {
 public:
  Service(db::Database& db, audit::Log& audit, units::Service& units);
  ~Service();
  static void add_migrations(db::Migrator& m);

  // Validates and normalises `in` (field → string value) for `registry` into `r`. `today`: YYYY-MM-DD.
  Record normalise(const RegistrySpec& spec, const boost::json::object& in, const std::string& today) const;

  // Streams an import (CSV with the registry's template header, or JSON Lines). Rejected rows go to
  // `rejects` as CSV `line,key,rules,message`; accepted rows with warnings as well, with
  // `accepted_with_warnings` in the message. Idempotent: a row equal to the stored record is left
  // alone. Throws ApiError (400) when the file cannot be read as a whole (encoding, header).
  ImportSummary import(std::istream& in, std::ostream* rejects, const ImportOptions& o);

  // One record, current or as of a date; nullopt when unknown (or deleted, unless include_deleted).
  std::optional<boost::json::object> get(const std::string& registry, const std::string& key, const std::string& as_of = {}) const;
  boost::json::array history(const std::string& registry, const std::string& key) const;
  // Upsert of one record (API); returns the stored record. Throws ApiError 400 naming the field.
  // `scope_province`: when set, a record placed in another province is refused (403).
  boost::json::object put(const std::string& registry, const boost::json::object& fields, const std::string& source,
                          const std::string& actor, const std::string& request_id, const std::string& scope_province = {});
  void remove(const std::string& registry, const std::string& key, const std::string& actor, const std::string& request_id);

  // Data-quality report: per rule, counts and rates for a registry and unit (a province or commune
  // code, or empty for everything).
  boost::json::object quality(const std::string& registry, const std::string& unit) const;
  std::vector<std::string> quality_records(const std::string& registry, const std::string& unit, const std::string& rule,
                                           size_t limit) const;

  void add_routes(http::Router& r);
  // "Declare once" (purposes.cpp): a purpose allows named attributes of one registry to officials of
  // named roles (within their province) and to member systems granted it.
  struct Purpose {
    std::string code, name, registry, legal_basis, status;
    std::vector<std::string> attributes, roles;
  };
  std::optional<Purpose> purpose(const std::string& code) const;
  std::vector<Purpose> purposes() const;
  Purpose create_purpose(const Purpose& p, const std::string& actor, const std::string& request_id);
  void grant(const std::string& purpose, int64_t account_id, bool on, const std::string& actor, const std::string& request_id);
  bool granted(const std::string& purpose, int64_t account_id) const;
  void add_purpose_routes(http::Router& r);

  // Throws 403 unless the caller may see `rec` (a record as get() returns it): system admins
  // anywhere, other officials in their own province.
  void check_scope(const http::Request& req, const boost::json::object& rec) const;
  // Writes one line of the personal-data access log; returns once it is durably committed (group commit).
  void log_access(const http::Request& req, const std::string& registry, const std::string& key, const std::string& fields,
                  const std::string& purpose, const std::string& outcome);
  // The same line, for the caller to write with AccessLog::insert in its own transaction (a dossier
  // that reads the registry commits the access log line with the dossier).
  static AccessEntry access_entry(const http::Request& req, const std::string& registry, const std::string& key, const std::string& fields,
                                  const std::string& purpose, const std::string& outcome);

  const std::set<std::string, std::less<>>& old_provinces() const { return old_provinces_; }
  int stale_days = 365;

 private:
  // Purposes and grants are read on every lookup and change rarely: remembered for
  // kDecisionCacheMs, forgotten at once when this process changes one; another process's change
  // is seen within that time.
  static constexpr int kDecisionCacheMs = 1000;
  void forget_decisions() const;
  // A write of purposes or grants: once it has committed (or failed), the remembered ones are forgotten.
  template <class F>
  auto write_decision(F&& f) {
    struct Forget {
      const Service* s;
      ~Forget() { s->forget_decisions(); }
    } forget{this};
    return db_.write(std::forward<F>(f));
  }
  mutable std::mutex decisions_mu_;
  mutable std::map<std::string, std::pair<std::optional<Purpose>, std::chrono::steady_clock::time_point>> purpose_cache_;
  mutable std::map<std::pair<std::string, int64_t>, std::pair<bool, std::chrono::steady_clock::time_point>> grant_cache_;
  mutable uint64_t decisions_gen_ = 0;

  db::Database& db_;
  audit::Log& audit_;
  units::Service& units_;
  std::set<std::string, std::less<>> old_provinces_;
  std::unique_ptr<AccessLog> access_log_;
};

void add_purpose_migrations(db::Migrator& m);

}  // namespace lt::registry
