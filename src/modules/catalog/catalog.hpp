#pragma once
// Procedure catalogue (issue 5, item 1; docs/PROCEDURES.md): each administrative procedure with its
// national code, field, implementing level and competent agency type, legal time limit, fees, legal
// basis, online level, required components (each satisfiable by an upload, a scan at the counter,
// registry data read for a registered purpose, or a document already in the person's data store),
// form fields mapped to registry attributes, result type and workflow template. The starter
// catalogue ships as data/catalog/procedures.json; admins import and export JSON or CSV.
//
// The whole catalogue is small (hundreds of procedures) and read on every intake: it is held in
// memory as an immutable snapshot, replaced after each write.
#include <boost/json/object.hpp>

#include <memory>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "platform/db/db.hpp"
#include "platform/http/router.hpp"

namespace lt::audit {
class Log;
}

namespace lt::catalog {

struct Component {
  std::string code, name, doc_type, registry_purpose;
  bool required = true;
  std::vector<std::string> sources;  // upload | scan | registry | pds
  bool accepts(std::string_view source) const;
};

struct FormField {
  std::string name, label, type;  // text | date | number | personal_id | enterprise_code | address | select
  bool required = false;
  std::vector<std::string> options;
  // Prefill from a registry: the applicant's (or the named subject field's) record, read for a purpose.
  std::string prefill_registry, prefill_subject, prefill_attribute, prefill_purpose;
};

struct Fee {
  std::string code, name, unit, note;
  int64_t amount = 0;  // VND
};

struct Step {
  std::string step;   // receive | process | approve | return
  std::string name;
  std::string role;   // one-stop-officer | specialist | leader
  std::string level;  // receiving | competent
  double share = 0;   // of the time limit
};

struct Procedure {
  std::string code, name, name_en, field_code, field_name;
  std::string level;        // commune | province
  std::string agency_kind;  // people-committee | department | police | service-centre
  std::string agency_note;  // e.g. "Sở Tư pháp": routes a province-level procedure to that department
  std::string time_unit;    // working_days | working_hours
  int time_value = 0;
  std::string online_level;  // full | partial
  std::string status = "active";  // active | retired
  std::vector<std::string> legal_basis;
  std::vector<Fee> fees;
  std::vector<Component> components;
  std::vector<FormField> form_fields;
  std::string result_doc_type, result_name;
  bool result_electronic = true;
  std::vector<Step> workflow;
  std::string source, notes;
  int64_t version = 0;
  std::string updated_at;

  int64_t fees_total() const;
  boost::json::object json() const;  // the catalogue's JSON format (docs/PROCEDURES.md)
};

// Reads one procedure in the catalogue's JSON format, checking every field; throws ApiError 400
// whose field names the path (e.g. "components[2].sources").
Procedure parse_procedure(const boost::json::object& o, const std::string& path = {});

class Service {
 public:
  Service(db::Database& db, audit::Log& audit);
  // Migration catalog/1 creates the table and loads `starter_file` (data/catalog/procedures.json).
  static void add_migrations(db::Migrator& m, const std::string& starter_file);
  void load();

  std::shared_ptr<const Procedure> get(std::string_view code) const;
  struct Query {
    std::string q, level, field;
    bool include_retired = false;
  };
  std::vector<std::shared_ptr<const Procedure>> list(const Query& q) const;

  struct ImportResult {
    int created = 0, updated = 0, unchanged = 0;
  };
  // Upserts procedures (a changed one gets version + 1) in one transaction with an audit record and
  // a `catalog.changed` event. `body`: JSON ({"procedures": [...]} or an array) or CSV (the export's
  // columns). Throws ApiError 400 naming the bad row and field; nothing is written then.
  ImportResult import(std::string_view body, bool csv, const std::string& actor, const std::string& request_id);
  std::string export_json() const;
  std::string export_csv() const;

  void add_routes(http::Router& r);

 private:
  using Snapshot = std::map<std::string, std::shared_ptr<const Procedure>, std::less<>>;
  std::shared_ptr<const Snapshot> snapshot() const;
  db::Database& db_;
  audit::Log& audit_;
  mutable std::shared_mutex mu_;
  std::shared_ptr<const Snapshot> snap_;
};

// The CSV columns of export_csv() and import (lists and objects as compact JSON in their cell).
const std::vector<std::string>& csv_columns();

}  // namespace lt::catalog
