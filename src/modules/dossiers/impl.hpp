#pragma once
// Internals shared by the dossier module's translation units (intake.cpp, workflow.cpp,
// results.cpp, routes.cpp). Not part of the module's interface.
#include <boost/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "modules/audit/audit.hpp"
#include "modules/catalog/catalog.hpp"
#include "modules/dossiers/dossiers.hpp"
#include "modules/registry/documents.hpp"
#include "modules/registry/registry.hpp"
#include "modules/units/units.hpp"
#include "platform/calendar/store.hpp"
#include "platform/crypto/keyring.hpp"
#include "platform/db/group_commit.hpp"
#include "platform/files/blob_store.hpp"

namespace lt::dossiers {

namespace bj = boost::json;

// One dossier row.
struct Dossier {
  int64_t id = 0, version = 0;
  std::string code, procedure_code, receiving_agency, competent_agency, current_agency, province_code;
  int channel = 1, applicant_kind = 1;
  std::string applicant_key, applicant_name, email, phone, summary;
  std::optional<int64_t> applicant_account, assigned_to;
  int status = kRegistered;
  std::string substate, step;
  std::string submitted_at, received_at, due_at, original_due_at, finished_at, returned_at, paused_at;
  int64_t paused_minutes = 0;
  std::optional<int> resume_status;
  std::string resume_substate;
  int supplements = 0;
  int64_t fees_total = 0, fees_paid = 0;
  bool paid_online = false;
  bj::array form_items, components, steps;
  bj::object form;  // field → {value, source, at?}
  std::optional<bj::object> result, apology, rating, fee_request, supplement_request;
  bool reused = false, digitised = false;
  std::string updated_at;
};

inline constexpr const char* kDossierCols =
    "id, version, code, procedure_code, receiving_agency, competent_agency, current_agency, province_code, channel, applicant_kind,"
    " applicant_key, applicant_name, email, phone, summary, applicant_account, assigned_to, status, substate, step, submitted_at,"
    " received_at, due_at, original_due_at, finished_at, returned_at, paused_at, paused_minutes, resume_status, resume_substate,"
    " supplements, fees_total, fees_paid, paid_online, form, components, steps, extra, reused, digitised, updated_at";

Dossier dossier_from(const db::Row& r);

// The columns a list shows (inbox, my dossiers): no JSON to parse.
inline constexpr const char* kSummaryCols =
    "id, code, procedure_code, receiving_agency, current_agency, channel, applicant_kind, applicant_name, summary, status, substate, step,"
    " submitted_at, received_at, due_at, finished_at, returned_at, paused_at";
Dossier summary_from(db::Row& r);  // moves the cells out of r

struct Service::Impl {
  db::Database& db;
  audit::Log& audit;
  crypto::KeyRing& keys;
  files::BlobStore& blobs;
  units::Service& units;
  registry::Service& registry;
  registry::Documents& documents;
  catalog::Service& catalog;
  calendar::Store& calendar;
  Options opts;

  // Loading and visibility.
  std::optional<Dossier> load(db::Conn& c, const std::string& code) const;
  std::optional<Dossier> load(const std::string& code) const;
  bool may_view(const http::Principal& p, const Dossier& d) const;
  Dossier visible(const http::Request& req, const std::string& code) const;  // 404 unless may_view
  bool is_applicant(const http::Principal& p, const Dossier& d) const;

  // Writing: persists every column of `d` when its version is still `d.version` (409 otherwise),
  // then the timeline event, audit record, status event, portal records and notifications.
  struct Change {
    std::string action, note;
    int from_status = 0;
    std::string notify_subject, notify_body;  // empty: no notification
  };
  void save(db::Conn& c, Dossier& d, const Change& ch, const http::Request& req) const;
  void insert(db::Conn& c, Dossier& d, const Change& ch, const http::Request& req) const;
  void record(db::Conn& c, const Dossier& d, const Change& ch, const http::Request& req) const;

  // Queue of the dossier's next actor (inbox): agency and role, sorted by due time.
  static void set_queue(const Dossier& d, std::string& agency, std::string& role);

  // Deadlines.
  std::string due_from(int64_t received_ms, const catalog::Procedure& p) const;
  bj::array step_dues(int64_t received_ms, const std::string& due_iso, const catalog::Procedure& p) const;
  // `cal`: the calendar to use (a list passes one for all its rows), else the current one.
  std::string deadline_status(const Dossier& d, int64_t now_ms, const calendar::WorkCalendar* cal = nullptr) const;

  // JSON views.
  // A list row's JSON (the summary fields of json(d, false)) appended to `out`.
  // Agency names already looked up while writing one page (a page names few agencies, many times).
  struct PageNames {
    std::vector<std::pair<std::string, std::string>> names;  // code, name
  };
  void append_summary(std::string& out, const Dossier& d, const calendar::WorkCalendar* cal, PageNames* page = nullptr) const;
  // `sp`: where a list builds all its rows (one arena per page instead of ~20 allocations a row).
  bj::object json(const Dossier& d, bool full, const calendar::WorkCalendar* cal = nullptr, bj::storage_ptr sp = {}) const;
  bj::array timeline(const Dossier& d) const;
  // Agency names, remembered for a minute; prime() before a write transaction, which then reads
  // only the memory (no second database connection inside a transaction).
  std::string agency_name(const std::string& code) const;
  void prime(const Dossier& d) const;
  mutable std::mutex names_mu;
  mutable std::map<std::string, std::pair<std::string, int64_t>> names;  // code → name, fetched at (ms)
  // Intake and transitions commit in groups (one fsync for many concurrent dossiers).
  std::unique_ptr<db::GroupCommit> group;

  // National portal records (sync.cpp).
  bj::object portal_dossier(const Dossier& d) const;
  bj::object portal_progress(const Dossier& d, const Change& ch, const http::Principal* who) const;

  // Results (results.cpp): builds, signs, renders and stores the result; fills d.result.
  struct Issued {
    std::string json_bytes, pdf_bytes, json_sha, pdf_sha;
  };
  Issued issue_result(Dossier& d, const catalog::Procedure& p, const http::Principal& leader) const;
  void store_result(db::Conn& c, const Dossier& d, const catalog::Procedure& p, const Issued& r, const http::Request& req) const;
  std::string verify_url(const Dossier& d) const;
};

// Vietnam local time "yyyyMMddHHmmss" of an ISO UTC instant (empty for empty).
std::string portal_time(const std::string& iso_utc);
// "dd/MM/yyyy HH:mm" local, for printed documents.
std::string local_display(const std::string& iso_utc, bool with_time = true);

}  // namespace lt::dossiers
