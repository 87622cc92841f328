#pragma once
// Dossiers (issue 5; docs/PROCEDURES.md): intake online or at the counter with prefill from the
// registries, the national portal's ten statuses refined by local sub-states, the workflow's
// transitions (each allowed only to the right role of the right agency), legal deadlines in working
// time with the clock paused during supplements, apology slips, signed results, the applicant's
// side, and the national portal's synchronisation records.
//
// Every write is one transaction holding the change, its timeline event, its audit record and its
// outbox events (status event, portal synchronisation record, notification).
#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modules/catalog/catalog.hpp"
#include "platform/calendar/store.hpp"
#include "platform/db/db.hpp"
#include "platform/http/router.hpp"

namespace lt::audit {
class Log;
}
namespace lt::crypto {
class KeyRing;
}
namespace lt::files {
class BlobStore;
}
namespace lt::registry {
class Service;
class Documents;
}  // namespace lt::registry
namespace lt::units {
class Service;
}

namespace lt::dossiers {

// The national portal's status codes (VIETNAM.md).
enum Status : int {
  kRegistered = 1,       // newly registered (online, not yet received)
  kReceived = 2,
  kNotReceived = 3,
  kProcessing = 4,
  kSupplement = 5,       // supplement requested
  kFinancial = 6,        // financial obligation requested
  kWithdrawn = 7,
  kStopped = 8,
  kProcessed = 9,        // result back at the desk
  kReturned = 10,
};
const char* status_name(int status);  // Vietnamese label
bool terminal(int status);

// Local sub-states, each mapped onto one status (docs/PROCEDURES.md).
struct Substate {
  const char* code;
  int status;
  const char* name;
};
const std::vector<Substate>& substates();

struct Options {
  std::string public_url = "http://localhost:8080";
  // National portal synchronisation: records go to this endpoint (empty: kept as delivered-to-nowhere).
  std::string portal_url;
  std::string portal_token;
  size_t max_file_bytes = 20u << 20;
  // An account's role and agency (identity), to check an assignment.
  std::function<std::optional<std::pair<std::string, std::string>>(int64_t account_id)> account_role_agency;
};

class Service {
 public:
  Service(db::Database& db, audit::Log& audit, crypto::KeyRing& keys, files::BlobStore& blobs, units::Service& units,
          registry::Service& registry, registry::Documents& documents, catalog::Service& catalog, calendar::Store& calendar,
          Options opts);
  static void add_migrations(db::Migrator& m);

  // Stores an uploaded or scanned file (type, size, content checks; `claimed_sha256`, when given,
  // must match); returns {sha256, size, mime}.
  boost::json::object put_file(std::string_view bytes, std::string_view content_type, std::string_view claimed_sha256,
                               const http::Principal& who);
  // What the form would be prefilled with for this caller, with provenance, and the documents of
  // their data store that satisfy components. Reads are access-logged.
  boost::json::object prefill(const http::Request& req, const std::string& procedure_code, const std::string& applicant_key);
  // Intake. Returns {dossier, created}; created = false when the idempotency key was seen before.
  std::pair<boost::json::object, bool> submit(const http::Request& req, const boost::json::object& body, const std::string& idempotency_key);
  // A transition (action names in docs/PROCEDURES.md). Returns the dossier after it.
  boost::json::object act(const http::Request& req, const std::string& code, const std::string& action, const boost::json::object& body);

  // The dossier as its viewer may see it (404 when they may not).
  boost::json::object view(const http::Request& req, const std::string& code);
  // The inbox page as JSON text: {role, agency, agency_name, items: [...], next}.
  std::string inbox(const http::Request& req, int limit, const std::string& after);
  boost::json::object mine(const http::Request& req);
  boost::json::object public_lookup(const std::string& code);
  boost::json::object verify_result(std::string_view result_json);

  // Printable documents: receipt, apology slip, result (PDF bytes).
  std::string receipt_pdf(const http::Request& req, const std::string& code);
  std::string apology_pdf(const http::Request& req, const std::string& code);
  std::string result_pdf(const std::string& code);  // public: the result carries its own signature

  void add_routes(http::Router& r);

  // Load-test data: `count` dossiers spread over `agencies` (receiving = processing agency) in
  // every status, written in multi-row batches without timeline, audit or events. Returns count.
  int64_t generate(int64_t count, uint64_t seed, const std::vector<std::string>& agencies, const std::string& province,
                   const std::function<void(int64_t done)>& progress = {});

  // Outbox handler for `portal.` events: POSTs the record to the national portal endpoint.
  std::function<void(const std::string& topic, const std::string& payload, int64_t event_id)> portal_sender();

  const Options& options() const { return opts_; }

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  Options opts_;
};

}  // namespace lt::dossiers
